"""Work units of an audit, and how their results merge into one verdict per claim.

A run is cut into independent units, each of which any process (this one, a local worker, a cluster node)
can run from its description alone:

* ``shard``: a forall / exists claim x a seed shard.  The claim's examples are split over ``count`` shards,
  each its own derandomised Hypothesis seed (:func:`shard_seed`), each with the small-scope enumeration and the
  random phase of :func:`harness.engine.runner.run_claim`;
* ``batch``: one batch of samples of one cell of a proportion claim (batch ``b`` is the increment between the
  sequential looks ``b - 1`` and ``b`` of :func:`harness.statistics.proportion.planned_looks`, drawn with its own
  ``SeedSequence([seed, cell, b])``); ``cell``: a whole cell enumerated exhaustively;
* ``example``: for a proportion claim with failures, the search for one shrunk failing instance;
* ``ablation``: the claim with one hypothesis violated (``--ablate``).

The merge is part of the claim kinds' semantics (:func:`merge_shards`, :class:`ProportionMerge`): a forall claim
is falsified if any shard found a certified counterexample (the smallest one is reported, with the count of the
others), survives with the examples of all shards summed; an exists claim is witnessed by any shard; proportion
counts add up per cell before the Clopper-Pearson interval is computed at each planned look, in order, so the
sequential design is the same whatever order the batches finish in.  The number of shards depends on the claim
and the profile only, never on the number of workers: the same seed gives the same verdicts in-process, with N
local workers or on a cluster.

A unit's result (its *payload*) is plain JSON, so that the client can keep it on disk (``--resume``).
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import math
import re
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from harness.core.results import ClaimResult, Finding, summed_counts

#: Seed shards per forall / exists claim, by profile (other profiles: 1).  Independent of the workers.
SHARDS = {"ci": 1, "default": 2, "thorough": 4}
#: A shard gets at least this many examples (fewer shards for claims with a small budget).
MIN_SHARD_EXAMPLES = 25
#: Sampled proportion batches submitted ahead of the next undecided look of a cell (distributed runs).
BATCHES_AHEAD = 2
#: Verdicts that carry a certified finding.
FOUND = ("falsified", "witnessed")


@dataclass(frozen=True)
class Unit:
    key: str  # unique in a run; the name of its record on disk
    claim_id: str
    kind: str  # shard | batch | cell | example | ablation
    index: int = 0  # shard index, or cell index of a batch / cell unit
    count: int = 1  # shards of the claim
    batch: int = 0  # batch index within the cell
    start: int = 0  # batch: samples [start, stop) of the cell
    stop: int = 0
    hypothesis: str = ""  # ablation: the hypothesis dropped
    variant_id: str = ""  # ablation: the variant's claim id
    data: str = ""  # example: JSON of the failing instance to shrink

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Unit":
        return cls(**d)


def safe_key(key: str) -> str:
    """A file name for a unit key (readable, unique by a short hash)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("_")[:80]
    return f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def shard_count(claim, prof) -> int:
    if claim.kind == "proportion":
        return 1
    n = SHARDS.get(prof.name, 1)
    total = prof.examples(claim.budget)
    return max(1, min(n, total // MIN_SHARD_EXAMPLES))


def shard_seed(seed: int | None, derandomize: bool, claim_id: str, index: int, count: int) -> int | None:
    """The Hypothesis seed of shard ``index``: None keeps run_claim's own behaviour (one shard, or a random run
    without a seed); otherwise a seed derived from the run's seed (0 in a derandomised profile), the claim and
    the shard, so that shards search different examples reproducibly."""
    if count == 1 or (seed is None and not derandomize):
        return seed
    base = 0 if seed is None else int(seed)
    digest = hashlib.sha256(f"{base}/{claim_id}/{index}/{count}".encode()).digest()
    return int.from_bytes(digest[:4], "little") % (2**31)


def shard_units(claim, prof) -> list[Unit]:
    n = shard_count(claim, prof)
    return [Unit(f"{claim.id}::shard-{i}-of-{n}", claim.id, "shard", index=i, count=n) for i in range(n)]


def ablation_units(claim) -> list[Unit]:
    from harness.engine.audit import ablation_id

    out, used = [], set()
    for h in claim.hypotheses:
        if h.violating is None:
            continue
        vid = ablation_id(claim, h)
        while vid in used:  # two hypotheses with the same slug
            vid += "_"
        used.add(vid)
        out.append(Unit(f"{claim.id}::ablation::{vid}", claim.id, "ablation", hypothesis=h.name, variant_id=vid))
    return out


# ---- running one unit ----------------------------------------------------------------------------------

def shard_profile(prof, count: int):
    """The profile of one of ``count`` shards: the claim's time budget is split like its examples."""
    if count == 1:
        return prof
    return dataclasses.replace(prof, claim_seconds=prof.claim_seconds / count)


def shard_claim(claim, index: int, count: int):
    """The claim one shard runs: its budget split over the shards; explicit examples only in shard 0."""
    if count == 1:
        return claim
    changes = {"budget": claim.budget / count}
    if index > 0:
        changes["examples"] = ()
    return claim.variant(claim.id, **changes)


def _collect_files(stage: Path) -> dict:
    """Plots written into a unit's stage folder (base64), so that the client can write them where it wants."""
    files = {}
    if stage.is_dir():
        paths = list(stage.rglob("*.png")) + list(stage.glob("proportion-examples/*.json"))
        for p in paths:
            files[str(p.relative_to(stage))] = base64.b64encode(p.read_bytes()).decode()
    return files


def run_unit(unit: Unit, claim, prof, seed, stage: Path | None, runner=None, on_example=None) -> dict:
    """Run one unit and return its payload (plain JSON).  ``claim`` is the catalogue's claim ``unit.claim_id``;
    ``stage`` a folder the unit may write its provisional findings and Hypothesis database into; ``runner``
    is :func:`harness.engine.runner.run_claim` unless given."""
    from harness.engine.runner import run_claim

    runner = runner or run_claim
    started = time.monotonic()
    try:
        if unit.kind == "shard":
            r = runner(shard_claim(claim, unit.index, unit.count), shard_profile(prof, unit.count),
                       seed=shard_seed(seed, prof.derandomize, claim.id, unit.index, unit.count),
                       out_dir=stage, on_example=on_example)
            payload = {"result": r.to_dict()}
        elif unit.kind == "ablation":
            h = next(h for h in claim.hypotheses if h.name == unit.hypothesis)
            others = tuple(o for o in claim.hypotheses if o is not h)
            variant = claim.variant(unit.variant_id, hypotheses=others)
            r = runner(variant, prof, seed=seed, out_dir=stage / "ablation" if stage else None,
                       strategy=h.violating, on_example=on_example)
            payload = {"result": r.to_dict()}
        elif unit.kind in ("batch", "cell"):
            from harness.engine.proportion_units import run_cell_unit

            payload = run_cell_unit(unit, claim, prof, seed)
        elif unit.kind == "example":
            from harness.engine.proportion_units import run_example_unit

            payload = run_example_unit(unit, claim, prof, seed, stage)
        else:
            raise ValueError(f"unknown unit kind {unit.kind!r}")
    except Exception as e:  # a bug in the harness or the strategy outside the check: this unit is an error
        payload = {"error": f"{type(e).__name__}: {e}\n" + "".join(traceback.format_exception(e)[-6:])}
    payload["files"] = _collect_files(stage) if stage is not None else {}
    payload["seconds"] = time.monotonic() - started
    return payload


def error_payload(message: str) -> dict:
    return {"error": message, "files": {}, "seconds": 0.0}


# ---- merging shards ------------------------------------------------------------------------------------

def finding_size(f: Finding | None) -> tuple:
    """Order of findings: the smaller instance first (its JSON length), then its margin."""
    if f is None:
        return (math.inf,)
    return (len(json.dumps(f.instance, sort_keys=True, default=str)),)


def merge_shards(claim, results: list[ClaimResult]) -> ClaimResult:
    """One verdict from the shards' results (in shard order), by the claim kind's semantics."""
    from harness.engine.runner import MIN_DECIDED_SHARE

    if len(results) == 1:
        return results[0]
    forall = claim.kind == "forall"
    merged = ClaimResult.of(claim, "survived")
    merged.examples = sum(r.examples for r in results)
    merged.inconclusive = sum(r.inconclusive for r in results)
    merged.enumerated = sum(r.enumerated for r in results)
    merged.outside_enumerated = sum(r.outside_enumerated for r in results)
    merged.seconds = sum(r.seconds for r in results)
    merged.inconclusive_reasons = summed_counts(r.inconclusive_reasons for r in results)
    margins = [r.min_margin for r in results if math.isfinite(r.min_margin)]
    merged.min_margin = (min(margins) if forall else max(margins)) if margins else math.inf
    n = len(results)
    found = [(finding_size(r.finding), i, r) for i, r in enumerate(results) if r.verdict in FOUND and r.finding]
    errors = [(i, r) for i, r in enumerate(results) if r.verdict == "error"]
    timeouts = [(i, r) for i, r in enumerate(results) if r.verdict == "timeout"]
    refuted = [(i, r) for i, r in enumerate(results) if r.verdict == "inconclusive" and r.finding is None
               and "did not survive re-verification" in r.message]
    if found:
        _, i, best = min(found, key=lambda t: (t[0], t[1]))
        merged.verdict, merged.finding, merged.found_in = best.verdict, best.finding, best.found_in
        merged.first_found_examples = sum(r.examples for r in results[:i]) + (best.first_found_examples or 0)
        merged.first_found_seconds = best.first_found_seconds
        what = "counterexample" if forall else "witness"
        others = len(found) - 1
        merged.message = "; ".join(x for x in (
            best.message, f"{what} of shard {i + 1} of {n} (the smallest); "
            f"{others} other shard{'s' if others != 1 else ''} also found one") if x)
    elif errors:
        i, r = errors[0]
        merged.verdict, merged.message = "error", f"shard {i + 1} of {n}: {r.message}"
    elif timeouts:
        i, r = timeouts[0]
        merged.verdict, merged.message = "timeout", f"shard {i + 1} of {n}: {r.message}"
        merged.finding = r.finding
    elif refuted:
        i, r = refuted[0]
        merged.verdict, merged.message = "inconclusive", f"shard {i + 1} of {n}: {r.message}"
    else:
        decided = merged.examples - merged.inconclusive
        considered = merged.examples - merged.outside_enumerated  # as run_claim decides a single shard
        if merged.examples == 0 or decided < MIN_DECIDED_SHARE * considered:
            merged.verdict = "inconclusive"
            top = sorted(merged.inconclusive_reasons.items(), key=lambda kv: -kv[1])[:3]
            merged.message = (f"only {decided} of {considered} examples decided; "
                              + ", ".join(f"{k} ({v})" for k, v in top))
        elif not forall:
            merged.verdict = "no witness"
        budget = [r.message for r in results if r.message.startswith("claim budget")]
        if budget and merged.verdict != "inconclusive":
            merged.message = f"{len(budget)} of {n} shards spent their time budget"
    return merged


def ablation_entry(result: ClaimResult) -> dict:
    """The report's ablation entry of an ablation unit's result (as harness.engine.audit.run_ablation makes it)."""
    message = result.message
    if result.finding is not None:
        detail = result.finding.evidence.get("detail", "")
        message = "; ".join(x for x in (message, detail, result.finding.replay_file and
                                        f"replay: {result.finding.replay_file}") if x)
    return {"hypothesis": "", "verdict": result.verdict, "examples": result.examples, "message": message}
