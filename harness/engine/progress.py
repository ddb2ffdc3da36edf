"""What a run reports while it runs: the hooks of :class:`Progress` (the command line's display implements them)."""
from __future__ import annotations

from harness.core.claims import Assumption, Claim
from harness.core.results import ClaimResult


class Progress:
    """What :func:`run_audit` reports while it runs; every method is optional (this base class ignores all)."""

    def claim_started(self, claim: Claim, index: int, total: int) -> None: ...

    def example(self, claim: Claim | None, examples: int) -> None:
        """In-process: ``examples`` of the running unit of ``claim`` so far.  On a Dask cluster ``claim`` is
        None and ``examples`` the sum of the latest counts the running units' workers sent (called from the
        Dask client's event-loop thread)."""

    def claim_finished(self, claim: Claim, result: ClaimResult, index: int, total: int) -> None: ...

    def ablation_started(self, claim: Claim, hypothesis: Assumption) -> None: ...

    def ablation_finished(self, claim: Claim, entry: dict) -> None: ...

    def reports_written(self, paths: dict) -> None: ...
