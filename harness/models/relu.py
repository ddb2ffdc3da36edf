"""ReLU networks and their activation regions, with exact ranks and realisability by linear programming.

Shallow nets f(x) = sum_i v_i relu(<w_i, x> + b_i) (input dimension d_0, with or without bias, v fixed or
trained) and deep ones h^l = relu(W_l h^{l-1} + b_l), f = v^T h^L.  An *activation pattern* A in {0,1}^{d_1 x n}
(a tuple of them for a deep net) is part of an instance; its *region* is the open polyhedral cone
S^A = {W : (2 A_ij - 1)(<w_i, x_j> + b_i) > 0 for all i, j}.

Inside a shallow region f(x_j) = sum_i v_i A_ij <w~_i, x~_j> is linear in W, so the Jacobian is constant there:
J[j, (i, k)] = v_i A_ij x~_jk, row j = (v o a_j) (x) x~_j (a row-wise Kronecker, "Khatri-Rao", product).
rank J = rank (J J^T) and J J^T = (A^T diag(v^2) A) o (X~ X~^T) (Hadamard product), an n x n matrix: ranks of
patterns are computed from it, modulo a prime p in batches (rank_p <= rank_Q, so rank_p = n certifies full
rank over Q) and exactly over Q (python-flint, :mod:`harness.numerics.exact`) where a deficiency must be certified.
With all v_i != 0 the rank of J does not depend on v (J = J_1 diag(v (x) 1)); only supp v matters.

Realisability of one neuron's row a in {0,1}^n: the LP  find w  with  (2 a_j - 1) <w, x~_j> >= margin  (free
variables, ``bounds=(None, None)``; the constraints are homogeneous, so margin 1 is strict feasibility).  Note
that scipy's ``linprog`` defaults to bounds (0, None), i.e. silently w >= 0; :func:`realisable` exposes that as
``nonneg=True`` only to audit code that used the default.

One-dimensional input with bias (d_0 = 1): per neuron the n lines {w x_j + b = 0} cut the (w, b)-plane into 2n
sectors = 2n realisable patterns, coded 0 = all off, 1 = all on, 1 + c = suffix(c) (active on points c+1..n,
w > 0) and n + c = prefix(c) (active on 1..c, w < 0), for cuts c = 1..n-1 (points sorted increasingly).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from harness.core.evidence import jsonable
from harness.core.instances import register_instance_type

#: Primes below 2^31 for the batched Gram ranks (products of two residues fit in int64).
PRIME = 2147483647  # 2^31 - 1
PRIME2 = 2147483629


# ---- data and patterns ---------------------------------------------------------------------------------

def augmented(X, bias: bool) -> np.ndarray:
    """X~ = [X, 1] (n x (d_0 + 1)) with a bias, X otherwise; rows are data points."""
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[:, None]
    return np.hstack([X, np.ones((len(X), 1), dtype=X.dtype)]) if bias else X


def pattern_of(W, X, bias: bool) -> np.ndarray:
    """A_ij = [<w~_i, x~_j> > 0] (d_1 x n); ``W`` is d_1 x d_0' (bias in the last column when ``bias``).
    Exact for integer or dyadic inputs (computed in Python integers / fractions when the dtype is object)."""
    Z = np.asarray(W) @ augmented(X, bias).T
    return (Z > 0).astype(np.uint8)


def on_boundary(W, X, bias: bool) -> bool:
    """Some pre-activation vanishes exactly (L is not differentiable there); exact rationals
    (:func:`harness.numerics.exact.object_array`: every float is the dyadic rational it is)."""
    return bool(np.any(_exact_preactivations(W, X, bias) == 0))


def _exact_preactivations(W, X, bias: bool) -> np.ndarray:
    """<w~_i, x~_j> (d_1 x n) in exact rational arithmetic."""
    from harness.numerics import exact

    return exact.object_array(np.atleast_2d(W)) @ exact.object_array(augmented(np.asarray(X), bias)).T


def in_open_region(W, X, A, bias: bool) -> bool:
    """W lies in the open region S^A: (2 A_ij - 1) <w~_i, x~_j> > 0 for all i, j (exact rationals)."""
    Z = _exact_preactivations(W, X, bias)
    return all((z > 0) == bool(a) and z != 0 for z, a in zip(Z.ravel(), np.asarray(A).ravel()))


def jacobian(A, X, v, bias: bool) -> np.ndarray:
    """The region's Jacobian J (n x d_1 d_0'), J[j, i*d_0' + k] = v_i A_ij x~_jk (row-major vec W)."""
    A = np.asarray(A)
    Xt = augmented(X, bias)
    coef = (np.asarray(v)[:, None] * A).T  # n x d_1
    return (coef[:, :, None] * Xt[:, None, :]).reshape(len(Xt), -1)


def jacobian_v(A, W, X, bias: bool) -> np.ndarray:
    """d f(x_j) / d v_i = A_ij <w~_i, x~_j> (n x d_1)."""
    return (np.asarray(A) * (np.asarray(W) @ augmented(X, bias).T)).T


def forward(W, X, v, bias: bool) -> np.ndarray:
    """f(x_j) = sum_i v_i relu(<w~_i, x~_j>), float64."""
    Z = np.asarray(W, float) @ augmented(np.asarray(X, float), bias).T
    return np.asarray(v, float) @ np.maximum(Z, 0.0)


def gram_mod_p(A, Xt, v=None, p: int = PRIME) -> np.ndarray:
    """J J^T mod p for a batch of patterns: A (B, d_1, n) or (d_1, n) 0/1, Xt (n, d') or (B, n, d') integers
    with |x| < 2^24 (so X~ X~^T is exact in int64), v (d_1,) integer weights or None (v = 1).  Returns int64
    residues of shape (B, n, n) (or (n, n))."""
    A = np.asarray(A)
    single = A.ndim == 2
    if single:
        A = A[None]
    Xt = np.asarray(Xt, dtype=np.int64)
    if np.abs(Xt).max(initial=0) >= 2**24:
        raise ValueError("gram_mod_p: integer data must be below 2^24 in absolute value")
    w = np.ones(A.shape[1]) if v is None else (np.asarray(v, dtype=np.float64) ** 2)
    if w.max(initial=0) * A.shape[1] >= 2**52:
        raise ValueError("gram_mod_p: output weights too large for an exact float64 A^T diag(v^2) A")
    Af = A.astype(np.float64)
    AtA = np.einsum("bin,bim->bnm", Af * w[None, :, None], Af, optimize=True)  # integers < 2^53: exact
    AtA = np.mod(AtA.astype(np.int64), p)
    if Xt.ndim == 2:
        XXt = np.mod(Xt @ Xt.T, p)[None]
    else:
        XXt = np.mod(np.einsum("bnk,bmk->bnm", Xt, Xt), p)
    G = np.mod(AtA * XXt, p)
    return G[0] if single else G


def rank_mod_p_int(M, p: int = PRIME) -> int:
    """Rank of an integer matrix modulo p; <= its rank over Q (the engine's :func:`harness.numerics.exact.rank_mod_p`)."""
    from harness.numerics import exact

    M = np.asarray(M)
    return 0 if M.size == 0 else exact.rank_mod_p(M, p)


def ranks_mod_p(G, p: int = PRIME) -> np.ndarray:
    """Ranks mod p of a batch of integer matrices (B, r, c)."""
    return np.array([rank_mod_p_int(g, p) for g in np.asarray(G)], dtype=int)


def exact_rank(M) -> int:
    """Rank over Q of an integer / rational / float64 (dyadic, hence rational) matrix: python-flint."""
    from harness.numerics import exact

    return int(exact.rank(np.asarray(M)))


def pattern_ranks(A, Xt, v=None, *, certify_deficient: bool = True):
    """Ranks of J for a batch of patterns, decided exactly.

    Returns (ranks, how): ranks from the Gram matrix modulo :data:`PRIME`; a rank below n is re-computed
    exactly over Q (``certify_deficient``) or confirmed by a second prime (``how`` says which)."""
    A = np.asarray(A)
    single = A.ndim == 2
    As = A[None] if single else A
    n = As.shape[2]
    G = gram_mod_p(As, Xt, v)
    ranks = ranks_mod_p(G)
    how = "rank mod p"
    low = np.nonzero(ranks < n)[0]
    if len(low):
        if certify_deficient:
            Xt_o = np.asarray(Xt).astype(object)
            for b in low:
                ranks[b] = exact_rank(_gram_exact(As[b], Xt_o[b] if Xt_o.ndim == 3 else Xt_o, v))
            how = "rank mod p, deficient ranks exact over Q"
        else:
            Xl = np.asarray(Xt)[low] if np.asarray(Xt).ndim == 3 else Xt
            ranks[low] = np.maximum(ranks[low], ranks_mod_p(gram_mod_p(As[low], Xl, v, PRIME2), PRIME2))
            how = "rank mod p; deficient ranks confirmed by a second prime"
    return (int(ranks[0]) if single else ranks), how


def _gram_exact(A, Xt, v=None):
    A = np.asarray(A).astype(object)
    w = np.ones(A.shape[0], dtype=object) if v is None else np.array([int(x) ** 2 for x in v], dtype=object)
    return ((A.T * w) @ A) * (Xt @ Xt.T)


# ---- explicit bounds of the count theorems ---------------------------------------------------------------

def cover_count(n: int, d: int) -> int:
    """Cover's count of the regions of a central arrangement of n hyperplanes in general position in R^d:
    C(n, d) = 2 sum_{k < d} binom(n - 1, k)."""
    return 2 * sum(math.comb(n - 1, k) for k in range(min(d, n)))


def beta(n: int, d: int, d1: int) -> float:
    """The explicit bound of Theorem 5 (karhadkar2024.md K-thm5): with g = min(n, d) groups of sizes
    floor/ceil(n/g), delta <= sum_t (2^{k_t} - 1) 2^{-d_1}."""
    g = min(n, d)
    q, r = divmod(n, g)
    sizes = [q + 1] * r + [q] * (g - r)
    return sum((2 ** k - 1) for k in sizes) / 2 ** d1


def width_for(n: int, d: int, eps: float) -> int:
    """d_1 = ceil(n/d) + ceil(log2(min(n, d)/eps)): the explicit width of Theorem 5 (then beta <= eps)."""
    return math.ceil(n / d) + max(0, math.ceil(math.log2(min(n, d) / eps)))


# ---- realisability --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LPResult:
    feasible: bool
    w: np.ndarray | None
    status: int
    message: str


def realisable(a, Xt, margin: float = 1.0, nonneg: bool = False) -> LPResult:
    """Is the row pattern a in {0,1}^n realised by some w: (2 a_j - 1) <w, x~_j> >= margin for all j?
    HiGHS with free variables (``nonneg=True``: scipy's default bounds w >= 0, the authors' pitfall)."""
    from scipy.optimize import linprog

    a = np.asarray(a)
    Xt = np.asarray(Xt, dtype=float)
    s = 2.0 * a - 1.0
    res = linprog(np.zeros(Xt.shape[1]), A_ub=-(s[:, None] * Xt), b_ub=-margin * np.ones(len(a)),
                  bounds=(0, None) if nonneg else (None, None), method="highs")
    feasible = res.status == 0
    return LPResult(feasible, np.asarray(res.x) if feasible else None, int(res.status), str(res.message))


def strictly_realises(w, a, Xt) -> bool:
    """Exact check that w realises a strictly: (2 a_j - 1) <w, x~_j> > 0 in rational arithmetic."""
    from harness.numerics import exact

    z = exact.object_array(np.asarray(Xt)) @ exact.object_array(np.ravel(w))
    return all((zj > 0) == bool(aj) and zj != 0 for zj, aj in zip(z, np.asarray(a)))


def certified_unrealisable(a, Xt) -> bool:
    """An exact Farkas certificate that no w realises a: the system (2 a_j - 1) <w, x~_j> >= 1 is infeasible iff
    some mu >= 0 with sum mu = 1 has sum_j mu_j (2 a_j - 1) x~_j = 0.  A vertex mu of that LP (HiGHS dual simplex)
    gives the support; mu is then re-solved on the support in rationals (python-flint) and accepted only if it
    satisfies the equalities exactly and is >= 0.  False means "not certified" (never "realisable")."""
    import flint
    from scipy.optimize import linprog

    from harness.numerics import exact

    a = np.asarray(a)
    Xt = np.asarray(Xt)
    s = 2 * a.astype(np.int64) - 1
    U = s[:, None] * Xt  # rows u_j = s_j x~_j
    n, d = U.shape
    A_eq = np.vstack([np.asarray(U, float).T, np.ones((1, n))])
    b_eq = np.zeros(d + 1)
    b_eq[-1] = 1.0
    res = linprog(np.zeros(n), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds")
    if res.status != 0:
        return False
    support = [j for j in range(n) if res.x[j] > 1e-12]
    if not support:
        return False
    Uq = exact.object_array(U)
    M = flint.fmpq_mat(d + 1, len(support), [x for r in range(d + 1) for x in
                                             ([Uq[j, r] for j in support] if r < d else [1] * len(support))])
    b = flint.fmpq_mat(d + 1, 1, [0] * d + [1])
    G = M.transpose() * M
    if G.rank() < len(support):
        return False
    mu = G.solve(M.transpose() * b)
    return M * mu == b and all(mu[k, 0] >= 0 for k in range(len(support)))


def realisable_patterns(Xt, margin: float = 1.0, nonneg: bool = False) -> list[tuple]:
    """All row patterns a in {0,1}^n one neuron realises (2^n LPs; small n only)."""
    n = len(Xt)
    return [a for a in product((0, 1), repeat=n) if realisable(np.array(a), Xt, margin, nonneg).feasible]


def planar_patterns(Xt) -> set[tuple]:
    """Brute force for d' = 2 (independent of the LP): sort the normal lines of the n vectors x~_j by angle;
    one direction strictly inside each of the 2m sectors realises the sector's pattern."""
    Xt = np.asarray(Xt, float)
    if Xt.shape[1] != 2:
        raise ValueError("planar_patterns needs vectors in R^2")
    angles = set()
    for x in Xt:
        t = math.atan2(x[1], x[0]) + math.pi / 2  # the line w . x = 0 has directions t and t + pi
        angles.add(round(t % (2 * math.pi), 12))
        angles.add(round((t + math.pi) % (2 * math.pi), 12))
    angles = sorted(a % (2 * math.pi) for a in angles)
    out = set()
    for k, t in enumerate(angles):
        t2 = angles[(k + 1) % len(angles)] + (2 * math.pi if k + 1 == len(angles) else 0.0)
        mid = (t + t2) / 2
        w = np.array([math.cos(mid), math.sin(mid)])
        z = Xt @ w
        out.add(tuple(int(v > 0) for v in z))
    return out


def general_position(Xt) -> bool:
    """Every min(n, d') of the vectors x~_j are linearly independent (exact ranks over Q); small sizes only."""
    from itertools import combinations

    from harness.numerics import exact

    Xt = np.asarray(Xt)
    n, d = Xt.shape
    k = min(n, d)
    return all(exact.rank(Xt[list(S)]) == k for S in combinations(range(n), k))


def _rank_fractions(rows) -> int:
    M = [list(r) for r in rows]
    rank, cols = 0, len(M[0]) if M else 0
    for c in range(cols):
        piv = next((i for i in range(rank, len(M)) if M[i][c] != 0), None)
        if piv is None:
            continue
        M[rank], M[piv] = M[piv], M[rank]
        for i in range(len(M)):
            if i != rank and M[i][c] != 0:
                f = M[i][c] / M[rank][c]
                M[i] = [x - f * y for x, y in zip(M[i], M[rank])]
        rank += 1
    return rank


# ---- one-dimensional input with bias: sectors ------------------------------------------------------------

def sector_row(code: int, n: int) -> np.ndarray:
    """The pattern row of sector ``code`` (see the module docstring) for n sorted points."""
    a = np.zeros(n, dtype=np.uint8)
    if code == 1:
        a[:] = 1
    elif 2 <= code <= n:  # suffix(c), c = code - 1: active on points c+1..n
        a[code - 1:] = 1
    elif n + 1 <= code <= 2 * n - 1:  # prefix(c), c = code - n: active on 1..c
        a[:code - n] = 1
    elif code != 0:
        raise ValueError(f"sector code {code} outside 0..{2 * n - 1}")
    return a


def sector_pattern(codes, n: int) -> np.ndarray:
    return np.array([sector_row(c, n) for c in codes], dtype=np.uint8).reshape(len(codes), n)


def sector_patterns(codes: np.ndarray, n: int) -> np.ndarray:
    """Vectorised: codes (B, d_1) -> patterns (B, d_1, n)."""
    codes = np.asarray(codes)
    j = np.arange(n)
    c = codes[..., None]
    suf = (c >= 2) & (c <= n) & (j >= c - 1)
    pre = (c >= n + 1) & (j < c - n)
    return ((c == 1) | suf | pre).astype(np.uint8)


def sector_params(code: int, x_sorted) -> tuple:
    """Integer (w, b) strictly inside sector ``code`` for integer sorted distinct data (breakpoint at a
    midpoint): w x_j + b = 2 x_j - x_c - x_{c+1} for a suffix."""
    x = [int(t) for t in x_sorted]
    n = len(x)
    if code == 0:
        return 0, -1
    if code == 1:
        return 0, 1
    if 2 <= code <= n:
        c = code - 1
        return 2, -(x[c - 1] + x[c])
    c = code - n
    return -2, x[c - 1] + x[c]


def criterion_1d(codes, n: int) -> bool:
    """The exact 1-D rank criterion (karhadkar2024.md K-lem-1d): rank J = n iff (i) every block between used
    cuts has <= 2 points and (ii) some neuron is all-on, or a cut is used by a suffix and a prefix neuron, or at
    least two singleton blocks have kappa != 0."""
    S = {c - 1 for c in codes if 2 <= c <= n}
    P = {c - n for c in codes if n + 1 <= c <= 2 * n - 1}
    cuts = sorted(S | P)
    bounds = [0] + cuts + [n]
    sizes = [bounds[k + 1] - bounds[k] for k in range(len(bounds) - 1)]
    if max(sizes) > 2:
        return False
    if 1 in codes or S & P:
        return True

    def tau(c):
        """tau of a block boundary: 1 for a prefix cut, 0 for a suffix cut (a cut used by both returned above);
        the conventions tau(left end of B_0) = 1 and tau(right end of B_m) = 0 are c = 0 and c = n."""
        if c == 0:
            return 1
        if c == n:
            return 0
        return 1 if c in P else 0

    singles = sum(1 for k, s in enumerate(sizes) if s == 1 and tau(bounds[k]) - tau(bounds[k + 1]) != 0)
    return singles >= 2


# ---- deep networks --------------------------------------------------------------------------------------

def deep_first_layer_jacobian(masks, weights, v, X, bias: bool = True) -> np.ndarray:
    """J_1 (n x d_1 d_0') of (f(x_j))_j w.r.t. (W_1, b_1) in the region of the pattern tuple ``masks``
    (A^l: d_l x n), at the deeper weights ``weights`` = [W_2, ..., W_L] (W_l: d_l x d_{l-1}) and output v:
    row j = g_j (x) x~_j with g_j = D^1_j W_2^T D^2_j ... W_L^T D^L_j v.  Exact for integer (object) input."""
    Xt = augmented(np.asarray(X), bias)
    n = Xt.shape[0]
    rows = []
    for j in range(n):
        g = np.array(v, dtype=object) * np.asarray(masks[-1])[:, j].astype(object)
        for l in range(len(masks) - 1, 0, -1):
            g = (np.asarray(weights[l - 1], dtype=object).T @ g) * np.asarray(masks[l - 1])[:, j].astype(object)
        rows.append(np.outer(g, Xt[j].astype(object)).ravel())
    return np.array(rows, dtype=object)


# ---- instances ------------------------------------------------------------------------------------------

def _arr(a):
    return None if a is None else np.asarray(a).tolist()


@dataclass(frozen=True, eq=False)
class ReluRegion:
    """A shallow ReLU net sum_i v_i relu(<w_i, x> (+ b_i)) on data X (n x d_0) with an activation pattern A
    (d_1 x n), optionally a parameter point W (d_1 x d_0', bias last), targets y, sector codes (1-D) and the
    provenance (``meta``: measure, cell, seed, ...)."""

    X: np.ndarray = field(repr=False)
    A: np.ndarray = field(repr=False)
    v: np.ndarray = field(repr=False)
    bias: bool = False
    W: np.ndarray | None = field(default=None, repr=False)
    y: np.ndarray | None = field(default=None, repr=False)
    codes: tuple | None = None
    meta: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(np.asarray(self.X).shape[0])

    @property
    def d0(self) -> int:
        X = np.asarray(self.X)
        return 1 if X.ndim == 1 else int(X.shape[1])

    @property
    def d1(self) -> int:
        return int(np.asarray(self.A).shape[0])

    @property
    def Xt(self) -> np.ndarray:
        return augmented(np.asarray(self.X), self.bias)

    def jacobian(self) -> np.ndarray:
        return jacobian(self.A, self.X, self.v, self.bias)

    def rank(self) -> int:
        """Exact rank of J over Q (python-flint)."""
        return exact_rank(np.asarray(self.jacobian()).astype(object) if _integral(self) else self.jacobian())

    def to_dict(self) -> dict:
        return {"type": "ReluRegion", "X": _arr(self.X), "A": _arr(self.A), "v": _arr(self.v), "bias": self.bias,
                "W": _arr(self.W), "y": _arr(self.y), "codes": None if self.codes is None else list(self.codes),
                "meta": jsonable(self.meta)}

    @classmethod
    def from_dict(cls, d: dict) -> "ReluRegion":
        return cls(np.array(d["X"]), np.array(d["A"], dtype=np.uint8).reshape(len(d["A"]), -1) if d["A"] else
                   np.zeros((0, len(d["X"])), np.uint8), np.array(d["v"]), d["bias"],
                   None if d.get("W") is None else np.array(d["W"]),
                   None if d.get("y") is None else np.array(d["y"]),
                   None if d.get("codes") is None else tuple(d["codes"]), d.get("meta", {}))

    def describe(self) -> str:
        fmt = lambda a: np.array2string(np.asarray(a), separator=", ", max_line_width=110, threshold=400)  # noqa
        lines = [f"shallow ReLU net, d_0 = {self.d0}{' + bias' if self.bias else ''}, d_1 = {self.d1}, "
                 f"n = {self.n}" + (f"; {', '.join(f'{k}={v}' for k, v in self.meta.items())}" if self.meta else ""),
                 f"X^T = {fmt(np.asarray(self.X).T)}", f"v = {fmt(self.v)}"]
        if self.codes is not None:
            lines.append(f"sector codes = {list(self.codes)}")
        lines.append(f"A = {fmt(self.A)}")
        if self.W is not None:
            lines.append(f"W = {fmt(self.W)}")
        if self.y is not None:
            lines.append(f"y = {fmt(self.y)}")
        return "\n".join(lines)


def _integral(inst) -> bool:
    X = np.asarray(inst.X)
    return X.dtype.kind in "iu" or X.dtype == object


@dataclass(frozen=True, eq=False)
class DeepRegion:
    """A deep ReLU net (bias in layer 1) on data X with a pattern tuple (A^1, ..., A^L) and integer deeper
    weights [W_2..W_L] and output v at which the first-layer Jacobian is evaluated."""

    X: np.ndarray = field(repr=False)
    masks: tuple = field(repr=False)
    weights: tuple = field(repr=False)
    v: np.ndarray = field(repr=False)
    meta: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(np.asarray(self.X).shape[0])

    @property
    def widths(self) -> tuple:
        return tuple(int(np.asarray(m).shape[0]) for m in self.masks)

    def to_dict(self) -> dict:
        return {"type": "DeepRegion", "X": _arr(self.X), "masks": [_arr(m) for m in self.masks],
                "weights": [_arr(w) for w in self.weights], "v": _arr(self.v), "meta": jsonable(self.meta)}

    @classmethod
    def from_dict(cls, d: dict) -> "DeepRegion":
        return cls(np.array(d["X"]), tuple(np.array(m, dtype=np.uint8) for m in d["masks"]),
                   tuple(np.array(w) for w in d["weights"]), np.array(d["v"]), d.get("meta", {}))

    def describe(self) -> str:
        lines = [f"deep ReLU net, d_0 = {np.asarray(self.X).shape[1]} + bias, widths {list(self.widths)}, n = {self.n}"
                 + (f"; {', '.join(f'{k}={v}' for k, v in self.meta.items())}" if self.meta else ""),
                 f"X^T = {np.asarray(self.X).T.tolist()}"]
        lines += [f"A^{l + 1} = {np.asarray(m).tolist()}" for l, m in enumerate(self.masks)]
        lines += [f"W_{l + 2} = {np.asarray(w).tolist()}" for l, w in enumerate(self.weights)]
        lines.append(f"v = {np.asarray(self.v).tolist()}")
        return "\n".join(lines)


INSTANCE_TYPES = {"ReluRegion": ReluRegion, "DeepRegion": DeepRegion}

# Replay (``landscape-audit replay``) rebuilds instances by their "type".
for _name, _cls in INSTANCE_TYPES.items():
    register_instance_type(_name, _cls.from_dict)
