"""Evidence: what a check returns.  A signed, scale-free margin (>= 0 holds, < 0 violated), a short detail and
the numbers behind it.  Checks raise :class:`Inconclusive` when the numerics cannot decide (no spectral gap,
an ill-conditioned rank, a point that is not critical enough); that is never a silent pass or fail.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

#: Margins are clipped to +-MARGIN_CAP so that exact zeros (log of 0) stay finite for ``target()``.
MARGIN_CAP = 30.0


class Inconclusive(Exception):
    """The numerics could not decide this example (e.g. no clear eigen/singular value gap)."""


@dataclass
class Evidence:
    margin: float
    detail: str = ""
    values: dict = field(default_factory=dict)

    # ---- constructors for the common shapes of conclusion --------------------------------------------
    @classmethod
    def within(cls, err: float, tol: float, what: str, **values) -> "Evidence":
        """``err <= tol`` for a relative error: margin = log10(tol / err), i.e. the decades to spare."""
        err = float(abs(err))
        if math.isnan(err):
            return cls(float("nan"), f"{what}: error is NaN", {"err": err, "tol": tol, **values})
        margin = MARGIN_CAP if err == 0 else max(-MARGIN_CAP, min(MARGIN_CAP, math.log10(tol / err)))
        return cls(margin, f"{what}: {err:.3g} (tolerance {tol:.1g})", {"err": err, "tol": tol, **values})

    @classmethod
    def at_least(cls, value: float, bound: float, what: str, tiebreak: float = 0.0, **values) -> "Evidence":
        """``value >= bound``: margin = (value - bound + t) / max(1, |bound|).

        ``tiebreak`` t in [0, 1) gives integer counts a slope for ``target()`` and the margin-guided
        enumeration: smaller t means "closer to losing one more unit" (e.g. more negative eigenvalues at a
        saddle, where zero counts break).  For integer value and bound the verdict is the count's alone:
        value >= bound iff value - bound + t >= 0."""
        t = _tiebreak(tiebreak, value, bound)
        margin = (value - bound + t) / max(1.0, abs(bound))
        return cls(margin, f"{what}: {value:g} (needs >= {bound:g})", {"value": value, "bound": bound, **values})

    @classmethod
    def at_most(cls, value: float, bound: float, what: str, tiebreak: float = 0.0, **values) -> "Evidence":
        """``value <= bound``: margin = (bound - value + t) / max(1, |bound|) (``tiebreak`` as in at_least)."""
        t = _tiebreak(tiebreak, value, bound)
        margin = (bound - value + t) / max(1.0, abs(bound))
        return cls(margin, f"{what}: {value:g} (needs <= {bound:g})", {"value": value, "bound": bound, **values})

    @classmethod
    def equal(cls, value: int, expected: int, what: str, **values) -> "Evidence":
        """An exact count: margin = -|value - expected| (0 when equal)."""
        margin = -abs(value - expected) / max(1.0, abs(expected))
        return cls(margin, f"{what}: {value} (expected {expected})", {"value": value, "expected": expected, **values})

    @classmethod
    def all_of(cls, *parts: "Evidence") -> "Evidence":
        """A conjunction: the weakest part decides."""
        worst = min(parts, key=lambda e: e.margin if not math.isnan(e.margin) else -math.inf)
        values = {}
        for p in parts:
            values.update(p.values)
        return cls(worst.margin, "; ".join(p.detail for p in parts), values)

    @property
    def holds(self) -> bool:
        return self.margin >= 0

    def to_dict(self) -> dict:
        return {"margin": self.margin, "detail": self.detail, "values": jsonable(self.values)}


def _tiebreak(t: float, value, bound) -> float:
    """A tie-breaker only for integer comparisons (where it cannot change the verdict), clipped to [0, 0.99]."""
    if not t:
        return 0.0
    if float(value) != int(value) or float(bound) != int(bound):
        raise ValueError("a tie-breaker is only sound for integer value and bound")
    return min(max(float(t), 0.0), 0.99)


def jsonable(x):
    """``x`` with numpy arrays and scalars turned into lists and plain numbers, sets into sorted lists and
    dict keys into strings, recursively: what ``json.dumps`` takes as it is."""
    import numpy as np

    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (set, frozenset)):
        return [jsonable(v) for v in sorted(x)]
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    return x
