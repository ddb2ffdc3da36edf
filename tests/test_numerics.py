"""Independent checks of the numerics in harness.models.mlp (JAX, padded) and harness.models.mlp_precise (mpmath).

Every quantity is compared against something computed a different way:
  (a) JAX gradient          vs  finite differences of the JAX loss,
  (b) JAX Hessian           vs  finite differences of the JAX gradient (and hvp vs H v),
  (c) JAX residual Jacobian vs  finite differences of the residuals,
  (d) JAX                   vs  the mpmath backend (hand-written backprop) for loss, grad, Hessian, Jacobian,
                                layer outputs; the mpmath gradient / Hessian vs high-precision differences,
  (e) the padded JAX model  vs  a plain numpy forward pass written here,
  (f) output_derivative     vs  rows of the Jacobian (order 1) and the Gauss-Newton split of H (order 2).

Finite differences use the 4th-order central stencil f'(x) ~ [8(f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))] / 12h,
error O(h^4) + O(eps/h); with h = 1e-3 that is ~1e-12 relative, so tolerances of 1e-7 are honest and any
real mistake (a wrong index, a missing factor 2, a transposed weight) shows up as an O(1) error.
Errors are measured normwise: max |a - b| / max |b|.
"""
from __future__ import annotations

import math

import harness  # noqa: F401  (float64 JAX)
import mpmath as mp
import numpy as np
import pytest
import scipy.special

from harness.models.architecture import Architecture
from harness.models.mlp import Problem
from harness.numerics.precision import precise_backend
from harness.models.mlp_precise import MAX_PRECISE_PARAMS, PreciseProblem

ACTS = ("tanh", "sigmoid", "softplus0", "erf", "sin", "square")

#: depth 1..3, d_out 1..2; widths chosen off the padding buckets so padding is exercised.
ARCHS = (
    Architecture(2, (3,), 1),
    Architecture(3, (5, 2), 2),
    Architecture(1, (2, 3, 2), 2),
)
N_SAMPLES = 5

#: Each activation on two of the three architectures (each architecture gets four activations): every
#: activation meets two depths, and the file stays well under a minute even with a cold JAX compile cache.
CASES = [(ARCHS[(i + s) % 3], act) for i, act in enumerate(ACTS) for s in (0, 1)]


def _case_id(case):
    arch, act = case
    return f"{arch}-{act}"


def make_problem(arch: Architecture, act: str, seed: int = 0, n: int = N_SAMPLES):
    """A fixed random problem and parameter vector.  Scales keep the depth-3 'square' network O(1)."""
    rng = np.random.default_rng([seed, arch.n_params, ACTS.index(act) if act in ACTS else 99])
    X = rng.normal(size=(n, arch.d_in))
    Y = rng.normal(size=(n, arch.d_out))
    theta = rng.normal(size=arch.n_params) * (0.6 if act == "square" else 0.9)
    return Problem(arch, act, X, Y), theta


def rel_err(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = np.max(np.abs(b))
    assert scale > 0, "reference is identically zero: comparison would be vacuous"
    return float(np.max(np.abs(a - b)) / scale)


def layer_blocks(arch: Architecture) -> list[slice]:
    """Coordinates of (W_j, b_j) for each layer j, so that small blocks are compared on their own scale."""
    return [slice(ws.start, bs.stop) for ws, _, bs in arch.layers]


def fd_derivative(fun, theta, k, h=1e-3):
    """d fun(theta) / d theta_k by the 4th-order central stencil (fun may return scalars or arrays)."""
    e = np.zeros_like(theta)
    e[k] = h
    f = lambda t: np.asarray(fun(t), dtype=float)  # noqa: E731
    return (8 * (f(theta + e) - f(theta - e)) - (f(theta + 2 * e) - f(theta - 2 * e))) / (12 * h)


FD_RTOL = 1e-7


# ---- (a), (b), (c): JAX against finite differences of JAX --------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_grad_matches_finite_differences_of_loss(case):
    P, theta = make_problem(*case)
    g = P.grad(theta)
    fd = np.array([fd_derivative(P.loss, theta, k) for k in range(P.n_params)])
    assert rel_err(g, fd) < FD_RTOL


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_hessian_matches_finite_differences_of_grad(case):
    P, theta = make_problem(*case)
    H = P.hessian(theta)
    fd = np.column_stack([fd_derivative(P.grad, theta, k) for k in range(P.n_params)])
    assert np.array_equal(H, H.T)
    assert rel_err(H, fd) < FD_RTOL


def test_hvp_is_hessian_times_vector():
    P, theta = make_problem(ARCHS[0], "softplus0")
    v = np.random.default_rng(1).normal(size=P.n_params)
    assert rel_err(P.hvp(theta, v), P.hessian(theta) @ v) < 1e-12


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_jacobian_matches_finite_differences_of_residuals(case):
    P, theta = make_problem(*case)
    J = P.jacobian(theta)
    assert J.shape == (P.n * P.arch.d_out, P.n_params)
    fd = np.column_stack([fd_derivative(lambda t: P.residuals(t).ravel(), theta, k) for k in range(P.n_params)])
    assert rel_err(J, fd) < FD_RTOL
    # and the chain rule that ties them together: grad L = 2 J^T r
    assert rel_err(2 * J.T @ P.residuals(theta).ravel(), P.grad(theta)) < 1e-12


# ---- (d): JAX against the mpmath backend ---------------------------------------------------------------------
PRECISE_RTOL = 1e-10
PRECISE_CASES = CASES + [(Architecture(3, (), 2), "sin")]  # depth 0: f is affine


@pytest.mark.parametrize("case", PRECISE_CASES, ids=_case_id)
def test_jax_matches_precise_backend(case):
    P, theta = make_problem(*case)
    ref = dict(
        loss=P.loss(theta), grad=P.grad(theta), hessian=P.hessian(theta), jacobian=P.jacobian(theta),
        layer_outputs=P.layer_outputs(theta),
    )
    dps_before = mp.mp.dps
    with precise_backend(50):
        got = dict(
            loss=P.loss(theta), grad=P.grad(theta), hessian=P.hessian(theta), jacobian=P.jacobian(theta),
            layer_outputs=P.layer_outputs(theta),
        )
    assert mp.mp.dps == dps_before, "precise backend must not change the global precision"
    assert isinstance(got["loss"], float)
    assert abs(got["loss"] - ref["loss"]) <= PRECISE_RTOL * abs(got["loss"])
    for key in ("grad", "hessian", "jacobian"):
        assert isinstance(got[key], np.ndarray) and got[key].dtype == np.float64
        assert rel_err(ref[key], got[key]) < PRECISE_RTOL, key
    assert np.array_equal(got["hessian"], got["hessian"].T)
    # block by block too, so that an error in a block of small entries is not hidden by the large ones
    for bj in layer_blocks(P.arch):
        assert rel_err(ref["grad"][bj], got["grad"][bj]) < PRECISE_RTOL, bj
        assert rel_err(ref["jacobian"][:, bj], got["jacobian"][:, bj]) < PRECISE_RTOL, bj
        for bk in layer_blocks(P.arch):
            assert rel_err(ref["hessian"][bj, bk], got["hessian"][bj, bk]) < PRECISE_RTOL, (bj, bk)
    assert len(got["layer_outputs"]) == len(ref["layer_outputs"]) == P.arch.depth + 2
    for j, (a, b) in enumerate(zip(ref["layer_outputs"], got["layer_outputs"])):
        assert b.shape == (P.n, P.arch.widths[j])
        assert rel_err(a, b) < PRECISE_RTOL, f"layer {j}"
    np.testing.assert_array_equal(got["layer_outputs"][0], P.X)


@pytest.mark.parametrize("case", [(ARCHS[1], "tanh"), (ARCHS[2], "square"), (ARCHS[0], "softplus0")], ids=_case_id)
def test_precise_derivatives_match_high_precision_differences(case):
    """The mpmath backprop against mpmath differences (no JAX involved), far beyond float64."""
    P, theta = make_problem(*case)
    pp = PreciseProblem(P, digits=50)
    with mp.workdps(50):
        w = pp._params(theta)
        g = pp._grad_mp(w)
        h = mp.mpf(10) ** -15
        for k in range(0, len(w), 3):
            wp, wm = list(w), list(w)
            wp[k] += h
            wm[k] -= h
            fd = (pp._loss_mp(wp) - pp._loss_mp(wm)) / (2 * h)  # error O(h^2) ~ 1e-30
            assert abs(fd - g[k]) < mp.mpf(10) ** -25 * (1 + abs(g[k]))
    # the Hessian at 50 digits agrees with the one at 70 digits far below float64 resolution
    H50, H70 = pp.hessian_mp(theta), PreciseProblem(P, digits=70).hessian_mp(theta)
    with mp.workdps(70):
        diff = max(abs(H50[r, c] - H70[r, c]) for r in range(H50.rows) for c in range(H50.cols))
        scale = max(abs(H70[r, c]) for r in range(H70.rows) for c in range(H70.cols))
        assert diff < mp.mpf(10) ** -33 * scale  # observed ~1e-40: truncation O(h^2), h = 1e-20


def test_precise_eigenvalues_match_float64():
    P, theta = make_problem(ARCHS[1], "tanh")
    H = P.hessian(theta)
    ev_mp = PreciseProblem(P).hessian_eigenvalues_mp(theta)
    ev = np.linalg.eigvalsh(H)
    assert np.all(np.diff(ev_mp) >= 0)
    # Weyl: |lambda_k(H) - lambda_k(H')| <= ||H - H'||; float64 rounding makes that ~1e-15 ||H||
    assert np.max(np.abs(ev_mp - ev)) < 1e-12 * np.max(np.abs(ev))


def test_precise_limits_and_shapes():
    big = Architecture(4, (8, 4), 1)  # 40 + 36 + 5 = 81 > 80
    assert big.n_params == MAX_PRECISE_PARAMS + 1
    P, theta = make_problem(big, "tanh")
    with pytest.raises(ValueError):
        PreciseProblem(P)
    with precise_backend(), pytest.raises(ValueError):
        P.loss(theta)
    small, theta = make_problem(ARCHS[0], "tanh")
    with pytest.raises(ValueError):
        PreciseProblem(small).grad(theta[:-1])
    with pytest.raises(ValueError):
        small.grad(theta[:-1])


# ---- (e): the padded model against a plain numpy forward pass -----------------------------------------------
_NP_ACTS = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "softplus0": lambda z: np.logaddexp(z, 0.0) - math.log(2.0),
    "erf": scipy.special.erf,
    "sin": np.sin,
    "square": lambda z: z * z,
}


def numpy_layer_outputs(arch: Architecture, act: str, theta, X):
    """[a_0, ..., a_H, f] by the textbook recursion, straight from the documented flat layout."""
    sigma, out, a, at = _NP_ACTS[act], [X], X, 0
    w = arch.widths
    for j in range(1, len(w)):
        W = theta[at: at + w[j] * w[j - 1]].reshape(w[j], w[j - 1])
        at += w[j] * w[j - 1]
        b = theta[at: at + w[j]]
        at += w[j]
        z = a @ W.T + b
        a = sigma(z) if j < len(w) - 1 else z
        out.append(a)
    assert at == len(theta)
    return out


#: plus a wider net with 11 samples (pads 5-9-3 to 8-16-4 and 11 samples to 16) and a depth-0 net
PADDING_CASES = CASES + [
    (Architecture(5, (9,), 3), "tanh"), (Architecture(5, (9,), 3), "square"), (Architecture(3, (), 2), "sin"),
]


@pytest.mark.parametrize("case", PADDING_CASES, ids=_case_id)
def test_padded_model_matches_numpy_forward(case):
    arch, act = case
    for n in (N_SAMPLES, 11) if arch.d_in == 5 else (N_SAMPLES,):
        P, theta = make_problem(arch, act, n=n)
        got = P.layer_outputs(theta)
        ref = numpy_layer_outputs(arch, act, theta, P.X)
        assert len(got) == len(ref)
        for j, (a, b) in enumerate(zip(got, ref)):
            assert a.shape == b.shape, (arch, j)
            assert rel_err(a, b) < 1e-13, (str(arch), j)
        assert abs(P.loss(theta) - np.sum((ref[-1] - P.Y) ** 2)) < 1e-12 * P.loss(theta)
        np.testing.assert_allclose(P.residuals(theta), ref[-1] - P.Y, rtol=0, atol=1e-13 * np.abs(ref[-1]).max())


# ---- (f): output_derivative ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", [(ARCHS[1], "sigmoid"), (ARCHS[2], "square")], ids=_case_id)
def test_output_derivative_order1_is_jacobian_row(case):
    P, theta = make_problem(*case)
    J = P.jacobian(theta)
    d_out = P.arch.d_out
    for i in range(P.n):
        for c in range(d_out):
            row = P.output_derivative(theta, i, c, 1)
            assert row.shape == (P.n_params,)
            assert rel_err(row, J[i * d_out + c]) < 1e-13, (i, c)


def test_output_derivative_order2_gives_hessian():
    """H = 2 J^T J + 2 sum_{i,c} r_ic D^2 f_c(x_i)  (L = sum r^2)."""
    P, theta = make_problem(ARCHS[0], "erf")
    J, r = P.jacobian(theta), P.residuals(theta)
    H = 2 * J.T @ J
    for i in range(P.n):
        for c in range(P.arch.d_out):
            D2 = P.output_derivative(theta, i, c, 2)
            assert D2.shape == (P.n_params, P.n_params)
            H += 2 * r[i, c] * D2
    assert rel_err(H, P.hessian(theta)) < 1e-12


def test_lstsq_is_numpy_in_float64_and_exact_for_the_rounded_entries_under_mpmath():
    """harness.numerics.lstsq: numpy's solution in float64; under the precise backend the minimum-norm solution
    for the float entries, correct to float64 rounding (checked against an mpmath SVD pseudo-inverse at 60
    digits), where float64's own solve is off by about kappa eps; rank-deficient systems keep numpy's."""
    from harness.numerics import lstsq

    rng = np.random.default_rng(4)
    U, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    V, _ = np.linalg.qr(rng.standard_normal((6, 3)))
    A = U @ np.diag([1.0, 1e-4, 1e-8]) @ V.T  # 3 x 6, wide, kappa 1e8
    B = rng.standard_normal((3, 2))
    assert np.array_equal(lstsq(A, B), np.linalg.lstsq(A, B, rcond=None)[0])
    with mp.workdps(60):
        Um, S, Vm = mp.svd_r(mp.matrix(A.tolist()))
        pinv = Vm.T * mp.diag([1 / s for s in S]) * Um.T
        ref = np.array((pinv * mp.matrix(B.tolist())).tolist(), dtype=float)
    with precise_backend(50):
        X = lstsq(A, B)
        deficient = np.outer([1.0, 2.0, 3.0], [1.0, 0, 2, 0, 1, 1])
        assert np.allclose(lstsq(deficient, B), np.linalg.lstsq(deficient, B, rcond=None)[0])
    err = np.linalg.norm(X - ref) / np.linalg.norm(ref)
    float_err = np.linalg.norm(np.linalg.lstsq(A, B, rcond=None)[0] - ref) / np.linalg.norm(ref)
    assert err < 1e-15 and float_err > 1e-12, (err, float_err)
