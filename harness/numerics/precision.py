"""The precision of the computations in force: float64 JAX (the search) or mpmath (re-verification).

Within :func:`precise_backend` every model's problem computes in mpmath with the given digits, and the
numerics helpers (:func:`harness.numerics.lstsq`, ...) switch with it; :func:`float64_backend` switches back
inside such a block.  The state is a context variable, so threads and asyncio tasks see their own.
"""
from __future__ import annotations

import contextlib
import contextvars

_BACKEND = contextvars.ContextVar("landscape_audit_backend", default="jax")


@contextlib.contextmanager
def precise_backend(digits: int = 50):
    """Within this block every :class:`Problem` computes in mpmath with ``digits`` significant digits."""
    token = _BACKEND.set(("mp", digits))
    try:
        yield
    finally:
        _BACKEND.reset(token)


@contextlib.contextmanager
def float64_backend():
    """Within this block computations are float64 JAX again (e.g. an optimiser run inside a check that is
    being re-verified in mpmath: only its result needs the precise backend)."""
    token = _BACKEND.set("jax")
    try:
        yield
    finally:
        _BACKEND.reset(token)


def precise_digits() -> int | None:
    """The digits of the active :func:`precise_backend`, or None while computations are float64."""
    b = _BACKEND.get()
    return None if b == "jax" else b[1]


def backend_name() -> str:
    digits = precise_digits()
    return "jax" if digits is None else f"mpmath({digits} digits)"
