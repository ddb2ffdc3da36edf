"""Instances of shallow and deep ReLU networks with an activation pattern: Hypothesis strategies (shrinkable:
sizes and patterns are drawn by Hypothesis, generic data from a drawn seed) and numpy samplers of the three
measures on regions, for proportion claims (harness.statistics.proportion):

* ``sample_patterns``: A uniform over all 2^(d_1 n) patterns (counting, realisable or not);
* ``sample_sectors``: 1-D input with bias, each neuron uniform over its 2n sectors (uniform over the non-empty
  regions; the authors' ``sample_step_vector``);
* ``sample_volume``: the pattern of random parameters (Gaussian, or the authors' PyTorch protocol).

Generic data are random integers (|x| <= DATA_RANGE): exact ranks apply, and a rank at random integer data is
the generic rank except with probability <= n / (2 DATA_RANGE + 1) per pattern (Schwartz-Zippel).
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from harness.models.relu import DeepRegion, ReluRegion, pattern_of, sector_params, sector_pattern, sector_patterns

DATA_RANGE = 10**6
V_VALUES = (-2, -1, 1, 3)
seeds = st.integers(0, 2**32 - 1)


# ---- data ------------------------------------------------------------------------------------------------

def generic_data(rng, n: int, d0: int, R: int = DATA_RANGE) -> np.ndarray:
    """n x d_0 random integers in [-R, R]."""
    return rng.integers(-R, R + 1, size=(n, d0)).astype(np.int64)


def distinct_sorted_1d(rng, n: int, R: int = DATA_RANGE) -> np.ndarray:
    """n distinct sorted integers in [-R, R] as an n x 1 array."""
    x = np.sort(rng.choice(2 * R + 1, size=n, replace=False) - R)
    return x.astype(np.int64)[:, None]


def nonzero_v(rng, d1: int) -> np.ndarray:
    return rng.choice(V_VALUES, size=d1).astype(np.int64)


def cell_data(cell: dict, salt: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The fixed generic data X and output weights v of a cell (one generic X per setting, as in Theorem 5:
    'for generic X'), reproducible from the cell."""
    key = [cell.get("d0", 1), cell["n"], cell.get("d1", 1), int(cell.get("bias", False)), salt]
    rng = np.random.default_rng(np.random.SeedSequence([int(k) for k in key]))
    if cell.get("d0", 1) == 1 and cell.get("bias", False):
        X = distinct_sorted_1d(rng, cell["n"])
    else:
        X = generic_data(rng, cell["n"], cell.get("d0", 1))
    return X, nonzero_v(rng, cell.get("d1", 1))


# ---- Hypothesis strategies ---------------------------------------------------------------------------------

def patterns(d1: int, n: int):
    """A in {0,1}^{d_1 x n}, drawn entry by entry (shrinks toward the zero pattern)."""
    return st.lists(st.integers(0, 1), min_size=d1 * n, max_size=d1 * n).map(
        lambda a: np.array(a, dtype=np.uint8).reshape(d1, n))


@st.composite
def shallow_patterns(draw, d0=st.integers(1, 3), d1=st.integers(1, 4), n=st.integers(1, 5), bias=st.booleans(),
                     zero_v: bool = False):
    """A generic-data shallow instance with a pattern A drawn by Hypothesis (not necessarily realisable)."""
    d0_, d1_, n_, b = draw(d0), draw(d1), draw(n), draw(bias)
    rng = np.random.default_rng(draw(seeds))
    X = generic_data(rng, n_, d0_)
    v = nonzero_v(rng, d1_)
    if zero_v:
        v[draw(st.integers(0, d1_ - 1))] = 0
    return ReluRegion(X, draw(patterns(d1_, n_)), v, b, meta={"measure": "hypothesis"})


@st.composite
def cell_patterns(draw, cells):
    """A pattern of one of ``cells`` (a proportion claim's settings) on the cell's own generic data: the
    Hypothesis counterpart of :func:`sample_patterns`, used to shrink a failing instance."""
    cell = draw(st.sampled_from(list(cells)))
    X, v = cell_data(cell)
    return ReluRegion(X, draw(patterns(cell["d1"], cell["n"])), v, bool(cell.get("bias", False)),
                      meta={"cell": dict(cell)})


def _no_zero_preactivation(W, X, bias):
    from harness.models.relu import augmented

    return not np.any(np.asarray(W, dtype=object) @ augmented(np.asarray(X, dtype=object), bias).T == 0)


@st.composite
def points_in_regions(draw, d0=st.integers(1, 3), d1=st.integers(1, 4), n=st.integers(1, 5), bias=st.booleans(),
                      v_values=V_VALUES, R: int = 9):
    """Integer data X and an integer parameter point W off every boundary; A = the pattern of W."""
    d0_, d1_, n_, b = draw(d0), draw(d1), draw(n), draw(bias)
    rng = np.random.default_rng(draw(seeds))
    X = rng.integers(-R, R + 1, size=(n_, d0_)).astype(np.int64)
    for _ in range(100):
        W = rng.integers(-R, R + 1, size=(d1_, d0_ + b)).astype(np.int64)
        if _no_zero_preactivation(W, X, b):
            break
    v = rng.choice(v_values, size=d1_).astype(np.int64)
    return ReluRegion(X, pattern_of(W, X, b), v, b, W=W)


@st.composite
def sector_regions(draw, n=st.integers(2, 6), d1=st.integers(1, 5), spacing=st.sampled_from(("random", "equal")),
                   v_values=V_VALUES, y: bool = False):
    """1-D input with bias: distinct sorted integer data (random or equally spaced 1..n), one sector code per
    neuron (drawn by Hypothesis), a parameter point inside the region and optional Gaussian-like integer y."""
    n_, d1_ = draw(n), draw(d1)
    rng = np.random.default_rng(draw(seeds))
    X = distinct_sorted_1d(rng, n_, 10**3) if draw(spacing) == "random" else np.arange(1, n_ + 1)[:, None]
    codes = tuple(draw(st.lists(st.integers(0, 2 * n_ - 1), min_size=d1_, max_size=d1_)))
    v = rng.choice(v_values, size=d1_).astype(np.int64)
    W = np.array([sector_params(c, X[:, 0]) for c in codes], dtype=np.int64).reshape(d1_, 2)
    yy = rng.integers(-100, 101, size=n_).astype(np.int64) if y else None
    return ReluRegion(X, sector_pattern(codes, n_), v, True, W=W, y=yy, codes=codes)


@st.composite
def deep_regions(draw, d0=st.integers(1, 3), n=st.integers(2, 8), widths=st.lists(st.integers(1, 6), min_size=2,
                 max_size=3), R: int = 10**4, alive: bool = False):
    """A deep net (bias in layer 1): integer data, uniform masks (A^1, .., A^L) and integer deeper weights.
    ``alive``: every data point active for at least one unit of every layer >= 2."""
    d0_, n_, ws = draw(d0), draw(n), draw(widths)
    rng = np.random.default_rng(draw(seeds))
    X = rng.integers(-R, R + 1, size=(n_, d0_)).astype(np.int64)
    masks = [np.array(draw(patterns(w, n_))) for w in ws]
    if alive:
        for m in masks[1:]:
            for j in range(n_):
                if not m[:, j].any():
                    m[rng.integers(0, m.shape[0]), j] = 1
    weights = tuple(rng.integers(-R, R + 1, size=(ws[l], ws[l - 1])).astype(np.int64) for l in range(1, len(ws)))
    v = rng.integers(1, R + 1, size=ws[-1]).astype(np.int64) * rng.choice((-1, 1), size=ws[-1])
    return DeepRegion(X, tuple(masks), weights, v)


# ---- samplers of the measures (numpy Generators) ------------------------------------------------------------

def sample_patterns(rng, cell: dict, size: int) -> list[ReluRegion]:
    """Measure (i): A uniform over all 2^(d_1 n) patterns, on the cell's fixed generic data."""
    X, v = cell_data(cell)
    A = rng.integers(0, 2, size=(size, cell["d1"], cell["n"]), dtype=np.uint8)
    bias = bool(cell.get("bias", False))
    return [ReluRegion(X, a, v, bias, meta={"cell": dict(cell)}) for a in A]


def sample_sectors(rng, cell: dict, size: int) -> list[ReluRegion]:
    """Measure (ii) in 1-D with bias: each neuron uniform over its 2n sectors (uniform over the non-empty
    regions), on the cell's distinct sorted data."""
    n, d1 = cell["n"], cell["d1"]
    X, v = cell_data({**cell, "d0": 1, "bias": True})
    if cell.get("v") == "positive":
        v = np.abs(v)
    codes = rng.integers(0, 2 * n, size=(size, d1))
    A = sector_patterns(codes, n)
    return [ReluRegion(X, a, v, True, codes=tuple(int(c) for c in cs), meta={"cell": dict(cell)})
            for a, cs in zip(A, codes)]


def sample_volume(rng, cell: dict, size: int) -> list[ReluRegion]:
    """Measure (iii): the pattern of random parameters.  ``cell["law"]``: "gaussian" (X and (W, b) Gaussian; X
    rounded to integers of scale 2^20, exact), "torch" (the authors' protocol: X ~ U[0, 1) on the float32 grid
    2^-24, W, b ~ U(-1/sqrt(d_0), 1/sqrt(d_0)) as nn.Linear, v ~ N(0, 1)) or "shifted" (W ~ N(-1, 1): not
    symmetric).  Each draw has its own data X (as in the authors' experiment) unless ``cell["fixed_data"]``."""
    n, d0, d1 = cell["n"], cell.get("d0", 1), cell["d1"]
    bias = bool(cell.get("bias", False))
    law = cell.get("law", "gaussian")
    out = []
    for _ in range(size):
        if law == "torch":
            X = rng.integers(0, 2**24, size=(n, d0)).astype(np.int64)  # x = X / 2^24 exactly
            scale = 2.0**24
            k = 1 / math.sqrt(d0)
            W = rng.uniform(-k, k, size=(d1, d0 + bias))
            v = rng.standard_normal(d1)
        else:
            X = np.rint(rng.standard_normal((n, d0)) * 2**20).astype(np.int64)
            scale = 2.0**20
            W = rng.standard_normal((d1, d0 + bias)) + (-1.0 if law == "shifted" else 0.0)
            v = rng.standard_normal(d1)
        Xs = X / scale
        if bias:
            Z = W[:, :d0] @ Xs.T + W[:, d0:]
        else:
            Z = W @ Xs.T
        A = (Z > 0).astype(np.uint8)
        Wint = W.copy()
        if bias:  # in integer data units the bias scales with the data
            Wint[:, d0] = W[:, d0] * scale
        out.append(ReluRegion(X, A, v, bias, W=Wint, meta={"cell": dict(cell), "data_scale": scale}))
    return out


def sample_deep(rng, cell: dict, size: int, R: int = 10**4) -> list[DeepRegion]:
    """Counting measure over pattern tuples: masks uniform, with random integer data, deeper weights and v
    (the rank there is a lower bound of the generic rank)."""
    n, d0, ws = cell["n"], cell["d0"], list(cell["widths"])
    out = []
    for _ in range(size):
        X = rng.integers(-R, R + 1, size=(n, d0)).astype(np.int64)
        masks = tuple(rng.integers(0, 2, size=(w, n), dtype=np.uint8) for w in ws)
        weights = tuple(rng.integers(-R, R + 1, size=(ws[l], ws[l - 1])).astype(np.int64) for l in range(1, len(ws)))
        v = rng.integers(1, R + 1, size=ws[-1]).astype(np.int64) * rng.choice((-1, 1), size=ws[-1])
        out.append(DeepRegion(X, masks, weights, v, meta={"cell": dict(cell)}))
    return out


class PatternSpace:
    """All 2^(d_1 n) patterns of a cell on its fixed data, in a fixed order (an exhaustive population)."""

    def __init__(self, cell: dict):
        self.cell = cell
        self.size = 2 ** (cell["d1"] * cell["n"])

    def __len__(self):
        return self.size

    def __iter__(self):
        d1, n = self.cell["d1"], self.cell["n"]
        X, v = cell_data(self.cell)
        bias = bool(self.cell.get("bias", False))
        bits = d1 * n
        chunk = 4096
        for start in range(0, self.size, chunk):
            idx = np.arange(start, min(self.size, start + chunk), dtype=np.int64)
            A = ((idx[:, None] >> np.arange(bits)) & 1).astype(np.uint8).reshape(-1, d1, n)
            for a in A:
                yield ReluRegion(X, a, v, bias, meta={"cell": dict(self.cell)})
