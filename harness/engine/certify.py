"""Re-verification of a violation (or witness) before it is reported.

The minimised instance is checked again with every decisive quantity (loss, gradient, Hessian and its
eigenvalues, Jacobian, features) recomputed in mpmath with 50 significant digits (:mod:`harness.models.mlp_precise`).
The finding is ``certified`` when it persists there, ``refuted`` when it vanishes (a float64 artefact; it is
then not reported as a counterexample), and ``numerical`` when the instance is too large for mpmath or has no
high-precision backend.  Claims whose checks are exact (integer bookkeeping, or rational arithmetic with
python-flint: linear networks, polynomial losses) are labelled ``exact``, the highest level.
"""
from __future__ import annotations

from dataclasses import dataclass

from harness.core.evidence import Inconclusive
from harness.numerics.precision import precise_backend

DIGITS = 50


@dataclass
class Certificate:
    status: str  # exact | certified | numerical | refuted
    detail: str
    margin: float | None = None


def certify(claim, instance, kind: str) -> Certificate:
    from harness.models.mlp_precise import MAX_PRECISE_PARAMS

    if getattr(claim, "exact", False):
        return Certificate("exact", "exact arithmetic (integers, or rationals with python-flint): no rounding "
                                    "involved, the finding is a proof")
    problem = getattr(instance, "problem", None)
    if problem is None:
        return Certificate("numerical", "no high-precision backend for this kind of instance")
    if not getattr(problem, "supports_precise", True):
        return Certificate("numerical", f"no high-precision backend for {type(problem).__name__} with this loss")
    if problem.n_params > MAX_PRECISE_PARAMS:
        return Certificate("numerical", f"N = {problem.n_params} > {MAX_PRECISE_PARAMS}: too large for mpmath")
    instance, refined_note = _newton_refined(claim, instance)
    reseed_note = _reseeded(claim, instance, kind)
    try:
        with precise_backend(DIGITS):
            ev = claim.check(instance)
    except Inconclusive as e:
        return Certificate("numerical", f"mpmath re-check inconclusive: {e}")
    except Exception as e:  # the finding stands in float64; say why it could not be certified
        return Certificate("numerical", f"mpmath re-check raised {type(e).__name__}: {e}")
    persists = ev.margin < 0 if kind == "forall" else ev.margin >= 0
    what = "violation" if kind == "forall" else "witness"
    if persists and reseed_note.startswith("does not"):
        return Certificate("numerical", f"{what} persists{refined_note} with mpmath at {DIGITS} digits but "
                           f"{reseed_note}: {ev.detail}", ev.margin)
    if persists:
        return Certificate("certified", f"{what} persists{refined_note} with mpmath at {DIGITS} digits"
                           f"{' and ' + reseed_note if reseed_note else ''}: {ev.detail}", ev.margin)
    return Certificate("refuted", f"{what} vanishes{refined_note} with mpmath at {DIGITS} digits: {ev.detail}",
                       ev.margin)


#: Sources whose points are critical only to the accuracy of an optimiser: refine them before certifying.
REFINABLE = ("optimised", "split", "global-min")


def _newton_refined(claim, instance):
    """For a critical point found numerically, Newton-refine it once more (float64) before the mpmath
    re-check, so that the certificate speaks of the critical point and not of the optimiser's last iterate.
    Exact locus points are left alone (their constrained coordinates are exact); a refined point that no
    longer meets the claim's hypotheses is not used."""
    source = getattr(instance, "source", "")
    if not source.startswith(REFINABLE):
        return instance, ""
    from harness.numerics.optimise import newton_refine

    r = newton_refine(instance.problem, instance.theta)
    if not r.refined:
        return instance, ""
    refined = instance.with_theta(r.theta, refined=True, grad_rel=r.grad_rel)
    try:
        if claim.violated_hypotheses(refined):
            return instance, ""
    except Inconclusive:
        return instance, ""
    return refined, " after Newton refinement"


#: Re-derivation of a point with other free coordinates, by point source: ``fn(instance, seed) -> instance``.
#: Strategies register theirs (e.g. the star and core loci: same K, new random free coordinates), so that a
#: finding on a locus is checked to be a property of the locus and not of one draw (cooper2020.md, rule 2).
REDERIVE: dict = {}

RESEED = 20260101


def _reseeded(claim, instance, kind: str) -> str:
    """'' when the point has no re-derivation; otherwise whether the finding reproduces after re-seeding."""
    rederive = REDERIVE.get(getattr(instance, "source", ""))
    if rederive is None:
        return ""
    try:
        ev = claim.check(rederive(instance, RESEED))
    except Inconclusive:
        return "does not re-decide after re-seeding the free coordinates (inconclusive)"
    if (ev.margin < 0) == (kind == "forall"):
        return "reproduces after re-seeding the free coordinates"
    return "does not reproduce after re-seeding the free coordinates"
