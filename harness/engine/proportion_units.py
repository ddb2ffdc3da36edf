"""Proportion claims as work units (see :mod:`harness.engine.units`): batches of samples per cell, counts merged before
the Clopper-Pearson interval.

Cell ``c`` of a claim is sampled in batches: batch ``b`` holds the samples between the planned looks ``b - 1``
and ``b`` (:func:`harness.statistics.proportion.planned_looks`).  They are the draws of run_proportion's stream for the
cell, ``SeedSequence([seed, c])``: a batch unit replays the sampler for the earlier batches (draws only, no
checks; sampling is cheap beside checking) and checks its own, so the samples, counts and verdicts are those of
the sequential in-process :func:`~harness.statistics.proportion.run_proportion` (and of the pytest items).  The client adds
the counts of batches 0..b and decides at look b exactly as :func:`harness.statistics.proportion.run_proportion` does
(same looks, same Bonferroni level, same conservative handling of undecidable instances); batches past the
deciding look are cancelled or ignored, so the verdict does not depend on the order in which batches finish.
A cell small enough to enumerate is one ``cell`` unit (the exact fraction).  When a claim has failures, one
``example`` unit searches for a shrunk failing instance with the claim's strategy, as run_proportion does.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict

import numpy as np

from harness.statistics import proportion as P
from harness.core.results import ClaimResult, Finding
from harness.engine.units import BATCHES_AHEAD, Unit


def _plan_numbers(claim, prof):
    max_samples = max(P.FIRST_BATCH, int(round(prof.max_examples * claim.budget * P.SAMPLES_PER_EXAMPLE)))
    looks = P.planned_looks(max_samples)
    level = 1.0 - (1.0 - claim.confidence) / (len(looks) * len(claim.cells))
    return max_samples, looks, level


def _count(stats_like: dict, claim, instances, margins, first: dict | None, cell_index: int, offset: int):
    for j, (inst, m) in enumerate(zip(instances, margins)):
        stats_like["trials"] += 1
        if m is None:
            stats_like["inconclusive"] += 1
        elif m < 0:
            stats_like["failures"] += 1
            if first is None:
                from harness.core.instances import describe, instance_to_dict

                first = {"instance": instance_to_dict(inst), "description": describe(inst), "margin": float(m),
                         "cell": cell_index, "index": offset + j}
    return first


def run_cell_unit(unit: Unit, claim, prof, seed) -> dict:
    """Run a ``batch`` (sampled) or ``cell`` (exhaustive) unit: counts and the first failing instance."""
    cell = claim.cells[unit.index]
    stats = P.CellResult(cell=dict(cell), eps=float(cell.get("eps", claim.eps)))
    check_hyp = P.HYPOTHESIS_CHECKS if claim.batch_check is not None else 10**9
    counts = {"trials": 0, "failures": 0, "inconclusive": 0}
    if unit.kind == "cell":
        members = list(claim.population(cell))
        ms = P._margins(claim, members, stats, check_hyp)
        first = _count(counts, claim, members, ms, None, unit.index, 0)
    else:
        base = P._seed_for(claim, seed, prof.derandomize)
        rng = np.random.default_rng(np.random.SeedSequence([base, unit.index]))
        _, looks, _ = _plan_numbers(claim, prof)
        done = 0
        for look in looks:  # replay (without checking) the draws of the earlier batches of this cell's stream
            if look > unit.start:
                break
            claim.sampler(rng, cell, look - done)
            done = look
        batch = claim.sampler(rng, cell, unit.stop - unit.start)
        ms = P._margins(claim, batch, stats, check_hyp if unit.batch == 0 else 0)
        first = _count(counts, claim, batch, ms, None, unit.index, unit.start)
    return {**counts, "reasons": dict(stats.reasons), "first_failure": first}


def run_example_unit(unit: Unit, claim, prof, seed, stage) -> dict:
    """The shrunk failing instance of a proportion claim (harness.statistics.proportion._attach_example)."""
    from harness.core.instances import instance_from_dict

    data = json.loads(unit.data)
    ff = data["first_failure"]
    cell = claim.cells[ff["cell"]]
    inst = instance_from_dict(ff["instance"])
    stub = ClaimResult.of(claim, data["verdict"])
    stub.proportion = {}
    P._attach_example(claim, prof, (inst, ff["margin"], cell), stub, stage, seed)
    return {"example": stub.proportion.get("example"),
            "finding": asdict(stub.finding) if stub.finding is not None else None}


class _Cell:
    def __init__(self, index: int, cell: dict, eps: float):
        self.index = index
        self.stats = P.CellResult(cell=dict(cell), eps=eps)
        self.units: list[Unit] = []  # sampled: batch units in look order
        self.received: dict[int, dict] = {}
        self.next_look = 0
        self.decided = False
        self.submitted = 0
        self.first = None


class ProportionMerge:
    """The client side of one proportion claim: which units to run, and the verdict from their counts."""

    def __init__(self, claim, prof, seed):
        self.claim, self.prof, self.seed = claim, prof, seed
        self.max_samples, self.looks, self.level = _plan_numbers(claim, prof)
        self.max_population = P.EXHAUSTIVE_PER_EXAMPLE * prof.max_examples
        self.cells: list[_Cell] = []
        self.error = ""
        self.seconds = 0.0
        self.budget_note = ""
        self.in_flight: set[str] = set()
        self.example_unit: Unit | None = None
        self.example_payload: dict | None = None

    def plan(self) -> list[Unit]:
        claim, out = self.claim, []
        for ci, cell in enumerate(claim.cells):
            c = _Cell(ci, cell, float(cell.get("eps", claim.eps)))
            self.cells.append(c)
            pop = claim.population(cell) if claim.population is not None else None
            size = P._population_size(pop)
            if pop is not None and size <= self.max_population:
                c.stats.mode = "exhaustive"
                c.units = [Unit(f"{claim.id}::cell-{ci}", claim.id, "cell", index=ci)]
                continue
            if claim.sampler is None:
                c.stats.reason = (f"population of {size} exceeds the enumeration limit {self.max_population} of "
                                  f"profile {self.prof.name!r} and the claim has no sampler")
                c.decided = True
                continue
            if pop is not None:
                c.stats.note = f"population of {size} too large to enumerate ({self.max_population} max): sampled"
            starts = [0] + self.looks[:-1]
            c.units = [Unit(f"{claim.id}::cell-{ci}::batch-{b}", claim.id, "batch", index=ci, batch=b,
                            start=s, stop=e) for b, (s, e) in enumerate(zip(starts, self.looks))]
        for c in self.cells:
            out += self._more(c)
        return out

    def _more(self, c: _Cell) -> list[Unit]:
        """Units of cell ``c`` to submit now: up to BATCHES_AHEAD batches past the next look."""
        if c.decided or self.error:
            return []
        if self.seconds > self.prof.claim_seconds:
            return []
        want = min(len(c.units), c.next_look + (1 if c.stats.mode == "exhaustive" else BATCHES_AHEAD))
        new = c.units[c.submitted:want]
        c.submitted = max(c.submitted, want)
        self.in_flight.update(u.key for u in new)
        return new

    def receive(self, unit: Unit, payload: dict) -> tuple[list[Unit], list[str]]:
        """Take a unit's payload; returns (units to submit, unit keys to cancel)."""
        self.in_flight.discard(unit.key)
        self.seconds += payload.get("seconds", 0.0)
        if unit.kind == "example":
            self.example_payload = payload
            return [], []
        if "error" in payload:
            self.error = self.error or f"cell {unit.index + 1}, {unit.kind} {unit.batch}: {payload['error']}"
            cancel = sorted(self.in_flight)
            self.in_flight.clear()
            return [], cancel
        c = self.cells[unit.index]
        if c.decided:
            return [], []
        c.received[unit.batch] = payload
        s = c.stats
        while not c.decided and c.next_look in c.received:
            p = c.received[c.next_look]
            s.trials += p["trials"]
            s.failures += p["failures"]
            s.inconclusive += p["inconclusive"]
            for k, v in p["reasons"].items():
                s.reasons[k] = s.reasons.get(k, 0) + v
            if c.first is None and p.get("first_failure"):
                c.first = p["first_failure"]
            if s.mode == "exhaustive":
                self._decide_exhaustive(s)
                c.decided = True
            else:
                c.decided = P._decide(s, self.level, final=c.next_look == len(self.looks) - 1)
            c.next_look += 1
        cancel = []
        if c.decided:
            cancel = [u.key for u in c.units if u.key in self.in_flight]
            self.in_flight.difference_update(cancel)
        new = self._more(c)
        if not c.decided and c.next_look >= len(c.units):  # the sample budget is spent: undecided
            c.decided = True
        elif not new and not c.decided and not any(u.key in self.in_flight for u in c.units):
            # the claim's time budget is spent: this cell stays undecided
            s.reason = f"time budget spent after {s.trials} samples; " + s.reason
            self.budget_note = (f"time budget of {self.prof.claim_seconds:g} s spent; "
                                f"the undecided cells show what fits")
            c.decided = True
        return new, cancel

    @staticmethod
    def _decide_exhaustive(s) -> None:
        N, f, u = s.trials, s.failures, s.inconclusive
        s.estimate = f / N if N else math.nan
        s.ci_low, s.ci_high, s.level = (f / N, (f + u) / N, 1.0) if N else (0.0, 1.0, 1.0)
        if N and f / N > s.eps:
            s.verdict, s.margin = "falsified", s.eps - f / N
            s.reason = f"exact: {f} of {N} fail, {f / N:.4g} > eps = {s.eps:g}"
        elif N and (f + u) / N <= s.eps:
            s.verdict, s.margin = "survived", s.eps - (f + u) / N
            s.reason = f"exact: {f} of {N} fail, {f / N:.4g} <= eps = {s.eps:g}"
        else:
            s.verdict, s.margin = "inconclusive", s.eps - (f + u) / N if N else math.nan
            s.reason = f"exact count, but {u} of {N} members undecidable"

    @property
    def counted(self) -> bool:
        return bool(self.error) or all(c.decided for c in self.cells)

    def result(self) -> ClaimResult:
        """The claim's verdict from the merged counts (as run_proportion computes it)."""
        claim = self.claim
        result = ClaimResult.of(claim, "survived")
        cells = [c.stats for c in self.cells]
        result.examples = sum(c.trials for c in cells)
        if self.error:
            result.verdict, result.message = "error", self.error
        P.conclude(result, cells, self.budget_note)
        result.proportion = {
            "measure": claim.measure, "eps": claim.eps, "confidence": claim.confidence,
            "seed": P._seed_for(claim, self.seed, self.prof.derandomize) if (self.seed is not None
                                                                             or self.prof.derandomize) else None,
            "looks_per_cell": len(self.looks), "max_samples_per_cell": self.max_samples,
            "level_per_look": self.level,
            "correction": f"Bonferroni over {len(self.looks)} looks x {len(claim.cells)} cells",
            "batches": "one unit per look of a cell (its stream SeedSequence([seed, cell])); counts merged "
                       "before each interval",
            "cells": [c.to_dict() for c in cells],
        }
        result.seconds = self.seconds
        return result

    def first_failure(self, verdict: str) -> dict | None:
        """The failing instance to show: the first of a falsified cell, else the first of any cell."""
        with_failure = [c for c in self.cells if c.first is not None]
        falsified = [c for c in with_failure if c.stats.verdict == "falsified"]
        chosen = (falsified or with_failure or [None])[0]
        return chosen.first if chosen is not None else None

    def example(self) -> Unit | None:
        """The example unit, once the counts are merged (None when there is no failing instance)."""
        if self.example_unit is None and self.counted and not self.error:
            result = self.result()
            ff = self.first_failure(result.verdict)
            if ff is not None:
                data = json.dumps({"first_failure": ff, "verdict": result.verdict}, sort_keys=True, default=str)
                self.example_unit = Unit(f"{self.claim.id}::example", self.claim.id, "example", data=data)
                self.in_flight.add(self.example_unit.key)
                return self.example_unit
        return None

    @property
    def done(self) -> bool:
        return self.counted and not self.in_flight

    def final(self) -> tuple[ClaimResult, dict | None]:
        """The merged result, and the example unit's payload (the client writes its files)."""
        result = self.result()
        p = self.example_payload
        if p is not None and "error" not in p and p.get("example") is not None:
            result.proportion["example"] = p["example"]
            if p.get("finding") and result.verdict == "falsified":
                result.finding = Finding(**p["finding"])
        elif p is not None and "error" in p:
            ff = self.first_failure(result.verdict) or {}
            result.proportion["example"] = {
                "cell": P.cell_name(self.claim.cells[ff.get("cell", 0)]), "minimised": False,
                "description": ff.get("description", ""), "instance": ff.get("instance"),
                "margin": ff.get("margin"), "certification": "", "replay_file": "",
                "note": f"search for a shrunk instance raised {p['error'].splitlines()[0]}"}
        return result, p
