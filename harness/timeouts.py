"""Wall-clock limits that interrupt a check that never returns (SIGALRM, main thread only)."""
from __future__ import annotations

import contextlib
import signal
import threading


class ExampleTimeout(BaseException):
    """One example exceeded its time limit.  A BaseException so that Hypothesis does not shrink it."""


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise :class:`ExampleTimeout` in the block after ``seconds`` (no-op off the main thread)."""
    if not seconds or seconds <= 0 or not _can_alarm():
        yield
        return

    def on_alarm(signum, frame):
        raise ExampleTimeout(f"example exceeded {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
