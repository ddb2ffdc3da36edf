"""Throughput benchmark: examples per second per claim (ci profile), cold and warm, and the share of compiling.

Usage (from the project root, with the venv active)::

    python benchmarks/throughput.py                                   # every claim
    python benchmarks/throughput.py --claims 'cooper2020/thm-3*,cooper2020/prop-5.7'
    python benchmarks/throughput.py --out benchmarks/results-2025-01-01.json --no-micro

How it measures
---------------
* Every claim runs in its **own fresh subprocess** with ``LANDSCAPE_AUDIT_JAX_CACHE=off`` (no JAX persistent
  compilation cache, and a fresh ``lru_cache`` of compiled functions in :mod:`harness.models.mlp`).  In that
  subprocess ``run_claim(claim, "ci")`` runs twice:
    - **cold**: the first run, paying every trace/lower/XLA compile of the shapes the claim meets;
    - **warm**: the second run in the same process (ci is derandomised, so it meets the same examples and
      normally compiles nothing new).
  Examples/s = ``ClaimResult.examples`` (decided + inconclusive) / wall-clock seconds of ``run_claim``
  (includes strategy drawing, optimisers, the check, and shrinking/certification if a finding occurs).
* **Compile share** = (seconds of JAX compile events during the run) / (wall seconds of the run).  A listener
  registered with ``jax.monitoring.register_event_duration_secs_listener`` sums these events of jax 0.10:
    ``/jax/core/compile/jaxpr_trace_duration``          (tracing a jitted function to a jaxpr)
    ``/jax/core/compile/jaxpr_to_mlir_module_duration`` (lowering to StableHLO)
    ``/jax/core/compile/backend_compile_duration``      (XLA compile, or persistent-cache retrieval)
  Not summed: ``/jax/compilation_cache/cache_retrieval_time_sec`` (nested inside backend_compile) and
  ``/jax/compilation_cache/compile_time_saved_sec`` (a counterfactual, not elapsed time).  Every event name
  containing "compile" that was seen is still recorded in the JSON (``compile_events``).
* **Small-network claims** are classified by measuring, during the warm run: every instance the check receives
  is a ``NetInstance``, and no function of :mod:`harness.numerics.optimise` was called (while drawing or checking) and
  no instance came from an optimiser (point source ``optimised:*``, ``split``, ``global-min``).
  Target: median warm examples/s over small-network claims >= 100.  Reported PASS/FAIL; exit status is 0.
* **Micro-benchmark** (own subprocess, cache off): ``Problem.hessian`` on a 50-parameter net
  (3-5-5, tanh, n = 10): first-call (compile) time, compile events, median warm per-call time.
  Target: about 1 ms per warm Hessian.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_WARM_EX_PER_S = 100.0
TARGET_HESSIAN_MS = 1.0
COMPILE_EVENTS = (
    "/jax/core/compile/jaxpr_trace_duration",
    "/jax/core/compile/jaxpr_to_mlir_module_duration",
    "/jax/core/compile/backend_compile_duration",
)
OPTIMISER_SOURCES = ("optimised", "split", "global-min")


# ------------------------------------------------------------------------------------------------------
# worker side (runs inside a fresh subprocess)
# ------------------------------------------------------------------------------------------------------
class _CompileClock:
    """Sums the durations of JAX compile events while active."""

    def __init__(self):
        import jax.monitoring

        self.active = False
        self.reset()
        jax.monitoring.register_event_duration_secs_listener(self._on)

    def reset(self):
        self.seconds = 0.0
        self.count = 0
        self.seen: dict[str, float] = {}

    def _on(self, event, duration, **kwargs):
        if not self.active:
            return
        if "compile" in event:
            self.seen[event] = self.seen.get(event, 0.0) + float(duration)
        if event in COMPILE_EVENTS:
            self.seconds += float(duration)
            if event == COMPILE_EVENTS[-1]:
                self.count += 1


def _patch_optimiser_counter():
    """Wrap every public function of harness.numerics.optimise, also where other modules imported it by name."""
    import harness.numerics.optimise as opt

    calls = {"n": 0}
    originals = {name: f for name, f in vars(opt).items()
                 if callable(f) and getattr(f, "__module__", None) == opt.__name__ and not isinstance(f, type)}
    wrapped = {}
    for name, f in originals.items():
        def w(*a, __f=f, **k):
            calls["n"] += 1
            return __f(*a, **k)
        w.__name__ = name
        wrapped[id(f)] = w
    for mod in list(sys.modules.values()):
        mname = getattr(mod, "__name__", "") or ""
        if not mname.split(".")[0] in ("harness", "strategies", "properties"):
            continue
        for attr, val in list(vars(mod).items()):
            if id(val) in wrapped and any(val is f for f in originals.values()):
                setattr(mod, attr, wrapped[id(val)])
    return calls


def _run_once(claim, clock, profile):
    from harness.engine.runner import run_claim

    clock.reset()
    clock.active = True
    t0 = time.perf_counter()
    result = run_claim(claim, profile)
    wall = time.perf_counter() - t0
    clock.active = False
    return {
        "examples": result.examples,
        "inconclusive": result.inconclusive,
        "verdict": result.verdict,
        "seconds": wall,
        "ex_per_s": result.examples / wall if wall > 0 else 0.0,
        "compile_seconds": clock.seconds,
        "compile_share": clock.seconds / wall if wall > 0 else 0.0,
        "backend_compiles": clock.count,
        "compile_events": dict(clock.seen),
    }


def worker_claim(claim_id: str, profile: str) -> dict:
    t_import = time.perf_counter()
    import harness  # noqa: F401  (sets x64, the cache policy)
    from harness import registry
    from harness.app.catalogue import load_catalogue
    from harness.models.mlp import NetInstance

    load_catalogue()
    import_seconds = time.perf_counter() - t_import
    clock = _CompileClock()
    claim = registry[claim_id]
    cold = _run_once(claim, clock, profile)

    # warm run, instrumented to classify the claim (small network = NetInstance, no optimiser)
    calls = _patch_optimiser_counter()
    kinds, sources = set(), set()
    inner = claim.check

    def check(instance):
        kinds.add(type(instance).__name__)
        if isinstance(instance, NetInstance):
            sources.add(str(instance.source))
        return inner(instance)

    warm = _run_once(claim.variant(claim.id, check=check), clock, profile)
    uses_optimiser = calls["n"] > 0 or any(s.startswith(OPTIMISER_SOURCES) for s in sources)
    return {
        "claim": claim_id,
        "import_seconds": import_seconds,
        "cold": cold,
        "warm": warm,
        "instance_types": sorted(kinds),
        "point_sources": sorted(sources),
        "optimiser_calls_warm": calls["n"],
        "uses_optimiser": uses_optimiser,
        "small_network": kinds == {"NetInstance"} and not uses_optimiser,
    }


def worker_micro(repeats: int) -> dict:
    import numpy as np

    import harness  # noqa: F401
    from harness.models.architecture import Architecture
    from harness.models.mlp import Problem

    clock = _CompileClock()
    arch = Architecture(3, (5,), 5)
    assert arch.n_params == 50, arch.n_params
    rng = np.random.default_rng(0)
    prob = Problem(arch, "tanh", rng.standard_normal((10, 3)), rng.standard_normal((10, 5)))
    thetas = rng.standard_normal((repeats + 1, arch.n_params))
    prob._pad  # build the padded data outside the timed region (host-side numpy + jnp.asarray)
    clock.active = True
    t0 = time.perf_counter()
    prob.hessian(thetas[0])
    first = time.perf_counter() - t0
    first_compile = clock.seconds
    clock.reset()
    times = []
    for th in thetas[1:]:
        t0 = time.perf_counter()
        prob.hessian(th)
        times.append(time.perf_counter() - t0)
    clock.active = False
    per_call = statistics.median(times)
    return {
        "arch": "3-5-5", "activation": "tanh", "n": 10, "n_params": arch.n_params,
        "first_call_seconds": first,
        "compile_event_seconds": first_compile,
        "compile_seconds_est": first - per_call,
        "per_call_ms_median": per_call * 1e3,
        "per_call_ms_p10": float(np.percentile(times, 10)) * 1e3,
        "per_call_ms_p90": float(np.percentile(times, 90)) * 1e3,
        "repeats": repeats,
        "warm_compile_event_seconds": clock.seconds,
    }


# ------------------------------------------------------------------------------------------------------
# parent side
# ------------------------------------------------------------------------------------------------------
def _spawn(args: list[str], timeout: float) -> dict:
    env = dict(os.environ, LANDSCAPE_AUDIT_JAX_CACHE="off")
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    try:
        p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("@@RESULT "):
            return json.loads(line[len("@@RESULT "):])
    return {"error": f"exit {p.returncode}: {(p.stderr or p.stdout)[-800:]}"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--claims", default=None, help="comma-separated globs (default: every claim)")
    ap.add_argument("--profile", default="ci")
    ap.add_argument("--out", default=None,
                    help="JSON results file (default: benchmarks/results-<date>.json)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per claim subprocess")
    ap.add_argument("--no-micro", action="store_true", help="skip the Problem.hessian micro-benchmark")
    ap.add_argument("--micro-repeats", type=int, default=500)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-micro", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    if args.worker:
        print("@@RESULT " + json.dumps(worker_claim(args.worker, args.profile)), flush=True)
        return 0
    if args.worker_micro:
        print("@@RESULT " + json.dumps(worker_micro(args.micro_repeats)), flush=True)
        return 0

    from tabulate import tabulate

    os.environ["LANDSCAPE_AUDIT_JAX_CACHE"] = "off"  # the parent only lists claims; never touch the cache
    from harness import registry
    from harness.app.catalogue import load_catalogue

    load_catalogue()

    ids = [c.id for c in registry.select(args.claims)]
    started = time.perf_counter()
    rows, results = [], []
    for i, cid in enumerate(ids, 1):
        print(f"[{i}/{len(ids)}] {cid} ...", end=" ", flush=True, file=sys.stderr)
        r = _spawn(["--worker", cid, "--profile", args.profile], args.timeout)
        r.setdefault("claim", cid)
        results.append(r)
        if "error" in r:
            print("ERROR", file=sys.stderr)
            rows.append([cid, "-", "-", "-", "-", "-", "-", "ERROR: " + r["error"].splitlines()[0][:60]])
            continue
        c, w = r["cold"], r["warm"]
        print(f"{c['seconds']:.1f}s cold, {w['seconds']:.1f}s warm", file=sys.stderr)
        rows.append([cid, w["examples"], f"{c['ex_per_s']:.1f}", f"{w['ex_per_s']:.1f}",
                     f"{100 * c['compile_share']:.0f}%", f"{100 * w['compile_share']:.0f}%",
                     "yes" if r["small_network"] else "no", w["verdict"]])

    print()
    print(tabulate(rows, headers=["claim", "examples", "cold ex/s", "warm ex/s", "compile share cold",
                                  "compile share warm", "small net", "verdict"],
                   colalign=("left", "right", "right", "right", "right", "right", "left", "left")))

    small = [r["warm"]["ex_per_s"] for r in results if "error" not in r and r["small_network"]]
    summary = {"target_warm_ex_per_s": TARGET_WARM_EX_PER_S, "small_network_claims": len(small)}
    print()
    if small:
        med = statistics.median(small)
        ok = med >= TARGET_WARM_EX_PER_S
        summary.update(median_warm_ex_per_s_small=med, pass_=ok)
        print(f"median warm ex/s over {len(small)} small-network claims: {med:.1f} "
              f"(target >= {TARGET_WARM_EX_PER_S:g}): {'PASS' if ok else 'FAIL'}")
    else:
        print("no small-network claims among those measured: target not evaluated")
    allw = [r["warm"]["ex_per_s"] for r in results if "error" not in r]
    if allw:
        summary["median_warm_ex_per_s_all"] = statistics.median(allw)
        print(f"median warm ex/s over all {len(allw)} measured claims: {statistics.median(allw):.1f}")

    micro = None
    if not args.no_micro:
        micro = _spawn(["--worker-micro", "--micro-repeats", str(args.micro_repeats)], args.timeout)
        print()
        if "error" in micro:
            print("micro-benchmark ERROR:", micro["error"])
        else:
            ok = micro["per_call_ms_median"] <= TARGET_HESSIAN_MS * 1.5
            print(f"Problem.hessian, {micro['n_params']}-parameter net ({micro['arch']}, {micro['activation']}, "
                  f"n={micro['n']}), persistent cache off:")
            print(f"  first call {micro['first_call_seconds']:.3f} s (compile events "
                  f"{micro['compile_event_seconds']:.3f} s); warm per call median "
                  f"{micro['per_call_ms_median']:.3f} ms (p10 {micro['per_call_ms_p10']:.3f}, "
                  f"p90 {micro['per_call_ms_p90']:.3f}) over {micro['repeats']} calls")
            print(f"  target about {TARGET_HESSIAN_MS:g} ms per warm Hessian: "
                  f"{'PASS' if ok else 'FAIL'} (PASS if <= {1.5 * TARGET_HESSIAN_MS:g} ms)")
            micro["pass"] = ok

    import jax

    out = Path(args.out) if args.out else ROOT / "benchmarks" / f"results-{_dt.date.today().isoformat()}.json"
    payload = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "profile": args.profile, "claims_pattern": args.claims, "jax": jax.__version__,
        "python": sys.version.split()[0], "cpu_count": os.cpu_count(),
        "total_seconds": time.perf_counter() - started,
        "method": "one fresh subprocess per claim, LANDSCAPE_AUDIT_JAX_CACHE=off; cold = first run_claim, "
                  "warm = second run_claim in the same process; compile share = sum of "
                  + ", ".join(COMPILE_EVENTS) + " durations / wall time",
        "summary": summary, "claims": results, "micro_hessian": micro,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2, default=str))
    print(f"\nresults written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
