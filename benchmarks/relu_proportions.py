"""Speed of the ReLU-region engine and proportion claims (not a test): rank mod p of a 100 x 3000 integer
Jacobian, batched Gram ranks, samples per second of the karhadkar2024 proportion claims, the ci reproductions.

    .venv/bin/python benchmarks/relu_proportions.py
"""
import time

import numpy as np

from harness.models import relu as R
from harness.app.catalogue import load_catalogue
from harness.core.claims import registry
from harness.statistics.reproductions import run_reproduction, select
from harness.engine.runner import run_claim


def main():
    rng = np.random.default_rng(0)
    X = rng.integers(-10**6, 10**6, size=(100, 10))
    A = rng.integers(0, 2, size=(300, 100)).astype(np.uint8)
    J = R.jacobian(A, X, np.ones(300, dtype=np.int64), False)
    t = time.perf_counter()
    r = R.rank_mod_p_int(np.mod(J, R.PRIME))
    print(f"rank mod p of a {J.shape[0]} x {J.shape[1]} integer Jacobian: {r} in {time.perf_counter() - t:.3f} s")
    As = rng.integers(0, 2, size=(100, 300, 100)).astype(np.uint8)
    t = time.perf_counter()
    R.pattern_ranks(As, X, None)
    print(f"100 Gram ranks (n = 100, d_1 = 300): {time.perf_counter() - t:.3f} s")
    load_catalogue()
    for c in registry.select("karhadkar2024/*"):
        if c.kind != "proportion":
            continue
        t = time.perf_counter()
        res = run_claim(c, "ci")
        dt = time.perf_counter() - t
        print(f"{c.id}: {res.verdict}, {res.examples} samples in {dt:.2f} s ({res.examples / dt:.0f} samples/s)")
    t = time.perf_counter()
    for rep in select("karhadkar2024/*"):
        run_reproduction(rep, "ci")
    print(f"ci reproductions: {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
