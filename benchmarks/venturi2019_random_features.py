"""Venturi-Bandeira-Bruna (2019), Theorem 16 experiment and engine speed.

1. Risk of the best output layer over p random ReLU features, R(W) - L(f*), mean over draws with a 95% t-interval,
   beside the bound V/p (the 1/p reference line of the thesis figure) and the claims file's mean ratios
   (0.343, 0.134, 0.054, 0.022, 0.012, 0.007, 0.004, 0.002 for p = 8..1024 at N = 20000).
2. Speed: the exact Theorem-8 path certificate of a width-20 network, and population losses in closed form
   against the empirical loss on 1000 points.

    .venv/bin/python benchmarks/venturi2019_random_features.py [--full] [--out benchmarks/venturi2019]
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
from scipy import stats

CLAIMS_FILE_RATIO = {8: .343, 16: .134, 32: .054, 64: .022, 128: .012, 256: .007, 512: .004, 1024: .002}


def random_features(ps, samples, draws):
    from properties.venturi2019 import random_features_draws

    rows = []
    for p in ps:
        R, wit, V = random_features_draws({"p": p, "n": 5, "a": 1.0, "b": 2.0, "samples": samples, "draws": draws,
                                           "seed": 1})
        half = stats.t.ppf(0.975, draws - 1) * R.std(ddof=1) / math.sqrt(draws)
        rows.append({"p": p, "mean_excess": float(R.mean()), "ci95": [float(R.mean() - half), float(R.mean() + half)],
                     "V_over_p": V / p, "ratio": float(R.mean() / (V / p)), "witness_ratio": float(wit.mean() / (V / p)),
                     "claims_file_ratio": CLAIMS_FILE_RATIO.get(p)})
    return rows


def path_speed(p=20):
    from harness.models.two_layer import Rho, TwoLayerArchitecture, TwoLayerInstance, intrinsic_dimension, psi
    from harness.certificates.paths import certify_path, theorem8_path
    from harness.models.population import EmpiricalLoss

    rng = np.random.default_rng(0)
    rho = Rho.poly((0, 1, 1))
    n = 4
    q = intrinsic_dimension(rho, n)  # 14
    X = np.round(rng.standard_normal((3 * q + 5, n)) * 8) / 8
    Y = np.round(np.sin(X.sum(1, keepdims=True)) * 16) / 16
    arch = TwoLayerArchitecture(n, p, 1)
    W = rng.integers(-2, 3, (p, n)) / 2
    W[1::3] = W[0::3][: len(W[1::3])]
    inst = TwoLayerInstance(arch, rho, EmpiricalLoss(X, Y), arch.flatten(W, rng.integers(-3, 4, (1, p)) / 2), {})
    t0 = time.perf_counter()
    path = theorem8_path(inst.problem, inst.exact_theta, lambda W: psi(rho, W), q, rng, True)
    cert = certify_path(inst.problem, path.nodes, path.labels)
    return {"p": p, "q": q, "seconds": time.perf_counter() - t0, "ok": cert.ok}


def loss_speed():
    from harness.models.two_layer import Rho, TwoLayerArchitecture, TwoLayerProblem
    from harness.models.population import EmpiricalLoss, Gaussian, PopulationLoss

    rng = np.random.default_rng(0)
    out = {}
    for name, rho in [("poly z+z^2", Rho.poly((0, 1, 1))), ("relu", Rho.of("relu"))]:
        arch = TwoLayerArchitecture(5, 20, 1)
        pop = TwoLayerProblem(arch, rho, PopulationLoss(Gaussian(5), rng.standard_normal((3, 5)), np.ones((1, 3))))
        X = rng.standard_normal((1000, 5))
        emp = TwoLayerProblem(arch, rho, EmpiricalLoss(X, rng.standard_normal((1000, 1))))
        th = rng.standard_normal(arch.n_params)
        for label, P in [("population", pop), ("empirical-1000", emp)]:
            t0 = time.perf_counter()
            for _ in range(50):
                P.loss(th)
            out[f"{name} {label}"] = (time.perf_counter() - t0) / 50
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", action="store_true", help="the claims file's grid (p up to 1024, N = 20000)")
    ap.add_argument("--out", default="benchmarks/venturi2019")
    a = ap.parse_args(argv)
    ps = [8, 16, 32, 64, 128, 256, 512, 1024] if a.full else [8, 16, 32, 64, 128]
    rows = random_features(ps, 20000 if a.full else 4000, 30)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    result = {"random_features": rows, "path_certificate_width_20": path_speed(), "loss_seconds": loss_speed()}
    (out / "results.json").write_text(json.dumps(result, indent=2))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.6))
    P = np.array([r["p"] for r in rows])
    m = np.array([r["mean_excess"] for r in rows])
    lo = np.array([max(r["ci95"][0], 1e-12) for r in rows])
    hi = np.array([r["ci95"][1] for r in rows])
    ax.errorbar(P, m, yerr=[m - lo, hi - m], fmt="o-", label="mean R(W) - L(f*) (95% CI)")
    ax.plot(P, [r["V_over_p"] for r in rows], "k--", label="V / p (Theorem 16 bound)")
    ax.plot(P, [r["witness_ratio"] * r["V_over_p"] for r in rows], "s:", label="witness u = g(w)/p")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width p")
    ax.set_ylabel("excess risk")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "random_features.png", dpi=120)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
