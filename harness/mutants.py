"""Mutants: deliberately false variants of a claim (a hypothesis dropped, a bound off by one).

The harness must falsify every mutant; the share it falsifies measures its power.  Each paper's tests keep a
list of :class:`Mutant` (``tests/test_mutants*.py``) and ``benchmarks/`` runs them all for the power table.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from harness.claims import Claim, registry


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
