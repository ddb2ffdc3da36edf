"""Linear networks, losses and determinantal geometry against independent computations: JAX (padded) vs the
exact rational formulas vs finite differences, exact critical points, chart Hessians vs autodiff, and replay."""
from __future__ import annotations

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.numerics import exact
from harness.numerics.determinantal import chart_frame, chart_hessian, eckart_young_index, stratum_residual
from harness.core.instances import instance_from_dict
from harness.models.losses import CrossEntropyLoss, FunctionLoss, LogCoshLoss, QuadraticLoss, WeightedQuadraticLoss, loss_from_dict
from harness.models.linear import (
    LinearArchitecture,
    LinearInstance,
    LinearProblem,
    dmu,
    gl_move,
    gradient,
    hessian,
    product,
)
from strategies.linear import (
    canonical_critical_points,
    fiber_points,
    invertible_integer_matrices,
    kernel_augmented_points,
    linear_architectures,
    linear_problems,
    quadratic_losses,
    smooth_convex_losses,
    weighted_quadratic_losses,
)

FAST = settings(max_examples=15, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def _fd_grad(f, x, h=1e-6):
    g = np.zeros_like(x)
    for k in range(x.size):
        e = np.zeros_like(x)
        e[k] = h
        g[k] = (f(x + e) - f(x - e)) / (2 * h)
    return g


@st.composite
def _float_instances(draw):
    arch = draw(linear_architectures(depth=st.integers(1, 3), width=st.integers(1, 4)))
    kind = draw(st.sampled_from(("quadratic", "weighted", "logcosh", "cross-entropy")))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    if kind == "quadratic":
        loss = QuadraticLoss(rng.standard_normal((arch.d_in, 5)), rng.standard_normal((arch.d_out, 5)))
    elif kind == "weighted":
        loss = WeightedQuadraticLoss(rng.standard_normal((arch.d_out, arch.d_in)),
                                     rng.uniform(0.5, 2, (arch.d_out, arch.d_in)))
    else:
        loss = draw(smooth_convex_losses(arch, kinds=(kind,)))
    return LinearInstance(arch, loss, rng.standard_normal(arch.n_params), {"source": "random"})


@FAST
@given(_float_instances())
def test_padded_jax_loss_gradient_hessian_agree_with_unpadded_and_finite_differences(inst):
    P, theta = inst.problem, inst.float_theta
    W = P.mu(theta)
    assert P.loss(theta) == pytest.approx(inst.loss.value(W), rel=1e-12, abs=1e-12)
    g = P.grad(theta)
    np.testing.assert_allclose(g, gradient(P.layers(theta), inst.loss.grad(W)), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(g, _fd_grad(P.loss, theta), rtol=1e-5, atol=1e-6)
    H = P.hessian(theta)
    Hf = hessian(P.layers(theta), inst.loss.grad(W), inst.loss.hessian(W))
    np.testing.assert_allclose(H, Hf, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(H).max()))


@FAST
@given(linear_problems(linear_architectures(depth=st.integers(1, 3)), quadratic_losses), st.integers(0, 2**31))
def test_exact_gradient_and_hessian_equal_the_float_ones_at_rational_points(inst, seed):
    theta = np.random.default_rng(seed).integers(-3, 4, inst.arch.n_params).astype(float)
    P = inst.problem
    g_exact = exact.to_float_array(exact.rational_matrix(P.exact_grad(theta)[None, :]))[0]
    np.testing.assert_allclose(P.grad(theta), g_exact, rtol=1e-9, atol=1e-9 * max(1, np.abs(g_exact).max()))
    H_exact = exact.to_float_array(exact.rational_matrix(P.exact_hessian(theta)))
    np.testing.assert_allclose(P.hessian(theta), H_exact, rtol=1e-9, atol=1e-9 * max(1, np.abs(H_exact).max()))
    assert float(P.exact_loss(theta)) == pytest.approx(P.loss(theta), rel=1e-12)


@FAST
@given(linear_problems(linear_architectures(depth=st.integers(2, 4)), weighted_quadratic_losses), st.data())
def test_jacobian_of_mu_and_gl_moves(inst, data):
    """d mu against jax.jacfwd of the product; a GL-move keeps mu exactly."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    theta = rng.standard_normal(inst.arch.n_params)
    Ws = inst.arch.unflatten(theta)

    def mu_flat(t):
        Vs = [t[s].reshape(shape) for s, shape in zip(inst.arch.slices(), inst.arch.shapes)]
        return product(Vs).ravel()

    np.testing.assert_allclose(dmu(Ws), np.asarray(jax.jacfwd(mu_flat)(jnp.asarray(theta))), rtol=1e-12, atol=1e-12)
    Gs = [data.draw(invertible_integer_matrices(d)) for d in inst.arch.widths[1:-1]]
    exact_Ws = [exact.object_array(W) for W in Ws]
    assert exact.is_zero(product(gl_move(exact_Ws, Gs)) - product(exact_Ws))


@FAST
@given(st.one_of(canonical_critical_points(linear_problems(linear_architectures(), quadratic_losses)),
                 kernel_augmented_points(linear_problems(linear_architectures(depth=st.just(2)), quadratic_losses))))
def test_canonical_and_kernel_augmented_points_are_exactly_critical(inst):
    assert exact.is_zero(inst.problem.exact_grad(inst.exact_theta))
    # the float view agrees: a tiny gradient relative to the loss scale
    assert np.linalg.norm(inst.problem.grad(inst.float_theta)) < 1e-9 * (1 + inst.problem.loss(inst.float_theta))


@FAST
@given(fiber_points(linear_architectures(depth=st.integers(2, 4), width=st.integers(1, 3))))
def test_fiber_points_map_to_a_rank_r_global_minimum(inst):
    W = inst.problem.exact_mu(inst.exact_theta)
    assert exact.rank(W) == inst.arch.r
    assert exact.is_zero(inst.problem.exact_grad(inst.exact_theta))


@st.composite
def _rank_e_points(draw):
    m, n = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    e = draw(st.integers(1, min(m, n) - 1))
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    P = rng.integers(-2, 3, (m, e)) @ rng.integers(-2, 3, (e, n))
    return P, e, rng


@FAST
@given(_rank_e_points())
def test_chart_hessian_matches_autodiff_of_ell_through_the_chart(args):
    """Hess(ell o phi) at the chart origin, phi(A, B, C) = L [[A, B], [C, C A^{-1} B]] R, by jax.hessian, vs the
    exact formula, for a weighted quadratic loss at an arbitrary rank-e point (not only critical ones)."""
    P, e, rng = args
    if exact.rank(P) != e:
        return
    m, n = P.shape
    loss = WeightedQuadraticLoss(rng.standard_normal((m, n)), rng.uniform(0.5, 2, (m, n)))
    Pobj = exact.object_array(P)
    Wex = Pobj
    H = chart_hessian(Wex, loss.exact_grad(Wex), loss.exact_hessian(Wex))
    L, R, e2 = chart_frame(Pobj)
    assert e2 == e
    Lf, Rf = (exact.to_float_array(exact.rational_matrix(M)) for M in (L, R))
    coords = [(p, q) for p in range(m) for q in range(n) if p < e or q < e]

    def phi(x):
        M = jnp.zeros((m, n))
        for k, (p, q) in enumerate(coords):
            M = M.at[p, q].add(x[k])
        A = jnp.eye(e) + M[:e, :e]
        B, C = M[:e, e:], M[e:, :e]
        top = jnp.concatenate([A, B], axis=1)
        bottom = jnp.concatenate([C, C @ jnp.linalg.solve(A, B)], axis=1)
        return Lf @ jnp.concatenate([top, bottom], axis=0) @ Rf

    params = jax.tree_util.tree_map(jnp.asarray, loss.params(None))
    H_ad = np.asarray(jax.hessian(lambda x: loss.fn(phi(x), params))(jnp.zeros(len(coords))))
    Hf = exact.to_float_array(exact.rational_matrix(H))
    np.testing.assert_allclose(Hf, H_ad, rtol=1e-8, atol=1e-8 * np.abs(H_ad).max())


def test_eckart_young_index_formula_small_cases():
    sigma = [5, 3, 2]
    assert eckart_young_index(sigma, [0]) == 0
    assert eckart_young_index(sigma, [2]) == 2  # sigma_1, sigma_2 > sigma_3
    assert eckart_young_index(sigma, [1, 2]) == 2  # (2, 1) and (3, 1)


def test_stratum_residual_is_scale_aware():
    P = np.array([[1.0, 0.0], [0.0, 0.0]])
    G_normal = np.array([[0.0, 0.0], [0.0, 3.0]])
    assert stratum_residual(P, G_normal) == 0.0
    assert stratum_residual(P, np.array([[1e-12, 0.0], [0.0, 0.0]])) == pytest.approx(1.0)
    assert stratum_residual(P, np.array([[1e-12, 0.0], [0.0, 0.0]]), g_scale=1.0) < 1e-11


def test_exact_instance_round_trips_through_json():
    c = canonical_critical_points(linear_problems(st.just(LinearArchitecture((3, 2, 3))), quadratic_losses),
                                  sizes="pure", gl=True)
    from hypothesis import find

    inst = find(c, lambda i: True, settings=settings(database=None))
    back = instance_from_dict(json.loads(json.dumps(inst.to_dict())))
    assert isinstance(back, LinearInstance) and back.arch == inst.arch
    assert all(a == b for a, b in zip(back.exact_theta, inst.exact_theta))
    assert exact.is_zero(back.problem.exact_grad(back.exact_theta))
    assert back.loss.whitening_exact[1] == inst.loss.whitening_exact[1]
    assert "W2 = " in back.describe()


def test_losses_reject_bad_input_and_user_losses_are_not_replayable():
    with pytest.raises(ValueError, match="positive"):
        WeightedQuadraticLoss(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="samples"):
        QuadraticLoss(np.zeros((2, 3)), np.zeros((2, 4)))
    with pytest.raises(ValueError, match="labels|label"):
        CrossEntropyLoss(np.zeros((2, 3)), (0, 5, 1), n_classes=2)
    user = FunctionLoss(lambda W: jnp.sum(W ** 4), d_out=2, d_in=3, label="quartic")
    with pytest.raises(ValueError, match="cannot be rebuilt"):
        loss_from_dict(user.to_dict())
    with pytest.raises(ValueError, match="unknown loss type"):
        loss_from_dict({"type": "Nope"})


def test_user_loss_runs_on_a_linear_network_unpadded():
    arch = LinearArchitecture((3, 2, 2))
    user = FunctionLoss(lambda W: jnp.sum((W - 1.0) ** 4), d_out=2, d_in=3, convex_declared=True, label="quartic")
    P = LinearProblem(arch, user)
    theta = np.random.default_rng(0).standard_normal(arch.n_params)
    np.testing.assert_allclose(P.grad(theta), _fd_grad(P.loss, theta), rtol=1e-5, atol=1e-6)
    assert P.hessian(theta).shape == (arch.n_params, arch.n_params)
    with pytest.raises(ValueError, match="acts on"):
        LinearProblem(LinearArchitecture((2, 2, 2)), user)


def test_cross_entropy_padding_is_exact():
    rng = np.random.default_rng(3)
    loss = CrossEntropyLoss(rng.standard_normal((3, 7)), (0, 1, 2, 0, 1, 2, 0), n_classes=3, reg=0.01)
    arch = LinearArchitecture((3, 2, 3))
    theta = rng.standard_normal(arch.n_params)
    P = LinearProblem(arch, loss)
    assert P.loss(theta) == pytest.approx(loss.value(P.mu(theta)), rel=1e-13)


def test_logcosh_minimum_and_quadratic_minimum():
    rng = np.random.default_rng(1)
    lc = LogCoshLoss(rng.standard_normal((2, 3)), rng.uniform(0.5, 2, (2, 3)), reg=0.01)
    best, W = lc.minimum()
    assert np.linalg.norm(lc.grad(W)) < 1e-9
    q = QuadraticLoss(rng.standard_normal((3, 6)), rng.standard_normal((2, 6)))
    best_q, Wq = q.minimum()
    assert np.linalg.norm(q.grad(Wq)) < 1e-9


def test_every_engine_instance_type_is_rebuilt_without_the_catalogue():
    """instance_from_dict imports the defining module of a type on demand (replay of a file in a fresh process);
    each module named in INSTANCE_MODULES registers exactly the types it is named for."""
    import importlib
    import subprocess
    import sys

    from harness.core.instances import INSTANCE_MODULES, INSTANCE_TYPES

    for kind, module in INSTANCE_MODULES.items():
        importlib.import_module(module)
        assert kind in INSTANCE_TYPES, (kind, module)
    c = canonical_critical_points(linear_problems(st.just(LinearArchitecture((2, 1, 2))), quadratic_losses),
                                  sizes="pure", gl=False)
    from hypothesis import find

    d = json.dumps(find(c, lambda i: True, settings=settings(database=None)).to_dict())
    code = ("import json, sys; from harness.core.instances import instance_from_dict; "
            "i = instance_from_dict(json.loads(sys.stdin.read())); print(type(i).__name__, i.arch)")
    out = subprocess.run([sys.executable, "-c", code], input=d, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "LinearInstance 2-1-2"
