"""Datasets: n distinct inputs x_i in R^{d_in} with targets y_i in R^{d_out}.

``entries="gaussian"``: drawn from a seed, N(0, 1) rounded to two decimals, distinct rows: in general
position for all practical purposes (the generic data of the theorems) and still short to read in a
counterexample.  ``entries="simple"``: half-integers in [-2, 2], distinct rows, which shrink to
readable counterexamples (but may be degenerate: use them where the claim allows any data).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

seeds = st.integers(0, 2**32 - 1)


def _distinct_rows(X) -> bool:
    return len({tuple(r) for r in np.asarray(X).tolist()}) == len(X)


@st.composite
def datasets(draw, n: int, d_in: int, d_out: int, entries: str = "gaussian"):
    """(X, Y) with X: n x d_in distinct rows, Y: n x d_out."""
    if entries == "gaussian":
        rng = np.random.default_rng(draw(seeds))
        X = np.round(rng.standard_normal((n, d_in)), 2)
        while not _distinct_rows(X):  # rounding can merge rows (rarely, for d_in = 1): draw again
            X = np.round(rng.standard_normal((n, d_in)), 2)
        return X, np.round(rng.standard_normal((n, d_out)), 2)
    if entries == "simple":
        halves = st.integers(-4, 4).map(lambda k: k / 2)
        X = draw(hnp.arrays(float, (n, d_in), elements=halves).filter(_distinct_rows))
        Y = draw(hnp.arrays(float, (n, d_out), elements=halves))
        return X, Y
    raise ValueError(f"unknown entries {entries!r}: use 'gaussian' or 'simple'")
