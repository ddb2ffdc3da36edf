"""harness.numerics.exact against independent facts: constructions with a known answer, a second exact method, and
float64 numerics where they provably decide.

  * conversions: Fraction(x) is Python's own exact value of a float; nearest-float rounding is checked
    against both neighbouring floats;
  * ranks: A = B C has rank k when B (m x k) and C (k x n) have rank k (Sylvester's rank inequality);
    numpy's matrix_rank decides correctly for integer matrices with entries in [-3, 3] and n <= 8 (the
    product of the nonzero singular values is >= 1, each is <= ||A||_F <= 24, so the smallest nonzero one
    is >= 24^-7 ~ 2e-10, far above numpy's cut ~ 1e-13); rank_p <= rank_Q, strictly when p | det;
  * inertia: S = B D B^T with rank B = k has the signs of D plus n - k zeros (Sylvester's law of inertia);
    [[0, B], [B^T, 0]] has eigenvalues +-sigma_i(B), so inertia (r, r, n - 2r); Q diag(d) Q^T with exactly
    orthogonal Q has eigenvalues d; the LDL^T method, the charpoly/Descartes method and float64 eigvalsh
    (only where harness.numerics' gap rule decides) must agree;
  * Cayley matrices satisfy Q^T Q = I exactly, and the Cayley transform inverts back to K.
"""
from __future__ import annotations

import math
from fractions import Fraction

import flint
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from harness.numerics import exact as E
from harness.core.evidence import Inconclusive
from harness.numerics import inertia as float_inertia

FEW = settings(max_examples=40, derandomize=True, database=None, deadline=None,
               suppress_health_check=list(HealthCheck))
SOME = settings(FEW, max_examples=15)


def frac(q) -> Fraction:
    """An fmpq as a Fraction (fmpq does not compare equal to Fraction)."""
    return Fraction(int(q.p), int(q.q))


def int_matrices(rows=st.integers(1, 6), cols=st.integers(1, 6), lo=-3, hi=3):
    return st.tuples(rows, cols).flatmap(
        lambda s: arrays(np.int64, s, elements=st.integers(lo, hi)))


def product_of_rank_k(data, max_dim=7, lo=-3, hi=3):
    """(A, B, C, k) with A = B C, B m x k, C k x n integer."""
    m, n = data.draw(st.integers(1, max_dim)), data.draw(st.integers(1, max_dim))
    k = data.draw(st.integers(0, min(m, n)))
    B = data.draw(arrays(np.int64, (m, k), elements=st.integers(lo, hi)))
    C = data.draw(arrays(np.int64, (k, n), elements=st.integers(lo, hi)))
    return B @ C, B, C, k


def seeds():
    return st.integers(0, 2**32 - 1)


# ---- conversions --------------------------------------------------------------------------------------

@FEW
@given(st.floats(allow_nan=False, allow_infinity=False))
@example(0.1)
@example(5e-324)
@example(2.2250738585072014e-308)
@example(-1.7976931348623157e308)
@example(-0.0)
def test_float_converts_exactly(x):
    q = E.to_fmpq(x)
    assert frac(q) == Fraction(x)
    assert frac(E.to_fmpq(np.float64(x))) == Fraction(x)
    assert E.to_float(q) == x


@FEW
@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float32_converts_exactly(x):
    assert frac(E.to_fmpq(np.float32(x))) == Fraction(float(np.float32(x)))


def test_other_scalar_types_convert_exactly():
    big = 3**80
    assert frac(E.to_fmpq(big)) == big
    assert frac(E.to_fmpq(np.int64(-7))) == -7
    assert frac(E.to_fmpq(Fraction(-22, 7))) == Fraction(-22, 7)
    assert frac(E.to_fmpq(flint.fmpz(big))) == big
    assert E.to_fmpq(flint.fmpq(1, 3)) == flint.fmpq(1, 3)
    assert frac(E.to_fmpq(np.float16(0.1))) == Fraction(float(np.float16(0.1)))
    assert frac(E.to_fmpq(True)) == 1


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float32("nan"), np.longdouble("inf")])
def test_nan_and_inf_are_not_rationals(bad):
    with pytest.raises(ValueError, match="NaN and infinities"):
        E.to_fmpq(bad)


@pytest.mark.parametrize("bad", ["1", 1 + 2j, None])
def test_non_numbers_are_a_type_error(bad):
    with pytest.raises(TypeError, match="exact rational"):
        E.to_fmpq(bad)


@FEW
@given(st.integers(-10**40, 10**40), st.integers(1, 10**40))
def test_to_float_is_the_nearest_float(p, q):
    exact_value = Fraction(p, q)
    f = E.to_float(flint.fmpq(p, q))
    for neighbour in (math.nextafter(f, -math.inf), math.nextafter(f, math.inf)):
        assert abs(Fraction(f) - exact_value) <= abs(Fraction(neighbour) - exact_value)


@FEW
@given(arrays(np.float64, st.tuples(st.integers(0, 4), st.integers(0, 4)),
              elements=st.floats(allow_nan=False, allow_infinity=False)))
def test_float_matrices_round_trip_exactly(X):
    M = E.rational_matrix(X)
    assert (M.nrows(), M.ncols()) == X.shape
    assert [frac(q) for q in M.entries()] == [Fraction(x) for x in X.ravel()]
    assert np.array_equal(E.to_float_array(M), X)
    assert np.array_equal(E.to_float_array(E.to_object_array(M)), X)


def test_rational_matrix_takes_every_input_kind():
    expected = [[Fraction(1), Fraction(1, 2)], [Fraction(-1, 3), Fraction(2**70)]]
    inputs = [
        [[1, 0.5], [Fraction(-1, 3), 2**70]],
        np.array([[1, 0.5], [Fraction(-1, 3), 2**70]], dtype=object),
        [[np.int32(1), np.float32(0.5)], [flint.fmpq(-1, 3), flint.fmpz(2**70)]],
        E.to_object_array(flint.fmpq_mat(2, 2, [1, flint.fmpq(1, 2), flint.fmpq(-1, 3), 2**70])),
    ]
    for A in inputs:
        assert [[frac(q) for q in row] for row in E.rational_matrix(A).tolist()] == expected
    assert E.rational_matrix(np.array([[1, 2]], dtype=np.uint8)) == flint.fmpq_mat(1, 2, [1, 2])
    assert E.rational_matrix(flint.fmpz_mat(1, 2, [3, 4])) == flint.fmpq_mat(1, 2, [3, 4])
    assert E.rational_matrix(np.zeros((0, 3))).ncols() == 3


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((2, 2, 2)), 1.0, [1, 2]])
def test_rational_matrix_needs_2d(bad):
    with pytest.raises(ValueError, match="2-D"):
        E.rational_matrix(bad)


def test_rational_matrix_rejects_nan_with_position():
    with pytest.raises(ValueError, match=r"\(1, 0\).*NaN"):
        E.rational_matrix(np.array([[1.0, 2.0], [np.nan, 0.0]]))
    with pytest.raises(ValueError, match="NaN"):
        E.rational_matrix([[1, math.inf]])


@FEW
@given(st.data())
def test_object_arrays_multiply_exactly(data):
    m, k, n = (data.draw(st.integers(1, 4)) for _ in range(3))
    fracs = st.fractions(min_value=-5, max_value=5, max_denominator=9)
    A = data.draw(arrays(object, (m, k), elements=fracs))
    B = data.draw(arrays(object, (k, n), elements=fracs))
    product = E.to_object_array(E.rational_matrix(A) * E.rational_matrix(B))
    assert all(isinstance(q, flint.fmpq) for q in product.flat)
    assert np.all(E.object_array(A) @ E.object_array(B) == product)
    assert [frac(q) for q in product.flat] == list((A @ B).flat)  # Fraction arithmetic, independently


def test_object_array_keeps_any_shape():
    X = np.arange(24, dtype=float).reshape(2, 3, 4) / 8
    O = E.object_array(X)
    assert O.shape == X.shape and O.dtype == object
    assert all(frac(q) == Fraction(x) for q, x in zip(O.flat, X.flat))
    assert E.object_array([0.1, 2]).shape == (2,)
    assert np.array_equal(E.to_float_array(O), X)


def test_is_zero_and_is_symmetric():
    assert E.is_zero(np.zeros((2, 3))) and E.is_zero(flint.fmpq_mat(2, 2)) and E.is_zero([[0, 0.0]])
    assert not E.is_zero([[0, 5e-324]])
    assert E.is_symmetric([[1, 0.5], [0.5, 2]]) and not E.is_symmetric([[1, 0.5], [0.5000000000000001, 2]])
    assert not E.is_symmetric(np.ones((2, 3)))


# ---- ranks --------------------------------------------------------------------------------------------

@FEW
@given(int_matrices(rows=st.integers(1, 8), cols=st.integers(1, 8)))
def test_rank_agrees_with_numpy_on_small_integer_matrices(A):
    assert E.rank(A) == np.linalg.matrix_rank(A.astype(float))


@FEW
@given(st.data())
def test_rank_of_a_product_of_rank_k(data):
    A, B, C, k = product_of_rank_k(data)
    r = E.rank(A)
    assert r <= min(E.rank(B), E.rank(C)) <= k
    if E.rank(B) == k and E.rank(C) == k:  # Sylvester: rank(BC) >= rank B + rank C - k
        assert r == k
    assert E.rank(A.T) == r and E.rank(A / 3.0) == r  # orientation (wide/tall paths) and scaling


@FEW
@given(st.data())
def test_rank_mod_p_is_at_most_rank_and_equal_for_a_large_prime(data):
    A, _, _, _ = product_of_rank_k(data, lo=-50, hi=50)
    r = E.rank(A)
    assert E.rank_mod_p(A) == r  # p = 2^61 - 1 divides the relevant minors with probability ~ 0
    for p in (2, 3, 5):
        assert E.rank_mod_p(A, p) <= r
        assert E.rank_mod_p(A, p) == E.rank_mod_p(A.astype(object), p)  # numpy int64 and Python-int paths


def test_rank_mod_p_drops_exactly_when_p_divides_the_minors():
    A = np.array([[1, 1], [1, 4]])  # det 3
    assert E.rank(A) == 2 and E.rank_mod_p(A, 3) == 1 and E.rank_mod_p(A, 5) == 2
    assert not E.full_rank_certified(A, 3) and E.full_rank_certified(A, 5)


def test_rank_mod_p_reduces_extreme_int64_without_overflow():
    A = np.array([[2**63 - 1, -2**63], [-2**63, 2**62 + 7], [5, -3]], dtype=np.int64)
    for p in (3, 2**31 - 1, E.DEFAULT_PRIME):
        assert E.rank_mod_p(A, p) == E.rank_mod_p(A.astype(object), p)
    U = np.array([[2**64 - 1, 1], [1, 0]], dtype=np.uint64)
    assert E.rank_mod_p(U, 3) == E.rank_mod_p(U.astype(object), 3)


@FEW
@given(int_matrices(lo=-20, hi=20), st.integers(0, 6))
def test_rank_mod_p_of_rationals_is_that_of_the_row_scaled_integers(A, e):
    scales = 2 ** np.arange(A.shape[0])[:, None] * 3**e
    assert E.rank_mod_p(A / 2.0**e) == E.rank_mod_p(A)  # dyadic floats
    rows = [[Fraction(int(a), int(s)) for a in row] for row, s in zip(A, scales[:, 0])]
    assert E.rank_mod_p(rows, 5) == E.rank_mod_p(A, 5)  # scaled by 1 / (2^i 3^e): invertible mod 5


def test_rank_mod_p_refuses_a_prime_dividing_a_denominator():
    with pytest.raises(ValueError, match="divides a denominator in row 1"):
        E.rank_mod_p([[1, 2], [Fraction(1, 14), 3]], 7)
    assert E.rank_mod_p([[1, 2], [Fraction(1, 14), 3]], 11) == 2  # 14 det = 40: 11 does not divide it
    assert E.rank_mod_p([[1, 2], [Fraction(1, 14), 3]], 5) == 1  # ... 5 does


@pytest.mark.parametrize("p", [1, 4, 2**61, 2**64 + 13])
def test_rank_mod_p_needs_a_prime_modulus(p):
    with pytest.raises(ValueError, match="prime"):
        E.rank_mod_p(np.eye(2, dtype=int), p)


def test_full_rank_certified_on_a_large_matrix():
    """(Its speed is measured in benchmarks/exact_arithmetic.py, not asserted here.)"""
    A = np.random.default_rng(0).integers(-10**6, 10**6, size=(100, 3000), endpoint=True)
    assert E.full_rank_certified(A)
    assert E.full_rank_certified(A.T)
    A[57] = A[3]  # rank <= 99 over Q, hence mod p
    assert not E.full_rank_certified(A)
    assert E.rank_mod_p(A) == 99


def test_full_rank_certified_edge_shapes():
    assert E.full_rank_certified(np.zeros((0, 4), dtype=int))
    assert not E.full_rank_certified(np.zeros((2, 4), dtype=int))
    assert E.full_rank_certified([[Fraction(1, 3), 0.25]])


# ---- kernels ------------------------------------------------------------------------------------------

@FEW
@given(st.data(), st.integers(1, 12))
def test_nullspace_is_a_basis_of_the_kernel(data, denominator):
    A, _, _, _ = product_of_rank_k(data)
    M = E.rational_matrix(A) * flint.fmpq(1, denominator)
    N = E.nullspace(M)
    n = A.shape[1]
    assert (N.nrows(), N.ncols()) == (n, n - E.rank(A))
    assert E.is_zero(M * N)
    assert E.rank(N) == N.ncols()


def test_nullspace_of_full_column_rank_and_empty_matrices():
    N = E.nullspace(np.eye(3))
    assert (N.nrows(), N.ncols()) == (3, 0)
    N = E.nullspace(np.zeros((0, 2)))
    assert N == E.identity(2)
    N = E.nullspace(np.zeros((2, 0)))
    assert (N.nrows(), N.ncols()) == (0, 0)


# ---- inertia ------------------------------------------------------------------------------------------

def assert_inertias_agree(S, expected: E.ExactInertia | None = None):
    """LDL^T, charpoly/Descartes, and float64 eigvalsh (when the gap rule decides) give the same inertia."""
    by_ldl, by_charpoly = E.inertia(S), E.inertia_by_charpoly(S)
    assert by_ldl == by_charpoly
    if expected is not None:
        assert by_ldl == expected
    X = E.to_float_array(S)
    try:
        numeric = float_inertia(np.linalg.eigvalsh(X)) if X.size else None
    except Inconclusive:
        numeric = None
    if numeric is not None:
        assert (numeric.pos, numeric.neg, numeric.zero) == (by_ldl.pos, by_ldl.neg, by_ldl.zero)
    return by_ldl


@FEW
@given(st.data())
def test_inertia_of_B_D_Bt_is_the_signs_of_D(data):
    n = data.draw(st.integers(1, 7))
    k = data.draw(st.integers(0, n))
    B = data.draw(arrays(np.int64, (n, k), elements=st.integers(-2, 2)))
    assume(E.rank(B) == k)  # full column rank: S = B D B^T is congruent to diag(D, 0)
    d = data.draw(st.lists(st.integers(-3, 3).filter(bool), min_size=k, max_size=k))
    S = B @ np.diag(np.array(d, dtype=np.int64).reshape(k)) @ B.T
    expected = E.ExactInertia(sum(x > 0 for x in d), sum(x < 0 for x in d), n - k)
    assert_inertias_agree(S, expected)
    assert_inertias_agree(-S, E.ExactInertia(expected.neg, expected.pos, expected.zero))


@FEW
@given(int_matrices(rows=st.integers(1, 5), cols=st.integers(1, 5), lo=-2, hi=2))
def test_zero_diagonal_block_matrix_forces_2x2_pivots(B):
    """[[0, B], [B^T, 0]] has eigenvalues +-sigma_i(B) and zeros: inertia (r, r, m + n - 2r), r = rank B."""
    m, n = B.shape
    S = np.block([[np.zeros((m, m), dtype=np.int64), B], [B.T, np.zeros((n, n), dtype=np.int64)]])
    r = E.rank(B)
    assert_inertias_agree(S, E.ExactInertia(r, r, m + n - 2 * r))


@FEW
@given(st.integers(1, 7).flatmap(lambda n: arrays(np.int64, (n, n), elements=st.sampled_from([-1, 0, 0, 0, 1]))))
def test_inertia_methods_agree_on_sparse_symmetric_matrices(A):
    """Sparse {-1, 0, 1} matrices hit every branch: 1 x 1 pivots, zero diagonals after elimination (2 x 2
    pivots) and all-zero remainders."""
    S = np.triu(A) + np.triu(A, 1).T
    I = assert_inertias_agree(S)
    assert I.size == S.shape[0] and I.zero == S.shape[0] - E.rank(S)


@FEW
@given(st.integers(2, 7).flatmap(lambda n: arrays(np.int64, (n, n), elements=st.integers(-2, 2))))
def test_inertia_methods_agree_on_zero_diagonal_matrices(A):
    """A zero diagonal forces a 2 x 2 pivot first (with b of either sign); the Schur complement then has a
    nonzero diagonal in general, so 1 x 1 pivots follow and must see the sign the 2 x 2 step left."""
    S = np.triu(A, 1) + np.triu(A, 1).T
    assert_inertias_agree(S)


@SOME
@given(seeds(), st.integers(1, 8))
def test_inertia_is_a_congruence_invariant(seed, n):
    """Sylvester: inertia(P^T S P) = inertia(S) for invertible P; inertia(c S) for c > 0 too."""
    rng = np.random.default_rng(seed)
    A = rng.integers(-2, 3, size=(n, n))
    S = np.triu(A) + np.triu(A, 1).T
    P = rng.integers(-3, 4, size=(n, n))
    assume(E.rank(P) == n)
    base = E.inertia(S)
    Sm = E.rational_matrix(S)
    Pm = E.rational_matrix(P)
    assert E.inertia(Pm.transpose() * Sm * Pm) == base
    assert E.inertia(Sm * flint.fmpq(3, 7)) == base


@SOME
@given(seeds(), st.integers(1, 9))
def test_inertia_of_Q_diag_Qt_is_the_signs_of_the_diagonal(seed, n):
    """With exactly orthogonal Q, Q diag(d) Q^T has eigenvalues d exactly (large common denominators)."""
    rng = np.random.default_rng(seed)
    Q = E.random_cayley_orthogonal(n, rng, entries=3)
    d = [Fraction(int(rng.integers(-4, 5)), int(rng.integers(1, 6))) for _ in range(n)]
    S = Q * E.diagonal(d) * Q.transpose()
    assert E.is_symmetric(S)
    assert_inertias_agree(S, E.ExactInertia(sum(x > 0 for x in d), sum(x < 0 for x in d), d.count(0)))


@FEW
@given(st.integers(1, 6).flatmap(lambda n: arrays(np.float64, (n, n), elements=st.floats(-1e3, 1e3))))
def test_inertia_methods_agree_on_float_matrices(X):
    assert_inertias_agree(X + X.T)


def test_inertia_small_cases():
    assert E.inertia([[0, 1], [1, 0]]).summary() == "+1/-1/0:0"
    assert E.inertia_by_charpoly([[0, 1], [1, 0]]).summary() == "+1/-1/0:0"
    for n in (0, 1, 4):
        assert E.inertia(np.zeros((n, n))) == E.inertia_by_charpoly(np.zeros((n, n))) == E.ExactInertia(0, 0, n)
    I = E.inertia(np.diag([2.0, -1e-300, 0.0, 5e-324]))  # tiny is not zero in exact arithmetic
    assert (I.pos, I.neg, I.zero, I.size) == (2, 1, 1, 4)


@pytest.mark.parametrize("bad, message", [
    ([[1, 2], [2.0000000000000004, 1]], "symmetric"),
    (np.ones((2, 3)), "square"),
    (np.zeros((2, 2, 2)), "2-D"),
    ([[np.nan, 0], [0, 1]], "NaN"),
])
def test_inertia_rejects_bad_input(bad, message):
    for method in (E.inertia, E.inertia_by_charpoly):
        with pytest.raises(ValueError, match=message):
            method(bad)


@pytest.mark.parametrize("n", [60, 80])
def test_inertia_of_large_rational_matrices_agrees_with_charpoly(n):
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, n))
    Q = E.random_cayley_orthogonal(n, rng)
    d = [Fraction(int(rng.integers(-5, 6)), int(rng.integers(1, 4))) for _ in range(n)]
    for S in (X + X.T, Q * E.diagonal(d) * Q.transpose()):
        assert E.inertia(S) == E.inertia_by_charpoly(S)


# ---- exact constructions ------------------------------------------------------------------------------

@SOME
@given(seeds(), st.integers(0, 8), st.integers(1, 4))
def test_cayley_matrices_are_exactly_orthogonal_and_invert_back(seed, n, entries):
    Q = E.random_cayley_orthogonal(n, np.random.default_rng(seed), entries)
    I = E.identity(n)
    assert Q.transpose() * Q == I and Q * Q.transpose() == I
    assert Q == E.random_cayley_orthogonal(n, np.random.default_rng(seed), entries)
    K = (I + Q).solve(I - Q)  # the Cayley transform is an involution
    assert K.transpose() == -K
    assert all(q.q == 1 and -entries <= q <= entries for q in K.entries())


def test_cayley_orthogonal_of_a_given_skew_matrix():
    K = [[0, Fraction(1, 2)], [Fraction(-1, 2), 0]]
    Q = E.cayley_orthogonal(K)
    assert Q.transpose() * Q == E.identity(2)
    assert E.cayley_orthogonal(np.zeros((3, 3))) == E.identity(3)


@pytest.mark.parametrize("K", [[[1, 0], [0, 0]], [[0, 1], [1, 0]], np.ones((2, 3))])
def test_cayley_orthogonal_rejects_non_skew(K):
    with pytest.raises(ValueError, match="skew"):
        E.cayley_orthogonal(K)


@SOME
@given(seeds(), st.integers(1, 8))
def test_rational_spd_is_symmetric_positive_definite(seed, n):
    S = E.rational_spd(n, np.random.default_rng(seed))
    assert E.is_symmetric(S) and all(q.q == 1 for q in S.entries())
    assert E.inertia(S) == E.inertia_by_charpoly(S) == E.ExactInertia(n, 0, 0)


@SOME
@given(seeds(), st.integers(1, 5), st.integers(1, 5), st.data())
def test_exact_svd_matrix_has_the_given_singular_values(seed, d_out, d_in, data):
    rng = np.random.default_rng(seed)
    P, Q = E.random_cayley_orthogonal(d_out, rng), E.random_cayley_orthogonal(d_in, rng)
    m = min(d_out, d_in)
    sigma = data.draw(st.lists(st.fractions(0, 5, max_denominator=7), min_size=m, max_size=m))
    U = E.exact_svd_matrix(P, sigma, Q)
    assert (U.nrows(), U.ncols()) == (d_out, d_in)
    squares = E.diagonal([s * s for s in sigma])
    Qm = E.rational_matrix(E.to_object_array(Q)[:, :m])
    Pm = E.rational_matrix(E.to_object_array(P)[:, :m])
    assert U.transpose() * U == Qm * squares * Qm.transpose()
    assert U * U.transpose() == Pm * squares * Pm.transpose()
    assert U * Qm == Pm * E.diagonal(sigma)  # U q_i = sigma_i p_i
    computed = np.linalg.svd(E.to_float_array(U), compute_uv=False)
    assert np.allclose(computed, sorted((float(s) for s in sigma), reverse=True), atol=1e-12)


def test_exact_svd_matrix_rejects_bad_factors():
    rng = np.random.default_rng(1)
    P, Q = E.random_cayley_orthogonal(3, rng), E.random_cayley_orthogonal(2, rng)
    with pytest.raises(ValueError, match="singular values"):
        E.exact_svd_matrix(P, [1, 2, 3], Q)
    with pytest.raises(ValueError, match="P\\^T P = I"):
        E.exact_svd_matrix(2 * P, [1, 2], Q)
    with pytest.raises(ValueError, match="Q\\^T Q = I"):
        E.exact_svd_matrix(P, [1, 2], np.ones((2, 2)))
