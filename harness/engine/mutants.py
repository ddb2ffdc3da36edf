"""Mutants: deliberately false variants of a claim (a hypothesis dropped, a bound off by one).

The harness must falsify every mutant; the share it falsifies measures its power.  Each paper's tests keep a
list of :class:`Mutant` (``tests/test_mutants*.py``) and ``benchmarks/`` runs them all for the power table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from harness.core.claims import Claim, registry
from harness.core.results import ClaimResult


@dataclass(frozen=True)
class Mutant:
    of: str  # the original claim id (expect == "holds")
    name: str  # short readable id
    why: str  # why it is false
    changes: Callable[[], dict]  # -> fields for Claim.variant (lazy: strategies are built when used)
    drop: tuple = ()  # names (prefixes) of the original's hypotheses the mutant drops
    budget: float = 0.6

    @property
    def id(self) -> str:
        return f"{self.of}~{self.name}"

    def build(self) -> Claim:
        """The unregistered variant: the original with ``changes`` applied, ``drop``ped hypotheses removed and
        no explicit examples (a mutant must be found by the search)."""
        original = registry[self.of]
        for name in self.drop:
            if not any(h.name.startswith(name) for h in original.hypotheses):
                raise ValueError(f"{self.of} has no hypothesis named {name!r}...")
        kept = tuple(h for h in original.hypotheses if not any(h.name.startswith(d) for d in self.drop))
        return original.variant(id=self.id, budget=self.budget, examples=(), hypotheses=kept, **self.changes())


def holding_forall_claims(prefix: str) -> list[str]:
    """Ids of the registered forall claims under ``prefix`` that the catalogue expects to hold: each needs
    at least one mutant."""
    return sorted(c.id for c in registry if c.id.startswith(prefix) and c.expect == "holds" and c.kind == "forall")


class MutantSurvived(AssertionError):
    """The harness did not falsify a mutant properly (its power is missing where the mutant points)."""


def falsify(mutant: Mutant, profile: str = "ci") -> ClaimResult:
    """Run a mutant and insist that the harness falsified it: verdict ``falsified``, a counterexample with a
    negative margin, minimised by the search (forall claims; for proportion claims a cell whose interval lies
    above eps), certified at the original's level (``exact`` for exact claims).  Returns the result."""
    from harness.engine.runner import run_claim

    original = registry[mutant.of]
    if original.expect != "holds" or original.kind not in ("forall", "proportion"):
        raise ValueError(f"{mutant.of} is not a claim expected to hold (forall or proportion)")
    claim = mutant.build()
    if claim.id == original.id or claim.id in {c.id for c in registry}:
        raise ValueError(f"mutant {claim.id} would shadow a registered claim")
    result = run_claim(claim, profile)

    def require(cond: bool, what: str):
        if not cond:
            raise MutantSurvived(f"{mutant.id}: {what} (why it is false: {mutant.why}); verdict {result.verdict}, "
                                 f"{result.examples} examples, {result.message} {result.inconclusive_reasons}")

    require(result.verdict == "falsified", "not falsified")
    require(result.finding is not None and result.finding.kind == "counterexample", "no counterexample")
    require(result.finding.evidence["margin"] < 0, "a counterexample with a non-negative margin")
    if original.kind == "forall":
        require(result.finding.minimised, "the counterexample was not minimised by the search")
    else:
        cells = (result.proportion or {}).get("cells", [])
        require(any(c["verdict"] == "falsified" and c["ci_low"] > c["eps"] for c in cells),
                "no cell whose Clopper-Pearson interval lies above eps")
    levels = ("exact",) if original.exact else ("certified", "numerical")
    require(result.finding.certification in levels,
            f"certification {result.finding.certification!r}, expected one of {levels}")
    return result
