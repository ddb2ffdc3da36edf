"""Mutation tests of the Trager, Kohn & Bruna (2020) catalogue: every forall claim expected to hold has a
deliberately false variant (a hypothesis dropped, a bound off by one, two criteria swapped) that the harness
must falsify in the ``ci`` profile with a minimised, negative-margin counterexample found by the search.
Each mutant's ``why`` says why it is false on the instances its strategy draws.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st

import properties.trager2020 as T
from harness.numerics import exact
from harness.core.claims import registry
from harness.numerics.determinantal import eckart_young_index
from harness.core.evidence import Evidence
from harness.models.linear import partial_products
from harness.engine.mutants import Mutant, falsify, holding_forall_claims
from harness.engine.runner import run_claim
from strategies.linear import (
    canonical_critical_points,
    integer_points,
    linear_architectures,
    linear_problems,
    weighted_quadratic_losses,
)


def _rank_J(inst) -> int:
    return exact.rank(inst.problem.exact_jacobian_mu(inst.exact_theta))


def _detvar_hidden_r(inst) -> Evidence:
    """r taken over the hidden widths only (the claims file's pitfall)."""
    d = inst.arch.widths
    r = min(d[1:-1])
    return Evidence.equal(_rank_J(inst), r * (d[0] + d[-1] - r), "rank d mu vs r_hidden formula")


def _detvar_plus_one(inst) -> Evidence:
    a = inst.arch
    return Evidence.equal(_rank_J(inst), a.r * (a.d_in + a.d_out - a.r + 1), "rank d mu vs r (d_0 + d_h - r + 1)")


def _filling_with_nonfilling_criterion(inst) -> Evidence:
    lhs = T._max_rank_now(inst)
    rhs = exact.rank(inst.problem.exact_mu(inst.exact_theta)) == inst.arch.r
    return T._ok(lhs == rhs, "max rank <=> rank mu = r (in the filling case)")


def _nonfilling_with_filling_criterion(inst) -> Evidence:
    return T._ok(T._max_rank_now(inst) == T._filling_criterion(inst), "max rank <=> exists-i criterion")


def _staircase_without_differences(inst) -> Evidence:
    Ws = inst.problem.exact_layers(inst.exact_theta)
    left, right = partial_products(Ws)
    wrong = sum(exact.rank(R) * exact.rank(Lf) for Lf, R in zip(left, right))
    return Evidence.equal(_rank_J(inst), wrong, "rank d mu vs sum_i c_i rho_i")


def _image_is_everything(inst) -> Evidence:
    return Evidence.equal(_rank_J(inst), inst.arch.d_in * inst.arch.d_out, "rank d mu vs d_0 d_h")


def _localmin_first_order_bound(inst) -> Evidence:
    """The normalised decrease is < 1 (the O(s^{2h}) term is positive for quadratic losses): claiming >= 1 is
    a bound off by the second-order term."""
    ev = T.localmin_pure.check(inst)
    return Evidence(ev.margin - 1.0, "normalised decrease >= 1 (" + ev.detail + ")")


def _localmin_rank_minus_one(inst) -> Evidence:
    from harness.numerics import numerical_rank

    W = inst.problem.mu(inst.float_theta)
    return Evidence.equal(numerical_rank(W, T.RANK_TOL).rank, inst.arch.r - 1, "rank mu(theta) vs r - 1")


def _eckart_young_reversed(inst) -> Evidence:
    _, W, G = T._exact_parts(inst)
    In = exact.inertia(T.chart_hessian(W, G, inst.loss.exact_hessian(W)))
    sigma, I = T._sigma(inst), T._I(inst)
    wrong = sum(1 for i in I for j in range(len(sigma)) if j not in I and sigma[j] < sigma[i])
    return Evidence.equal(In.neg, wrong, "Morse index vs #{sigma_j < sigma_i}")


def _ey_only_global(inst) -> Evidence:
    """Every rank-e critical point is the global minimum U_{1..e} (saddles U_I, I != {1..e}, are forgotten)."""
    W = inst.problem.mu(inst.float_theta)
    U = inst.loss.whitening[0]
    Uu, su, Vt = np.linalg.svd(U)
    e = inst.arch.widths[1]
    top = (Uu[:, :e] * su[:e]) @ Vt[:e]
    return Evidence.within(np.linalg.norm(W - top) / np.linalg.norm(U), 1e-7, "distance to U_{1..e}")


def _quad_value_off(inst) -> Evidence:
    P_, sigma, Q, R = inst.loss.whitening_exact
    X, Y = inst.loss._exact[:2]
    c = (Y * Y).sum() - sum(s * s for s in sigma)
    wrong = c + sum(sigma[j] ** 2 for j in T._I(inst))  # the kept values instead of the dropped ones
    return T._ok(inst.problem.exact_loss(inst.exact_theta) == wrong, "L = c + sum_{j in I} sigma_j^2")


def _quad_optimised_r_minus_one(inst) -> Evidence:
    sigma = [float(s) for s in inst.loss.whitening_exact[1]]
    _, _, c = inst.loss.whitening
    L_wrong = c + sum(s * s for s in sigma[inst.arch.r - 1:])
    gap = (inst.problem.loss(inst.float_theta) - L_wrong) / max(1.0, L_wrong)
    # L_wrong is larger than the true minimum by sigma_r^2: the gap is negative by that much; claim it is >= 0
    return Evidence.at_least(gap, -1e-6, "relative gap to c + sum_{i >= r} sigma_i^2")


def _threshold_without_weights(inst) -> Evidence:
    In = T._chart_inertia(inst)
    U = inst.loss.U
    sigma = [U[i, i] for i in range(inst.arch.m)]
    return Evidence.equal(In.neg, eckart_young_index(sigma, T._I(inst)), "Morse index vs Eckart-Young count")


def _saddle_wrong_power(inst) -> Evidence:
    j, u, v, sj = T._channel_j(inst)
    P, h = inst.problem, inst.arch.h
    s = exact.to_fmpq(1) / 10
    dL = P.exact_loss(T._channel_path(inst, s, u, v)) - P.exact_loss(inst.exact_theta)
    return T._ok(dL == sj ** 2 * (s ** (2 * h) - 2 * s ** (h + 1)), "Delta L = sigma_j^2 (s^2h - 2 s^(h+1))")


def _fiber_plus_one(inst) -> Evidence:
    J = inst.problem.exact_jacobian_mu(inst.exact_theta)
    return Evidence.equal(inst.arch.n_params - exact.rank(J), inst.arch.fiber_dim + 1, "corank vs fiber dim + 1")


def _def_pure_theta3_critical(inst) -> Evidence:
    t1, t2, t3 = T._figure_1_points(inst)
    return T._ok(exact.is_zero(inst.problem.exact_grad(t3)), "theta3 critical")


def _figure_1_nonzero_a():
    return T._figure_1()


def _ranked(filling):
    return integer_points(linear_problems(linear_architectures(depth=st.integers(2, 3), width=st.integers(1, 3),
                                                               filling=filling), weighted_quadratic_losses))


def _random_nonfilling_points():
    return integer_points(linear_problems(linear_architectures(depth=st.integers(2, 3), width=st.integers(1, 3),
                                                               filling=False), T.quadratic_losses), ranked=False)


MUTANTS = [
    Mutant("trager2020/def-pure", "theta3-critical", "grad L(theta3) = 2(0 - u)(0, a, ...) != 0",
           lambda: dict(check=_def_pure_theta3_critical)),
    Mutant("trager2020/submersion-pure", "deficient",
           "max-rank premise dropped: at theta_I with |I| < r d mu drops rank and Hess L has more zero or other "
           "negative eigenvalues than the transfer formula (e.g. theta = 0: Hess L = 0 or (+k, -k, 0))",
           lambda: dict(strategy=canonical_critical_points(T._quadratic(), sizes="deficient")),
           drop=("rank d mu",)),
    Mutant("trager2020/detvar-dim", "r-hidden", "with r = min of the hidden widths only, d = (2,3,4) gives 9 > 8",
           lambda: dict(check=_detvar_hidden_r), budget=3.0),
    Mutant("trager2020/detvar-dim", "plus-one", "r (d_0 + d_h - r + 1) exceeds the rank by r",
           lambda: dict(check=_detvar_plus_one)),
    Mutant("trager2020/detvar-dim", "any-theta", "rank mu < r points have rank d mu < dim M_r",
           lambda: dict(strategy=_ranked(None)), drop=("rank mu(theta) = r",)),
    Mutant("trager2020/dmu-rank/filling", "swapped", "filling, theta = (1, 0) on d = (1,1,1): Wbar = 0 yet d mu onto R",
           lambda: dict(check=_filling_with_nonfilling_criterion, strategy=_ranked(True))),
    Mutant("trager2020/dmu-rank/non-filling", "swapped", "non-filling: the exists-i criterion is never met, max rank is",
           lambda: dict(check=_nonfilling_with_filling_criterion, strategy=_ranked(False))),
    Mutant("trager2020/dmu-rank-formula", "no-differences", "sum c_i rho_i counts nested rectangles repeatedly",
           lambda: dict(check=_staircase_without_differences)),
    Mutant("trager2020/image-contains-stratum", "everything",
           "Im d mu is all of R^{d_h x d_0} only at max-rank points of filling nets",
           lambda: dict(check=_image_is_everything)),
    Mutant("trager2020/image-contains-stratum/critical", "any-point",
           "criticality dropped: at random integer points W^T G != 0", lambda: dict(strategy=_random_nonfilling_points()),
           drop=("theta critical",)),
    Mutant("trager2020/crit-classification-by-rank/fiber", "deficient-image",
           "over a rank-deficient critical image d mu is not of maximal rank",
           lambda: dict(strategy=canonical_critical_points(T._quadratic(filling=False), sizes="deficient"))),
    Mutant("trager2020/crit-classification-by-rank/deficient", "pure-points",
           "at |I| = r the rank-one witness leaves M_r and the point is pure",
           lambda: dict(strategy=canonical_critical_points(T._quadratic(filling=False), sizes="pure"))),
    Mutant("trager2020/localmin-pure", "first-order-bound",
           "the decrease along the channel path is s^h |G_pq| minus a positive O(s^2h) term: never >= 1 normalised",
           lambda: dict(check=_localmin_first_order_bound,
                        strategy=canonical_critical_points(T._quadratic(), sizes="deficient", gl=False))),
    Mutant("trager2020/localmin-pure/optimised", "rank-minus-one", "local minima of non-filling nets have rank r",
           lambda: dict(check=_localmin_rank_minus_one), budget=0.3),
    Mutant("trager2020/filling-convex-no-bad-minima", "non-filling",
           "non-filling: mu cannot reach the minimiser of ell (a full-rank U, or bad minima of the weighted loss)",
           lambda: dict(strategy=registry["trager2020/filling-convex-no-bad-minima"].hypotheses[0].violating),
           drop=("filling",), budget=0.3),
    Mutant("trager2020/eckart-young", "reversed-index", "the index counts larger sigma_j outside I, not smaller",
           lambda: dict(check=_eckart_young_reversed)),
    Mutant("trager2020/eckart-young/complete", "only-global",
           "root finding also reaches the saddles U_I, I != {1..e} (Morse index > 0), not only the minimum",
           lambda: dict(check=_ey_only_global)),
    Mutant("trager2020/quad-critical-structure", "kept-values", "L sums the dropped sigma_j^2, not the kept ones",
           lambda: dict(check=_quad_value_off)),
    Mutant("trager2020/quad-critical-structure/optimised", "r-minus-one",
           "the minimum is c + sum_{i > r} sigma_i^2, sigma_r^2 below c + sum_{i >= r}", lambda: dict(
               check=_quad_optimised_r_minus_one), budget=0.3),
    Mutant("trager2020/nonquadratic-bad-minima/threshold-law", "no-weights",
           "the Eckart-Young count ignores the weights: off-diagonal weights turn saddles into minima",
           lambda: dict(check=_threshold_without_weights)),
    Mutant("trager2020/spurious-saddles", "wrong-power", "Delta L = sigma_j^2 (s^2h - 2 s^h), not 2 s^(h+1)",
           lambda: dict(check=_saddle_wrong_power)),
    Mutant("trager2020/fiber-structure", "plus-one", "the corank of d mu is the fiber dimension exactly",
           lambda: dict(check=_fiber_plus_one)),
]

HOLDS = holding_forall_claims("trager2020/")


def test_every_holding_claim_has_a_mutant():
    covered = {m.of for m in MUTANTS}
    assert not set(HOLDS) - covered, f"claims without a mutant: {sorted(set(HOLDS) - covered)}"
    assert len(HOLDS) >= 18


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id.removeprefix("trager2020/") for m in MUTANTS])
def test_mutant_is_falsified(mutant):
    falsify(mutant)


def test_frobenius_weights_have_no_bad_minima():
    """The exists claim is not trivially witnessed: with lambda = 1 (the Frobenius loss, Eckart-Young) the same
    search over pattern points of non-filling nets finds no non-global local minimum."""
    c = registry["trager2020/nonquadratic-bad-minima"]
    frob = c.variant("trager2020/nonquadratic-bad-minima~frobenius", hypotheses=c.hypotheses[:1] + c.hypotheses[2:],
                     strategy=T._weighted_pure_points(weights=st.just(1)))
    result = run_claim(frob, "ci")
    assert result.verdict == "no witness", (result.verdict, result.message)
    assert result.examples - result.inconclusive >= 10
