"""Spectral decisions with gaps: eigenvalue counts (inertia), numerical ranks, kernels, criticality.

Numerics policy (DESIGN.md; cooper2020.md section 3): a count is decided only where the spectrum has a clear
gap.  With s = max |lambda|, an eigenvalue is zero iff |lambda| <= ``zero``*s; the count is trusted only if
every zero is <= ``zero_max``*s and every nonzero >= ``nonzero_min``*s (nothing in the band between, five
decades wide).  Ranks: rank = #{sigma_i > ``rank_cut``*sigma_1}, trusted only if sigma_rank/sigma_1 >
``rank_low`` and sigma_{rank+1}/sigma_1 < ``rank_high``.  Otherwise :class:`Inconclusive` is raised.
Ranks are taken of J or Phi~, never of a Hessian (that squares the condition number).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.core.evidence import Inconclusive


@dataclass(frozen=True)
class Tolerances:
    zero: float = 1e-8
    zero_max: float = 1e-11
    nonzero_min: float = 1e-6
    rank_cut: float = 1e-9
    rank_low: float = 1e-7
    rank_high: float = 1e-12
    critical: float = 1e-10  # relative gradient below which a point counts as critical


TOL = Tolerances()


@dataclass(frozen=True)
class Inertia:
    """(#positive, #negative, #zero) eigenvalues of a symmetric matrix, with the gap that decided them."""

    pos: int
    neg: int
    zero: int
    scale: float
    largest_zero: float  # relative to scale
    smallest_nonzero: float  # relative to scale
    eigenvalues: np.ndarray

    @property
    def gap_decades(self) -> float:
        lo = max(self.largest_zero, 1e-300)
        return float(np.log10(self.smallest_nonzero / lo)) if self.smallest_nonzero < np.inf else np.inf

    def summary(self) -> str:
        return f"+{self.pos}/-{self.neg}/0:{self.zero}"


def inertia(eigenvalues, tol: Tolerances = TOL, what: str = "Hessian") -> Inertia:
    lam = np.sort(np.asarray(eigenvalues, dtype=float))
    if not np.all(np.isfinite(lam)):
        raise Inconclusive(f"{what}: non-finite eigenvalues")
    scale = float(np.max(np.abs(lam))) if lam.size else 0.0
    if scale == 0.0:
        return Inertia(0, 0, lam.size, 0.0, 0.0, np.inf, lam)
    rel = np.abs(lam) / scale
    is_zero = rel <= tol.zero
    largest_zero = float(rel[is_zero].max()) if is_zero.any() else 0.0
    smallest_nonzero = float(rel[~is_zero].min()) if (~is_zero).any() else np.inf
    if largest_zero > tol.zero_max or smallest_nonzero < tol.nonzero_min:
        raise Inconclusive(
            f"{what}: no spectral gap (largest zero {largest_zero:.1e}, smallest nonzero {smallest_nonzero:.1e} "
            f"relative to {scale:.3g})")
    return Inertia(int(np.sum((lam > 0) & ~is_zero)),
                   int(np.sum((lam < 0) & ~is_zero)), int(is_zero.sum()), scale, largest_zero, smallest_nonzero, lam)


def hessian_inertia(problem, theta, tol: Tolerances = TOL) -> Inertia:
    """Inertia of the Hessian of L at theta (eigenvalues in mpmath under the precise backend)."""
    return inertia(problem.hessian_eigenvalues(theta), tol)


@dataclass(frozen=True)
class Rank:
    rank: int
    singular_values: np.ndarray
    low: float  # sigma_rank / sigma_1
    high: float  # sigma_{rank+1} / sigma_1

    @property
    def gap_decades(self) -> float:
        return float(np.log10(self.low / max(self.high, 1e-300))) if self.rank else np.inf


def numerical_rank(M, tol: Tolerances = TOL, what: str = "matrix") -> Rank:
    M = np.atleast_2d(np.asarray(M, dtype=float))
    s = np.linalg.svd(M, compute_uv=False) if M.size else np.zeros(0)
    if s.size == 0 or s[0] == 0.0:
        return Rank(0, s, 1.0, 0.0)
    rel = s / s[0]
    r = int(np.sum(rel > tol.rank_cut))
    low = float(rel[r - 1])
    high = float(rel[r]) if r < rel.size else 0.0
    if low <= tol.rank_low or high >= tol.rank_high:
        raise Inconclusive(f"rank of {what}: no singular-value gap (sigma_r/sigma_1 = {low:.1e}, "
                           f"sigma_(r+1)/sigma_1 = {high:.1e})")
    return Rank(r, s, low, high)


def null_space(M, tol: Tolerances = TOL, what: str = "matrix") -> np.ndarray:
    """Orthonormal basis (columns) of ker M, its dimension decided by :func:`numerical_rank`."""
    M = np.atleast_2d(np.asarray(M, dtype=float))
    r = numerical_rank(M, tol, what).rank
    _, _, Vt = np.linalg.svd(M)
    return Vt[r:].T


def relative_gradient(problem, theta) -> float:
    """||grad L|| / (2 ||J||_2 (||r|| + ||Y||)): scale-free (invariant under rescaling Y and w-units);
    ||grad L|| = 2||J^T r|| <= 2||J|| ||r||, and the ||Y|| term keeps it small at global minima."""
    g = problem.grad(theta)
    J = problem.jacobian(theta)
    r = problem.residuals(theta)
    denom = 2 * np.linalg.norm(J, 2) * (np.linalg.norm(r) + np.linalg.norm(problem.Y)) + 1e-300
    return float(np.linalg.norm(g) / denom)


def extreme_eigenvalues(problem, theta, k: int = 6, which: str = "SA") -> np.ndarray:
    """The k smallest (``which="SA"``) or largest (``"LA"``) Hessian eigenvalues by Lanczos
    (scipy.sparse.linalg.eigsh) on Hessian-vector products: for networks too large for a dense Hessian.
    Ascending.  A count decided from these alone would need the gap rule on the returned values."""
    from scipy.sparse.linalg import LinearOperator, eigsh

    N = problem.n_params
    if k >= N - 1:
        return np.linalg.eigvalsh(problem.hessian(theta))[:k] if which == "SA" else \
            np.linalg.eigvalsh(problem.hessian(theta))[-k:]
    op = LinearOperator((N, N), matvec=lambda v: problem.hvp(theta, np.ravel(v)), dtype=float)
    vals = eigsh(op, k=k, which=which, return_eigenvectors=False, tol=1e-12, maxiter=20 * N)
    return np.sort(vals)


def lstsq(A, B) -> np.ndarray:
    """The least-squares solution X of A X = B (minimum norm when A is wide), as ``np.linalg.lstsq``.

    Under :func:`harness.models.mlp.precise_backend` it is solved in mpmath at the backend's digits from the float64
    entries of A and B (normal equations A A^T Y = B, X = A^T Y for a wide A; A^T A X = A^T B for a tall one),
    then rounded: a check re-run for certification must not inherit the kappa(A) eps error of a float64 solve
    (a "violation" made by that error would otherwise be certified).  A numerically rank-deficient A
    (``np.linalg.matrix_rank``) falls back to float64's minimum-norm solution: the normal equations' exact
    solution for the rounded entries would be a huge vector, not the one the check means."""
    from harness.numerics.precision import precise_digits

    A, B = np.asarray(A, float), np.asarray(B, float)
    digits = precise_digits()
    if digits is None or np.linalg.matrix_rank(A) < min(A.shape):
        return np.linalg.lstsq(A, B, rcond=None)[0]
    import mpmath as mp

    vector = B.ndim == 1
    B2 = B.reshape(len(B), -1)
    with mp.workdps(digits):
        Am, Bm = mp.matrix(A.tolist()), mp.matrix(B2.tolist())
        wide = A.shape[0] < A.shape[1]
        N = Am * Am.T if wide else Am.T * Am
        rhs = Bm if wide else Am.T * Bm
        Y = mp.matrix([list(mp.lu_solve(N, rhs.column(j))) for j in range(rhs.cols)]).T
        X = Am.T * Y if wide else Y
        out = np.array([[float(X[i, j]) for j in range(X.cols)] for i in range(X.rows)])
    return out.ravel() if vector else out
