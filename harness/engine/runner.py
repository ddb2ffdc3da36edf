"""The runner: each claim becomes a Hypothesis property, driven toward violations with ``target()``.

forall claims: the property "margin >= 0" is searched for a failure; Hypothesis shrinks the first violation
to a minimal counterexample, which is then re-verified (:mod:`harness.engine.certify`).  exists claims: the negation
"margin < 0" is run as a forall property, so that a witness is a failure Hypothesis shrinks.  Inconclusive
examples (no spectral gap, ...) are counted with their reasons, never passed or failed silently.  Every
finding is written to disk the moment it is known, before shrinking ends.
"""
from __future__ import annotations

import contextlib
import json
import math
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from hypothesis import given, seed as hyp_seed, target
from hypothesis.errors import Unsatisfiable
from hypothesis.database import DirectoryBasedExampleDatabase

from harness.core import profiles as profiles_mod
from harness.engine.certify import certify
from harness.core.claims import Claim
from harness.core.evidence import Evidence, Inconclusive
from harness.core.instances import describe, instance_to_dict
from harness.core.results import ClaimResult, Finding
from harness.engine.timeouts import ExampleTimeout, time_limit

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
    enumerated: int = 0  # examples of the small-scope enumeration phase
    last_score: float = math.inf  # the latest decided example's margin toward the finding (smaller: closer)
    first_found: tuple | None = None  # (examples, seconds) when the first finding was seen
    in_enumeration: bool = False
    #: Enumerated configurations whose instance fell outside the theorem's hypotheses: exploring the discrete
    #: space meets them by design, so they do not count against the decided share (they stay in the reasons).
    outside_enumerated: int = 0
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
        from harness.statistics.proportion import run_proportion

        return run_proportion(claim, prof, seed=seed, out_dir=out_dir, strategy=strategy, on_example=on_example)
    stats = _Stats()
    started = time.monotonic()
    forall = claim.kind == "forall"

    def examine(instance) -> Evidence | None:
        """The check on one instance; None (and counted) when inconclusive."""
        try:
            unmet = claim.violated_hypotheses(instance)
            if unmet:  # the strategy produced an instance outside the theorem: not evidence either way
                stats.outside_enumerated += stats.in_enumeration
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
            stats.last_score = ev.margin if forall else -ev.margin
            stats.closest = min(stats.closest, stats.last_score)
        return ev

    def keep(instance, ev: Evidence | None) -> None:
        """Raise Found for a violation (forall) or a witness (exists), persisting the first one at once."""
        if ev is None or (ev.margin < 0) != forall:
            return
        found = Found(instance, ev)
        if stats.last_found is None:  # nothing found is lost, even if shrinking never ends
            stats.first_found = (stats.examples, time.monotonic() - started)
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
    search_strategy = strategy if strategy is not None else claim.strategy
    total = prof.examples(claim.budget)
    result = ClaimResult.of(claim, "survived")
    found, minimised, phase = None, True, "search"
    enumerated = int(total * prof.enumerate_share)
    phase_seed = _phase_seed(prof, seed)  # one seed for the enumeration and the search's second part
    head = min(max(3, total // 10), total - enumerated) if enumerated else total

    def random_phase(n: int, part: int):
        """Hypothesis' own search for n examples; part 0 is the run's first examples (as without enumeration),
        part 1 continues with another (derived, reproducible) seed so that it does not replay part 0."""
        test = given(search_strategy)(prop)
        if part == 0:
            test = prof.settings(claim.budget, database, seeded=seed is not None, max_examples=n)(test)
            if seed is not None:
                test = hyp_seed(seed)(test)
        else:
            test = prof.settings(claim.budget, database, seeded=True, max_examples=n)(test)
            test = hyp_seed(phase_seed * 1_000_003 + 17)(test)
        test()

    try:
        # a short head of Hypothesis' search (what it finds at once stays as fast as without enumeration),
        # then the small-scope enumeration, then the rest of the search
        random_phase(head, 0)
        if enumerated:
            phase = "enumeration"
            enumerate_small_scope(search_strategy, prop, stats, enumerated, phase_seed)
            phase = "search"
            if total - head - stats.enumerated > 0:
                random_phase(total - head - stats.enumerated, 1)
        phase = "explicit"
        explicit_examples()
    except Found as f:
        found = f
        result.found_in = phase
        if phase == "explicit":
            minimised = False
            result.message = "found at an explicit example of the claim, after the search found none"
        elif phase == "enumeration":
            result.message = "found by small-scope enumeration of the discrete dimensions"
    except BudgetSpent:
        found, minimised = stats.last_found, False
        result.message = f"claim budget of {prof.claim_seconds:g} s spent after {stats.examples} examples"
    except ExampleTimeout as e:
        result.verdict, result.message = "timeout", f"{e}; {stats.examples} examples completed before"
        found, minimised = stats.last_found, False
    except Exception as e:  # the check raised, or returned NaN: an error verdict, the run goes on
        result.verdict = "error"
        result.message = f"{type(e).__name__}: {e}\n" + "".join(traceback.format_exception(e)[-6:])

    result.examples, result.inconclusive, result.enumerated = stats.examples, stats.inconclusive, stats.enumerated
    result.outside_enumerated = stats.outside_enumerated
    if stats.first_found is not None:
        result.first_found_examples, result.first_found_seconds = stats.first_found
    result.min_margin = stats.closest if forall else -stats.closest
    result.inconclusive_reasons = dict(stats.reasons)
    if found is not None and result.verdict != "error":
        _report_found(claim, found, minimised, result, out_dir)
    elif result.verdict == "survived":
        decided = stats.examples - stats.inconclusive
        considered = stats.examples - stats.outside_enumerated
        if stats.examples == 0 or decided < MIN_DECIDED_SHARE * considered:
            result.verdict = "inconclusive"
            result.message = (f"only {decided} of {considered} examples decided; "
                              + ", ".join(f"{k} ({v})" for k, v in stats.reasons.most_common(3)))
        elif not forall:
            result.verdict = "no witness"
    result.seconds = time.monotonic() - started
    return result


#: Draws of one enumerated configuration that may fail the strategy's filters before it is skipped.
MAX_ATTEMPTS_PER_CONFIGURATION = 12


@contextlib.contextmanager
def _few_invalid_draws(n: int):
    """Let Hypothesis give up on a configuration after about ``n`` draws rejected by filters or assume()
    (instead of ~460): an infeasible pinned configuration (e.g. the core locus at depth 1) then costs a few
    draws.  This sets an internal constant of Hypothesis' engine (versions are pinned in constraints.txt); if
    it is absent the default threshold applies, which is slower but equally correct."""
    try:
        from hypothesis.internal.conjecture import engine
    except ImportError:  # pragma: no cover
        yield
        return
    if not hasattr(engine, "INVALID_THRESHOLD_BASE"):
        yield
        return
    old = engine.INVALID_THRESHOLD_BASE
    engine.INVALID_THRESHOLD_BASE = n
    try:
        yield
    finally:
        engine.INVALID_THRESHOLD_BASE = old


def _phase_seed(prof, seed: int | None) -> int:
    """The enumeration phase's seed: the run's seed, 0 in a derandomised profile, random otherwise."""
    if seed is not None:
        return int(seed)
    if prof.derandomize:
        return 0
    import random

    return random.randrange(2**31)


def enumerate_small_scope(strategy, prop, stats: _Stats, budget: int, seed: int) -> None:
    """Small-scope phase: the strategy's discrete dimensions (declared with ``strategies.discrete.dimension``)
    are pinned to each configuration in increasing size, then in a margin-guided order
    (:class:`harness.engine.enumeration.Enumerator`), and Hypothesis draws the rest: one example per configuration,
    shrunk as usual if it is a finding (pins stay fixed while shrinking, so the minimised instance keeps its
    small configuration).  The examples spent are counted in ``stats.enumerated``; a finding propagates as
    :class:`Found`.  A configuration whose draws keep failing the strategy's filters is skipped.  Strategies
    that declare no dimension cost one ordinary example."""
    from harness.engine.enumeration import Enumerator

    if budget <= 0:
        return
    stats.in_enumeration = True
    try:
        _enumerate(strategy, prop, stats, budget, seed, Enumerator(seed=seed, small_scope=max(1, budget // 3)))
    finally:
        stats.in_enumeration = False


def _enumerate(strategy, prop, stats: _Stats, budget: int, seed: int, enum) -> None:
    """The loop of :func:`enumerate_small_scope`: one Hypothesis run of one example per configuration."""
    from hypothesis import HealthCheck, Phase, settings

    from harness.engine.discrete import new_instance, pinned, recording

    spent, config = 0, {}
    sub_settings = settings(max_examples=1, database=None, deadline=None, derandomize=False, print_blob=False,
                            report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
                            phases=[Phase.generate, Phase.shrink])
    while config is not None and spent < budget:
        before, stats.last_score = stats.examples, math.inf
        stats.enumerated = spent + 1  # this configuration's example, should it be a finding
        test = hyp_seed(seed * 7919 + spent)(sub_settings(given(strategy)(prop)))
        with recording() as log, pinned(config), _few_invalid_draws(MAX_ATTEMPTS_PER_CONFIGURATION):
            new_instance(log)
            try:
                test()
            except Unsatisfiable:  # no instance has this configuration: its reads mark the class covered
                pass
        enum.learn(log["values"], log["read"], stats.last_score)
        spent += max(1, stats.examples - before)
        stats.enumerated = spent
        if not enum.values:  # nothing to enumerate: the random phase does the rest
            break
        config = enum.next()


#: Findings on networks with at most this many parameters carry their Hessian spectrum (the reports plot it).
MAX_SPECTRUM_PARAMS = 400


def _spectrum(instance) -> list | None:
    """The Hessian eigenvalues at a finding's point, or None (no problem, too large, or not computable)."""
    problem = getattr(instance, "problem", None)
    if problem is None or getattr(problem, "n_params", MAX_SPECTRUM_PARAMS + 1) > MAX_SPECTRUM_PARAMS:
        return None
    try:
        return [float(x) for x in problem.hessian_eigenvalues(instance.theta)]
    except Exception:  # a plot is a courtesy; never lose a finding over it
        return None


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
    finding.spectrum = _spectrum(found.instance)
    write_finding(out_dir, claim, finding)
    if result.verdict != "timeout":
        result.verdict = "falsified" if claim.kind == "forall" else "witnessed"
    result.finding = finding
