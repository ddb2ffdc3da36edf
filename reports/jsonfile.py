"""The report as JSON: exactly ``RunResult.to_dict()``, which :meth:`RunResult.from_dict` reads back.

Non-finite floats inside evidence are written as ``NaN`` / ``Infinity`` (Python's ``json`` reads them back, so
nothing is lost; strict JSON parsers reject them).  NumPy scalars and arrays that slipped into evidence or
instance dicts are written as plain numbers and lists.
"""
from __future__ import annotations

import json

from harness.core.results import RunResult


def _default(x):
    if hasattr(x, "tolist"):  # numpy arrays and scalars
        return x.tolist()
    if isinstance(x, (set, frozenset)):
        return sorted(x, key=repr)
    raise TypeError(f"report JSON: cannot serialise {type(x).__name__} {x!r}")


def render_json(run: RunResult) -> str:
    """``json.dumps(run.to_dict(), indent=2)`` (plus a final newline)."""
    return json.dumps(run.to_dict(), indent=2, default=_default) + "\n"


def load_json(text: str) -> RunResult:
    """The inverse of :func:`render_json`."""
    return RunResult.from_dict(json.loads(text))
