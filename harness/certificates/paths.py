"""Paths and valleys: certificates that a loss has, or has no, spurious valley at a point.

A *spurious valley* is a path-connected component of a sub-level set {L <= c} that holds no global minimiser
(venturi2019.md, section 1).  Two kinds of certificate:

* **No valley here** (:func:`certify_path`): an explicit piecewise-linear path theta_0, ..., theta_K from the
  instance to a global minimiser along which L never rises above its start.  On each segment
  t -> L(theta_k + t (theta_{k+1} - theta_k)), t in [0, 1]:
  - polynomial models: a polynomial in t of known degree, interpolated *exactly* (python-flint ``fmpq_poly``)
    from rational samples; "L(t) <= L(0) on [0, 1]" is decided exactly by the square-free factorisation
    (a root of odd multiplicity in (0, 1) is a sign change) and the sign at one further rational point
    (:func:`nonpositive_on_unit_interval`);
  - segments that move only the output layer U: L is a quadratic in t from the kernel blocks (exact or float);
  - other segments: a dense check, the largest sampled rise plus a Lipschitz bound times half the spacing
    (:func:`dense_segment_rise`, empirical losses).
  The proof path of Venturi-Bandeira-Bruna's Theorem 8 is built by :func:`theorem8_path`.
* **A valley** (:func:`grid_barrier`): the bottleneck (minimax) level of all paths from a start cell to a goal
  cell on a grid of a box in the plane, each cell's value a certified lower bound (centre value minus a
  Lipschitz constant times the half-diagonal), by Dijkstra with max instead of sum.  8-connectivity, so any
  continuous path inside the box passes through a chain of adjacent cells.  A box cannot certify an unbounded
  component: the caller adds an analytic separating set (e.g. the box boundary, or lines on which L is known
  in closed form).  An optimiser that stalls at a point with positive semidefinite Hessian is never evidence
  of a valley: only a barrier or a strict local minimum with a lower point is.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
from flint import fmpq, fmpq_poly

from harness.numerics import exact
from harness.numerics.exact import _sign_changes
from harness.core.evidence import Inconclusive
from harness.numerics import Tolerances, numerical_rank
from harness.models.population import _matmul, _obj, _trace


# =========================================================================================================
# Exact polynomials in t
# =========================================================================================================
def interpolate(ts, values) -> fmpq_poly:
    """The polynomial of degree < len(ts) through (t_k, v_k), exactly (Newton divided differences)."""
    ts = [exact.to_fmpq(t) for t in ts]
    coef = [exact.to_fmpq(v) for v in values]
    n = len(ts)
    for j in range(1, n):
        for i in range(n - 1, j - 1, -1):
            coef[i] = (coef[i] - coef[i - 1]) / (ts[i] - ts[i - j])
    poly = fmpq_poly([coef[-1]])
    for i in range(n - 2, -1, -1):
        poly = poly * fmpq_poly([-ts[i], 1]) + coef[i]
    return poly


def _sturm_sequence(s: fmpq_poly) -> list:
    seq = [s, s.derivative()]
    while not seq[-1].is_zero():
        r = -(seq[-2] % seq[-1])
        if r.is_zero():
            break
        seq.append(r)
    return seq


def roots_in_open_unit_interval(s: fmpq_poly) -> int:
    """The number of distinct real roots of s in (0, 1) (Sturm's theorem; s need not be square-free)."""
    if s.degree() <= 0:
        return 0
    s = s / s.gcd(s.derivative()) if s.degree() > 1 else s  # same distinct roots, square-free
    seq = _sturm_sequence(s)
    zero, one = fmpq(0), fmpq(1)
    count = _sign_changes([p(zero) for p in seq]) - _sign_changes([p(one) for p in seq])  # roots in (0, 1]
    return count - (1 if s(one) == 0 else 0)


def nonpositive_on_unit_interval(q: fmpq_poly) -> bool:
    """Exactly: q(t) <= 0 for every t in [0, 1]?  q has a root of odd multiplicity in (0, 1) iff it changes sign
    there; without one its sign on (0, 1) is that at any non-root, and q <= 0 on [0, 1] by continuity."""
    if q.is_zero():
        return True
    _, factors = q.factor_squarefree()
    odd = fmpq_poly([1])
    for f, e in factors:
        if e % 2:
            odd = odd * f
    if roots_in_open_unit_interval(odd) > 0:
        return False
    k = 2
    while True:  # finitely many roots: some k/(k+1)... is not one
        for j in range(1, k):
            v = q(fmpq(j, k))
            if v != 0:
                return v < 0
        k += 1


def _float_max_on_unit(q: fmpq_poly) -> tuple[float, float]:
    """(max_{[0,1]} q, argmax) in float64: the endpoints, the real roots of q' in [0, 1] and a dense grid."""
    c = [exact.to_float(a) for a in q.coeffs()] or [0.0]
    ts = list(np.linspace(0, 1, 401))
    if len(c) > 2:
        d = np.polynomial.polynomial.polyder(c)
        r = np.polynomial.polynomial.polyroots(d) if np.any(d) else []
        ts += [float(x.real) for x in r if abs(x.imag) < 1e-9 and 0 <= x.real <= 1]
    vals = np.polynomial.polynomial.polyval(np.array(ts), c)
    i = int(np.argmax(vals))
    return float(vals[i]), float(ts[i])


# =========================================================================================================
# Segment and path certificates
# =========================================================================================================
@dataclass
class SegmentCheck:
    label: str
    start: float  # L at the segment's start
    end: float
    rise: float  # max_{t in [0,1]} L(t) - L(0), absolute (float; for exact segments from the exact polynomial)
    ok: bool  # L(t) <= L(0) on the whole segment (exactly, or with the dense bound)
    method: str  # exact-polynomial | quadratic | dense-lipschitz
    t_max: float = 0.0


@dataclass
class PathCertificate:
    segments: list
    start: float
    end: float
    exact: bool
    nodes: list = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.segments) and all(
            b.start <= a.start or b.start - a.start <= 0 for a, b in zip(self.segments, self.segments[1:]))

    @property
    def max_rise(self) -> float:
        """max over the path of L - L(start) (absolute)."""
        top = self.start
        for s in self.segments:
            top = max(top, s.start + max(s.rise, 0.0))
        return top - self.start

    def profile(self, problem, per_segment: int = 20):
        """(t, L) samples along the path for a plot (t runs 0..K over K segments)."""
        ts, Ls = [], []
        for k, (a, b) in enumerate(zip(self.nodes, self.nodes[1:])):
            fa, fb = _floats(a), _floats(b)
            for s in np.linspace(0, 1, per_segment, endpoint=k == len(self.nodes) - 2):
                ts.append(k + s)
                Ls.append(problem.loss(fa + s * (fb - fa)))
        return np.array(ts), np.array(Ls)


def _floats(theta) -> np.ndarray:
    return np.array([float(x) for x in np.ravel(theta)]) if _obj(theta) else np.asarray(theta, float)


def _u_only(problem, a, b) -> bool:
    Wa, _ = problem.split(a)
    Wb, _ = problem.split(b)
    return bool(np.all(Wa == Wb))


def segment_polynomial(problem, a, b) -> fmpq_poly:
    """L(a + t (b - a)) as an exact polynomial in t (polynomial rho or, for output-only segments, any rho
    with exact kernel blocks)."""
    a, b = exact.object_array(a) if not _obj(a) else a, exact.object_array(b) if not _obj(b) else b
    if _u_only(problem, a, b):
        W, Ua = problem.split(a)
        _, Ub = problem.split(b)
        K, KY, kYY = problem.loss_fn.blocks(problem.rho, W)
        D = Ub - Ua
        c0 = _trace(_matmul(_matmul(Ua, K), Ua.T)) - 2 * _trace(_matmul(Ua, KY)) + kYY
        c1 = 2 * _trace(_matmul(_matmul(D, K), Ua.T)) - 2 * _trace(_matmul(D, KY))
        c2 = _trace(_matmul(_matmul(D, K), D.T))
        return fmpq_poly([c0, c1, c2])
    deg = problem.segment_degree()
    if deg is None:
        raise Inconclusive(f"{problem.rho}: the loss along a segment moving W is not a polynomial")
    ts = [fmpq(k, deg) for k in range(deg + 1)]
    return interpolate(ts, [problem.exact_loss(a + (b - a) * t) for t in ts])


def dense_segment_rise(problem, a, b, samples: int = 400) -> tuple[float, float]:
    """(max sampled L(t) - L(0) + Lip * h / 2, argmax) for an empirical loss: a certified upper bound of the
    rise up to float rounding.  Lip bounds |dL/dt| on the segment: r_j(t) = U(t) rho(W(t) x_j) - y_j, with
    |<w_i(t), x_j>| <= R_ij = max of the endpoint values (linear in t), |rho| <= rho.bound(R),
    |rho'| <= rho.lipschitz(R), |u_i(t)| <= max of the endpoint norms (convexity), neuron by neuron."""
    if not hasattr(problem.loss_fn, "arrays"):
        raise Inconclusive("dense segment check needs an empirical loss")
    X, Y, w = problem.loss_fn.arrays()
    a, b = _floats(a), _floats(b)
    Wa, Ua = problem.split(a)
    Wb, Ub = problem.split(b)
    Za, Zb = Wa @ X.T, Wb @ X.T
    R = np.maximum(np.abs(Za), np.abs(Zb))  # p x N
    rho = problem.rho
    rb = np.vectorize(rho.bound)(R)
    lip = np.vectorize(rho.lipschitz)(R)
    Umax = np.maximum(np.linalg.norm(Ua, axis=0), np.linalg.norm(Ub, axis=0))  # per neuron, |u_i(t)| <= this
    dU = np.linalg.norm(Ub - Ua, axis=0)
    dZ = np.abs((Wb - Wa) @ X.T)  # |<w_i(b) - w_i(a), x_j>|
    r_bound = Umax @ rb + np.linalg.norm(Y, axis=1)  # |r_j(t)| per sample
    dr_bound = dU @ rb + Umax @ (lip * dZ)  # |dr_j/dt|: silent moving neurons (u_i = 0) contribute nothing
    L_lip = float(np.sum(w * 2 * r_bound * dr_bound))
    ts = np.linspace(0, 1, samples + 1)
    vals = np.array([problem.loss(a + t * (b - a)) for t in ts])
    i = int(np.argmax(vals))
    return float(vals[i] - vals[0] + L_lip * (ts[1] - ts[0]) / 2), float(ts[i])


def certify_path(problem, nodes, labels=None, exact_: bool | None = None) -> PathCertificate:
    """Check that L never rises above its value at the start of each segment (hence never above L(theta_0)).
    ``exact_``: None = exact when the model allows it."""
    if exact_ is None:
        exact_ = problem.exact_capable
    labels = labels or [f"segment {k + 1}" for k in range(len(nodes) - 1)]
    segs = []
    for (a, b), lab in zip(zip(nodes, nodes[1:]), labels):
        if exact_:
            q = segment_polynomial(problem, a, b)
            start, end = exact.to_float(q(fmpq(0))), exact.to_float(q(fmpq(1)))
            rise_poly = q - q(fmpq(0))
            ok = nonpositive_on_unit_interval(rise_poly)
            rise, tm = _float_max_on_unit(rise_poly)
            segs.append(SegmentCheck(lab, start, end, max(rise, 0.0) if not ok else min(rise, 0.0), ok,
                                     "exact-polynomial", tm))
            continue
        fa, fb = _floats(a), _floats(b)
        start, end = problem.loss(fa), problem.loss(fb)
        if _u_only(problem, fa, fb):
            W, Ua = problem.split(fa)
            _, Ub = problem.split(fb)
            K, KY, _ = problem.loss_fn.blocks(problem.rho, W)
            D = Ub - Ua
            c1 = 2 * np.trace(D @ K @ Ua.T) - 2 * np.trace(D @ KY)
            c2 = np.trace(D @ K @ D.T)
            cand = [0.0, 1.0] + ([-c1 / (2 * c2)] if c2 > 0 and 0 < -c1 / (2 * c2) < 1 else [])
            rises = [c1 * t + c2 * t * t for t in cand]
            i = int(np.argmax(rises))
            segs.append(SegmentCheck(lab, start, end, float(rises[i]), None, "quadratic", float(cand[i])))
        else:
            rise, tm = dense_segment_rise(problem, fa, fb)
            segs.append(SegmentCheck(lab, start, end, rise, None, "dense-lipschitz", tm))
    return PathCertificate(segs, segs[0].start if segs else problem.loss(_floats(nodes[0])),
                           segs[-1].end if segs else problem.loss(_floats(nodes[0])), exact_, list(nodes))


def judge_float_path(cert: PathCertificate, tol: float) -> None:
    """Float segments: ok iff rise <= tol * max(1, L(theta_0)) (the claims file's scale)."""
    scale = max(1.0, abs(cert.start))
    for s in cert.segments:
        if s.ok is None:
            s.ok = s.rise <= tol * scale


# =========================================================================================================
# The proof path of Theorem 8 (no spurious valleys for p >= dim*)
# =========================================================================================================
#: The claims file's rank rule (venturi2019.md, section 1): relative cut 1e-9 with a gap, sigma_q/sigma_1 >= 1e-6
#: and sigma_(q+1)/sigma_1 <= 1e-12, else the rank is undecided (Inconclusive).
GAP_RULE = Tolerances(rank_cut=1e-9, rank_low=1e-6, rank_high=1e-12)


@dataclass
class ProofPath:
    nodes: list
    labels: list
    independent: list  # I: indices of the independent neurons kept in phase 1
    rank_after: int  # rank Psi(W') after phase 2
    notes: dict = field(default_factory=dict)


def _greedy_independent(M, exact_: bool, tol: Tolerances | None = None) -> list[int]:
    """Indices of a maximal set of independent rows of M: exactly, greedily from the top; in float, the rows
    that column-pivoted QR of M^T picks first (rank by the gap rule), so that the kept rows are well conditioned
    and the coefficients re-expressing the others stay small -- a greedy pick can keep a row that adds only a
    sliver of a direction (cond 1e6, coefficients 4e5, a phase-1 loss change of 4e-6 from rounding alone, found
    by a thorough run of venturi2019/emp)."""
    if not exact_:
        r = numerical_rank(np.asarray(M, float), tol or GAP_RULE, "Psi rows").rank
        piv = scipy.linalg.qr(np.asarray(M, float).T, pivoting=True, mode="r")[1]
        return sorted(int(i) for i in piv[:r])
    keep = []
    rank = 0
    for i in range(M.shape[0]):
        trial = M[keep + [i]]
        r = exact.rank(trial) if exact_ else numerical_rank(trial, tol or GAP_RULE, "Psi rows").rank
        if r > rank:
            keep.append(i)
            rank = r
    return keep


def _solve(A, b, exact_: bool):
    """x with A x = b for square nonsingular A (exact via FLINT, or float)."""
    if exact_:
        return exact.to_object_array(exact.rational_matrix(A).solve(exact.rational_matrix(b)))
    return np.linalg.solve(np.asarray(A, float), np.asarray(b, float))


def best_output(problem, W, exact_: bool, tol: Tolerances | None = None):
    """U* = argmin_U L(W, U), supported on a maximal set I of neurons independent in L^2(P).  Exact: I from the
    principal minors of K_WW, U*_I = K_{Y I} K_{I I}^{-1}.  Float with an empirical loss: I and U*_I from the
    feature matrix rho(W X^T) itself (least squares; a Gram matrix would square its condition number).  The
    global minimiser over U: the other features lie in the span of the kept ones."""
    m, p = problem.arch.m, problem.arch.p
    U = np.empty((m, p), dtype=object) if exact_ else np.zeros((m, p))
    if exact_:
        U[...] = fmpq(0)
        K, KY, _ = problem.loss_fn.blocks(problem.rho, W)
        I = _greedy_independent(K, True) if K.size else []
        if I:
            U[:, I] = _solve(K[np.ix_(I, I)], KY[I], True).T
        return U
    if not hasattr(problem.loss_fn, "features"):
        raise Inconclusive("float best output layer needs an empirical loss (features)")
    F = np.asarray(problem.loss_fn.features(problem.rho, np.asarray(W, float)), float)  # p x N
    _, Y, weights = problem.loss_fn.arrays()
    I = _greedy_independent(F, False, tol)
    if I:
        sw = np.sqrt(weights)[:, None]
        U[:, I] = np.linalg.lstsq(F[I].T * sw, Y * sw, rcond=None)[0].T
    return U


def _greedy_redraw(features, W0, I, dep, rng, pool: int = 64) -> np.ndarray:
    """New rows for the silent neurons (float): each in turn the candidate, among ``pool`` random w (scales
    e^U(-1,1) times 3 N(0, 1)), whose feature vector lies farthest from the span of those kept so far; random
    draws alone can miss the few activation cells that add a direction (ReLU, n = 2)."""
    kept = np.asarray(features(W0[I]), float) if I else np.zeros((0, np.asarray(features(W0[:1])).shape[1]))
    rows = []
    for _ in dep:
        C = 3 * rng.standard_normal((pool, W0.shape[1])) * np.exp(rng.uniform(-1, 1, (pool, 1)))
        F = np.asarray(features(C), float)
        if len(kept):
            Q, _ = np.linalg.qr(kept.T)
            R = F - (F @ Q) @ Q.T
        else:
            R = F
        score = np.linalg.norm(R, axis=1) / np.maximum(np.linalg.norm(F, axis=1), 1e-300)
        k = int(np.argmax(score))
        rows.append(C[k])
        kept = np.vstack([kept, F[k:k + 1]])
    return np.array(rows)


def theorem8_path(problem, theta, features, target_rank: int, rng, exact_: bool,
                  tol: Tolerances = GAP_RULE, redraws: int = 20) -> ProofPath:
    """The path of the proof of Theorem 8 (claims file VBB-T8), as nodes of a piecewise-linear path:

    1. Psi = features(W_0); I = a maximal independent row set; for j not in I, psi(w_j) = sum_i c_ji psi(w_i);
       U_1 = U_0 with u_i += sum_j c_ji u_j (i in I), u_j = 0 (j not in I).  f is unchanged: segment U_0 -> U_1.
    2. The silent neurons j not in I (u_j = 0) move on a straight line to random w'_j until
       rank features(W') = target_rank (f unchanged: their output weight is zero).
    3. W' fixed, U_1 -> U* = argmin_U L(W', U): L is convex in U.

    ``features(W)`` is psi (p x q; exact for polynomials) or, for an empirical measure, rho(W X^T).  Float rank
    decisions use ``tol`` (default the claims file's gap rule :data:`GAP_RULE`).  The caller checks
    ``rank_after`` against the rank phase 3 needs: short of it the proof path does not apply."""
    W0, U0 = problem.split(theta)
    if exact_:
        W0, U0 = exact.object_array(W0) if not _obj(W0) else W0, exact.object_array(U0) if not _obj(U0) else U0
    Psi = features(W0)
    I = _greedy_independent(Psi, exact_, tol)
    p = problem.arch.p
    dep = [j for j in range(p) if j not in I]
    U1 = U0.copy()
    if dep:
        if exact_:
            A = _matmul(Psi[I], Psi[I].T)  # |I| x |I|, nonsingular
            C = _solve(A, _matmul(Psi[I], Psi[dep].T), True)  # |I| x |dep|: psi_j = sum_i C[i, j] psi_i
        else:  # least squares on Psi_I^T itself (normal equations would square the condition number)
            C = np.linalg.lstsq(np.asarray(Psi[I], float).T, np.asarray(Psi[dep], float).T, rcond=None)[0]
        U1[:, I] = U1[:, I] + _matmul(U0[:, dep], C.T)
        U1[:, dep] = fmpq(0) if exact_ else 0.0
    nodes = [problem.arch.flatten(W0, U0), problem.arch.flatten(W0, U1)]
    labels = ["1: re-express dependent neurons (f constant)"]
    W1 = W0.copy()
    rank_after = len(I)
    if dep:
        undecided = 0
        for attempt in range(redraws):
            cand = W0.copy()
            if exact_:
                cand[dep] = exact.object_array(rng.integers(-3, 4, (len(dep), W0.shape[1])))
            else:
                cand[dep] = _greedy_redraw(features, W0, I, dep, rng)
            try:
                r = exact.rank(features(cand)) if exact_ else numerical_rank(features(cand), tol, "Psi(W')").rank
            except Inconclusive:
                undecided += 1
                continue
            if r > rank_after or attempt == 0:
                W1, rank_after = cand, max(r, rank_after) if attempt else r
            if rank_after >= target_rank:
                break
        if rank_after < target_rank <= p and undecided:
            raise Inconclusive(f"phase 2: rank {target_rank} of the re-drawn features not decided "
                               f"({undecided} of {redraws} draws without a singular-value gap)")
        nodes.append(problem.arch.flatten(W1, U1))
        labels.append("2: re-draw the silent neurons (f constant)")
    Ustar = best_output(problem, W1, exact_, tol)
    nodes.append(problem.arch.flatten(W1, Ustar))
    labels.append("3: output layer to its optimum (convex)")
    return ProofPath(nodes, labels, I, rank_after)


# =========================================================================================================
# Barriers on a certified grid
# =========================================================================================================
@dataclass
class Barrier:
    level: float  # certified lower bound of the bottleneck level of every in-box path from start to goal
    start_value: float
    reached: bool  # the goal cell is connected to the start cell at all
    shape: tuple

    @property
    def margin(self) -> float:
        return self.level - self.start_value


def grid_barrier(f, box, shape, lipschitz: float, start, goal) -> Barrier:
    """Bottleneck level from the cell of ``start`` to the cell of ``goal`` over a ``shape`` grid of
    ``box`` = ((x0, x1), (y0, y1)): each cell's value is f(centre) - lipschitz * half-diagonal (a lower bound
    of f on the cell), the level of a chain of 8-adjacent cells is its largest cell value (excluding the start
    cell, which holds the start point), and Dijkstra with max finds the lowest chain.  Every continuous path
    inside the box from start to goal crosses a point at least that high."""
    (x0, x1), (y0, y1) = box
    nx, ny = shape
    hx, hy = (x1 - x0) / nx, (y1 - y0) / ny
    xs = x0 + hx * (np.arange(nx) + 0.5)
    ys = y0 + hy * (np.arange(ny) + 0.5)
    XX, YY = np.meshgrid(xs, ys, indexing="ij")
    vals = np.asarray(f(XX, YY), float) - lipschitz * 0.5 * np.hypot(hx, hy)

    def cell(pt):
        return (min(nx - 1, max(0, int((pt[0] - x0) / hx))), min(ny - 1, max(0, int((pt[1] - y0) / hy))))

    s, g = cell(start), cell(goal)
    best = np.full(shape, np.inf)
    best[s] = -np.inf
    heap = [(-np.inf, s)]
    while heap:
        lvl, (i, j) = heapq.heappop(heap)
        if (i, j) == g:
            break
        if lvl > best[i, j]:
            continue
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                a, b = i + di, j + dj
                if (di or dj) and 0 <= a < nx and 0 <= b < ny:
                    new = max(lvl, vals[a, b])
                    if new < best[a, b]:
                        best[a, b] = new
                        heapq.heappush(heap, (new, (a, b)))
    return Barrier(float(best[g]), float(f(np.array(start[0]), np.array(start[1]))), bool(np.isfinite(best[g])),
                   shape)
