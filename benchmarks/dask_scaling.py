"""Distributed audits (named so as not to shadow the `distributed` package when run as a script): the speed-up of 2 Dask workers over 1, and the overhead of a work unit.

    .venv/bin/python benchmarks/dask_scaling.py [--claims GLOB] [--profile thorough] [--seed 0] [--workers 1,2]
                                               [--overhead-claims GLOB] [--out benchmarks/dask-scaling-DATE.json]

1. **Speed-up**: the same claims, profile and seed, run by ``run_audit`` on a Dask LocalCluster of 1 and of 2
   single-threaded worker processes, one after the other in one invocation (target: >= 1.8x with 2 workers on
   a 2-core machine).  The verdicts and example counts of all runs must agree (the same seed gives the same
   verdicts whatever the workers); the script says so and records any difference.
2. **Overhead per unit**: the ci profile's claims (``--overhead-claims``) run in-process and on a warm
   1-worker LocalCluster (a first pass imports the harness and compiles on the worker; the second is timed):
   (wall time on the cluster - wall time in-process) / units, beside the mean time of a ci-profile claim
   (target: under 5%).  Cluster start-up and the first pass are reported separately.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _verdicts(run) -> dict:
    return {r.claim_id: (r.verdict, r.examples) for r in run.results}


def _units(out_dir: Path) -> int:
    return len(list((out_dir / ".run" / "done").glob("*.json")))


def speedup(claims, profile, seed, workers_list) -> dict:
    from harness.audit import run_audit

    runs = {}
    for w in workers_list:
        with tempfile.TemporaryDirectory() as d:
            t0, cpu0 = time.monotonic(), time.process_time()
            run = run_audit(claims, profile, seed=seed, out_dir=Path(d), workers=w)
            wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
            runs[w] = {"seconds": wall, "units": _units(Path(d)), "verdicts": _verdicts(run),
                       "client_cpu": cpu, "unit_seconds": sum(r.seconds for r in run.results),
                       "not_as_expected": {r.claim_id: r.verdict for r in run.results if not r.as_expected}}
        print(f"  {w} worker{'s' if w != 1 else ''}: {wall:.1f} s, {runs[w]['units']} units", flush=True)
    base = workers_list[0]
    out = {"claims": len(claims), "profile": profile, "seed": seed, "runs": {}}
    for w, r in runs.items():
        out["runs"][str(w)] = {"seconds": round(r["seconds"], 2), "units": r["units"],
                               "speedup_vs_%d" % base: round(runs[base]["seconds"] / r["seconds"], 3),
                               # the client's own CPU (scheduler thread, merging, reports) competes with the
                               # workers for the cores; busy = the units' seconds / (workers x wall)
                               "client_cpu_seconds": round(r["client_cpu"], 1),
                               "workers_busy": round(r["unit_seconds"] / (w * r["seconds"]), 3),
                               "not_as_expected": r["not_as_expected"]}
    same = all(r["verdicts"] == runs[base]["verdicts"] for r in runs.values())
    out["same_verdicts_and_examples"] = same
    if not same:
        out["differences"] = {w: {k: (runs[base]["verdicts"].get(k), v) for k, v in r["verdicts"].items()
                                  if runs[base]["verdicts"].get(k) != v} for w, r in runs.items()}
    return out


def overhead(claims, seed) -> dict:
    """In-process vs a warm 1-worker LocalCluster (joined with --scheduler, so that its worker has imported the
    harness and compiled its functions in a first pass)."""
    import logging

    from distributed import LocalCluster

    from harness.audit import run_audit

    with tempfile.TemporaryDirectory() as d:
        run_audit(claims, "ci", seed=seed, out_dir=Path(d) / "warm")  # imports, JAX compilation (persistent cache)
        t0 = time.monotonic()
        local = run_audit(claims, "ci", seed=seed, out_dir=Path(d) / "local")
        t_local = time.monotonic() - t0
        units = _units(Path(d) / "local")
        t0 = time.monotonic()
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR)
        t_start = time.monotonic() - t0
        try:
            t0 = time.monotonic()
            run_audit(claims, "ci", seed=seed, out_dir=Path(d) / "dask-cold", scheduler=cluster.scheduler_address)
            t_cold = time.monotonic() - t0
            t0 = time.monotonic()
            dask = run_audit(claims, "ci", seed=seed, out_dir=Path(d) / "dask", scheduler=cluster.scheduler_address)
            t_warm = time.monotonic() - t0
        finally:
            cluster.close()
    per_claim = t_local / max(1, len(claims))
    per_unit = (t_warm - t_local) / max(1, units)
    return {"claims": len(claims), "units": units, "in_process_seconds": round(t_local, 2),
            "cluster_startup_seconds": round(t_start, 2), "cluster_first_pass_seconds": round(t_cold, 2),
            "cluster_warm_seconds": round(t_warm, 2), "mean_ci_claim_seconds": round(per_claim, 3),
            "overhead_per_unit_seconds": round(per_unit, 4),
            "overhead_share_of_ci_claim": round(per_unit / per_claim, 4) if per_claim else None,
            "same_verdicts_and_examples": _verdicts(local) == _verdicts(dask)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--claims", default=None)
    p.add_argument("--profile", default="thorough")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", default="1,2")
    p.add_argument("--overhead-claims", default="trager2020/*")
    p.add_argument("--skip-speedup", action="store_true")
    p.add_argument("--out", default=str(Path(__file__).parent / f"dask-scaling-{date.today().isoformat()}.json"))
    a = p.parse_args(argv)
    from harness.claims import registry

    result = {"date": date.today().isoformat(), "cpus": os.cpu_count()}
    if not a.skip_speedup:
        claims = registry.select(a.claims)
        print(f"speed-up: {len(claims)} claims, profile {a.profile}, seed {a.seed}", flush=True)
        result["speedup"] = speedup(claims, a.profile, a.seed, [int(w) for w in a.workers.split(",")])
        result["speedup"]["claims_glob"] = a.claims or "*"
        print(json.dumps(result["speedup"], indent=2), flush=True)
    oc = registry.select(a.overhead_claims)
    print(f"overhead: {len(oc)} ci-profile claims", flush=True)
    result["overhead"] = overhead(oc, a.seed)
    result["overhead"]["claims_glob"] = a.overhead_claims
    print(json.dumps(result["overhead"], indent=2), flush=True)
    Path(a.out).write_text(json.dumps(result, indent=2))
    print(f"written: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
