"""The harness's power table: can the search alone find what it should?

For every ``expect="fails"`` claim of the catalogue and every mutant in ``tests/test_mutants*.py``, with the
claims file's explicit examples switched off, run the search over S seeds in a profile (default: 20 seeds,
``default`` profile) and record per claim: how many seeds found the counterexample (or witness), the phase
that found it (small-scope enumeration / Hypothesis' random phase), and examples and seconds to the first
finding (median and 95th percentile over the seeds that found it).

    python benchmarks/power.py --seeds 20 --profile default --json benchmarks/power-DATE.json
    python benchmarks/power.py --only 'cooper2020/prop-6.2*' --seeds 5

Target (issue 7): every row found in >= 19 of 20 seeds.  A full run is long (about 100 claims x 20 seeds);
``--only`` and ``--seeds`` make partial runs, and the JSON says what was run.
"""
from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.app.catalogue import load_catalogue  # noqa: E402
from harness.core.claims import registry  # noqa: E402
from harness.engine.runner import run_claim  # noqa: E402


def mutants() -> list:
    out = []
    for path in sorted((ROOT / "tests").glob("test_mutants*.py")):
        spec = importlib.util.spec_from_file_location(f"_power_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out += [(m.id, m.build) for m in getattr(module, "MUTANTS", [])]
    return out


def targets() -> list:
    """(id, builder) of every claim the search must falsify: expect="fails" forall claims and mutants."""
    load_catalogue()
    fails = [(c.id, (lambda c=c: c.variant(c.id, examples=()))) for c in registry
             if c.expect == "fails" and c.kind == "forall"]
    return fails + mutants()


def _pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else None


def measure(build, seeds, profile) -> dict:
    rows = []
    for s in seeds:
        claim = build()
        t = time.monotonic()
        r = run_claim(claim, profile, seed=s)
        rows.append({"seed": s, "verdict": r.verdict, "found_in": r.found_in,
                     "examples": r.first_found_examples, "seconds": r.first_found_seconds,
                     "total_seconds": round(time.monotonic() - t, 2)})
    hits = [x for x in rows if x["verdict"] in ("falsified", "witnessed")]
    ex = [x["examples"] for x in hits if x["examples"] is not None]
    sec = [x["seconds"] for x in hits if x["seconds"] is not None]
    return {"found": len(hits), "seeds": len(rows),
            "by_enumeration": sum(x["found_in"] == "enumeration" for x in hits),
            "median_examples": statistics.median(ex) if ex else None, "p95_examples": _pct(ex, 0.95),
            "median_seconds": round(statistics.median(sec), 2) if sec else None,
            "p95_seconds": round(_pct(sec, 0.95), 2) if sec else None, "runs": rows}


def markdown(data: dict) -> str:
    """The power table of a JSON written by this script, as Markdown (tabulate)."""
    from tabulate import tabulate

    rows = []
    for ident, t in data["table"].items():
        rows.append([f"`{ident}`", f"{t['found']}/{t['seeds']}", t["by_enumeration"],
                     t["median_examples"] if t["median_examples"] is not None else "n/a",
                     t["p95_examples"] if t["p95_examples"] is not None else "n/a",
                     t["median_seconds"] if t["median_seconds"] is not None else "n/a",
                     t["p95_seconds"] if t["p95_seconds"] is not None else "n/a"])
    head = ["target", "found", "by enumeration", "examples (median)", "examples (p95)", "s (median)", "s (p95)"]
    return tabulate(rows, head, tablefmt="github")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--profile", default="default")
    ap.add_argument("--only", default="*", help="comma-separated globs of claim / mutant ids")
    ap.add_argument("--json", help="write the table here")
    ap.add_argument("--markdown", metavar="JSON", help="only print the Markdown table of an earlier run's JSON")
    args = ap.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())))
        return 0
    globs = [g.strip() for g in args.only.split(",")]
    chosen = [(i, b) for i, b in targets() if any(fnmatch.fnmatchcase(i, g) for g in globs)]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    table, started = {}, time.monotonic()
    for ident, build in chosen:
        table[ident] = measure(build, seeds, args.profile)
        t = table[ident]
        print(f"{ident:70s} {t['found']:2d}/{t['seeds']}  enum {t['by_enumeration']:2d}  "
              f"examples {t['median_examples']} / p95 {t['p95_examples']}  s {t['median_seconds']} / "
              f"p95 {t['p95_seconds']}", flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "profile": args.profile,
                                                   "seeds": seeds, "only": args.only,
                                                   "seconds": round(time.monotonic() - started, 1),
                                                   "table": table}, indent=1))
    missed = [i for i, t in table.items() if t["found"] < t["seeds"] * 19 / 20]
    print(f"{len(table)} targets, {len(missed)} below 19/20: {missed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
