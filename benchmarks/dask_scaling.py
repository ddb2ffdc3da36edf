"""Distributed audits (named so as not to shadow the `distributed` package when run as a script): the speed-up of 2 Dask workers over 1, and the overhead of a work unit.

    .venv/bin/python benchmarks/dask_scaling.py [--claims GLOB] [--profile thorough] [--seed 0] [--workers 1,2]
                                               [--overhead-claims GLOB] [--out benchmarks/dask-scaling-DATE.json]

1. **Speed-up**: the same claims, profile and seed, run by ``run_audit`` on a Dask LocalCluster of 1 and of 2
   single-threaded worker processes, one after the other in one invocation (target: >= 1.8x with 2 workers on
   a 2-core machine).  The verdicts and example counts of all runs must agree (the same seed gives the same
   verdicts whatever the workers); the script says so and records any difference.
2. **Overhead per unit**: the ci profile's claims (``--overhead-claims``) run in-process and on a warm
   1-worker LocalCluster (a first pass imports the harness and compiles on the worker), in rounds that
   alternate which goes first: the time around the units (wall - the units' own seconds) on the cluster minus
   the same in-process, per unit, beside the mean time of a ci-profile claim (target: under 5%); the plain
   wall-time difference per unit too.  Cluster start-up and the first pass are reported separately.
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


def _timed_run(claims, profile, seed, **where) -> dict:
    from harness.engine.audit import run_audit

    with tempfile.TemporaryDirectory() as d:
        t0, cpu0 = time.monotonic(), time.process_time()
        run = run_audit(claims, profile, seed=seed, out_dir=Path(d), **where)
        wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
        return {"seconds": wall, "units": _units(Path(d)), "verdicts": _verdicts(run),
                "client_cpu": cpu, "unit_seconds": sum(r.seconds for r in run.results),
                "not_as_expected": {r.claim_id: r.verdict for r in run.results if not r.as_expected}}


def _local_cluster(workers: int):
    """A LocalCluster of single-threaded worker processes, as ``--workers`` starts one."""
    import logging

    from distributed import LocalCluster

    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.ERROR)


def _warm_passes(claims, profile, seed, workers: int, passes: int) -> list[dict]:
    """Passes 2.. of the same run on one LocalCluster whose workers ran pass 1 (warm: imported, traced,
    compiled), as on a long-lived cluster joined with --scheduler."""
    cluster = _local_cluster(workers)
    try:
        out = [_timed_run(claims, profile, seed, scheduler=cluster.scheduler_address) for _ in range(passes)]
    finally:
        cluster.close()
    return out[1:]


def speedup(claims, profile, seed, arms, passes: int = 1) -> dict:
    runs, warm = {}, {}
    for arm in arms:
        w = int(arm)
        runs[arm] = dict(_timed_run(claims, profile, seed, workers=w), workers=w)
        print(f"  {arm}: {runs[arm]['seconds']:.1f} s, {runs[arm]['units']} units", flush=True)
        if passes > 1:
            warm[arm] = _warm_passes(claims, profile, seed, w, passes)
            print(f"  {arm}, warm: {[round(p['seconds'], 1) for p in warm[arm]]} s", flush=True)
    base = arms[0]
    out = {"claims": len(claims), "profile": profile, "seed": seed, "runs": {}}
    for arm, r in runs.items():
        w = r["workers"]
        out["runs"][arm] = {"seconds": round(r["seconds"], 2), "units": r["units"],
                            "speedup_vs_%s" % base: round(runs[base]["seconds"] / r["seconds"], 3),
                            "unit_seconds": round(r["unit_seconds"], 1),
                            # the client's own CPU (scheduler thread, merging, reports) competes with the
                            # workers for the cores; busy = the units' seconds / (workers x wall)
                            "client_cpu_seconds": round(r["client_cpu"], 1),
                            "workers_busy": round(r["unit_seconds"] / (w * r["seconds"]), 3),
                            "not_as_expected": r["not_as_expected"]}
    if warm:  # the last warm pass of each arm
        out["warm"] = {arm: {"seconds": round(p[-1]["seconds"], 2), "unit_seconds": round(p[-1]["unit_seconds"], 1),
                             "speedup_vs_%s" % base: round(warm[base][-1]["seconds"] / p[-1]["seconds"], 3),
                             "workers_busy": round(p[-1]["unit_seconds"] / (int(arm) * p[-1]["seconds"]), 3)}
                       for arm, p in warm.items()}
    same = all(r["verdicts"] == runs[base]["verdicts"] for r in runs.values()) and \
        all(p["verdicts"] == runs[base]["verdicts"] for ps in warm.values() for p in ps)
    out["same_verdicts_and_examples"] = same
    if not same:
        out["differences"] = {w: {k: (runs[base]["verdicts"].get(k), v) for k, v in r["verdicts"].items()
                                  if runs[base]["verdicts"].get(k) != v} for w, r in runs.items()}
    return out


def _unit_seconds(out_dir: Path) -> float:
    """The units' own seconds (``run_unit``'s clock, in whatever process ran them), from the run's records."""
    return sum(json.loads(p.read_text())["payload"].get("seconds", 0.0)
               for p in (out_dir / ".run" / "done").glob("*.json"))


def overhead(claims, seed, rounds: int = 3) -> dict:
    """In-process vs a warm 1-worker LocalCluster (joined with --scheduler, so that its worker has imported the
    harness and compiled its functions in a first pass), ``rounds`` times, alternating which goes first.

    Two estimates per round: (cluster wall - in-process wall) / units, which carries the run-to-run noise of
    the units themselves; and the difference of the *gaps* (wall - the units' own seconds), which is the time
    around the units (submission, transport, scheduling, the client's merging and reports) and cancels the
    units' noise.  The medians are reported, beside the mean time of a ci-profile claim (target: under 5%)."""
    import statistics

    from harness.engine.audit import run_audit

    def timed(folder, **kw):
        t0 = time.monotonic()
        run = run_audit(claims, "ci", seed=seed, out_dir=folder, **kw)
        wall = time.monotonic() - t0
        return run, wall, wall - _unit_seconds(folder)

    rows = []
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        run_audit(claims, "ci", seed=seed, out_dir=d / "warm")  # imports, JAX compilation (persistent cache)
        t0 = time.monotonic()
        cluster = _local_cluster(1)
        t_start = time.monotonic() - t0
        try:
            addr = cluster.scheduler_address
            t0 = time.monotonic()
            run_audit(claims, "ci", seed=seed, out_dir=d / "dask-cold", scheduler=addr)
            t_cold = time.monotonic() - t0
            for k in range(rounds):
                order = ("local", "dask") if k % 2 == 0 else ("dask", "local")
                got = {}
                for arm in order:
                    got[arm] = timed(d / f"{arm}-{k}", **({"scheduler": addr} if arm == "dask" else {}))
                units = _units(d / f"local-{k}")
                (local, t_local, gap_local), (dask, t_dask, gap_dask) = got["local"], got["dask"]
                rows.append({"in_process_seconds": round(t_local, 2), "cluster_seconds": round(t_dask, 2),
                             "in_process_gap": round(gap_local, 3), "cluster_gap": round(gap_dask, 3),
                             "units": units, "wall_per_unit": (t_dask - t_local) / units,
                             "gap_per_unit": (gap_dask - gap_local) / units,
                             "same_verdicts_and_examples": _verdicts(local) == _verdicts(dask)})
        finally:
            cluster.close()
    per_claim = statistics.median(r["in_process_seconds"] for r in rows) / max(1, len(claims))
    wall_unit = statistics.median(r["wall_per_unit"] for r in rows)
    gap_unit = statistics.median(r["gap_per_unit"] for r in rows)
    for r in rows:
        r["wall_per_unit"], r["gap_per_unit"] = round(r["wall_per_unit"], 4), round(r["gap_per_unit"], 4)
    return {"claims": len(claims), "units": rows[0]["units"], "rounds": rows,
            "cluster_startup_seconds": round(t_start, 2), "cluster_first_pass_seconds": round(t_cold, 2),
            "mean_ci_claim_seconds": round(per_claim, 3),
            "overhead_per_unit_seconds": round(gap_unit, 4),
            "overhead_share_of_ci_claim": round(gap_unit / per_claim, 4) if per_claim else None,
            "wall_difference_per_unit_seconds": round(wall_unit, 4),
            "wall_difference_share_of_ci_claim": round(wall_unit / per_claim, 4) if per_claim else None,
            "same_verdicts_and_examples": all(r["same_verdicts_and_examples"] for r in rows)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--claims", default=None)
    p.add_argument("--profile", default="thorough")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", default="1,2", help="worker counts, in order (the first is the base)")
    p.add_argument("--overhead-claims", default="trager2020/*")
    p.add_argument("--skip-speedup", action="store_true")
    p.add_argument("--skip-overhead", action="store_true")
    p.add_argument("--rounds", type=int, default=3, help="rounds of the overhead measurement")
    p.add_argument("--passes", type=int, default=1,
                   help="passes per worker count; passes 2.. on one cluster give the warm speed-up too")
    p.add_argument("--out", default=str(Path(__file__).parent / f"dask-scaling-{date.today().isoformat()}.json"))
    a = p.parse_args(argv)
    from harness.app.catalogue import load_catalogue
    from harness.core.claims import registry

    load_catalogue()

    result = {"date": date.today().isoformat(), "cpus": os.cpu_count()}
    if not a.skip_speedup:
        claims = registry.select(a.claims)
        print(f"speed-up: {len(claims)} claims, profile {a.profile}, seed {a.seed}", flush=True)
        result["speedup"] = speedup(claims, a.profile, a.seed, a.workers.split(","), a.passes)
        result["speedup"]["claims_glob"] = a.claims or "*"
        print(json.dumps(result["speedup"], indent=2), flush=True)
    if not a.skip_overhead:
        oc = registry.select(a.overhead_claims)
        print(f"overhead: {len(oc)} ci-profile claims", flush=True)
        result["overhead"] = overhead(oc, a.seed, a.rounds)
        result["overhead"]["claims_glob"] = a.overhead_claims
        print(json.dumps(result["overhead"], indent=2), flush=True)
    Path(a.out).write_text(json.dumps(result, indent=2))
    print(f"written: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
