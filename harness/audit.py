"""An audit: run a list of claims (and, on request, their hypothesis ablations) and keep the report current.

:func:`run_audit` is what ``landscape-audit run`` and the pytest integration build on; it knows nothing about
argparse or pytest.  The reports are rewritten after every claim, so that a run stopped half-way (Ctrl-C, a
CI time limit) still leaves a valid report of what it did.
"""
from __future__ import annotations

import platform
import re
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from harness import profiles as profiles_mod
from harness.claims import Assumption, Claim
from harness.results import ClaimResult, RunResult
from harness.runner import run_claim

#: Distributions whose versions go into every report.
ENVIRONMENT_PACKAGES = ("jax", "jaxlib", "numpy", "scipy", "hypothesis", "mpmath")

#: Marks the id of the claim variant run for an ablation: ``cooper2020/thm-3.2/without_depth_2``.
ABLATION_MARK = "/without_"


class Progress:
    """What :func:`run_audit` reports while it runs; every method is optional (this base class ignores all)."""

    def claim_started(self, claim: Claim, index: int, total: int) -> None: ...

    def example(self, claim: Claim, examples: int) -> None: ...

    def claim_finished(self, claim: Claim, result: ClaimResult, index: int, total: int) -> None: ...

    def ablation_started(self, claim: Claim, hypothesis: Assumption) -> None: ...

    def ablation_finished(self, claim: Claim, entry: dict) -> None: ...

    def reports_written(self, paths: dict) -> None: ...


def environment() -> dict:
    """Versions of Python, the platform and the numerical stack, for the report."""
    from importlib import metadata

    env = {"python": platform.python_version(), "platform": platform.platform()}
    for name in ENVIRONMENT_PACKAGES:
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            module = sys.modules.get(name)
            env[name] = getattr(module, "__version__", "not installed")
    return env


def ablation_id(claim: Claim, hypothesis: Assumption) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", hypothesis.name).strip("_").lower() or "hypothesis"
    return f"{claim.id}{ABLATION_MARK}{slug}"


def base_claim_id(claim_id: str) -> str:
    """The catalogue id behind an ablation variant's id (the id itself for an ordinary claim)."""
    return claim_id.split(ABLATION_MARK)[0]


def _error_result(claim: Claim, exc: BaseException, seconds: float) -> ClaimResult:
    """A claim whose run crashed outside the check (a bug in the harness or the strategy): error, not abort."""
    return ClaimResult.of(claim, "error", seconds=seconds,
                          message=f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc)[-6:]))


def _run_one(claim: Claim, profile, seed, out_dir, progress: Progress, strategy=None) -> ClaimResult:
    started = time.monotonic()
    try:
        return run_claim(claim, profile, seed=seed, out_dir=out_dir, strategy=strategy,
                         on_example=progress.example)
    except Exception as e:  # run_claim turns a failing check into "error"; this is for everything else
        return _error_result(claim, e, time.monotonic() - started)


def run_ablation(claim: Claim, profile, seed=None, out_dir=None, progress: Progress | None = None,
           into: list | None = None) -> list[dict]:
    """Run the claim on instances violating one hypothesis at a time (those with a ``violating`` strategy).

    A falsified conclusion means the hypothesis is load-bearing; a survived one marks a candidate
    generalisation.  Entries are appended to ``into`` (when given) as they are known, so that an interrupted
    ablation keeps what it found.  Findings go to ``out_dir/ablation/``.
    """
    progress = progress or Progress()
    entries = into if into is not None else []
    sub_dir = Path(out_dir) / "ablation" if out_dir is not None else None
    used: set[str] = set()
    for h in claim.hypotheses:
        if h.violating is None:
            continue
        progress.ablation_started(claim, h)
        others = tuple(o for o in claim.hypotheses if o is not h)
        vid = ablation_id(claim, h)
        while vid in used:  # two hypotheses with the same slug
            vid += "_"
        used.add(vid)
        variant = claim.variant(vid, hypotheses=others)
        r = _run_one(variant, profile, seed, sub_dir, progress, strategy=h.violating)
        message = r.message
        if r.finding is not None:
            detail = r.finding.evidence.get("detail", "")
            message = "; ".join(x for x in (message, detail, r.finding.replay_file and
                                            f"replay: {r.finding.replay_file}") if x)
        entry = {"hypothesis": h.name, "verdict": r.verdict, "examples": r.examples, "message": message}
        entries.append(entry)
        progress.ablation_finished(claim, entry)
    return entries


def run_audit(claims: Iterable[Claim], profile: str = "default", seed: int | None = None,
              out_dir: str | Path | None = "audit-report", ablate: bool = False,
              progress: Progress | None = None) -> RunResult:
    """Run ``claims`` one after the other and return the :class:`RunResult`.

    The reports (``reports.write_reports``) are rewritten in ``out_dir`` after every claim (``out_dir=None``
    writes nothing).  A ``KeyboardInterrupt`` stops the run: the result is marked ``interrupted``, keeps the
    claims finished so far, and its report is written before returning.
    """
    claims = list(claims)
    prof = profiles_mod.get(profile) if isinstance(profile, str) else profile
    progress = progress or Progress()
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    run = RunResult(profile=prof.name, seed=seed, started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    seconds=0.0, results=[], environment=environment())

    def write():
        run.seconds = time.monotonic() - started
        if out is None:
            return
        from reports import write_reports

        progress.reports_written(write_reports(run, out))

    total = len(claims)
    written = False
    try:
        for i, c in enumerate(claims, start=1):
            progress.claim_started(c, i, total)
            result = _run_one(c, prof, seed, out, progress)
            run.results.append(result)
            written = False
            progress.claim_finished(c, result, i, total)
            if ablate:
                run_ablation(c, prof, seed, out, progress, into=result.ablation)
            write()
            written = True
    except KeyboardInterrupt:
        run.interrupted = True
        written = False
    if not written:
        write()
    return run
