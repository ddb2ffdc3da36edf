"""Discrete dimensions of an instance space, for small-scope enumeration.

Most false claims fail first at small sizes (the small-scope hypothesis behind SmallCheck, LeanCheck and
Alloy), but random draws visit whichever small configurations they happen to hit.  A strategy declares each
discrete choice of an instance once, by name:

    H = draw(dimension("depth", st.integers(1, 4)))

Outside enumeration this is exactly ``draw(st.integers(1, 4))``.  The runner's enumeration phase
(:mod:`harness.engine.enumeration`) first *records* which dimensions a strategy reads and their finite value sets,
then *pins* them to each small configuration in turn (all draws of a dimension read the pinned value), and
lets Hypothesis draw the continuous part, shrink and replay as usual.  Claims need no change.

Finite value sets are read from ``st.integers(a, b)`` (b - a < 64), ``st.sampled_from(...)`` (without
filters), ``st.just(...)`` and ``st.booleans()``; any other strategy is drawn as it is (not enumerated).
Values are listed in Hypothesis' shrink order (small integers, the first element), so a configuration's
*size* -- the sum of its values' positions -- orders enumeration from the simplest instance up.
"""
from __future__ import annotations

import contextlib
import contextvars

from hypothesis import strategies as st

#: name -> pinned value, while the enumeration phase generates an instance.
_PINS: contextvars.ContextVar = contextvars.ContextVar("landscape_audit_pins", default=None)
#: name -> value tuple of every dimension read, and the names read in this instance (order kept).
_SEEN: contextvars.ContextVar = contextvars.ContextVar("landscape_audit_seen", default=None)

MAX_VALUES = 64


def finite_values(strategy) -> tuple | None:
    """The finite, ordered value set of a simple strategy, or None if it is not one we can enumerate."""
    w = getattr(strategy, "wrapped_strategy", strategy)
    name = type(w).__name__
    if name == "IntegersStrategy":
        start, end = getattr(w, "start", None), getattr(w, "end", None)
        if start is None or end is None or end - start >= MAX_VALUES or getattr(strategy, "_transformations", ()):
            return None
        if type(strategy).__name__ == "MappedStrategy":
            return None
        return tuple(range(start, end + 1))
    if name == "BooleansStrategy":
        return (False, True)
    if name in ("SampledFromStrategy", "JustStrategy"):
        if getattr(w, "_transformations", ()):
            return None
        values = tuple(dict.fromkeys(w.elements)) if _hashable(w.elements) else None
        return values if values and len(values) <= MAX_VALUES else None
    return None


def _hashable(xs) -> bool:
    try:
        for x in xs:
            hash(x)
        return True
    except TypeError:
        return False


@st.composite
def dimension(draw, name: str, strategy):
    """Draw from ``strategy``, declared as the discrete dimension ``name`` (see the module docstring)."""
    values = finite_values(strategy)
    seen = _SEEN.get()
    if seen is not None and values is not None:
        seen["values"].setdefault(name, values)
        seen["read"].setdefault(name, None)
    pins = _PINS.get()
    if pins is not None and values is not None and name in pins and pins[name] in values:
        value = pins[name]
    else:
        value = draw(strategy)
    if seen is not None and values is not None and seen["read"].get(name) is None:
        seen["read"][name] = value
    return value


def draw_dimension(draw, name: str, value_or_strategy):
    """``draw(dimension(name, s))`` for a strategy ``s``; a plain value is returned as it is (builders accept
    either a fixed size or a strategy of sizes)."""
    if isinstance(value_or_strategy, st.SearchStrategy):
        return draw(dimension(name, value_or_strategy))
    return value_or_strategy


@contextlib.contextmanager
def pinned(config: dict | None):
    """Within this block, dimensions named in ``config`` read the pinned value."""
    token = _PINS.set(dict(config) if config is not None else None)
    try:
        yield
    finally:
        _PINS.reset(token)


@contextlib.contextmanager
def recording():
    """Within this block, every dimension read is recorded: yields a dict with ``values`` (name -> value tuple,
    over all instances generated in the block) and ``read`` (name -> the first value read; reset it between
    instances with :func:`new_instance`)."""
    log = {"values": {}, "read": {}}
    token = _SEEN.set(log)
    try:
        yield log
    finally:
        _SEEN.reset(token)


def new_instance(log: dict) -> None:
    log["read"] = {}
