"""Proportion claims: "at least a 1 - eps fraction of <a measure> has property P".

The measure is part of the statement (uniform over all activation patterns, uniform over the non-empty
regions, the volume induced by random parameters: three different claims), so instances come from the claim's
explicit ``sampler(rng, cell, size)`` (a numpy Generator), never from Hypothesis' deliberately non-uniform
distributions.  Each *cell* (a setting the statement quantifies over, e.g. (d_0, n, d_1, eps)) is tested on its
own; an instance *fails* when the claim's check returns a negative margin.

Verdict per cell, from the failure count f among m draws:

* **exhaustive** when ``population(cell)`` is given and has at most ``EXHAUSTIVE_PER_EXAMPLE x max_examples``
  members: the failure fraction is exact, survived iff f / N <= eps, falsified otherwise;
* **sampled** otherwise, sequentially in doubling batches until decided or the sample budget is spent:
  falsified when the Clopper-Pearson lower bound of the failure rate exceeds eps, survived when its upper bound
  is below eps, inconclusive otherwise.  Examples the check cannot decide count as failures for the upper bound
  and as successes for the lower bound (conservative both ways).

The claim's hypotheses are checked on every drawn or enumerated instance; one outside the theorem is undecidable
(counted as above, under its reason), never evidence.

Sequential looks are corrected by a Bonferroni split: with K looks planned per cell and C cells, every interval
is a two-sided Clopper-Pearson interval at level 1 - alpha / (K C), alpha = 1 - ``claim.confidence``; so the
probability that any cell of the claim is decided wrongly is at most alpha.

The report shows, per cell, the estimate, its interval, eps and the verdict, and one failing instance: the
search then looks for a failing instance with the claim's Hypothesis strategy (which shrinks it); when that finds
none, the first failing draw of the sampler is shown unminimised.
"""
from __future__ import annotations

import hashlib
import math
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

from harness.core.evidence import Inconclusive
from harness.core.instances import describe, instance_to_dict
from harness.core.results import ClaimResult, summed_counts

#: Samples per cell = SAMPLES_PER_EXAMPLE x the profile's max_examples x the claim's budget.
SAMPLES_PER_EXAMPLE = 40
#: A population is enumerated when it has at most EXHAUSTIVE_PER_EXAMPLE x max_examples members.
EXHAUSTIVE_PER_EXAMPLE = 200
#: The first batch of a cell; later batches double.
FIRST_BATCH = 64
#: Kept for callers that pass it to :func:`_margins` (harness.engine.proportion_units); the hypotheses are checked on
#: every instance whatever it says (a sample of them would let draws outside the theorem count as evidence).
HYPOTHESIS_CHECKS = 8
#: A cell with more than this share of undecidable instances is inconclusive, whatever the bounds say.
MAX_INCONCLUSIVE_SHARE = 0.5


def clopper_pearson(k: int, m: int, level: float) -> tuple[float, float]:
    """Two-sided Clopper-Pearson interval for k successes in m trials at confidence ``level``."""
    from scipy.stats import beta

    if m == 0:
        return 0.0, 1.0
    a = 1.0 - level
    lo = 0.0 if k == 0 else float(beta.ppf(a / 2, k, m - k + 1))
    hi = 1.0 if k == m else float(beta.ppf(1 - a / 2, k + 1, m - k))
    return lo, hi


def planned_looks(max_samples: int, first: int = FIRST_BATCH) -> list[int]:
    """Cumulative sample counts at which a cell is looked at: first, 2 first, 4 first, ..., max_samples."""
    looks, m = [], min(first, max_samples)
    while m < max_samples:
        looks.append(m)
        m *= 2
    looks.append(max_samples)
    return looks


def cell_name(cell: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in cell.items()) or "(single setting)"


@dataclass
class CellResult:
    cell: dict
    eps: float
    mode: str = "sampled"  # sampled | exhaustive
    trials: int = 0
    failures: int = 0
    inconclusive: int = 0
    estimate: float = math.nan
    ci_low: float = 0.0
    ci_high: float = 1.0
    level: float = 1.0
    verdict: str = "inconclusive"
    reason: str = ""
    margin: float = math.nan  # eps - ci_high (survived/inconclusive) or eps - ci_low (falsified)
    reasons: dict = field(default_factory=dict)
    note: str = ""  # how the cell was run (e.g. sampled because the population is too large)

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["cell"] = cell_name(self.cell)
        d["params"] = {k: (v if isinstance(v, (int, float, str, bool)) else str(v)) for k, v in self.cell.items()}
        return d


def _seed_for(claim, seed, derandomize: bool) -> int:
    if seed is not None:
        return int(seed)
    if derandomize:
        return int.from_bytes(hashlib.sha256(claim.id.encode()).digest()[:8], "little")
    return int(np.random.SeedSequence().entropy % 2**63)


def _margins(claim, instances, stats: CellResult, check_hyp: int | None = None) -> list[float | None]:
    """Margins of the instances (None: undecidable or outside the theorem).

    The hypotheses are checked on **every** instance: one that violates a hypothesis (or whose hypothesis cannot
    be decided) is undecidable, counted under its reason, and never reaches the check.  ``check_hyp`` is ignored;
    it remains in the signature for callers written when only a sample of each first batch was checked."""
    from harness.engine.runner import evaluate

    out: list[float | None] = [None] * len(instances)
    ok = []
    for i, inst in enumerate(instances):
        try:
            unmet = claim.violated_hypotheses(inst)
        except Inconclusive as e:
            unmet = [f"undecidable ({e})"]
        if unmet:
            key = f"hypothesis not met: {unmet[0]}"[:100]
            stats.reasons[key] = stats.reasons.get(key, 0) + 1
        else:
            ok.append(i)
    if claim.batch_check is not None:
        todo = [instances[i] for i in ok]
        ms = np.asarray(claim.batch_check(todo), dtype=float) if todo else np.zeros(0)
        for i, m in zip(ok, ms):
            if math.isfinite(m):
                out[i] = float(m)
            else:
                stats.reasons["batch check undecided"] = stats.reasons.get("batch check undecided", 0) + 1
        return out
    for i in ok:
        try:
            out[i] = evaluate(claim, instances[i]).margin
        except Inconclusive as e:
            key = str(e).split(":")[0][:80]
            stats.reasons[key] = stats.reasons.get(key, 0) + 1
    return out


def _tally(stats: CellResult, instances, margins) -> tuple | None:
    """Add one batch to the cell's counts (trials, undecidable, failures); returns the batch's first failing
    instance as (instance, margin, failures so far, trials so far), or None."""
    first = None
    for inst, m in zip(instances, margins):
        stats.trials += 1
        if m is None:
            stats.inconclusive += 1
        elif m < 0:
            stats.failures += 1
            if first is None:
                first = (inst, m, stats.failures, stats.trials)
    return first


def _population_size(pop) -> int:
    """Members of a population (``.size`` when given: ``len`` cannot exceed sys.maxsize)."""
    if pop is None:
        return 0
    size = getattr(pop, "size", None)
    return int(size) if size is not None else len(pop)


def _decide(stats: CellResult, level: float, final: bool) -> bool:
    """Update bounds and verdict of a sampled cell; True when decided."""
    m, f, u = stats.trials, stats.failures, stats.inconclusive
    stats.level = level
    stats.estimate = f / max(1, m - u) if m > u else math.nan
    lo, _ = clopper_pearson(f, m, level)
    _, hi = clopper_pearson(f + u, m, level)
    stats.ci_low, stats.ci_high = lo, hi
    if u > MAX_INCONCLUSIVE_SHARE * max(m, 1):
        stats.verdict, stats.margin = "inconclusive", stats.eps - hi
        stats.reason = f"{u} of {m} instances undecidable"
        return final
    if lo > stats.eps:
        stats.verdict, stats.margin = "falsified", stats.eps - lo
        stats.reason = f"Clopper-Pearson lower bound {lo:.4g} > eps = {stats.eps:g}"
        return True
    if hi < stats.eps:
        stats.verdict, stats.margin = "survived", stats.eps - hi
        stats.reason = f"Clopper-Pearson upper bound {hi:.4g} < eps = {stats.eps:g}"
        return True
    stats.verdict, stats.margin = "inconclusive", stats.eps - hi
    stats.reason = f"interval [{lo:.4g}, {hi:.4g}] contains eps = {stats.eps:g} after {m} samples"
    return False


def run_proportion(claim, prof, *, seed=None, out_dir=None, strategy=None, on_example=None) -> ClaimResult:
    """Decide a proportion claim (see the module docstring).  ``strategy``: for an ablation, a sampler of the
    same signature as ``claim.sampler`` drawing instances that violate one hypothesis (then nothing is
    enumerated)."""
    started = time.monotonic()
    result = ClaimResult.of(claim, "survived")
    sampler = claim.sampler
    population = claim.population
    if strategy is not None:
        if not callable(strategy) or hasattr(strategy, "example"):
            raise TypeError(f"{claim.id}: a proportion claim's ablation needs a sampler (rng, cell, size), "
                            f"not a Hypothesis strategy")
        sampler, population = strategy, None
    max_samples = max(FIRST_BATCH, int(round(prof.max_examples * claim.budget * SAMPLES_PER_EXAMPLE)))
    max_population = EXHAUSTIVE_PER_EXAMPLE * prof.max_examples
    looks = planned_looks(max_samples)
    alpha = 1.0 - claim.confidence
    level = 1.0 - alpha / (len(looks) * len(claim.cells))
    base_seed = _seed_for(claim, seed, prof.derandomize)
    cells: list[CellResult] = []
    first_failure = None  # (instance, margin, cell)
    examples = 0
    budget_note = ""
    try:
        for ci, cell in enumerate(claim.cells):
            stats = CellResult(cell=dict(cell), eps=float(cell.get("eps", claim.eps)))
            cells.append(stats)
            if time.monotonic() - started > prof.claim_seconds:
                stats.reason = "not run: the claim's time budget was spent on earlier cells"
                budget_note = budget_note or f"time budget of {prof.claim_seconds:g} s spent"
                continue
            pop = population(cell) if population is not None else None
            size = _population_size(pop)
            if pop is not None and size <= max_population:
                stats.mode = "exhaustive"
                members = list(pop)
                ff = _tally(stats, members, _margins(claim, members, stats))
                if ff is not None and first_failure is None:
                    first_failure = (ff[0], ff[1], cell)
                examples += stats.trials
                N, f, u = stats.trials, stats.failures, stats.inconclusive
                stats.estimate = f / N
                stats.ci_low, stats.ci_high, stats.level = f / N, (f + u) / N, 1.0
                if f / N > stats.eps:
                    stats.verdict, stats.margin = "falsified", stats.eps - f / N
                    stats.reason = f"exact: {f} of {N} fail, {f / N:.4g} > eps = {stats.eps:g}"
                elif (f + u) / N <= stats.eps:
                    stats.verdict, stats.margin = "survived", stats.eps - (f + u) / N
                    stats.reason = f"exact: {f} of {N} fail, {f / N:.4g} <= eps = {stats.eps:g}"
                else:
                    stats.verdict, stats.margin = "inconclusive", stats.eps - (f + u) / N
                    stats.reason = f"exact count, but {u} of {N} members undecidable"
                if on_example:
                    on_example(claim, examples)
                continue
            if sampler is None:
                stats.reason = (f"population of {size} exceeds the enumeration limit {max_population} of "
                                f"profile {prof.name!r} and the claim has no sampler")
                continue
            if pop is not None:
                stats.note = f"population of {size} too large to enumerate ({max_population} max): sampled"
            rng = np.random.default_rng(np.random.SeedSequence([base_seed, ci]))
            for k, target_m in enumerate(looks):
                if time.monotonic() - started > prof.claim_seconds:
                    budget_note = f"time budget of {prof.claim_seconds:g} s spent; the undecided cells show what fits"
                    stats.reason = f"time budget spent after {stats.trials} samples; " + stats.reason
                    break
                batch = sampler(rng, cell, target_m - stats.trials)
                ff = _tally(stats, batch, _margins(claim, batch, stats))
                # the first failure overall, or a later cell's first failure when it already exceeds eps
                if ff is not None and (first_failure is None or (first_failure[2] is not cell and ff[2] == 1
                                                                 and ff[2] / ff[3] > stats.eps)):
                    first_failure = (ff[0], ff[1], cell)
                examples += len(batch)
                if on_example:
                    on_example(claim, examples)
                if _decide(stats, level, final=k == len(looks) - 1):
                    break
    except Exception as e:  # the sampler or check raised: error verdict, the computed cells are kept
        result.verdict = "error"
        result.message = f"{type(e).__name__}: {e}\n" + "".join(traceback.format_exception(e)[-6:])

    result.examples = examples
    conclude(result, cells, budget_note)
    result.proportion = {
        "measure": claim.measure, "eps": claim.eps, "confidence": claim.confidence, "seed": base_seed,
        "looks_per_cell": len(looks), "max_samples_per_cell": max_samples, "level_per_look": level,
        "correction": f"Bonferroni over {len(looks)} looks x {len(claim.cells)} cells",
        "cells": [c.to_dict() for c in cells],
    }
    if first_failure is not None and result.verdict != "error":
        _attach_example(claim, prof, first_failure, result, out_dir, seed)
    result.seconds = time.monotonic() - started
    return result


def conclude(result: ClaimResult, cells: list, budget_note: str = "") -> None:
    """The claim's verdict from its cells' decisions: falsified if any cell is, survived if all are,
    inconclusive otherwise (an ``error`` verdict already set is kept); inconclusive counts, reasons and the
    smallest margin summed over the cells; the message names up to three cells of the verdict."""
    result.inconclusive = sum(c.inconclusive for c in cells)
    result.inconclusive_reasons = summed_counts(c.reasons for c in cells)
    margins = [c.margin for c in cells if math.isfinite(c.margin)]
    result.min_margin = min(margins) if margins else math.inf
    if result.verdict == "error":
        return
    verdicts = [c.verdict for c in cells]
    if "falsified" in verdicts:
        result.verdict = "falsified"
    elif all(v == "survived" for v in verdicts):
        result.verdict = "survived"
    else:
        result.verdict = "inconclusive"
    bad = [c for c in cells if c.verdict == result.verdict] or cells
    result.message = "; ".join(f"{cell_name(c.cell)}: {c.reason}" for c in bad[:3])
    if budget_note:
        result.message = f"{budget_note}; {result.message}"


#: Share of the profile's examples spent searching for a shrunk failing instance.
SHRINK_BUDGET = 0.4


def _attach_example(claim, prof, first_failure, result: ClaimResult, out_dir, seed) -> None:
    """One failing instance, shrunk by Hypothesis when the claim's strategy finds one: the failing draw of the
    sampler is the fallback.  It becomes the result's finding when the claim is falsified; otherwise it is shown
    as an example of the (allowed) failures."""
    from pathlib import Path

    from harness.engine.runner import run_claim

    inst, margin, cell = first_failure
    example = {"cell": cell_name(cell), "minimised": False, "description": describe(inst),
               "instance": instance_to_dict(inst), "margin": margin, "certification": "", "replay_file": ""}
    if claim.strategy is not None:
        search = claim.variant(claim.id, kind="forall", budget=SHRINK_BUDGET, examples=(lambda: inst,))
        sub = Path(out_dir) / ("counterexamples" if result.verdict == "falsified" else "proportion-examples") \
            if out_dir is not None else None
        try:
            r = run_claim(search, prof, seed=seed, out_dir=None)
        except Exception as e:  # the example is a courtesy; never lose the verdict over it
            example["note"] = f"search for a shrunk instance raised {type(e).__name__}: {e}"
            r = None
        if r is not None and r.finding is not None:
            f = r.finding
            example.update(minimised=f.minimised, description=f.description, instance=f.instance,
                           margin=f.evidence.get("margin"), detail=f.evidence.get("detail", ""),
                           certification=f.certification, certification_detail=f.certification_detail)
            if result.verdict == "falsified":
                from harness.engine.runner import write_finding

                write_finding(Path(out_dir) if out_dir is not None else None, claim, f)
                result.finding = f
            elif sub is not None:
                import json

                sub.mkdir(parents=True, exist_ok=True)
                path = sub / f"{claim.id.replace('/', '__')}.json"
                path.write_text(json.dumps({"claim_id": claim.id, "theorem": claim.theorem,
                                            "statement": claim.statement, **f.__dict__}, indent=2, default=str))
                example["replay_file"] = str(path)
    result.proportion["example"] = example
