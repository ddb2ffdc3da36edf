"""The runner: each claim becomes a Hypothesis property, driven toward violations with ``target()``.

forall claims: the property "margin >= 0" is searched for a failure; Hypothesis shrinks the first violation
to a minimal counterexample, which is then re-verified (:mod:`harness.certify`).  exists claims: the negation
"margin < 0" is run as a forall property, so that a witness is a failure Hypothesis shrinks.  Inconclusive
examples (no spectral gap, ...) are counted with their reasons, never passed or failed silently.  Every
finding is written to disk the moment it is known, before shrinking ends.
"""
from __future__ import annotations

import json
import math
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from hypothesis import given, seed as hyp_seed, target
from hypothesis.database import DirectoryBasedExampleDatabase

from harness import profiles as profiles_mod
from harness.certify import certify
from harness.claims import Claim
from harness.evidence import Evidence, Inconclusive
from harness.instance import describe, instance_to_dict
from harness.results import ClaimResult, Finding
from harness.timeouts import ExampleTimeout, time_limit

#: A claim whose decided examples are fewer than this share of all examples is "inconclusive".
MIN_DECIDED_SHARE = 0.5


class Found(Exception):
    """Raised inside the property on a violation (forall) or a witness (exists), so Hypothesis shrinks it."""

    def __init__(self, instance, evidence: Evidence):
        super().__init__(evidence.detail)
        self.instance, self.evidence = instance, evidence


class NonFiniteMargin(Exception):
    pass


class BudgetSpent(BaseException):
    """The claim's wall-clock budget is spent: stop searching, keep what was found."""


@dataclass
class _Stats:
    examples: int = 0
    inconclusive: int = 0
    closest: float = math.inf  # smallest margin toward the finding (forall: margin, exists: -margin)
    reasons: Counter = field(default_factory=Counter)
    last_found: Found | None = None


def _reason(e: Inconclusive) -> str:
    """A short key for counting inconclusive examples: the message up to its first colon, except that an
    unmet hypothesis keeps its name."""
    text = str(e)
    if text.startswith("hypothesis not met"):
        return text[:100]
    return text.split(":")[0][:80]


def _safe_name(claim_id: str) -> str:
    return claim_id.replace("/", "__").replace(" ", "_")


def write_finding(out_dir: Path | None, claim: Claim, finding: Finding) -> str:
    """Write one finding as a replay file; returns its path ("" when there is no output folder)."""
    if out_dir is None:
        return ""
    path = _finding_path(out_dir, claim, finding)
    path.parent.mkdir(parents=True, exist_ok=True)
    finding.replay_file = str(path)
    payload = {"claim_id": claim.id, "theorem": claim.theorem, "statement": claim.statement,
               **finding.__dict__}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str))
    tmp.replace(path)
    return str(path)


def _finding_path(out_dir: Path, claim: Claim, finding: Finding) -> Path:
    """counterexamples/ or witnesses/, and refuted/ for a float64 finding that mpmath did not confirm."""
    folder = "refuted" if finding.certification == "refuted" else (
        "counterexamples" if finding.kind == "counterexample" else "witnesses")
    return Path(out_dir) / folder / f"{_safe_name(claim.id)}.json"


def _finding(claim: Claim, found: Found, minimised: bool) -> Finding:
    return Finding(
        kind="counterexample" if claim.kind == "forall" else "witness",
        instance=instance_to_dict(found.instance),
        description=describe(found.instance),
        evidence=found.evidence.to_dict(),
        minimised=minimised,
    )


def evaluate(claim: Claim, instance) -> Evidence:
    """Run a claim's check on one instance, insisting on an Evidence with a finite margin."""
    ev = claim.check(instance)
    if not isinstance(ev, Evidence):
        raise TypeError(f"check of {claim.id} returned {type(ev).__name__}, expected Evidence")
    if ev.margin is None or not math.isfinite(float(ev.margin)):
        raise NonFiniteMargin(f"check of {claim.id} returned a non-finite margin ({ev.margin}): {ev.detail}")
    return ev


def run_claim(claim: Claim, profile: str | profiles_mod.Profile = "ci", *, seed: int | None = None,
              out_dir: str | Path | None = None, strategy=None,
              on_example: Callable[[Claim, int], None] | None = None) -> ClaimResult:
    """Search one claim and return its verdict.  ``strategy`` overrides the claim's (used by ablation)."""
    prof = profiles_mod.get(profile) if isinstance(profile, str) else profile
    out_dir = Path(out_dir) if out_dir else None
    if claim.kind == "proportion":  # a sampled / enumerated fraction with Clopper-Pearson bounds
        from harness.proportion import run_proportion

        return run_proportion(claim, prof, seed=seed, out_dir=out_dir, strategy=strategy, on_example=on_example)
    stats = _Stats()
    started = time.monotonic()
    forall = claim.kind == "forall"

    def examine(instance) -> Evidence | None:
        """The check on one instance; None (and counted) when inconclusive."""
        try:
            unmet = claim.violated_hypotheses(instance)
            if unmet:  # the strategy produced an instance outside the theorem: not evidence either way
                raise Inconclusive(f"hypothesis not met: {unmet[0]}")
            return evaluate(claim, instance)
        except Inconclusive as e:
            stats.inconclusive += 1
            stats.reasons[_reason(e)] += 1
            return None

    def observe(instance) -> Evidence | None:
        """Check one instance within the time limits and count it; None when inconclusive."""
        left = prof.claim_seconds - (time.monotonic() - started)
        if left <= 0:
            raise BudgetSpent()
        try:
            with time_limit(min(prof.example_seconds, left)):
                ev = examine(instance)
        except ExampleTimeout:
            if left < prof.example_seconds:  # the claim's budget ran out, not the example's
                raise BudgetSpent() from None
            raise
        stats.examples += 1
        if on_example:
            on_example(claim, stats.examples)
        if ev is not None:
            stats.closest = min(stats.closest, ev.margin if forall else -ev.margin)
        return ev

    def keep(instance, ev: Evidence | None) -> None:
        """Raise Found for a violation (forall) or a witness (exists), persisting the first one at once."""
        if ev is None or (ev.margin < 0) != forall:
            return
        found = Found(instance, ev)
        if stats.last_found is None:  # nothing found is lost, even if shrinking never ends
            write_finding(out_dir, claim, _finding(claim, found, minimised=False))
        stats.last_found = found
        raise found

    def prop(instance):
        ev = observe(instance)
        if ev is not None:
            target(-ev.margin if forall else ev.margin, label="margin")
        keep(instance, ev)

    def explicit_examples():
        """The claim's explicit instances, tried only after the search found nothing, so that the report
        can tell a finding of the search from one at an instance the claims file names."""
        for make in claim.examples if strategy is None else ():
            instance = make()
            keep(instance, observe(instance))

    prop.__name__ = "claim_" + "".join(ch if ch.isalnum() else "_" for ch in claim.id)
    prop._hypothesis_internal_add_digest = claim.id.encode()  # one database key per claim
    database = DirectoryBasedExampleDatabase(str(out_dir / ".hypothesis")) if out_dir else None
    test = given(strategy if strategy is not None else claim.strategy)(prop)
    test = prof.settings(claim.budget, database, seeded=seed is not None)(test)
    if seed is not None:
        test = hyp_seed(seed)(test)

    result = ClaimResult.of(claim, "survived")
    found, minimised, searched = None, True, False
    try:
        test()
        searched = True
        explicit_examples()
    except Found as f:
        found = f
        if searched:
            minimised = False
            result.message = "found at an explicit example of the claim, after the search found none"
    except BudgetSpent:
        found, minimised = stats.last_found, False
        result.message = f"claim budget of {prof.claim_seconds:g} s spent after {stats.examples} examples"
    except ExampleTimeout as e:
        result.verdict, result.message = "timeout", f"{e}; {stats.examples} examples completed before"
        found, minimised = stats.last_found, False
    except Exception as e:  # the check raised, or returned NaN: an error verdict, the run goes on
        result.verdict = "error"
        result.message = f"{type(e).__name__}: {e}\n" + "".join(traceback.format_exception(e)[-6:])

    result.examples, result.inconclusive = stats.examples, stats.inconclusive
    result.min_margin = stats.closest if forall else -stats.closest
    result.inconclusive_reasons = dict(stats.reasons)
    if found is not None and result.verdict != "error":
        _report_found(claim, found, minimised, result, out_dir)
    elif result.verdict == "survived":
        decided = stats.examples - stats.inconclusive
        if stats.examples == 0 or decided < MIN_DECIDED_SHARE * stats.examples:
            result.verdict = "inconclusive"
            result.message = (f"only {decided} of {stats.examples} examples decided; "
                              + ", ".join(f"{k} ({v})" for k, v in stats.reasons.most_common(3)))
        elif not forall:
            result.verdict = "no witness"
    result.seconds = time.monotonic() - started
    return result


#: Findings on networks with at most this many parameters get a plot of their Hessian spectrum.
MAX_PLOT_PARAMS = 400


def _spectrum_plot(out_dir, claim: Claim, finding: Finding, instance) -> str:
    """Plot the Hessian spectrum at a finding's point (matplotlib); returns its path relative to out_dir."""
    problem = getattr(instance, "problem", None)
    if out_dir is None or problem is None or problem.n_params > MAX_PLOT_PARAMS:
        return ""
    from reports.plots import plot_spectrum

    folder = "counterexamples" if finding.kind == "counterexample" else "witnesses"
    rel = f"{folder}/{_safe_name(claim.id)}.spectrum.png"
    try:
        eig = problem.hessian_eigenvalues(instance.theta)
        plot_spectrum(eig, Path(out_dir) / rel, f"{claim.id}: Hessian spectrum at the {finding.kind}")
    except Exception:  # a plot is a courtesy; never lose a finding over it
        return ""
    return rel


def _report_found(claim: Claim, found: Found, minimised: bool, result: ClaimResult, out_dir) -> None:
    cert = certify(claim, found.instance, claim.kind)
    finding = _finding(claim, found, minimised)
    finding.certification, finding.certification_detail = cert.status, cert.detail
    if cert.status == "refuted":  # not a counterexample: move the provisional file out of counterexamples/
        if out_dir is not None:
            _finding_path(out_dir, claim, _finding(claim, found, minimised)).unlink(missing_ok=True)
        refuted_file = write_finding(out_dir, claim, finding)
        result.verdict = "inconclusive"
        result.message = (f"a float64 finding did not survive re-verification: {cert.detail}"
                          + (f" (kept in {refuted_file})" if refuted_file else ""))
        result.inconclusive += 1
        return
    finding.spectrum_plot = _spectrum_plot(out_dir, claim, finding, found.instance)
    write_finding(out_dir, claim, finding)
    if result.verdict != "timeout":
        result.verdict = "falsified" if claim.kind == "forall" else "witnessed"
    result.finding = finding
