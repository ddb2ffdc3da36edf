"""Strategies for linear networks (Trager, Kohn & Bruna 2020): architectures (filling / non-filling), exact
rational data whose whitened target has a known SVD, losses on the function space, and points -- integer
layers of drawn ranks, canonical critical points theta_I (Eckart-Young / Baldi-Hornik) with their GL-orbits
and kernel-augmented relatives, fiber points over a rank-r matrix, and optimised critical points (gated on
the gradient: a stalled run is rejected, never reported as a minimum).

Sizes and integers are drawn by Hypothesis (they shrink toward small, readable instances); exact quantities
are numpy object arrays of ``flint.fmpq``.
"""
from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from harness.numerics import exact
from harness.models.losses import CrossEntropyLoss, LogCoshLoss, QuadraticLoss, WeightedQuadraticLoss
from harness.models.linear import LinearArchitecture, LinearInstance, gl_move, product
from strategies.data import seeds
from strategies.discrete import dimension, draw_dimension


# ---- architectures ----------------------------------------------------------------------------------------
@st.composite
def linear_architectures(draw, depth=st.integers(2, 3), width=st.integers(1, 4), filling: bool | None = None,
                         end_width=None) -> LinearArchitecture:
    """Widths (d_0, ..., d_h), h = depth layers.  ``filling=True``: every hidden width >= min(d_0, d_h);
    ``False``: some hidden layer is a strict bottleneck (< min(d_0, d_h), so d_0, d_h >= 2); None: any."""
    h = draw_dimension(draw, "layers", depth)
    ends = end_width if end_width is not None else (width if filling is not False else st.integers(2, 4))
    d0, dh = draw_dimension(draw, "d_0", ends), draw_dimension(draw, "d_h", ends)
    hidden = [draw_dimension(draw, "hidden width", width) for _ in range(h - 1)]
    m = min(d0, dh)
    if filling is True:
        hidden = [max(w, m) for w in hidden]
    elif filling is False:
        if h < 2:
            raise ValueError("a non-filling architecture needs a hidden layer (depth >= 2)")
        k = draw(dimension("bottleneck layer", st.integers(0, h - 2)))
        hidden[k] = draw(dimension("bottleneck width", st.integers(1, m - 1)))
    arch = LinearArchitecture((d0, *hidden, dh))
    if filling is not None:
        assert arch.filling == filling, arch
    return arch


# ---- points: integer layers -----------------------------------------------------------------------------
def _int_matrix(shape, entries=3):
    """Integer matrices with every entry drawn independently (``fill=nothing``: hnp.arrays would otherwise
    fill most entries with one value, and almost every drawn matrix would be rank-deficient)."""
    return hnp.arrays(np.int64, shape, elements=st.integers(-entries, entries), fill=st.nothing())


@st.composite
def integer_layers(draw, arch: LinearArchitecture, entries: int = 3, ranked: bool = False) -> list[np.ndarray]:
    """Integer layers W_i with entries uniform in [-entries, entries] (from a drawn seed: generic, unlike
    Hypothesis' own small-value bias, which makes most small integer matrices rank-deficient).  ``ranked``:
    each W_i = A B with inner dimension k_i = min(d_i, d_{i-1}) - drop_i, where drop_i = 0 unless a drawn flag
    asks for a rank drop (shrinking goes toward full rank)."""
    rng = np.random.default_rng(draw(seeds))
    Ws = []
    for a, b in arch.shapes:
        if not ranked:
            Ws.append(rng.integers(-entries, entries + 1, (a, b)))
            continue
        full = min(a, b)
        k = full - (draw(dimension("rank drop", st.integers(0, full))) if draw(dimension("drop rank", st.booleans()))
                    else 0)
        Ws.append(rng.integers(-2, 3, (a, k)) @ rng.integers(-2, 3, (k, b)) if k else np.zeros((a, b), np.int64))
    return Ws


# ---- exact quadratic data (claims file 1.3) -------------------------------------------------------------------
@st.composite
def distinct_sigmas(draw, m: int, top: int = 9):
    """sigma_1 > ... > sigma_m > 0, distinct positive integers (generic data)."""
    values = draw(st.sets(st.integers(1, top), min_size=m, max_size=m))
    return sorted(values, reverse=True)


@st.composite
def quadratic_losses(draw, arch: LinearArchitecture, extra=st.integers(0, 2), whiten: bool = True) -> QuadraticLoss:
    """ell(W) = ||W X - Y||^2 with an exactly known whitening: X = R [I | 0] (R = B B^T + 2 I, integer SPD, so
    S^{1/2} = R; ``whiten=False``: R = I, ell(W) = ||W - U||^2 + c), U = P diag(sigma) Q^T with Cayley-orthogonal
    P, Q, and Y = [U | Y_2] so that U = Y X^T S^{-1/2} has the exact SVD (P, sigma, Q)."""
    d0, dh, m = arch.d_in, arch.d_out, arch.m
    rng = np.random.default_rng(draw(seeds))
    sigma = draw(distinct_sigmas(m))
    P, Q = exact.random_cayley_orthogonal(dh, rng), exact.random_cayley_orthogonal(d0, rng)
    R = exact.rational_spd(d0, rng) if whiten else exact.rational_matrix(np.eye(d0, dtype=int))
    Pobj, Qobj, Robj = (exact.to_object_array(M) for M in (P, Q, R))
    U = exact.to_object_array(exact.exact_svd_matrix(P, sigma, Q))
    N2 = draw(extra)
    X = np.concatenate([Robj, exact.object_array(np.zeros((d0, N2), dtype=int))], axis=1)
    Y = np.concatenate([U, exact.object_array(draw(_int_matrix((dh, N2), 2)))], axis=1)
    return QuadraticLoss.exact(X, Y, whitening=(Pobj, [exact.to_fmpq(s) for s in sigma], Qobj, Robj))


@st.composite
def weighted_quadratic_losses(draw, arch: LinearArchitecture, weights=st.integers(1, 10),
                              diagonal: bool = True) -> WeightedQuadraticLoss:
    """sum lambda_pq (W_pq - U_pq)^2 with integer lambda >= 1 and U = diag(sigma) (distinct sigma) when
    ``diagonal`` (the coordinates in which the weights act: never rotate U for a weighted loss)."""
    dh, d0, m = arch.d_out, arch.d_in, arch.m
    lam = np.array([[draw(weights) for _ in range(d0)] for _ in range(dh)], float)
    if diagonal:
        U = np.zeros((dh, d0))
        U[range(m), range(m)] = draw(distinct_sigmas(m))
    else:
        U = draw(_int_matrix((dh, d0), 4)).astype(float)
    return WeightedQuadraticLoss(U, lam)


@st.composite
def smooth_convex_losses(draw, arch: LinearArchitecture, kinds=("logcosh", "cross-entropy")):
    """Smooth convex non-quadratic losses on R^{d_h x d_0} (claims file 2.9): logcosh with random U, lambda and
    cross-entropy on random points, each + 0.01 ||W||^2 (so the convex minimum is attained)."""
    kind = draw(dimension("loss", st.sampled_from(tuple(kinds))))
    rng = np.random.default_rng(draw(seeds))
    dh, d0 = arch.d_out, arch.d_in
    if kind == "logcosh":
        return LogCoshLoss(np.round(2 * rng.standard_normal((dh, d0)), 2), np.round(rng.uniform(0.5, 2, (dh, d0)), 2),
                           reg=0.01)
    N = 3 * dh + 3
    labels = np.concatenate([np.arange(dh), rng.integers(0, dh, N - dh)])  # every class occurs
    return CrossEntropyLoss(np.round(rng.standard_normal((d0, N)), 2), tuple(int(c) for c in labels),
                            n_classes=dh, reg=0.01)


# ---- problems and points ----------------------------------------------------------------------------------------
@st.composite
def linear_problems(draw, archs=None, losses=quadratic_losses) -> LinearInstance:
    """A LinearInstance with theta = 0 (source "none"): ``losses`` is a function arch -> strategy of losses."""
    arch = draw(archs if archs is not None else linear_architectures())
    return LinearInstance(arch, draw(losses(arch)), np.zeros(arch.n_params), {"source": "none"})


@st.composite
def integer_points(draw, problems, entries: int = 3, ranked: bool = True) -> LinearInstance:
    inst = draw(problems)
    Ws = draw(integer_layers(inst.arch, entries, ranked))
    theta = exact.object_array(inst.arch.flatten(Ws))
    return inst.with_theta(theta, source="integer", ranks=[int(exact.rank(W)) if W.size else 0 for W in Ws])


def canonical_layers(arch: LinearArchitecture, P, sigma, Q, Rinv, I) -> list[np.ndarray]:
    """theta_I (claims file 1.5): W_1 = B_1 diag(sigma_I) Q_I^T R^{-1}, W_k = B_k B_{k-1}^T, W_h = P_I B_{h-1}^T,
    B_k the first e = |I| standard basis vectors of R^{d_k}; mu(theta_I) = U_I R^{-1}."""
    I = list(I)
    e = len(I)
    one, zero = exact.to_fmpq(1), exact.to_fmpq(0)

    def basis(d):
        Bk = np.empty((d, e), dtype=object)
        Bk[...] = zero
        for t in range(e):
            Bk[t, t] = one
        return Bk

    D = np.empty((e, e), dtype=object)
    D[...] = zero
    for t, i in enumerate(I):
        D[t, t] = sigma[i]
    core = D @ Q[:, I].T @ Rinv  # e x d_0
    if arch.h == 1:
        return [P[:, I] @ core]
    Ws = [basis(arch.widths[1]) @ core]
    for k in range(2, arch.h):
        Ws.append(basis(arch.widths[k]) @ basis(arch.widths[k - 1]).T)
    Ws.append(P[:, I] @ basis(arch.widths[arch.h - 1]).T)
    return Ws


@st.composite
def invertible_integer_matrices(draw, n: int, entries: int = 2):
    """G = L U with L unit lower triangular and U upper triangular with diagonal in {+-1, +-2}: det != 0."""
    Lo = np.tril(draw(_int_matrix((n, n), entries)), -1) + np.eye(n, dtype=np.int64)
    Up = np.triu(draw(_int_matrix((n, n), entries)), 1)
    diag = [draw(st.sampled_from((1, -1, 2, -2))) for _ in range(n)]
    return exact.object_array(Lo @ (Up + np.diag(diag)))


@st.composite
def canonical_critical_points(draw, problems, sizes: str = "any", gl: bool | None = None) -> LinearInstance:
    """theta_I for a subset I of {1..m} with |I| <= r (``sizes``: "any", "pure" |I| = r, "deficient" |I| < r),
    optionally moved along its GL-orbit (``gl``: True, False, None = drawn).  Needs a QuadraticLoss with an
    exact whitening.  Exact critical points of L (claims file 1.5)."""
    inst = draw(problems)
    arch, loss = inst.arch, inst.loss
    P, sigma, Q, R = loss.whitening_exact
    m, r = arch.m, arch.r
    lo, hi = {"any": (0, r), "pure": (r, r), "deficient": (0, r - 1)}[sizes]
    assume(lo <= hi)
    e = draw(dimension("|I|", st.integers(lo, hi)))
    I = sorted(draw(st.sets(st.integers(0, m - 1), min_size=e, max_size=e)))
    Ws = canonical_layers(arch, P, sigma, Q, exact.to_object_array(exact.rational_matrix(R).inv()), I)
    moved = draw(dimension("GL-move", st.booleans())) if gl is None else gl
    point = {"source": "canonical", "I": I}
    if moved and arch.h >= 2:
        Gs = [draw(invertible_integer_matrices(d)) for d in arch.widths[1:-1]]
        Ws = gl_move(Ws, Gs)
        point["gl_moved"] = True
    return inst.with_theta(np.concatenate([W.ravel() for W in Ws]), **point)


@st.composite
def kernel_augmented_points(draw, problems) -> LinearInstance:
    """Rank-deficient critical points outside the GL-orbit of theta_I (claims file 1.5), for h = 2 and d_0 > m:
    W_1 = (sum_{i in I} sigma_i e_i v_i^T + c e_{e+1} v_k^T) R^{-1}, W_2 = sum_{i in I} u_i e_i^T, with v_k (k > m)
    in ker U and e = |I| < d_1: mu = U_I R^{-1}, and both gradient blocks vanish (u_i^T (U_I - U) = 0,
    (U_I - U) v_i = 0, U v_k = 0)."""
    inst = draw(problems.filter(lambda p: p.arch.h == 2 and p.arch.d_in > p.arch.m))
    arch, (P, sigma, Q, R) = inst.arch, inst.loss.whitening_exact
    d1 = arch.widths[1]
    e = draw(st.integers(0, min(arch.r, d1 - 1)))
    I = sorted(draw(st.sets(st.integers(0, arch.m - 1), min_size=e, max_size=e)))
    k = draw(st.integers(arch.m, arch.d_in - 1))
    c = exact.to_fmpq(draw(st.sampled_from((1, -1, 2, 3))))
    Rinv = exact.to_object_array(exact.rational_matrix(R).inv())
    zero = exact.to_fmpq(0)
    F = np.empty((d1, arch.d_in), dtype=object)
    F[...] = zero
    W2 = np.empty((arch.d_out, d1), dtype=object)
    W2[...] = zero
    for t, i in enumerate(I):
        F = F + np.multiply.outer(_unit(d1, t) * sigma[i], Q[:, i])
        W2 = W2 + np.multiply.outer(P[:, i], _unit(d1, t))
    F = F + np.multiply.outer(_unit(d1, e) * c, Q[:, k])
    W1 = F @ Rinv
    return inst.with_theta(np.concatenate([W1.ravel(), W2.ravel()]), source="kernel-augmented", I=I, kernel=k)


def _unit(d: int, t: int) -> np.ndarray:
    v = exact.object_array(np.zeros(d, dtype=int))
    v[t] = exact.to_fmpq(1)
    return v


@st.composite
def weighted_pattern_points(draw, problems, sizes: str = "pure") -> LinearInstance:
    """For a weighted quadratic loss with diagonal U: theta_I realising U_I = sum_{i in I} sigma_i e_i e_i^T
    (critical for L: the gradient 2 lambda o (U_I - U) lives on the diagonal entries outside I)."""
    inst = draw(problems)
    arch, U = inst.arch, inst.loss.U
    m, r = arch.m, arch.r
    e = r if sizes == "pure" else draw(dimension("|I|", st.integers(0, r - 1)))
    I = sorted(draw(st.sets(st.integers(0, m - 1), min_size=e, max_size=e)))
    sigma = [exact.to_fmpq(U[i, i]) for i in range(m)]
    eye_out = exact.object_array(np.eye(arch.d_out, dtype=int))
    eye_in = exact.object_array(np.eye(arch.d_in, dtype=int))
    Ws = canonical_layers(arch, eye_out, sigma, eye_in, eye_in, I)
    return inst.with_theta(np.concatenate([W.ravel() for W in Ws]), source="weighted-pattern", I=I)


@st.composite
def random_factorization(draw, arch: LinearArchitecture, W, entries: int = 2) -> list[np.ndarray]:
    """Random exact layers with W_h ... W_1 = W for a matrix W of rank exactly r = arch.r: W = A C (A: d_h x r,
    C: r x d_0, from an exact column basis), then W_1 = E_1 M_1 C, W_i = E_i M_i F_{i-1}, W_h = A (M_{h-1} ... M_1)^{-1}
    F_{h-1}, with random left-invertible embeddings E_i: R^r -> R^{d_i} (F_i E_i = I_r) and invertible M_i."""
    from harness.numerics.determinantal import column_basis

    r = arch.r
    A, C = column_basis(W)
    if A.shape[1] != r:
        raise ValueError(f"W has rank {A.shape[1]}, the fiber construction needs rank r = {r}")
    if arch.h == 1:
        return [W]
    Es, Fs, Ms = [], [], []
    for d in arch.widths[1:-1]:
        E = exact.object_array(draw(_int_matrix((d, r), entries)))
        assume(exact.rank(E) == r)
        Es.append(E)
        Fs.append(exact.to_object_array(exact.rational_matrix(E.T @ E).inv()) @ E.T)  # left inverse
        Ms.append(draw(invertible_integer_matrices(r)))
    total = Ms[0]
    Ws = [Es[0] @ Ms[0] @ C]
    for i in range(1, arch.h - 1):
        Ws.append(Es[i] @ Ms[i] @ Fs[i - 1])
        total = Ms[i] @ total
    Ws.append(A @ exact.to_object_array(exact.rational_matrix(total).inv()) @ Fs[-1])
    assert exact.is_zero(product(Ws) - W)
    return Ws


@st.composite
def fiber_points(draw, archs, entries: int = 2) -> LinearInstance:
    """A random point of the fiber over a random integer matrix W = A C of rank exactly r
    (:func:`random_factorization`).  The loss is the weighted quadratic with U = W (a global minimum)."""
    arch = draw(archs)
    r = arch.r
    A = exact.object_array(draw(_int_matrix((arch.d_out, r), entries)))
    C = exact.object_array(draw(_int_matrix((r, arch.d_in), entries)))
    W = A @ C
    assume(exact.rank(W) == r)
    Ws = draw(random_factorization(arch, W, entries))
    loss = WeightedQuadraticLoss(exact.to_float_array(exact.rational_matrix(W)), np.ones(W.shape))
    return LinearInstance(arch, loss, np.concatenate([M.ravel() for M in Ws]), {"source": "fiber", "rank": r})

