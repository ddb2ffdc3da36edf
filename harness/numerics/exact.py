"""Exact arithmetic over Q with python-flint: conversions, ranks, kernels, inertia, exact orthogonal matrices.

Conventions.  Every float64 is a dyadic rational m / 2^e, so a float converts to ``flint.fmpq`` *exactly*
(``float.as_integer_ratio``); nothing here rounds, except :func:`to_float` / :func:`to_float_array`, which
return the nearest float (Python's int / int true division is correctly rounded).  NaN and +-inf are not
rationals: they raise ``ValueError``.  Matrices are ``flint.fmpq_mat``; :func:`rational_matrix` takes numpy
arrays (float, int, bool or object dtype), nested lists and flint matrices, and requires them to be 2-D
(``np.atleast_2d`` or ``reshape(-1, 1)`` is the caller's job).  :func:`to_object_array` gives a numpy array
of ``fmpq`` on which numpy's ``@``, ``+`` and ``*`` are exact.

What is computed, and the facts relied on:

* rank over Q (:func:`rank`), a basis of ker A from the reduced row echelon form (:func:`nullspace`);
* rank modulo a prime p (:func:`rank_mod_p`): for an integer matrix, rank_p(A) <= rank_Q(A), so
  rank_p(A) = min(shape) *certifies* full rank over Q (:func:`full_rank_certified`), cheaply;
* inertia (#positive, #negative, #zero eigenvalues) of a symmetric rational matrix by symmetric
  elimination (Sylvester's law of inertia, :func:`inertia`), and independently from the characteristic
  polynomial by Descartes' rule of signs (:func:`inertia_by_charpoly`);
* exactly orthogonal rational matrices by the Cayley transform (:func:`cayley_orthogonal`) and, from them,
  matrices with a known singular value decomposition (:func:`exact_svd_matrix`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import NoReturn, Sequence

import numpy as np
from flint import fmpq, fmpq_mat, fmpz, fmpz_mat, nmod_mat

__all__ = [
    "DEFAULT_PRIME", "ExactInertia", "cayley_orthogonal", "diagonal", "exact_svd_matrix", "full_rank_certified",
    "identity", "inertia", "inertia_by_charpoly", "is_symmetric", "is_zero", "nullspace", "object_array",
    "random_cayley_orthogonal", "rank", "rank_mod_p", "rational_matrix", "rational_spd", "to_float",
    "to_float_array", "to_fmpq", "to_object_array",
]

#: The Mersenne prime 2^61 - 1: entries reduced mod p fit in int64 and in FLINT's word-size nmod_mat.
DEFAULT_PRIME = 2**61 - 1

#: Float dtypes whose ``tolist()`` gives Python floats without rounding (float64 holds all of them exactly).
_EXACT_TOLIST_FLOATS = (np.float16, np.float32, np.float64)


# ---- conversions --------------------------------------------------------------------------------------

def to_fmpq(x) -> fmpq:
    """The rational number x, exactly.

    Python and numpy ints (and bools), ``fractions.Fraction``, ``flint.fmpq`` / ``fmpz``, and Python and
    numpy floats of any width: a finite float is the dyadic rational ``x.as_integer_ratio()`` = m / 2^e
    (subnormals included), never a decimal approximation (0.1 -> 3602879701896397 / 2^55).  NaN and +-inf
    raise ValueError; other types (complex, str, ...) raise TypeError.
    """
    if isinstance(x, fmpq):
        return x
    if isinstance(x, float):  # includes np.float64
        return _float_to_fmpq(x)
    if isinstance(x, (int, np.integer, np.bool_, fmpz)):
        return fmpq(int(x))
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, np.floating):  # float16, float32, longdouble: exact ratios, finiteness in their own width
        if not np.isfinite(x):
            _not_a_rational(x)
        return fmpq(*(int(k) for k in x.as_integer_ratio()))
    raise TypeError(f"cannot convert {type(x).__name__} {x!r} to an exact rational")


def _float_to_fmpq(x: float) -> fmpq:
    """A finite Python float as the dyadic rational it is."""
    if not math.isfinite(x):
        _not_a_rational(x)
    return fmpq(*x.as_integer_ratio())


def _not_a_rational(x) -> NoReturn:
    raise ValueError(f"cannot convert {x!r} to an exact rational: NaN and infinities are not rationals")


def parse_rational(s) -> fmpq:
    """'p/q' or 'p' (as ``str(fmpq)`` writes it, e.g. in replay files) to the exact rational."""
    num, _, den = str(s).strip().partition("/")
    return fmpq(int(num), int(den or 1))


def to_float(q) -> float:
    """The float64 nearest to the rational q (anything :func:`to_fmpq` takes): p / q correctly rounded.

    Raises OverflowError beyond the float range; a float input comes back unchanged.
    """
    q = to_fmpq(q)
    return int(q.p) / int(q.q)


def _exact_scalars(arr: np.ndarray) -> list:
    """The entries of a numpy array, row-major, as Python/numpy scalars that still hold their exact value.

    ``tolist()`` is exact for ints, bools and floats up to float64 (and fast); other dtypes (object,
    longdouble) are iterated as they are.
    """
    if arr.dtype.kind in "iub" or arr.dtype.type in _EXACT_TOLIST_FLOATS:
        return arr.ravel().tolist()
    return list(arr.ravel())


def _as_ndarray(A) -> np.ndarray:
    """A numpy array of A; nested lists become object arrays, so big ints and exact scalars stay as they are."""
    if isinstance(A, np.ndarray):
        return A
    if isinstance(A, (list, tuple)):
        return np.array(A, dtype=object)
    return np.asarray(A)


def rational_matrix(A) -> fmpq_mat:
    """A as an exact m x n rational matrix (``fmpq_mat``), entry by entry through :func:`to_fmpq`.

    Takes ``fmpq_mat`` (copied) and ``fmpz_mat``, numpy arrays of float, int, bool or object dtype, nested
    lists, and anything ``np.asarray`` takes (e.g. JAX arrays).  The input must be 2-D: a vector is
    ambiguous (row or column?), so 1-D input raises ValueError like any other non-2-D shape; call
    ``np.atleast_2d`` (a row) or ``reshape(-1, 1)`` (a column) first.
    """
    if isinstance(A, (fmpq_mat, fmpz_mat)):
        return fmpq_mat(A)
    arr = _as_ndarray(A)
    if arr.ndim != 2:
        raise ValueError(f"rational_matrix needs a 2-D array, got shape {arr.shape}; use np.atleast_2d "
                         "(a row) or reshape(-1, 1) (a column) first")
    m, n = arr.shape
    entries = _exact_scalars(arr)
    if arr.dtype.kind in "iub":
        return fmpq_mat(fmpz_mat(m, n, [int(x) for x in entries]))
    if arr.dtype.type in _EXACT_TOLIST_FLOATS:  # Python floats: one vectorised finiteness check
        if not np.all(np.isfinite(arr)):
            i, j = np.argwhere(~np.isfinite(arr))[0]
            raise ValueError(f"entry ({i}, {j}) is {arr[i, j]}: NaN and infinities are not rationals")
        return fmpq_mat(m, n, [fmpq(*x.as_integer_ratio()) for x in entries])
    return fmpq_mat(m, n, [to_fmpq(x) for x in entries])


def _shape(M: fmpq_mat | fmpz_mat) -> tuple[int, int]:
    return M.nrows(), M.ncols()


def to_object_array(M) -> np.ndarray:
    """M (anything :func:`rational_matrix` takes) as an m x n numpy array of dtype object holding ``fmpq``.

    numpy's ``@``, ``+``, ``-`` and ``*`` act on it exactly (they call fmpq's operators).
    """
    M = rational_matrix(M)
    out = np.empty(M.nrows() * M.ncols(), dtype=object)
    out[:] = M.entries()
    return out.reshape(_shape(M))


def object_array(A) -> np.ndarray:
    """An object array of ``fmpq`` of the same shape as A (any number of dimensions), entry by entry exact.

    Takes numpy arrays, nested lists, scalars and flint matrices (the latter via :func:`to_object_array`).
    """
    if isinstance(A, (fmpq_mat, fmpz_mat)):
        return to_object_array(A)
    arr = _as_ndarray(A)
    out = np.empty(arr.size, dtype=object)
    out[:] = [to_fmpq(x) for x in _exact_scalars(arr)]
    return out.reshape(arr.shape)


def to_float_array(M) -> np.ndarray:
    """The float64 array nearest to M entrywise (each entry correctly rounded, see :func:`to_float`).

    Takes numpy arrays of any shape (e.g. object arrays of ``fmpq``) and flint matrices.
    """
    if isinstance(M, (fmpq_mat, fmpz_mat)):
        return np.array([to_float(q) for q in fmpq_mat(M).entries()], dtype=float).reshape(_shape(M))
    arr = _as_ndarray(M)
    return np.array([to_float(x) for x in _exact_scalars(arr)], dtype=float).reshape(arr.shape)


def identity(n: int) -> fmpq_mat:
    """The n x n identity matrix over Q."""
    return diagonal([1] * n)


def diagonal(values: Sequence) -> fmpq_mat:
    """diag(values) over Q (each value through :func:`to_fmpq`)."""
    vals = [to_fmpq(v) for v in values]
    n = len(vals)
    M = fmpq_mat(n, n)
    for i, v in enumerate(vals):
        M[i, i] = v
    return M


def is_zero(M) -> bool:
    """Every entry of M is exactly 0 (flint matrices, or arrays/lists of any shape)."""
    if isinstance(M, (fmpq_mat, fmpz_mat)):
        return all(x == 0 for x in M.entries())
    return all(x == 0 for x in object_array(M).flat)


def is_symmetric(M) -> bool:
    """M is square and M = M^T exactly (M as :func:`rational_matrix` takes it)."""
    M = rational_matrix(M)
    return M.nrows() == M.ncols() and M == M.transpose()


# ---- ranks --------------------------------------------------------------------------------------------

def rank(A) -> int:
    """The rank of A over Q, exactly.

    rank(A) = rank(A^T); FLINT eliminates a tall matrix far faster than a wide one (a 100 x 3000 integer
    matrix: ~0.02 s transposed against ~25 s as given), so the tall orientation is used.
    """
    M = rational_matrix(A)
    if M.ncols() > M.nrows():
        M = M.transpose()
    return M.rank()


def _check_prime(p: int) -> int:
    """p itself if it is a prime 2 <= p < 2^63 (nmod_mat needs a prime: FLINT aborts on a zero divisor)."""
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
        raise TypeError(f"the modulus must be an int, got {type(p).__name__}")
    p = int(p)
    if not 2 <= p < 2**63 or not fmpz(p).is_prime():
        raise ValueError(f"the modulus must be a prime below 2^63, got {p}")
    return p


def _integer_array(A) -> np.ndarray | None:
    """A as an int64 numpy array when that is exact and A is a numpy array of integer-valued numbers
    (int, bool, or finite integer-valued float of magnitude < 2^63); else None."""
    if not isinstance(A, np.ndarray):
        return None
    if A.dtype.kind in "ib" or (A.dtype.kind == "u" and A.dtype.itemsize < 8):
        return A.astype(np.int64)
    if A.dtype.kind == "u" or A.dtype.type not in _EXACT_TOLIST_FLOATS:
        return None  # uint64 (may exceed int64) and longdouble/object: the exact general path
    with np.errstate(invalid="ignore"):
        if not (np.all(np.isfinite(A)) and np.all(A == np.trunc(A)) and np.all(np.abs(A) < 2.0**63)):
            return None
    return A.astype(np.int64)


def _flat_residues_mod_p(A, p: int) -> tuple[list[int], tuple[int, int]]:
    """The entries of A reduced modulo p, row-major, as integers in [0, p), and the shape of A.

    Integer numpy input is reduced in int64 (|a| < 2^63 and p < 2^63, so ``a % p`` cannot overflow, and
    numpy's % is non-negative for p > 0).  Rational input: c A, c = lcm of all denominators, reduced mod p.
    If p does not divide c it divides no row lcm l_i either, and c A mod p = (c / l_i) (D A) mod p row by
    row with c / l_i invertible mod p: the same rank as the row-scaled D A of :func:`rank_mod_p`.  If p
    divides c it divides some entry's denominator, hence that row's l_i: ValueError.
    """
    ints = _integer_array(A)
    if ints is not None:
        if ints.ndim != 2:
            raise ValueError(f"rank_mod_p needs a 2-D array, got shape {ints.shape}")
        return (ints % np.int64(p)).ravel().tolist(), ints.shape
    M = rational_matrix(A)
    numerators, c = M.numer_denom()
    if c % p == 0:
        row = next(i for i, r in enumerate(M.tolist()) if any(q.q % p == 0 for q in r))
        raise ValueError(f"p = {p} divides a denominator in row {row}: that row has no reduction mod p; "
                         "use another prime")
    return [int(a) % p for a in numerators.entries()], _shape(M)


def _nmod_matrix(A, p: int) -> nmod_mat:
    """A reduced modulo the prime p (after clearing denominators, see :func:`rank_mod_p`) as an ``nmod_mat``,
    built from a flat list of residues."""
    p = _check_prime(p)
    flat, (m, n) = _flat_residues_mod_p(A, p)
    return nmod_mat(m, n, flat, p)


def rank_mod_p(A, p: int = DEFAULT_PRIME) -> int:
    """The rank over the field F_p of A reduced modulo the prime p (``nmod_mat``).

    A rational A is first scaled row by row by the lcm l_i of the row's denominators (which does not change
    the rank); if p divides some l_i, A has no reduction mod p and ValueError is raised.  Otherwise the
    result is the rank of (D A mod p) = (D mod p)(A mod p) with D mod p invertible.

    Facts: for an integer matrix, every minor of (A mod p) is the minor of A reduced mod p, so a minor that
    vanishes over Q vanishes mod p: rank_p(A) <= rank_Q(A), always.  Equality fails exactly when p divides
    every nonzero r x r minor (r = rank_Q(A)), i.e. the largest Smith invariant factor; for a large random
    p that is rare.  Hence rank_p(A) = min(shape) certifies full rank over Q (:func:`full_rank_certified`).
    Cost: building the matrix is linear in its size (numpy int64 arithmetic for integer arrays), the
    elimination is word-size; a 100 x 3000 integer matrix takes ~0.1 s.
    """
    return _nmod_matrix(A, p).rank()


def full_rank_certified(A, p: int = DEFAULT_PRIME) -> bool:
    """True iff rank_p(A) = min(shape), which proves rank_Q(A) = min(shape) (as rank_p <= rank_Q).

    False means only "not certified": A may still have full rank over Q (p may divide all its maximal
    minors); it does not prove rank deficiency (use :func:`rank` for that).  Raises ValueError as
    :func:`rank_mod_p` does when p divides a row's denominators.
    """
    N = _nmod_matrix(A, p)
    return N.rank() == min(N.nrows(), N.ncols())


def nullspace(A) -> fmpq_mat:
    """A matrix N (n x k, k = n - rank A) whose columns are a basis of ker A = {x in Q^n : A x = 0}.

    From the reduced row echelon form R of A (same kernel; computed from the integer matrix c A, c the
    common denominator, which has the same R and is faster to eliminate): for each free column f, the
    vector with x_f = 1, x_g = 0 at the other free columns and x_{pivot(i)} = -R[i, f].  N restricted to
    its free rows is the identity, so the columns are independent.  When A has full column rank, N is the
    n x 0 matrix.
    """
    M = rational_matrix(A)
    n = M.ncols()
    R, r = fmpq_mat(M.numer_denom()[0]).rref()
    R = R.tolist()
    pivots = [next(j for j in range(n) if R[i][j] != 0) for i in range(r)]
    pivot_set = set(pivots)
    free = [j for j in range(n) if j not in pivot_set]
    N = fmpq_mat(n, len(free))
    for k, f in enumerate(free):
        N[f, k] = 1
        for i, pc in enumerate(pivots):
            N[pc, k] = -R[i][f]
    return N


# ---- inertia ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExactInertia:
    """(#positive, #negative, #zero) eigenvalues of a symmetric rational matrix, decided exactly."""

    pos: int
    neg: int
    zero: int

    @property
    def size(self) -> int:
        return self.pos + self.neg + self.zero

    def summary(self) -> str:
        """"+p/-n/0:z", the format of :meth:`harness.numerics.Inertia.summary`."""
        return f"+{self.pos}/-{self.neg}/0:{self.zero}"


def _symmetric(S) -> fmpq_mat:
    """S as an fmpq_mat, or ValueError naming what is wrong if it is not square symmetric."""
    M = rational_matrix(S)
    m, n = _shape(M)
    if m != n:
        raise ValueError(f"inertia needs a square symmetric matrix, got shape ({m}, {n})")
    if M != M.transpose():
        i, j = next((i, j) for i in range(n) for j in range(i) if M[i, j] != M[j, i])
        raise ValueError(f"inertia needs a symmetric matrix: S[{i}, {j}] = {M[i, j]} != S[{j}, {i}] = {M[j, i]}")
    return M


def _content(a: list[list[fmpz]], act: list[int]) -> fmpz:
    """gcd of the entries a[i][j], i, j in ``act`` (lower triangle suffices for a symmetric block); 0 if all
    are 0.  Stops early at 1."""
    g = fmpz(0)
    for s, i in enumerate(act):
        row = a[i]
        for t in range(s + 1):
            g = g.gcd(row[act[t]])
            if g == 1:
                return g
    return g


def _rescale(a: list[list[fmpz]], act: list[int], g: fmpz) -> None:
    """Divide the symmetric block a[act][act] by g exactly (g > 0), keeping it symmetric."""
    for s, i in enumerate(act):
        row = a[i]
        for t in range(s + 1):
            j = act[t]
            row[j] = v = row[j] // g
            a[j][i] = v


def _pivot_1x1(a: list[list[fmpz]], act: list[int], p: int) -> None:
    """Eliminate index p (a[p][p] = d != 0) from the block: a[i][j] <- d a[i][j] - a[i][p] a[j][p].

    If the block is mu * S (S the exact Schur complement), the new block is (d mu) * (S / S_pp): the Schur
    complement S_rest - s s^T / S_pp, scaled by d mu.  ``act`` loses p.
    """
    d = a[p][p]
    act.remove(p)
    c = [a[p][i] for i in act]
    for s, i in enumerate(act):
        row, ci = a[i], c[s]
        for t in range(s + 1):
            j = act[t]
            row[j] = v = d * row[j] - ci * c[t]
            a[j][i] = v


def _pivot_2x2(a: list[list[fmpz]], act: list[int], p: int, q: int) -> None:
    """Eliminate the 2 x 2 block [[0, b], [b, 0]] (a[p][p] = a[q][q] = 0, b = a[p][q] != 0):
    a[i][j] <- b a[i][j] - (a[i][p] a[j][q] + a[i][q] a[j][p]).

    With E^{-1} = [[0, 1/b], [1/b, 0]], the Schur complement is S_rest - (x y^T + y x^T) / b (x, y the
    columns p, q); the new block is it scaled by b mu.  ``act`` loses p and q.
    """
    b = a[p][q]
    act.remove(p)
    act.remove(q)
    x = [a[p][i] for i in act]
    y = [a[q][i] for i in act]
    for s, i in enumerate(act):
        row = a[i]
        for t in range(s + 1):
            j = act[t]
            row[j] = v = b * row[j] - (x[s] * y[t] + x[t] * y[s])
            a[j][i] = v


def _nonzero_offdiagonal(a: list[list[fmpz]], act: list[int]) -> tuple[int, int] | None:
    return next(((i, j) for s, i in enumerate(act) for j in act[:s] if a[i][j] != 0), None)


def inertia(S) -> ExactInertia:
    """The inertia of a symmetric rational matrix S, exactly: by Sylvester's law of inertia it is the inertia
    of D in any congruence S = L D L^T, found by symmetric (LDL^T) elimination with symmetric pivoting.

    Step: if the remaining block has a nonzero diagonal entry d, eliminate it (a 1 x 1 pivot, sign of d);
    else if it has a nonzero off-diagonal entry b = a_ij, eliminate the 2 x 2 block [[0, b], [b, 0]]
    (eigenvalues +-b: one positive, one negative); else the remaining block is 0 and its size is the number
    of zero eigenvalues.  Inertia is additive over the pivot and its Schur complement (Haynsworth).

    Arithmetic: the block is kept as an *integer* matrix mu * (Schur complement) with a tracked sign of mu
    (start: S times its positive common denominator), each step multiplies by the pivot instead of dividing
    (fraction-free), then divides by the gcd of the block (a positive scalar, harmless for signs).  This
    avoids gcds per entry (fmpq) and the unbounded growth of plain fraction-free elimination; 80 x 80
    matrices with float64 or Cayley-type rational entries take ~0.1-0.4 s.  Non-square or non-symmetric S
    raises ValueError.
    """
    M = _symmetric(S)
    n = M.nrows()
    a = M.numer_denom()[0].tolist()  # S * (common denominator > 0): same inertia
    act = list(range(n))
    pos = neg = 0
    mu_positive = True
    while act:
        p = next((i for i in act if a[i][i] != 0), None)
        if p is not None:
            d = a[p][p]
            if (d > 0) == mu_positive:  # the pivot of S itself is d / mu
                pos += 1
            else:
                neg += 1
            mu_positive = mu_positive == (d > 0)
            _pivot_1x1(a, act, p)
        else:
            pq = _nonzero_offdiagonal(a, act)
            if pq is None:
                break
            b = a[pq[0]][pq[1]]
            pos, neg = pos + 1, neg + 1
            mu_positive = mu_positive == (b > 0)
            _pivot_2x2(a, act, *pq)
        g = _content(a, act)
        if g > 1:
            _rescale(a, act, g)
    return ExactInertia(pos, neg, n - pos - neg)


def _sign_changes(coefficients: Sequence) -> int:
    """The number of sign changes in a coefficient sequence, zeros skipped (Descartes)."""
    signs = [c > 0 for c in coefficients if c != 0]
    return sum(s != t for s, t in zip(signs, signs[1:]))


def inertia_by_charpoly(S) -> ExactInertia:
    """The inertia of a symmetric rational matrix S from p(x) = det(x I - S), a second, independent method.

    p = x^z q(x) with q(0) != 0: z = multiplicity of the eigenvalue 0.  All roots of p are real (S is
    symmetric), and for a real-rooted q Descartes' rule of signs is exact: #positive roots = sign changes of
    the coefficients of q(x), #negative roots = sign changes of q(-x).  Non-symmetric S raises ValueError.
    """
    M = _symmetric(S)
    coeffs = M.charpoly().coeffs()  # constant term first
    zero = next(k for k, c in enumerate(coeffs) if c != 0)
    q = coeffs[zero:]
    pos = _sign_changes(q)
    neg = _sign_changes([c if k % 2 == 0 else -c for k, c in enumerate(q)])
    if pos + neg + zero != M.nrows():
        raise ArithmeticError("characteristic polynomial of a symmetric matrix is not real-rooted")
    return ExactInertia(pos, neg, zero)


# ---- exact constructions ------------------------------------------------------------------------------

def cayley_orthogonal(K) -> fmpq_mat:
    """The Cayley transform Q = (I - K)(I + K)^{-1} of a skew-symmetric rational K (K^T = -K): Q^T Q = I.

    I + K is invertible: x^T (I + K) x = |x|^2 for real x.  I - K and (I + K)^{-1} commute, so
    Q = (I + K)^{-1}(I - K) (one solve) and Q^T Q = (I + K)(I - K)^{-1}(I + K)^{-1}(I - K) = I.
    Rational K gives rational, exactly orthogonal Q (with det Q = 1).  Non-skew K raises ValueError.
    """
    K = rational_matrix(K)
    m, n = _shape(K)
    if m != n:
        raise ValueError(f"cayley_orthogonal needs a square skew-symmetric matrix, got shape ({m}, {n})")
    if K.transpose() != -K:
        raise ValueError("cayley_orthogonal needs a skew-symmetric matrix (K^T = -K exactly)")
    I = identity(n)
    return (I + K).solve(I - K)


def random_cayley_orthogonal(n: int, rng: np.random.Generator, entries: int = 2) -> fmpq_mat:
    """A random exactly orthogonal n x n rational matrix: the Cayley transform of K = T - T^T, T strictly
    upper triangular with integer entries uniform in [-entries, entries] drawn by ``rng``."""
    T = np.triu(rng.integers(-entries, entries, endpoint=True, size=(n, n)), 1)
    return cayley_orthogonal(T - T.T)


def rational_spd(n: int, rng: np.random.Generator, entries: int = 2) -> fmpq_mat:
    """S = B B^T + 2 I with B an n x n integer matrix, entries uniform in [-entries, entries] (``rng``):
    symmetric positive definite (x^T S x = |B^T x|^2 + 2 |x|^2), computed exactly."""
    B = fmpz_mat(n, n, rng.integers(-entries, entries, endpoint=True, size=(n, n)).ravel().tolist())
    return fmpq_mat(B * B.transpose()) + 2 * identity(n)


def _leading_columns(M: fmpq_mat, m: int) -> fmpq_mat:
    """The first m columns of M."""
    rows = M.tolist()
    return fmpq_mat(M.nrows(), m, [q for row in rows for q in row[:m]])


def _require_orthogonal(M: fmpq_mat, name: str) -> None:
    if M.nrows() != M.ncols() or M.transpose() * M != identity(M.nrows()):
        raise ValueError(f"exact_svd_matrix: {name} must be square with {name}^T {name} = I exactly")


def exact_svd_matrix(P, sigma: Sequence, Q) -> fmpq_mat:
    """U = P_m diag(sigma) Q_m^T, P_m and Q_m the first m = min(d_out, d_in) columns of the rational
    orthogonal P (d_out x d_out) and Q (d_in x d_in): a d_out x d_in matrix whose SVD is known exactly.

    P_m and Q_m have orthonormal columns, so U^T U = Q_m diag(sigma^2) Q_m^T and the singular values of U
    are |sigma_1|, ..., |sigma_m| (for sigma >= 0 the formula is an SVD of U).  ValueError if P or Q is not
    exactly orthogonal or len(sigma) != m.
    """
    P, Q = rational_matrix(P), rational_matrix(Q)
    _require_orthogonal(P, "P")
    _require_orthogonal(Q, "Q")
    m = min(P.nrows(), Q.nrows())
    if len(sigma) != m:
        raise ValueError(f"exact_svd_matrix: need min(d_out, d_in) = {m} singular values, got {len(sigma)}")
    return _leading_columns(P, m) * diagonal(sigma) * _leading_columns(Q, m).transpose()
