"""An audit: run a list of claims (and, on request, their hypothesis ablations) and keep the report current.

:func:`run_audit` is what ``landscape-audit run`` and the pytest integration build on; it knows nothing about
argparse or pytest.  The reports are rewritten after every claim, so that a run stopped half-way (Ctrl-C, a
CI time limit) still leaves a valid report of what it did.
"""
from __future__ import annotations

import platform
import re
import sys
import tempfile
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from harness.core import profiles as profiles_mod
from harness.core.claims import Assumption, Claim
from harness.core.results import ClaimResult, RunResult
from harness.engine.progress import Progress
from harness.engine.runner import run_claim

#: Distributions whose versions go into every report.
ENVIRONMENT_PACKAGES = ("jax", "jaxlib", "numpy", "scipy", "hypothesis", "mpmath")

#: Marks the id of the claim variant run for an ablation: ``cooper2020/thm-3.2/without_depth_2``.
ABLATION_MARK = "/without_"


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
              progress: Progress | None = None, *, workers: int | None = None, scheduler: str | None = None,
              files=(), resume: bool = False) -> RunResult:
    """Run ``claims`` as work units (:mod:`harness.engine.units`) and return the :class:`RunResult`.

    Units run in this process (default), on a Dask ``LocalCluster`` of ``workers`` processes, or on the cluster
    of the Dask ``scheduler`` at that address (the run's claims ``files`` are loaded on every worker); the same
    seed gives the same verdicts in all three.  The client writes findings and a record of every finished unit
    (``out_dir/.run/``) as results arrive, and rewrites the reports after every claim (``out_dir=None`` writes
    nothing).  ``resume``: units whose records are in ``out_dir`` are not run again (the caller checks the plan,
    see :mod:`harness.engine.runstate`).  A ``KeyboardInterrupt`` (SIGINT, or SIGTERM through the CLI) stops the run: the
    result is marked ``interrupted``, keeps the claims finished so far, and its report is written before
    returning.  Raises :class:`harness.engine.distributed.EngineError` when the cluster cannot be used.
    """
    from harness.engine.distributed import DaskEngine, InProcessEngine
    from harness.engine.runstate import RunState

    claims = list(claims)
    prof = profiles_mod.get(profile) if isinstance(profile, str) else profile
    progress = progress or Progress()
    out = Path(out_dir) if out_dir is not None else None
    state = RunState(out) if out is not None else None
    started = time.monotonic()
    env = environment()
    run = RunResult(profile=prof.name, seed=seed, started=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    seconds=0.0, results=[], environment=env)
    if state is not None and resume:
        try:
            run.started = state.read_plan().get("started", run.started)
        except Exception:
            pass
    claims_by_id = {c.id: c for c in claims}
    if workers or scheduler:
        engine = DaskEngine(prof, seed, files, state.stage if state else Path(tempfile.gettempdir()),
                            workers=workers, scheduler=scheduler, on_example=progress.example)
    else:
        engine = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        if not resume:  # a new run in this folder: an earlier run's unit records must not be resumed into it
            import shutil

            shutil.rmtree(state.done, ignore_errors=True)
            state.write_plan(claims, prof.name, seed, ablate, files, run.started)
    audit = _Audit(claims, prof, seed, ablate, out, state, run, progress, resume)
    if engine is None:
        engine = InProcessEngine(claims_by_id, prof, seed,
                                 (lambda u: state.stage_dir(u)) if state else (lambda u: None),
                                 runner=_runner, on_start=audit.unit_started, on_example=progress.example)
    run.environment["engine"] = engine.name
    progress_engine = getattr(progress, "engine_started", None)
    if progress_engine:
        progress_engine(engine)

    def write():
        run.seconds = time.monotonic() - started
        if out is None:
            return
        from reports import write_reports

        progress.reports_written(write_reports(run, out))

    audit.write = write
    try:
        audit.execute(engine)
    except KeyboardInterrupt:
        run.interrupted = True
    finally:
        engine.close()
    if audit.dirty or run.interrupted or not run.results:
        write()
    return run


def _runner(*args, **kwargs):
    """run_claim, looked up at call time (tests replace ``harness.engine.audit.run_claim``)."""
    return run_claim(*args, **kwargs)


class _Audit:
    """The client side of a run: plans the units of every claim, takes their payloads as they arrive (from the
    engine or, on --resume, from the records), writes findings and records, merges each claim when its units are
    in, and keeps ``run.results`` in catalogue order."""

    def __init__(self, claims, prof, seed, ablate, out, state, run, progress, resume):
        from harness.engine.proportion_units import ProportionMerge
        from harness.engine.units import ablation_units, shard_units

        self.prof, self.seed, self.out, self.state, self.run, self.progress = prof, seed, out, state, run, progress
        self.resume = resume
        self.claims = claims
        self.index = {c.id: i for i, c in enumerate(claims)}
        self.units_total = 0
        self.units_done = 0
        self.units_resumed = 0
        self.examples = 0
        self.dirty = False
        self.write = lambda: None
        self.started_claims: set[str] = set()
        self.per_claim = {}
        for c in claims:
            st = {"claim": c, "shards": [], "shard_results": {}, "best": None, "prop": None,
                  "ablations": ablation_units(c) if ablate else [], "ablation_results": {}, "done": False}
            if c.kind == "proportion":
                st["prop"] = ProportionMerge(c, prof, seed)
            else:
                st["shards"] = shard_units(c, prof)
            self.per_claim[c.id] = st
        self.ready: list = []  # (unit, payload) from records, handled before the engine's results

    # -- progress hooks -----------------------------------------------------------------------------------
    def unit_started(self, unit) -> None:
        c = self.per_claim[unit.claim_id]["claim"]
        if unit.claim_id not in self.started_claims:
            self.started_claims.add(unit.claim_id)
            self.progress.claim_started(c, self.index[c.id] + 1, len(self.claims))
        if unit.kind == "ablation":
            h = next(h for h in c.hypotheses if h.name == unit.hypothesis)
            self.progress.ablation_started(c, h)

    # -- submission ---------------------------------------------------------------------------------------
    def submit(self, engine, unit) -> None:
        self.units_total += 1
        record = self.state.load(unit) if (self.resume and self.state is not None) else None
        if record is not None:
            self.units_resumed += 1
            self.ready.append((unit, record))
        else:
            engine.submit(unit, self.index[unit.claim_id])
        units_planned = getattr(self.progress, "units_planned", None)
        if units_planned:
            units_planned(self.units_total)

    def execute(self, engine) -> None:
        self.engine = engine
        for c in self.claims:
            st = self.per_claim[c.id]
            units = st["prop"].plan() if st["prop"] is not None else list(st["shards"])
            for u in units + st["ablations"]:
                self.submit(engine, u)
            if st["prop"] is not None and not units:  # nothing to sample (no sampler, population too large)
                self.maybe_finish(c.id)
        while True:
            if self.ready:
                unit, payload = self.ready.pop(0)
                self.take(unit, payload, from_record=True)
                continue
            got = engine.next()
            if got is None:
                break
            self.take(*got)
        for c in self.claims:  # a claim whose units were all cancelled or resumed
            self.maybe_finish(c.id)

    # -- results ------------------------------------------------------------------------------------------
    def take(self, unit, payload, from_record=False) -> None:
        if not from_record and self.state is not None:
            self.state.save(unit, payload)
        self.units_done += 1
        st = self.per_claim[unit.claim_id]
        c = st["claim"]
        examples = 0
        if unit.kind == "shard":
            r = self._result(c, payload)
            st["shard_results"][unit.index] = (r, payload)
            examples = r.examples
            if r.finding is not None:
                self._keep_best_finding(st, unit, r, payload)
        elif unit.kind == "ablation":
            r = self._result(c, payload)
            st["ablation_results"][unit.key] = r
            examples = r.examples
            if r.finding is not None and self.out is not None:
                from harness.engine.runner import write_finding

                h = next(h for h in c.hypotheses if h.name == unit.hypothesis)
                variant = c.variant(unit.variant_id, hypotheses=tuple(o for o in c.hypotheses if o is not h))
                write_finding(self.out / "ablation", variant, r.finding)
                self._write_files(payload, prefix="ablation/")
            entry = self._ablation_entry(unit, r)
            self.progress.ablation_finished(c, entry)
        else:
            prop = st["prop"]
            if unit.kind == "example":
                self._write_example_files(c, payload)
            new, cancel = prop.receive(unit, payload)
            examples = payload.get("trials", 0)
            if cancel:
                self.engine.cancel(cancel)
                self.units_total -= len(cancel)
            for u in new:
                self.submit(self.engine, u)
            ex = prop.example()
            if ex is not None:
                self.submit(self.engine, ex)
        self.examples += examples
        unit_finished = getattr(self.progress, "unit_finished", None)
        if unit_finished:
            unit_finished(unit, payload, self)
        self.maybe_finish(unit.claim_id)

    def _result(self, c, payload) -> ClaimResult:
        if "error" in payload:
            return ClaimResult.of(c, "error", message=payload["error"], seconds=payload.get("seconds", 0.0))
        return ClaimResult.from_dict(payload["result"])

    def _ablation_entry(self, unit, r) -> dict:
        from harness.engine.units import ablation_entry

        entry = ablation_entry(r)
        entry["hypothesis"] = unit.hypothesis
        return entry

    def _keep_best_finding(self, st, unit, r, payload) -> None:
        """Write the shard's finding when it is the smallest so far (ties: the lower shard)."""
        from harness.engine.runner import write_finding
        from harness.engine.units import finding_size

        rank = (finding_size(r.finding), unit.index)
        if r.verdict == "inconclusive" or (st["best"] is not None and st["best"] <= rank):
            return
        st["best"] = rank
        if self.out is not None:
            write_finding(self.out, st["claim"], r.finding)
            self._write_files(payload)

    def _write_files(self, payload, prefix: str = "") -> None:
        import base64

        if self.out is None:
            return
        for rel, b64 in payload.get("files", {}).items():
            if prefix and not rel.startswith(prefix):
                continue
            path = self.out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(b64))

    def _write_example_files(self, c, payload) -> None:
        from harness.core.results import Finding
        from harness.engine.runner import write_finding

        if self.out is None or "error" in payload:
            return
        self._write_files(payload)
        ex = payload.get("example") or {}
        if ex.get("replay_file"):
            ex["replay_file"] = str(self.out / "proportion-examples" / Path(ex["replay_file"]).name)
        if payload.get("finding"):
            f = Finding(**payload["finding"])
            write_finding(self.out, c, f)
            payload["finding"] = f.__dict__

    def maybe_finish(self, claim_id) -> None:
        from harness.engine.units import merge_shards

        st = self.per_claim[claim_id]
        if st["done"]:
            return
        c = st["claim"]
        if len(st["ablation_results"]) < len(st["ablations"]):
            return
        if st["prop"] is not None:
            if not st["prop"].done:
                return
            result, _ = st["prop"].final()
        else:
            if len(st["shard_results"]) < len(st["shards"]):
                return
            result = merge_shards(c, [st["shard_results"][i][0] for i in range(len(st["shards"]))])
        for u in st["ablations"]:
            result.ablation.append(self._ablation_entry(u, st["ablation_results"][u.key]))
        st["done"] = True
        self.run.results.append(result)
        self.run.results.sort(key=lambda r: self.index[r.claim_id])
        if claim_id not in self.started_claims:
            self.started_claims.add(claim_id)
        self.progress.claim_finished(c, result, self.index[claim_id] + 1, len(self.claims))
        self.write()
        self.dirty = False
