"""Wall-clock limits that interrupt a check that never returns.

On the main thread: SIGALRM.  Off it (a Dask worker runs its task in a thread, where signals cannot be
delivered): one watchdog thread per process raises the exception asynchronously in the limited thread
(``PyThreadState_SetAsyncExc``), which takes effect at the thread's next Python bytecode -- so a long call
inside compiled code (one LAPACK routine) is interrupted when it returns, not during it.
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import itertools
import math
import os
import signal
import threading
import time


class ExampleTimeout(BaseException):
    """One example exceeded its time limit.  A BaseException so that Hypothesis does not shrink it."""


def _can_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise :class:`ExampleTimeout` in the block after ``seconds`` (any thread; see the module docstring)."""
    if not seconds or seconds <= 0:
        yield
        return
    limit = _alarm_limit if _can_alarm() else _thread_limit
    with limit(seconds):
        yield


@contextlib.contextmanager
def _alarm_limit(seconds: float):
    def on_alarm(signum, frame):
        raise ExampleTimeout(f"example exceeded {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _set_async_exc(thread_id: int, exc) -> int:
    return ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc)
                                                      if exc is not None else None)


@functools.lru_cache(maxsize=64)
def _timeout_type(seconds: float) -> type:
    """The exception raised asynchronously (a type, not an instance): an ExampleTimeout naming the limit."""
    return type("ExampleTimeout", (ExampleTimeout,), {"__str__": lambda self: f"example exceeded {seconds:g} s"})


class _Watchdog:
    """One daemon thread per process that raises the timeout in every limited thread whose deadline passes.

    Arming and disarming a limit is a dictionary entry under a lock (a few microseconds: a limit is set around
    every example); the thread sleeps until the earliest deadline and is woken only when a new deadline comes
    before the one it sleeps towards.  The lock orders "fire" against "leave": a timeout fires only while its
    block runs, and one it scheduled but that the thread had not yet met when the block ended is withdrawn."""

    def __init__(self):
        self._cond = threading.Condition()
        self._armed: dict[int, list] = {}  # id -> [deadline, thread id, exception type, fired]
        self._ids = itertools.count()
        self._wake = math.inf  # the deadline the thread sleeps towards
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        with self._cond:
            key = next(self._ids)
            self._armed[key] = [deadline, threading.get_ident(), _timeout_type(seconds), False]
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="landscape-audit-watchdog", daemon=True)
                self._thread.start()
            elif deadline < self._wake:
                self._cond.notify()
        return key

    def disarm(self, key: int) -> None:
        with self._cond:
            deadline, thread, _, fired = self._armed.pop(key)
            if fired:
                _set_async_exc(thread, None)  # withdraw it if still pending (no-op when already raised)

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.monotonic()
                for entry in self._armed.values():
                    if not entry[3] and entry[0] <= now:
                        entry[3] = True
                        _set_async_exc(entry[1], entry[2])
                pending = [e[0] for e in self._armed.values() if not e[3]]
                self._wake = min(pending, default=math.inf)
                self._cond.wait(None if self._wake == math.inf else self._wake - now)


_watchdog = _Watchdog()


def _new_watchdog_after_fork() -> None:
    """A forked child has no watchdog thread and may hold a copy of a taken lock: it starts afresh."""
    global _watchdog
    _watchdog = _Watchdog()


os.register_at_fork(after_in_child=_new_watchdog_after_fork)


@contextlib.contextmanager
def _thread_limit(seconds: float):
    """The limit off the main thread: :class:`_Watchdog` raises the timeout in this thread."""
    key = _watchdog.arm(seconds)
    try:
        yield
    finally:
        _watchdog.disarm(key)
