"""Mutation tests of the Venturi, Bandeira & Bruna (2019) catalogue: every forall claim expected to hold has a
deliberately false variant (a hypothesis dropped, a bound off by one, a reading the claims file warns against)
that the harness must falsify in the ``ci`` profile with a minimised, negative-margin counterexample found by
the search.  Each mutant's ``why`` says why it is false on the instances its strategy draws.
"""
from __future__ import annotations

import math

import pytest
from hypothesis import strategies as st

import properties.venturi2019 as V
from harness.claims import registry
from harness.evidence import Evidence
from harness.models.two_layer import Rho
from harness.mutants import Mutant, holding_forall_claims
from harness.runner import run_claim
from strategies import two_layer as S


def _stall_is_valley(inst) -> Evidence:
    """The unsound rule: 'a local minimum with L > L* (an optimiser stall with a PSD Hessian) lies in a spurious
    valley'.  At E1 the exact descent path refutes it."""
    ev = V.lem_descent.check(inst)
    return Evidence(-ev.margin, "E1 lies in a spurious valley (contradicted by the certified descent path)")


def _dim_binomial_shifted(s) -> Evidence:
    r, K = V.dim_measured(s)
    expected = sum(math.comb(s["n"] + k, k) for k in Rho.poly(s["coeffs"]).support)
    return Evidence.equal(r, expected, "rank vs sum C(n + k, k)")


def _dim_relu_always_infinite(s) -> Evidence:
    r, K = V.dim_measured(s)
    return Evidence.equal(r, K, "rank vs K (dim* infinite for ReLU in every n)")


@st.composite
def _poly_dims(draw):
    n = draw(st.integers(1, 3))
    rho = draw(S.poly_activations(n, q_max=30))
    return {"kind": "poly", "coeffs": list(rho.coeffs), "n": n, "seed": draw(st.integers(0, 2**32 - 1))}


def _relu_n1():
    return st.builds(lambda K, seed: {"kind": "relu", "n": 1, "K": K, "seed": seed},
                     st.sampled_from([8, 16]), st.integers(0, 2**32 - 1))


def _rate_p_squared(s) -> Evidence:
    return V.theorem16_evidence(s, rate=lambda p: 1.0 / p ** 2)


MUTANTS = [
    Mutant("venturi2019/lem-descent", "stall-is-valley",
           "E1 is a spurious local minimum with a PSD Hessian, yet a non-increasing path reaches L* = 0",
           lambda: dict(check=_stall_is_valley, strategy=st.integers(1, 8).map(lambda k: V._e1_instance(-k / 4)))),
    Mutant("venturi2019/dim-poly", "binomial-shifted", "C(n + k, k) counts monomials of degree <= k, not = k",
           lambda: dict(check=_dim_binomial_shifted, strategy=_poly_dims())),
    Mutant("venturi2019/dim-poly", "relu-n1-infinite", "ReLU in n = 1 spans only relu(x), relu(-x): rank 2",
           lambda: dict(check=_dim_relu_always_infinite, strategy=_relu_n1())),
    Mutant("venturi2019/thm-8", "width-below", "p = dim* - 1: phase 2 cannot reach rank dim*, the end is above L*",
           lambda: dict(strategy=S.theorem8_instances(below=True, population=st.just(False))),
           drop=("p >= dim*",)),
    Mutant("venturi2019/emp", "width-below", "p = N - 1 < q_N = N (smooth rho): the end is above L*",
           lambda: dict(strategy=S.empirical_instances(acts=st.sampled_from(["tanh", "sigmoid", "sin"]), below=True)),
           drop=("p >= N",)),
    Mutant("venturi2019/linear", "narrow", "p < min(n, m): the path cannot reach the least-squares map",
           lambda: dict(strategy=S.linear_instances(narrow=True)), drop=("p >= min",)),
    Mutant("venturi2019/quad", "width-2n-minus-1",
           "p = 2n - 1: one sign keeps < n neurons, the polar lift cannot realise the segment in A",
           lambda: dict(strategy=S.quadratic_instances(width=lambda n: 2 * n - 1)), drop=("p >= 2n",)),
    Mutant("venturi2019/thm-13", "beta-below-alpha", "beta <= alpha: L(theta_good) = alpha^2/4 >= beta^2/4",
           lambda: dict(strategy=S.theorem13_violating()), drop=("alpha, beta",)),
    Mutant("venturi2019/inf-dim", "beta-below-alpha", "the ReLU instance with beta <= alpha is not spurious",
           lambda: dict(strategy=registry["venturi2019/inf-dim"].hypotheses[1].violating),
           drop=("ReLU instances",)),
    Mutant("venturi2019/thm-16", "rate-p-squared", "least squares decays like p^-2 only from large p: at p = 8 "
           "the mean excess is about V/(3p) > V/p^2", lambda: dict(check=_rate_p_squared)),
]

HOLDS = holding_forall_claims("venturi2019/")


def test_every_holding_claim_has_a_mutant():
    covered = {m.of for m in MUTANTS}
    assert not set(HOLDS) - covered, f"claims without a mutant: {sorted(set(HOLDS) - covered)}"
    assert len(HOLDS) == 9


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id.removeprefix("venturi2019/") for m in MUTANTS])
def test_mutant_is_falsified(mutant):
    original = registry[mutant.of]
    assert original.expect == "holds" and original.kind == "forall"
    claim = mutant.build()
    result = run_claim(claim, "ci")
    assert result.verdict == "falsified", (mutant.why, result.verdict, result.message, result.examples,
                                           result.inconclusive_reasons)
    assert result.finding is not None and result.finding.minimised, result.message
    assert result.finding.evidence["margin"] < 0
    expected = "exact" if original.exact else ("certified", "numerical")
    assert result.finding.certification in expected
