"""Open questions and existence statements the papers raise, as ``exists`` claims (witness searches).

An ``exists`` claim is checked by running its negation as a forall property: a witness is a failure that
Hypothesis shrinks to a minimal one.  Margin >= 0 means "this instance is a witness".
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from harness.models import activations as acts
from harness.core.claims import Assumption, claim
from harness.core.evidence import Evidence
from harness.numerics import hessian_inertia
from properties.cooper2020 import COOPER2020, CRITICAL
from harness.numerics.precision import float64_backend
from harness.numerics.optimise import descend
from strategies import critical_points, problems
from strategies.points import init_params


def _spurious_minimum_margin(inst, strict: bool) -> Evidence:
    """Witness margin for "critical, L > 0, Hessian PSD (strict: PD)": the smaller of the relative loss and
    the relative smallest eigenvalue (must be a decided positive one for PD, a decided zero allowed for PSD)."""
    I = hessian_inertia(inst.problem, inst.theta)
    L = inst.problem.loss(inst.theta) / (1.0 + float(np.sum(inst.Y ** 2)))
    if I.neg:
        curvature = -1.0 * I.neg
    elif strict:
        curvature = 1.0 if I.zero == 0 else -1.0 * I.zero
    else:
        curvature = 1.0
    return Evidence(min(curvature, np.log10(max(L, 1e-300)) + 8.0),
                    f"L/(1+sum y^2) = {L:.3g}, Hessian {I.summary()}", {"inertia": I.summary(), "L_rel": L})


def _lower_point(inst, starts: int = 8):
    """A point of strictly lower loss than p, found by descent from ``starts`` seeded random initialisations:
    a certificate that p is not a global minimum (None if every descent ended at or above L(p))."""
    rng = np.random.default_rng(7)
    with float64_backend():  # the search is float64; its result is re-evaluated in the current backend
        ends = [descend(inst.problem, init_params(inst.arch, rng), max_iter=500) for _ in range(starts)]
    L_p = inst.problem.loss(inst.theta)
    losses = [inst.problem.loss(theta) for theta in ends]
    i = int(np.argmin(losses))
    return (losses[i], ends[i]) if losses[i] < L_p * (1 - 1e-6) else None


@claim("cooper2020/prop-5.13/narrow-witness", paper=COOPER2020, theorem="Proposition 5.13 (hypothesis check)",
       statement="[derived] Without the width hypothesis (d_H <= n - 2) there are strict local non-global minima: "
                 "critical points with L > 0 and positive definite Hessian, while another point has lower loss.",
       hypotheses=[Assumption("d_H <= n - 2", lambda i: i.arch.last_hidden <= i.n - 2), CRITICAL],
       kind="exists", budget=4.0,
       notes="Saturating activations (tanh, ...) often send descent toward minima at infinity, where the "
             "Hessian degenerates; sin (continuous, as Prop 5.13 allows) keeps minima finite.  Non-global is "
             "certified by a point of strictly lower loss found by multi-start descent.",
       strategy=critical_points(problems(n=st.integers(4, 8), regime="narrow", d_in=st.integers(1, 3),
                                         d_out=st.just(1), depth=st.just(1),
                                         activation=st.sampled_from(("sin", "tanh"))), ("descent",)))
def narrow_strict_minimum(inst) -> Evidence:
    """Witness for the necessity of 'width > n' in Proposition 5.13: a critical point p of a narrow net with
    L(p) > 1e-8 (1 + sum ||y||^2) and Hess L(p) positive definite by the gap rule (an isolated local minimum),
    and a point q with L(q) < L(p) (so p is not a global minimum)."""
    ev = _spurious_minimum_margin(inst, strict=True)
    if ev.margin < 0:
        return ev
    lower = _lower_point(inst)
    if lower is None:
        return Evidence(-1.0, ev.detail + "; no point of lower loss found: global minimum?", ev.values)
    return Evidence(ev.margin, ev.detail + f"; a point with L = {lower[0]:.4g} < L(p) = "
                    f"{inst.problem.loss(inst.theta):.4g} exists", {**ev.values, "lower_theta": lower[1]})


@claim("conjectures/wide-psd-nonglobal", paper=COOPER2020, theorem="Section 5 (open question)",
       statement="Very wide nets (d_H >= n) have critical points with L > 0 and positive semidefinite Hessian "
                 "(second-order candidates for non-strict spurious minima), so Prop 5.13 is not vacuous.",
       hypotheses=[Assumption("d_H >= n", lambda i: i.arch.last_hidden >= i.n), CRITICAL], kind="exists",
       strategy=critical_points(problems(n=st.integers(3, 6), regime="very_wide", d_in=st.integers(1, 2),
                                         depth=st.just(1), extra=st.integers(0, 2),
                                         activation=st.sampled_from(acts.COOPER_ACTIVATIONS)), ("split",)))
def wide_psd_nonglobal(inst) -> Evidence:
    """Witness: a split point of a very wide net (critical by construction, Prop 5.13 generator) with
    L(p) > 1e-8 (1 + sum ||y||^2) and no negative Hessian eigenvalue (gap rule)."""
    return _spurious_minimum_margin(inst, strict=False)
