"""Search profiles: how hard Hypothesis looks for violations.

``ci``: derandomised and small, for every commit; ``default``: the audit; ``thorough``: many examples for
a serious audit.  ``max_examples`` is scaled per claim by ``Claim.budget`` (expensive claims ask for fewer).
"""
from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, settings


@dataclass(frozen=True)
class Profile:
    name: str
    max_examples: int
    derandomize: bool
    claim_seconds: float  # wall-clock budget per claim (search + shrinking)
    example_seconds: float  # one example longer than this ends the claim with verdict "timeout"
    use_database: bool
    #: Share of a claim's examples spent on small-scope enumeration of its discrete dimensions
    #: (:mod:`harness.engine.enumeration`) before Hypothesis' random phase.
    enumerate_share: float = 0.5

    def examples(self, budget: float = 1.0) -> int:
        return max(3, int(round(self.max_examples * budget)))

    def settings(self, budget: float = 1.0, database=None, seeded: bool = False,
                 max_examples: int | None = None) -> settings:
        """Hypothesis settings; an explicit seed (``seeded``) turns derandomisation off."""
        return settings(
            max_examples=max_examples if max_examples is not None else self.examples(budget),
            derandomize=self.derandomize and not seeded,
            database=database if self.use_database else None,
            deadline=None,
            print_blob=False,
            report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        )


PROFILES = {
    p.name: p
    for p in [
        Profile("ci", max_examples=25, derandomize=True, claim_seconds=90, example_seconds=60, use_database=False),
        # default: four fifths of the examples enumerated: the margin-guided picks need them for rare corners of
        # large discrete spaces (benchmarks/README.md, power tables of 2026-11-25)
        Profile("default", max_examples=100, derandomize=False, claim_seconds=300, example_seconds=120,
                use_database=True, enumerate_share=0.8),
        Profile("thorough", max_examples=1000, derandomize=False, claim_seconds=1800, example_seconds=300,
                use_database=True),
    ]
}


class UnknownProfile(KeyError):
    def __str__(self):
        return self.args[0]


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownProfile(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}") from None
