"""Power of the margin-guided enumeration alone, offline: many seeds on a cached table of margins.

The enumeration's picks (:class:`harness.engine.enumeration.Enumerator`) depend only on the margins of the
configurations it visits.  Where a claim's margin depends only on the discrete configuration (counts of
zero eigenvalues at star saddles: Cooper's Corollary 5.18 and Proposition 6.2), the margin of each visited
configuration can be computed once, cached, and the Enumerator replayed over many seeds in seconds: a
comparison of two versions of the enumerator with far less noise than 20 seeds of the full runner.

    python benchmarks/enumeration_offline.py cooper2020/prop-6.2 --seeds 30 --picks 150
    python benchmarks/enumeration_offline.py cooper2020/cor-5.18 --seeds 30 --enumerator /path/to/old/enumeration.py

A configuration's margin is that of the first instance drawn for it (continuous part seeded); configurations
outside the hypotheses score +inf (not decided).  The cache (``--cache``) is keyed by the dimensions an
instance read.  Output: the number of seeds in which the enumeration alone reached a violation within the
picks, and the median pick.
"""
from __future__ import annotations

import argparse
import importlib.util
import math
import pickle
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed as hyp_seed, settings  # noqa: E402

from harness.app.catalogue import load_catalogue  # noqa: E402
from harness.core.claims import registry  # noqa: E402
from harness.engine.runner import evaluate  # noqa: E402
from strategies.discrete import new_instance, pinned, recording  # noqa: E402


def margin_of(claim, config: dict, cache: dict) -> tuple[dict, dict, float]:
    """(dimension values, reads, margin) of the first instance drawn with ``config`` pinned (cached)."""
    for values, reads, m in cache.values():
        if reads and all(config.get(k) == v for k, v in reads.items()):
            return values, reads, m
    out = {}

    @hyp_seed(0)
    @settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=[Phase.generate])
    @given(claim.strategy)
    def draw(inst):
        if not all(h.holds(inst) for h in claim.hypotheses):
            out["m"] = math.inf
            return
        try:
            out["m"] = evaluate(claim, inst).margin
        except Exception:  # inconclusive or a failing check: not decided here
            out["m"] = math.inf

    with recording() as log, pinned(config):
        new_instance(log)
        try:
            draw()
        except Exception:
            out.setdefault("m", math.inf)
    res = (dict(log["values"]), dict(log["read"]), out.get("m", math.inf))
    cache[tuple(sorted(res[1].items()))] = res
    return res


def replay(enumerator_cls, claim, seed: int, picks: int, cache: dict) -> int | None:
    """The pick at which the enumeration alone first meets a negative margin, or None."""
    e = enumerator_cls(seed=seed, small_scope=picks // 3)
    config = {}
    for i in range(picks):
        values, reads, m = margin_of(claim, config, cache)
        if m < 0:
            return i
        e.learn(values, reads, m)
        config = e.next()
        if config is None:
            return None
    return None


def load_enumerator(path: str | None):
    if not path:
        from harness.engine.enumeration import Enumerator
        return Enumerator
    spec = importlib.util.spec_from_file_location("_enumeration_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.Enumerator


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("claim")
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--picks", type=int, default=150, help="the default profile's enumeration budget of a budget-3 claim")
    ap.add_argument("--enumerator", help="a harness/enumeration.py to compare (default: this checkout's)")
    ap.add_argument("--cache", help="pickle file of computed margins (default: /tmp/enumeration-offline-<claim>.pkl)")
    args = ap.parse_args(argv)
    load_catalogue()
    claim = registry[args.claim]
    path = Path(args.cache or f"/tmp/enumeration-offline-{args.claim.replace('/', '_')}.pkl")
    cache = pickle.loads(path.read_bytes()) if path.exists() else {}
    cls = load_enumerator(args.enumerator)
    hits = [replay(cls, claim, s, args.picks, cache) for s in range(args.seeds)]
    path.write_bytes(pickle.dumps(cache))
    found = [h for h in hits if h is not None]
    print(f"{args.claim}: found by the enumeration alone in {len(found)}/{args.seeds} seeds within {args.picks} "
          f"picks; median pick {statistics.median(found) if found else None}; {len(cache)} margins cached")
    return 0


if __name__ == "__main__":
    sys.exit(main())
