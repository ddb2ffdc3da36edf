"""Function-space geometry of linear networks: the determinantal variety M_r = {W in R^{m x n} : rank W <= r}.

Facts (Trager, Kohn & Bruna 2020, section 1.2 of the claims file; classical):
  * dim M_r = r (m + n - r); its singular locus (when r < min(m, n)) is M_{r-1}.
  * At P of rank exactly e (a point of the manifold M_e^o of rank-e matrices):
    T_P M_e^o = Col(P) (x) R^n + R^m (x) Row(P),  N_P = Col(P)^perp (x) Row(P)^perp = {B : P^T B = 0, B P^T = 0};
    so P is critical for ell restricted to M_e^o  <=>  P^T G = 0 and G P^T = 0,  G = grad ell(P).
  * Charts: write P = L [[I_e, 0], [0, 0]] R with L, R invertible.  Then
    phi(A, B, C) = L [[A, B], [C, C A^{-1} B]] R  is a chart of M_e^o around (A, B, C) = (I, 0, 0), and at a
    critical point the inertia of the Hessian of ell o phi is the Morse index of ell on M_e^o (Sylvester).
    With G~ = L^T G R^T:  Hess(ell o phi) = Dphi^T Hess ell Dphi + the C-B coupling G~_22[k, l] between
    the chart coordinates C_{k i} and B_{i l} (the second derivative of C A^{-1} B at A = I, B = C = 0).

Exact functions take numpy object arrays of ``flint.fmpq`` (see :mod:`harness.numerics.exact`); float functions
take float64 arrays and are used on optimiser output, with the tolerances stated where they are used.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from harness.numerics import exact


def dim_M(r: int, m: int, n: int) -> int:
    """dim M_r of m x n matrices of rank <= r: r (m + n - r) (r <= min(m, n))."""
    r = min(r, m, n)
    return r * (m + n - r)


# ---- exact: bases, tangent spaces, criticality on a stratum --------------------------------------------
def _zero(shape) -> np.ndarray:
    Z = np.empty(shape, dtype=object)
    Z[...] = exact.to_fmpq(0)
    return Z


def column_basis(P) -> tuple[np.ndarray, np.ndarray]:
    """(C, K): P = C K with C = the pivot columns of P (a basis of Col P) and K = the nonzero rows of
    rref(P) (a basis of Row P).  Exact."""
    M = exact.rational_matrix(P)
    R, rank = M.rref()
    Robj = exact.to_object_array(R)
    pivots = [next(j for j in range(Robj.shape[1]) if Robj[i, j] != 0) for i in range(rank)]
    Pobj = exact.object_array(P) if np.asarray(P).dtype != object else np.asarray(P)
    return Pobj[:, pivots], Robj[:rank]


def _complete(cols) -> np.ndarray:
    """Complete the linearly independent columns ``cols`` (m x e) to an invertible m x m matrix with standard
    basis vectors (greedy, exact ranks)."""
    m, e = cols.shape
    out = cols
    I = exact.object_array(np.eye(m, dtype=int))
    for k in range(m):
        if out.shape[1] == m:
            break
        trial = np.concatenate([out, I[:, k:k + 1]], axis=1)
        if exact.rank(trial) == trial.shape[1]:
            out = trial
    return out


def chart_frame(P) -> tuple[np.ndarray, np.ndarray, int]:
    """(L, R, e) with L, R invertible and P = L [[I_e, 0], [0, 0]] R (exact)."""
    C, K = column_basis(P)
    e = C.shape[1]
    return _complete(C), _complete(K.T).T, e


def is_stratum_critical(P, G) -> bool:
    """P^T G = 0 and G P^T = 0 exactly: P is critical for ell on its rank stratum M_e^o (G = grad ell(P))."""
    return exact.is_zero(P.T @ G) and exact.is_zero(G @ P.T)


def tangent_spanning_set(P) -> np.ndarray:
    """Rows: vec(u e_j^T) for u in a basis of Col P, and vec(e_i v^T) for v in a basis of Row P, spanning
    T_P M_e^o (row-major vec)."""
    C, K = column_basis(P)
    m, n = np.asarray(P).shape
    Im, In = exact.object_array(np.eye(m, dtype=int)), exact.object_array(np.eye(n, dtype=int))
    rows = [np.multiply.outer(C[:, k], In[j]).ravel() for k in range(C.shape[1]) for j in range(n)]
    rows += [np.multiply.outer(Im[i], K[k]).ravel() for k in range(K.shape[0]) for i in range(m)]
    return np.array(rows, dtype=object).reshape(len(rows), m * n)


def chart_hessian(P, G, H_ell) -> np.ndarray:
    """The Hessian of ell o phi at the chart origin of M_e^o through P (module docstring), exact.

    ``G`` = grad ell(P) (m x n), ``H_ell`` = Hess ell on row-major vec (mn x mn).  Its size is e (m + n - e);
    at a critical point of ell on M_e^o its inertia is the Morse index of ell restricted to the manifold."""
    L, R, e = chart_frame(P)
    m, n = np.asarray(P).shape
    coords = [(p, q) for p in range(m) for q in range(n) if p < e or q < e]
    K2 = np.kron(L, R.T)  # vec_row(L E R) = (L (x) R^T) vec_row(E)
    T = K2[:, [p * n + q for p, q in coords]]
    H = T.T @ H_ell @ T
    Gt = L.T @ G @ R.T
    index = {pq: a for a, pq in enumerate(coords)}
    for k in range(e, m):  # C_{k i} couples with B_{i l} through G~[k, l]
        for i in range(e):
            for l in range(e, n):
                a, b = index[(k, i)], index[(i, l)]
                H[a, b] = H[a, b] + Gt[k, l]
                H[b, a] = H[b, a] + Gt[k, l]
    return H


@dataclass(frozen=True)
class Purity:
    """The pure/spurious classification of a critical point theta with P = mu(theta) (claims file 2.1, 2.7).

    ``rank``: e = rank P; ``smooth_point``: e = r or filling; ``pure_a``: reading (a) (critical for ell on the
    smooth locus of M_r; a singular point is never critical); ``pure_b``: reading (b) (every C^1 curve through
    P in M_r is stationary: grad ell(P) = 0 at singular points).  The readings agree at smooth points."""

    rank: int
    r: int
    filling: bool
    grad_zero: bool
    normal: bool  # G in N_P (P^T G = 0 and G P^T = 0)

    @property
    def smooth_point(self) -> bool:
        return self.filling or self.rank == self.r

    @property
    def pure_a(self) -> bool:
        if self.filling:
            return self.grad_zero
        return self.rank == self.r and self.normal

    @property
    def pure_b(self) -> bool:
        if self.filling or self.rank < self.r:
            return self.grad_zero
        return self.normal


def purity(P, G, r: int, filling: bool) -> Purity:
    """Classify, exactly, the critical point whose image is P with G = grad ell(P)."""
    return Purity(exact.rank(P), r, filling, exact.is_zero(G), is_stratum_critical(P, G))


# ---- float: residuals for optimiser output ------------------------------------------------------------------
def stratum_residual(P, G, g_scale: float | None = None) -> float:
    """max(||P^T G||, ||G P^T||) / (||P|| max(||G||, g_scale)): 0 iff P is critical on its stratum (claims
    file 2.6).  ``g_scale`` (e.g. ||grad ell(0)||, the loss's own gradient scale) keeps the residual small where
    G itself is round-off (a global minimum of ell), where ||G|| alone would make noise look like a defect."""
    P, G = np.asarray(P, float), np.asarray(G, float)
    scale = np.linalg.norm(P) * max(np.linalg.norm(G), g_scale or 0.0)
    if scale == 0.0:
        return 0.0
    return float(max(np.linalg.norm(P.T @ G), np.linalg.norm(G @ P.T)) / scale)


# ---- index formulas ----------------------------------------------------------------------------------------
def eckart_young_index(sigma, I) -> int:
    """Morse index of ||P - U||^2 on M_r^o at U_I: #{(i, j) in I x I^c : sigma_j > sigma_i} (claims file 2.10)."""
    I = set(I)
    return sum(1 for i in I for j in range(len(sigma)) if j not in I and sigma[j] > sigma[i])


def weighted_index(sigma, lam, I) -> int:
    """Morse index at U_I of the weighted quadratic loss with U = diag(sigma) on M_r^o (claims file 2.12 B):
    #{(i, j) in I x I^c, j <= m : lam_ij lam_ji sigma_i^2 < lam_jj^2 sigma_j^2}."""
    I = set(I)
    return sum(1 for i in I for j in range(len(sigma)) if j not in I
               and lam[i][j] * lam[j][i] * sigma[i] ** 2 < lam[j][j] ** 2 * sigma[j] ** 2)
