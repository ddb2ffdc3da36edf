"""Strategies for two-layer networks without biases (Venturi, Bandeira & Bruna 2019): polynomial activations
by coefficient pattern, data on a dyadic grid (exact as rationals, small denominators), teachers for
population losses, and starting points with *forced dependencies* (copied, scaled and zero neurons), so that
the re-expression phases of the Theorem-8 path are exercised and not empty.

Sizes and coefficients are drawn by Hypothesis (they shrink toward small instances); bulk numbers come from a
drawn seed (numpy Generator), rounded to multiples of 1/8 (inputs) and 1/16 (targets).
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from harness.models.two_layer import Rho, TwoLayerArchitecture, TwoLayerInstance, intrinsic_dimension
from harness.models.population import EmpiricalLoss, Gaussian, PopulationLoss
from strategies.data import seeds


def dyadic(A, k: int = 8):
    return np.round(np.asarray(A, float) * k) / k


@st.composite
def poly_activations(draw, n: int, q_max: int = 25, max_degree: int = 4) -> Rho:
    """rho = sum_k a_k z^k, a_k in {0, 1, -2, 3}, nonzero leading coefficient, with dim* <= q_max in R^n."""
    coeffs = draw(st.lists(st.sampled_from([0, 1, -2, 3]), min_size=1, max_size=max_degree + 1))
    lead = draw(st.sampled_from([1, -2, 3]))
    coeffs = coeffs[:-1] + [lead] if len(coeffs) > 1 else [lead]
    rho = Rho.poly(coeffs)
    assume(intrinsic_dimension(rho, n) <= q_max)
    return rho


def forced_point(rng, p: int, n: int, m: int, exact_grid: bool = True):
    """W, U with about half of the neurons dependent: copies, multiples and zero rows (cycled)."""
    W = rng.integers(-2, 3, (p, n)) / 2 if exact_grid else 3 * rng.standard_normal((p, n))
    U = rng.integers(-3, 4, (m, p)) / 2 if exact_grid else rng.standard_normal((m, p))
    kinds = []
    for j in range(1, p, 2):
        kind = ("copy", "scale", "zero")[(j // 2) % 3]
        src = rng.integers(0, j)
        if kind == "copy":
            W[j] = W[src]
        elif kind == "scale":
            W[j] = -2 * W[src] if exact_grid else -1.5 * W[src]
        else:
            W[j] = 0.0
        kinds.append(kind)
    return W.astype(float), U.astype(float), kinds


def _data(rng, N: int, n: int, m: int):
    X = dyadic(rng.standard_normal((N, n)))
    B = rng.standard_normal((n, m))
    Y = dyadic(np.sin(X @ B) + 0.1 * rng.standard_normal((N, m)), 16)
    return X, Y


@st.composite
def theorem8_instances(draw, width=st.integers(0, 3), n=st.integers(1, 3), m=st.integers(1, 3), q_max: int = 15,
                       population=st.booleans(), rho=None, below: bool = False) -> TwoLayerInstance:
    """Polynomial rho, p = dim* + ``width`` (``below``: p = dim* - 1), an empirical loss on N = 3q + 5 dyadic
    points (Y = noise + sin(X B), not realisable) or the Gaussian population loss with a random teacher of the
    same activation (realisable, L* = 0); theta_0 with forced dependencies."""
    n_ = draw(n)
    rho_ = draw(rho if rho is not None else poly_activations(n_, q_max))
    q = intrinsic_dimension(rho_, n_)
    p = q - 1 if below else q + draw(width)
    assume(p >= 1)
    m_ = draw(m)
    rng = np.random.default_rng(draw(seeds))
    pop = draw(population) and p <= 12
    if pop:
        V = rng.integers(-2, 3, (2, n_)) / 2
        G = rng.integers(-2, 3, (m_, 2)) / 2
        loss = PopulationLoss(Gaussian(n_), V, G)
    else:
        loss = EmpiricalLoss(*_data(rng, 3 * q + 5, n_, m_))
    W, U, kinds = forced_point(rng, p, n_, m_)
    arch = TwoLayerArchitecture(n_, p, m_)
    return TwoLayerInstance(arch, rho_, loss, arch.flatten(W, U),
                            {"source": "forced-dependent", "kinds": kinds, "q": q})


EMP_ACTIVATIONS = ("relu", "tanh", "sigmoid", "softplus", "sin")


@st.composite
def empirical_instances(draw, acts=st.sampled_from(EMP_ACTIVATIONS), width=st.integers(0, 2),
                        below: bool = False, n=st.integers(1, 3)) -> TwoLayerInstance:
    """Any continuous rho, n in {1,2,3} (``n``), N in {3..8} points, m in {1,2}, p = N + ``width`` (``below``:
    p = N - 1), theta_0 with forced dependencies (float)."""
    rho = Rho.of(draw(acts))
    n, N, m = draw(n), draw(st.integers(3, 8)), draw(st.integers(1, 2))
    p = N - 1 if below else N + draw(width)
    rng = np.random.default_rng(draw(seeds))
    X, Y = _data(rng, N, n, m)
    if len({tuple(r) for r in X.tolist()}) < N:
        X = X + dyadic(0.01 * np.arange(N)[:, None], 128)
    W, U, kinds = forced_point(rng, p, n, m, exact_grid=False)
    arch = TwoLayerArchitecture(n, p, m)
    return TwoLayerInstance(arch, rho, EmpiricalLoss(X, Y), arch.flatten(W, U),
                            {"source": "forced-dependent", "kinds": kinds})


@st.composite
def linear_instances(draw, regime=st.sampled_from(["p>=n", "m<=p<n"]), narrow: bool = False) -> TwoLayerInstance:
    """rho(z) = z; ``p>=n``: p = n + k; ``m<=p<n``: m <= p < n (the transposed path); ``narrow``:
    p < min(n, m)."""
    reg = draw(regime)
    if narrow:
        n, m = draw(st.integers(2, 4)), draw(st.integers(2, 4))
        p = draw(st.integers(1, min(n, m) - 1))
    elif reg == "p>=n":
        n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        p = n + draw(st.integers(0, 2))
    else:
        n = draw(st.integers(2, 4))
        m = draw(st.integers(1, n - 1))
        p = draw(st.integers(m, n - 1))
    rng = np.random.default_rng(draw(seeds))
    X, Y = _data(rng, n + 6, n, m)
    W, U, kinds = forced_point(rng, p, n, m)
    if reg != "p>=n" and p >= 2:  # dependent output columns as well (the transposed path re-expresses them)
        U[:, 1] = U[:, 0]
    arch = TwoLayerArchitecture(n, p, m)
    return TwoLayerInstance(arch, Rho.of("linear"), EmpiricalLoss(X, Y), arch.flatten(W, U),
                            {"source": "forced-dependent", "regime": "narrow" if narrow else reg})


@st.composite
def quadratic_instances(draw, extra=st.integers(0, 2), m: int = 1, width=None) -> TwoLayerInstance:
    """rho(z) = z^2, m outputs, n in {1..4}, p = 2n + ``extra`` (or ``width(n)``), N = n(n+1) + 10 points,
    y = noise + x_1^3 (not realisable); theta_0 cycles through all u > 0, all u < 0, a zero u_i, a zero w_i."""
    n = draw(st.integers(1, 4))
    p = width(n) if width is not None else 2 * n + draw(extra)
    rng = np.random.default_rng(draw(seeds))
    N = n * (n + 1) + 10
    X = dyadic(rng.standard_normal((N, n)))
    Y = dyadic(X[:, :1] ** 3 + 0.1 * rng.standard_normal((N, m)), 16)
    W = dyadic(rng.standard_normal((p, n)), 4)
    U = dyadic(rng.standard_normal((m, p)), 4)
    case = draw(st.sampled_from(["positive", "negative", "zero-u", "zero-w"]))
    if case == "positive":
        U = np.abs(U) + 0.25
    elif case == "negative":
        U = -np.abs(U) - 0.25
    elif case == "zero-u":
        U[:, 0] = 0.0
    else:
        W[0] = 0.0
    arch = TwoLayerArchitecture(n, p, m)
    return TwoLayerInstance(arch, Rho.of("square"), EmpiricalLoss(X, Y), arch.flatten(W, U),
                            {"source": "signs-" + case})


@st.composite
def theorem13_settings(draw, p=st.integers(1, 2), ratio=st.integers(5, 12), n_extra=st.integers(0, 2)) -> dict:
    """The Theorem-13 construction: n = p + 1 + extra, alpha in {1/2, ..., 3}, beta = alpha * ratio/4
    (ratio > 4: beta > alpha, the spuriousness condition L* < beta^2/4)."""
    p_ = draw(p)
    alpha = draw(st.integers(2, 12)) / 4
    return {"kind": "thm13", "n": p_ + 1 + draw(n_extra), "p": p_, "alpha": alpha,
            "beta": alpha * draw(ratio) / 4}


def theorem13_violating(n_extra=st.integers(0, 2)):
    """beta <= alpha (beta = alpha/2, 3 alpha/4, alpha) with p = 1: there L* = min(alpha^2, beta^2)/4 = beta^2/4
    exactly (one neuron: u > 0 leaves L_B >= beta^2/2, u <= 0 leaves L_A >= alpha^2/2), so theta_bad is a
    global minimiser and no valley around it is spurious -- the statement is false on every drawn instance.
    Not p >= 2: there L* <= delta_(p-1)/2 (p - 1 neurons fit the first component, one kills L_B), e.g.
    delta_1/2 ~ 0.089 alpha^2 < beta^2/4 at beta = 3 alpha/4, and theta_bad is still in a spurious valley."""
    return theorem13_settings(p=st.just(1), ratio=st.integers(2, 4), n_extra=n_extra)


@st.composite
def random_feature_settings(draw, p=st.sampled_from([8, 16, 32, 64]), samples: int = 2000) -> dict:
    """Claims file VBB-T16: n = 5 (d = 6 with the constant input), g(w) = a + b w_1 with a = 1, b = 2,
    P_X = the empirical measure of ``samples`` N(0, I) points (drawn from a seed), 30 draws of W per p."""
    return {"kind": "random-features", "p": draw(p), "n": 5, "a": 1.0, "b": 2.0, "samples": samples,
            "draws": 30, "seed": draw(st.integers(0, 2**16))}


def binom_q(n: int, k: int) -> int:
    return math.comb(n + k - 1, k)
