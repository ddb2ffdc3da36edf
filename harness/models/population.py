"""Square losses of two-layer networks over a distribution: an empirical measure or a population.

Both act through kernel blocks.  For f = U rho(W x) and a target Y,

    L(W, U) = E ||U rho(W X) - Y||^2 = tr(U K_WW U^T) - 2 tr(U K_WY) + k_YY,

K_WW = E rho(W X) rho(W X)^T (p x p), K_WY = E rho(W X) Y^T (p x m), k_YY = E ||Y||^2.

* :class:`EmpiricalLoss`: the mean over N points (weights 1/N, no 1/2, as in the claims file's scripts); exact
  in rational arithmetic for polynomial activations and ReLU (every float64 is a dyadic rational).
* :class:`PopulationLoss`: X from a distribution, Y = G rho(V X) (a teacher network of the same activation)
  plus independent noise of variance ``noise`` per output.  Closed forms of the kernel
  k(a, b) = E rho(<a, X>) rho(<b, X>) for centred Gaussians N(0, Sigma) and their mixtures
  (:class:`Gaussian`, :class:`Mixture`; the Theorem-13 mixture is one): for a polynomial rho by Isserlis'
  (Wick's) theorem, exact for rational Sigma; for ReLU the arc-cosine kernel
  |a||b| (sin t + (pi - t) cos t) / (2 pi) in the Sigma-geometry.  Other activations have no closed form
  here: with ``monte_carlo=True`` the kernel is estimated from a fixed-seed sample and the loss says so
  (``method``), otherwise :class:`NoClosedForm` is raised.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from harness.numerics import exact
from harness.core.evidence import Inconclusive


class NoClosedForm(Inconclusive):
    """No closed form of the population kernel for this activation and distribution."""


def _obj(A) -> bool:
    return np.asarray(A).dtype == object


def _matmul(A, B):
    """A @ B; exact matrices through FLINT (much faster than numpy object matmul)."""
    if _obj(A) or _obj(B):
        A = A if _obj(A) else exact.object_array(np.asarray(A))
        B = B if _obj(B) else exact.object_array(np.asarray(B))
        if A.size == 0 or B.size == 0:
            out = np.empty((A.shape[0], B.shape[1]), dtype=object)
            out[...] = exact.to_fmpq(0)
            return out
        return exact.to_object_array(exact.rational_matrix(A) * exact.rational_matrix(B))
    return np.asarray(A) @ np.asarray(B)


def _trace(A):
    return sum(A[i, i] for i in range(min(A.shape))) if _obj(A) else float(np.trace(A))


def quadratic_form_loss(U, K_WW, K_WY, k_YY):
    """tr(U K_WW U^T) - 2 tr(U K_WY) + k_YY (generic scalar type)."""
    UK = _matmul(U, K_WW)
    return _trace(_matmul(UK, np.asarray(U).T)) - 2 * _trace(_matmul(U, K_WY)) + k_YY


# =========================================================================================================
# Empirical measure
# =========================================================================================================
@dataclass(frozen=True, eq=False)
class EmpiricalLoss:
    """L(W, U) = (1/N) sum_j ||U rho(W x_j) - y_j||^2.  X: N x n, Y: N x m (floats, exact as dyadics)."""

    X: np.ndarray = field(repr=False)
    Y: np.ndarray = field(repr=False)
    label: str = ""

    method = "exact mean over the sample"

    @cached_property
    def Xq(self):
        return exact.object_array(np.asarray(self.X, float))

    @cached_property
    def Yq(self):
        return exact.object_array(np.asarray(self.Y, float))

    @property
    def N(self) -> int:
        return len(self.X)

    def arrays(self):
        return np.asarray(self.X, float), np.asarray(self.Y, float), np.full(self.N, 1.0 / self.N)

    def exact_for(self, rho) -> bool:
        return rho.exact_capable

    def features(self, rho, W):
        W = np.asarray(W)
        return rho(_matmul(W, (self.Xq if _obj(W) else np.asarray(self.X, float)).T))

    def blocks(self, rho, W):
        """(K_WW, K_WY, k_YY); exact when W is an object array."""
        F = self.features(rho, W)
        Y = self.Yq if _obj(F) else np.asarray(self.Y, float)
        N = exact.to_fmpq(self.N) if _obj(F) else float(self.N)
        K = _matmul(F, F.T)
        KY = _matmul(F, Y)
        kYY = _trace(_matmul(Y.T, Y))
        if _obj(F):
            inv = 1 / N
            return K * inv, KY * inv, kYY * inv
        return K / N, KY / N, kYY / N

    def value(self, rho, W, U):
        if _obj(W) or _obj(U):
            W, U = _exact_arr(W), _exact_arr(U)
            R = _matmul(U, self.features(rho, W)) - self.Yq.T
            return sum((r * r for r in R.ravel()), exact.to_fmpq(0)) / self.N
        R = np.asarray(U, float) @ self.features(rho, np.asarray(W, float)) - np.asarray(self.Y, float).T
        return float(np.sum(R * R) / self.N)

    def to_dict(self):
        return {"type": "EmpiricalLoss", "X": np.asarray(self.X, float).tolist(),
                "Y": np.asarray(self.Y, float).tolist(), "label": self.label}

    def describe(self):
        return (f"empirical square loss over N = {self.N} points{' (' + self.label + ')' if self.label else ''}; "
                f"X = {np.array2string(np.asarray(self.X), precision=3, separator=', ')}, "
                f"Y = {np.array2string(np.asarray(self.Y), precision=3, separator=', ')}")


def _exact_arr(A):
    return A if _obj(A) else exact.object_array(np.asarray(A, float))


# =========================================================================================================
# Distributions and kernels
# =========================================================================================================
def _double_factorial(k: int) -> int:
    """(k)!! with (-1)!! = 1."""
    return math.prod(range(k, 0, -2)) if k > 0 else 1


def gaussian_moment(k: int, l: int, s11, s22, s12):
    """E[Z1^k Z2^l] for centred jointly Gaussian (Z1, Z2) with variances s11, s22 and covariance s12
    (Isserlis: j cross pairs, the rest paired within), generic scalar type (arrays broadcast)."""
    total = 0
    for j in range(min(k, l) + 1):
        if (k - j) % 2 or (l - j) % 2:
            continue
        c = math.comb(k, j) * math.comb(l, j) * math.factorial(j) * _double_factorial(k - j - 1) \
            * _double_factorial(l - j - 1)
        total = total + c * s12 ** j * s11 ** ((k - j) // 2) * s22 ** ((l - j) // 2)
    return total


@dataclass(frozen=True)
class Gaussian:
    """N(0, Sigma) on R^n; ``coords`` restricts it to a coordinate subspace (Sigma = identity on those
    coordinates, zero elsewhere); Sigma defaults to the identity."""

    n: int
    coords: tuple | None = None

    def sigma(self, exact_: bool):
        d = np.zeros(self.n, dtype=int)
        d[list(self.coords) if self.coords is not None else slice(None)] = 1
        S = np.diag(d)
        return exact.object_array(S) if exact_ else S.astype(float)

    def pair_stats(self, A, B):
        """(diag A S A^T, diag B S B^T, A S B^T)."""
        S = self.sigma(_obj(A) or _obj(B))
        AS, BS = _matmul(A, S), _matmul(B, S)
        s11 = np.array([sum(AS[i, k] * A[i, k] for k in range(self.n)) for i in range(len(A))], dtype=AS.dtype)
        s22 = np.array([sum(BS[i, k] * B[i, k] for k in range(self.n)) for i in range(len(B))], dtype=BS.dtype)
        return s11, s22, _matmul(AS, np.asarray(B).T)

    def kernel(self, rho, A, B):
        s11, s22, s12 = self.pair_stats(A, B)
        S11, S22 = s11[:, None] + 0 * s12, s22[None, :] + 0 * s12
        if rho.polynomial:
            a = rho.exact_coeffs if _obj(s12) else rho.float_coeffs
            out = 0 * s12
            for k, ak in enumerate(a):
                if ak == 0:
                    continue
                for l, al in enumerate(a):
                    if al != 0:
                        out = out + (ak * al) * gaussian_moment(k, l, S11, S22, s12)
            return out
        if rho.name == "relu":
            if _obj(s12):
                raise NoClosedForm("the ReLU arc-cosine kernel is not rational: no exact value")
            na, nb = np.sqrt(np.maximum(S11, 0.0)), np.sqrt(np.maximum(S22, 0.0))
            denom = na * nb
            with np.errstate(invalid="ignore", divide="ignore"):
                cos = np.where(denom > 0, s12 / np.where(denom > 0, denom, 1.0), 1.0)
            t = np.arccos(np.clip(cos, -1.0, 1.0))
            return denom * (np.sin(t) + (np.pi - t) * np.cos(t)) / (2 * np.pi)
        raise NoClosedForm(f"no closed-form Gaussian kernel for {rho}")

    def sample(self, rng, k: int) -> np.ndarray:
        Z = rng.standard_normal((k, self.n))
        if self.coords is not None:
            mask = np.zeros(self.n)
            mask[list(self.coords)] = 1.0
            Z = Z * mask
        return Z

    def to_dict(self):
        return {"type": "Gaussian", "n": self.n, "coords": None if self.coords is None else list(self.coords)}

    def describe(self):
        return f"N(0, I_{self.n})" if self.coords is None else \
            f"N(0, I) on coordinates {list(self.coords)} of R^{self.n}"


@dataclass(frozen=True)
class Mixture:
    """sum_c weight_c * component_c (weights are rationals as 'p/q' strings or floats)."""

    parts: tuple  # ((weight, Gaussian), ...)

    @property
    def n(self) -> int:
        return self.parts[0][1].n

    def kernel(self, rho, A, B):
        out = 0
        for w, comp in self.parts:
            K = comp.kernel(rho, A, B)
            wq = exact.parse_rational(w) if _obj(K) else float(exact.to_float(exact.parse_rational(w)))
            out = out + K * wq
        return out

    def sample(self, rng, k: int) -> np.ndarray:
        weights = np.array([exact.to_float(exact.parse_rational(w)) for w, _ in self.parts])
        which = rng.choice(len(self.parts), size=k, p=weights / weights.sum())
        out = np.zeros((k, self.n))
        for c, (_, comp) in enumerate(self.parts):
            idx = np.flatnonzero(which == c)
            out[idx] = comp.sample(rng, len(idx))
        return out

    def to_dict(self):
        return {"type": "Mixture", "parts": [[w, comp.to_dict()] for w, comp in self.parts]}

    def describe(self):
        return " + ".join(f"{w} {comp.describe()}" for w, comp in self.parts)


def theorem13_mixture(n: int) -> Mixture:
    """Claims file VBB-T13: with probability 1/2 N(0, I) on the first n - 1 coordinates (last one 0), with
    probability 1/2 N(0, 1) on the last coordinate only."""
    return Mixture((("1/2", Gaussian(n, tuple(range(n - 1)))), ("1/2", Gaussian(n, (n - 1,)))))


def monte_carlo_kernel(rho, dist, A, B, samples: int = 200_000, seed: int = 0):
    """E rho(<a, X>) rho(<b, X>) estimated from a fixed-seed sample (float), with its standard errors."""
    X = dist.sample(np.random.default_rng(seed), samples)
    FA, FB = rho(np.asarray(A, float) @ X.T), rho(np.asarray(B, float) @ X.T)
    prod = FA[:, None, :] * FB[None, :, :]
    return prod.mean(axis=2), prod.std(axis=2) / math.sqrt(samples)


# =========================================================================================================
# Population loss with a teacher
# =========================================================================================================
@dataclass(frozen=True, eq=False)
class PopulationLoss:
    """L(W, U) = E ||U rho(W X) - G rho(V X)||^2 + m * noise, X ~ ``dist``."""

    dist: object
    V: np.ndarray = field(repr=False)  # teacher's first layer, p* x n
    G: np.ndarray = field(repr=False)  # teacher's output layer, m x p*
    noise: float = 0.0
    monte_carlo: bool = False
    samples: int = 200_000

    def exact_for(self, rho) -> bool:
        return rho.polynomial

    @property
    def method(self) -> str:
        return "closed form"

    def kernel(self, rho, A, B):
        try:
            return self.dist.kernel(rho, A, B)
        except NoClosedForm:
            if not self.monte_carlo:
                raise
            return monte_carlo_kernel(rho, self.dist, A, B, self.samples)[0]

    def _teacher(self, exact_: bool):
        return (exact.object_array(np.asarray(self.V, float)), exact.object_array(np.asarray(self.G, float))) \
            if exact_ else (np.asarray(self.V, float), np.asarray(self.G, float))

    def blocks(self, rho, W):
        ex = _obj(W)
        V, G = self._teacher(ex)
        K = self.kernel(rho, W, W)
        KWV = self.kernel(rho, W, V)
        KVV = self.kernel(rho, V, V)
        m = G.shape[0]
        noise = exact.to_fmpq(self.noise) if ex else float(self.noise)
        return K, _matmul(KWV, G.T), _trace(_matmul(_matmul(G, KVV), G.T)) + m * noise

    def value(self, rho, W, U):
        ex = _obj(W) or _obj(U)
        if ex:
            W, U = _exact_arr(W), _exact_arr(U)
        else:
            W, U = np.asarray(W, float), np.asarray(U, float)
        return quadratic_form_loss(U, *self.blocks(rho, W))

    def to_dict(self):
        return {"type": "PopulationLoss", "dist": self.dist.to_dict(), "V": np.asarray(self.V, float).tolist(),
                "G": np.asarray(self.G, float).tolist(), "noise": self.noise, "monte_carlo": self.monte_carlo}

    def describe(self):
        return (f"population square loss, X ~ {self.dist.describe()}, teacher with {len(self.V)} neurons"
                f"{f', noise variance {self.noise:g}' if self.noise else ''}"
                f"{' (Monte Carlo where no closed form)' if self.monte_carlo else ''}")


def _dist_from_dict(d):
    if d["type"] == "Gaussian":
        return Gaussian(d["n"], None if d["coords"] is None else tuple(d["coords"]))
    if d["type"] == "Mixture":
        return Mixture(tuple((w, _dist_from_dict(c)) for w, c in d["parts"]))
    raise ValueError(f"unknown distribution {d['type']!r}")


def loss_from_dict(d: dict):
    if d["type"] == "EmpiricalLoss":
        return EmpiricalLoss(np.array(d["X"], float), np.array(d["Y"], float), d.get("label", ""))
    if d["type"] == "PopulationLoss":
        return PopulationLoss(_dist_from_dict(d["dist"]), np.array(d["V"], float), np.array(d["G"], float),
                              d.get("noise", 0.0), d.get("monte_carlo", False))
    raise ValueError(f"unknown two-layer loss type {d['type']!r}")
