"""Lanczos on Hessian-vector products agrees with the dense spectrum (numpy eigvalsh)."""
import numpy as np
import pytest

import harness  # noqa: F401  (float64)
from harness.models.architecture import Architecture
from harness.models.mlp import Problem
from harness.numerics import extreme_eigenvalues
from strategies.points import init_params


@pytest.mark.parametrize("which", ["SA", "LA"])
def test_lanczos_matches_dense(which):
    arch = Architecture(3, (9, 7), 2)
    rng = np.random.default_rng(11)
    P = Problem(arch, "tanh", rng.standard_normal((6, 3)), rng.standard_normal((6, 2)))
    theta = init_params(arch, rng)
    dense = np.linalg.eigvalsh(P.hessian(theta))
    lanczos = extreme_eigenvalues(P, theta, k=4, which=which)
    expected = dense[:4] if which == "SA" else dense[-4:]
    assert np.allclose(lanczos, expected, rtol=1e-8, atol=1e-9 * np.abs(dense).max())


def test_hvp_is_hessian_times_vector():
    arch = Architecture(2, (5,), 1)
    rng = np.random.default_rng(3)
    P = Problem(arch, "erf", rng.standard_normal((4, 2)), rng.standard_normal((4, 1)))
    theta, v = init_params(arch, rng), rng.standard_normal(arch.n_params)
    assert np.allclose(P.hvp(theta, v), P.hessian(theta) @ v, rtol=1e-10, atol=1e-12)
