"""Run results: one :class:`ClaimResult` per claim, gathered in a :class:`RunResult`; both are plain data and
serialise to the JSON the reports are built from.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

VERDICTS = ("survived", "falsified", "witnessed", "no witness", "inconclusive", "error", "timeout")


@dataclass
class Finding:
    """A counterexample (forall claim) or witness (exists claim), minimised by Hypothesis."""

    kind: str  # "counterexample" | "witness"
    instance: dict  # instance_to_dict(...)
    description: str  # human-readable minimised form
    evidence: dict  # Evidence.to_dict()
    certification: str = "numerical"  # "exact" (rational/integer arithmetic) | "certified" (mpmath) | "numerical"
    certification_detail: str = ""
    minimised: bool = True
    replay_file: str = ""
    #: The Hessian eigenvalues at the instance (ascending), for networks small enough to plot; the reports
    #: draw them (``spectrum_plot``: that PNG, relative to the report folder, once drawn).
    spectrum: list | None = None
    spectrum_plot: str = ""


@dataclass
class ClaimResult:
    claim_id: str
    paper: str  # citation
    paper_key: str
    theorem: str
    statement: str
    kind: str  # forall | exists
    expect: str  # holds | fails
    verdict: str  # one of VERDICTS
    examples: int = 0
    inconclusive: int = 0
    #: The decisive margin: the smallest seen for a forall claim (closest to a counterexample), the largest
    #: for an exists claim (closest to a witness); inf when no example was decided.
    min_margin: float = math.inf
    seconds: float = 0.0
    hypotheses: list = field(default_factory=list)
    message: str = ""
    inconclusive_reasons: dict = field(default_factory=dict)
    finding: Finding | None = None
    ablation: list = field(default_factory=list)  # [{"hypothesis", "verdict", "examples", "message"}]
    notes: str = ""  # the catalogue's notes on the claim (why a literal reading is expected to fail, ...)
    #: Where the finding came from: "enumeration" (small-scope phase), "search" (Hypothesis' random phase) or
    #: "explicit" (an instance the claims file names, tried after the search found none); "" when none.
    found_in: str = ""
    enumerated: int = 0  # examples spent in the small-scope enumeration phase
    outside_enumerated: int = 0  # enumerated instances outside the hypotheses (not held against the claim)
    first_found_examples: int | None = None  # examples (and seconds) until the first finding, before shrinking
    first_found_seconds: float | None = None
    #: Proportion claims: the measure, eps and, per cell, trials, failures, estimate, Clopper-Pearson interval,
    #: cell verdict and one failing example (harness.statistics.proportion).  Empty for other kinds.
    proportion: dict = field(default_factory=dict)

    @classmethod
    def of(cls, claim, verdict: str, **fields) -> "ClaimResult":
        """A result for ``claim`` (a harness.core.claims.Claim) with its descriptive fields filled in."""
        return cls(claim_id=claim.id, paper=claim.paper.cite(), paper_key=claim.paper.key, theorem=claim.theorem,
                   statement=claim.statement, kind=claim.kind, expect=claim.expect, verdict=verdict,
                   hypotheses=[h.name for h in claim.hypotheses], notes=claim.notes, **fields)

    @property
    def expected_verdict(self) -> str:
        """The verdict the catalogue expects of this claim."""
        if self.kind in ("forall", "proportion"):
            return "survived" if self.expect == "holds" else "falsified"
        return "witnessed" if self.expect == "holds" else "no witness"

    @property
    def as_expected(self) -> bool:
        return self.verdict == self.expected_verdict

    @property
    def unexpected_falsification(self) -> bool:
        """A claim the catalogue expects to hold was falsified (the run then exits non-zero)."""
        return self.expect == "holds" and self.verdict == "falsified"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["as_expected"] = self.as_expected
        if not math.isfinite(d["min_margin"]):
            d["min_margin"] = None
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ClaimResult":
        d = {k: v for k, v in d.items() if k != "as_expected"}
        if d.get("finding"):
            d["finding"] = Finding(**d["finding"])
        if d.get("min_margin") is None:
            d["min_margin"] = math.inf
        return cls(**d)


def summed_counts(dicts) -> dict:
    """Key-wise sums of count dictionaries (inconclusive reasons of shards or cells)."""
    out: dict = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return out


#: The states of a run: its units still running, stopped before its plan was done, or done.
RUN_STATUSES = ("running", "interrupted", "complete")


@dataclass
class RunStatus:
    """How far a run is through its plan, as every report file carries it (``report.json``: ``"state"``).

    ``status`` is ``"running"`` while units are outstanding (a report written mid-run, or left behind by a run
    that was killed), ``"interrupted"`` when the run stopped early (Ctrl-C, SIGTERM), ``"complete"`` when every
    planned unit's result is in.  Only a complete run can be "as expected"."""

    status: str
    claims_planned: int
    claims_done: int
    units_planned: int = 0
    units_done: int = 0

    @property
    def claims_missing(self) -> int:
        return max(0, self.claims_planned - self.claims_done)

    def to_dict(self) -> dict:
        return {**asdict(self), "claims_missing": self.claims_missing}

    @classmethod
    def from_dict(cls, d: dict) -> "RunStatus":
        return cls(d["status"], d["claims_planned"], d["claims_done"], d.get("units_planned", 0),
                   d.get("units_done", 0))


@dataclass
class RunResult:
    profile: str
    seed: int | None
    started: str  # ISO time
    seconds: float
    results: list[ClaimResult]
    environment: dict = field(default_factory=dict)  # versions of python, jax, hypothesis, ...
    interrupted: bool = False
    #: How far the run is through its plan; None for a run without one (the pytest plugin's report).
    state: RunStatus | None = None

    @property
    def complete(self) -> bool:
        """Every planned claim has its result (a run without a plan: not interrupted)."""
        if self.state is None:
            return not self.interrupted
        return self.state.status == "complete"

    def counts(self) -> dict:
        out = {v: 0 for v in VERDICTS}
        for r in self.results:
            out[r.verdict] += 1
        return out

    def to_dict(self) -> dict:
        return {
            "profile": self.profile,
            "seed": self.seed,
            "started": self.started,
            "seconds": self.seconds,
            "interrupted": self.interrupted,
            "complete": self.complete,
            "state": self.state.to_dict() if self.state is not None else None,
            "environment": self.environment,
            "counts": self.counts(),
            "results": [r.to_dict() for r in self.results],
        }

    @classmethod
    def from_dict(cls, d: dict) -> "RunResult":
        return cls(d["profile"], d.get("seed"), d["started"], d["seconds"],
                   [ClaimResult.from_dict(r) for r in d["results"]], d.get("environment", {}),
                   d.get("interrupted", False),
                   RunStatus.from_dict(d["state"]) if d.get("state") else None)
