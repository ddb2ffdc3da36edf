"""Speed of the exact-arithmetic engine (harness.numerics.exact): rank mod p of a 100 x 3000 integer matrix (the
Karhadkar et al. Jacobian size), exact inertia of 60 x 60 and 80 x 80 rational symmetric matrices, and the exact
Hessian + inertia of a linear network.  Run: ``python benchmarks/exact_arithmetic.py [--json out.json]``."""
from __future__ import annotations

import argparse
import json
import time

import numpy as np

from harness.numerics import exact


def _best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> dict:
    rng = np.random.default_rng(0)
    out = {}
    A = rng.integers(-10**6, 10**6, size=(100, 3000), endpoint=True)
    out["rank_mod_p_100x3000_s"] = _best_of(lambda: exact.rank_mod_p(A))
    for n in (60, 80):
        X = rng.normal(size=(n, n))
        out[f"inertia_{n}x{n}_float_s"] = _best_of(lambda: exact.inertia(X + X.T))
        Q = exact.random_cayley_orthogonal(n, rng)
        D = exact.diagonal([int(k) for k in rng.integers(-5, 6, n)])
        S = Q * D * Q.transpose()
        out[f"inertia_{n}x{n}_cayley_s"] = _best_of(lambda: exact.inertia(S))
    from hypothesis import find, settings
    from hypothesis import strategies as st

    from harness.models.linear import LinearArchitecture
    from strategies.linear import canonical_critical_points, linear_problems, quadratic_losses

    inst = find(canonical_critical_points(linear_problems(st.just(LinearArchitecture((4, 4, 4, 4))),
                                                          quadratic_losses), sizes="pure", gl=True),
                lambda i: True, settings=settings(database=None))
    out["linear_4444_exact_hessian_inertia_s"] = _best_of(
        lambda: exact.inertia(inst.problem.exact_hessian(inst.exact_theta)))
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    res = main()
    for k, v in res.items():
        print(f"{k:45s} {v * 1000:9.1f} ms")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d"), **res}, f, indent=2)
