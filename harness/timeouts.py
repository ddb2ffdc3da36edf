"""Wall-clock limits that interrupt a check that never returns.

On the main thread: SIGALRM.  Off it (a Dask worker runs its task in a thread, where signals cannot be
delivered): a timer thread raises the exception asynchronously in the limited thread
(``PyThreadState_SetAsyncExc``), which takes effect at the thread's next Python bytecode -- so a long call
inside compiled code (one LAPACK routine) is interrupted when it returns, not during it.
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import threading


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


@contextlib.contextmanager
def _thread_limit(seconds: float):
    """The timer fires only while the block runs (a lock orders "fire" against "leave"); an exception it
    scheduled but that the thread had not yet met when the block ended is withdrawn."""
    exc = type("ExampleTimeout", (ExampleTimeout,), {"__str__": lambda self: f"example exceeded {seconds:g} s"})
    target, lock, state = threading.get_ident(), threading.Lock(), {"active": True, "fired": False}

    def fire():
        with lock:
            if state["active"]:
                state["fired"] = True
                _set_async_exc(target, exc)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["active"] = False
            if state["fired"]:
                _set_async_exc(target, None)  # withdraw it if still pending (no-op when already raised)
        timer.cancel()
