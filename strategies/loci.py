"""Cooper's star and core loci as coordinate constraints (Cooper 2020, section 3; cooper2020.md section 2).

For K = {k_1 < ... < k_m} in {1..H}:
  S_K = { W_k = 0 for k in K ; b_j = 0 for k_1 <= j <= H ; W_{H+1} = 0 ; b_{H+1} = ybar },
every other coordinate free.  ``free_biases=True`` gives the generalised locus S~_K (no bias constraints).
Star locus S* = union of S_{k} (|K| = 1); core locus C = union over |K| = 2; m-core C_m over |K| = m.
"""
from __future__ import annotations

import numpy as np

from harness.models.architecture import Architecture


def locus_constraints(arch: Architecture, K, free_biases: bool = False) -> np.ndarray:
    """Boolean mask of the coordinates that the locus S_K fixes (True = fixed)."""
    K = sorted(K)
    if not K or K[0] < 1 or K[-1] > arch.depth:
        raise ValueError(f"K must be a non-empty subset of 1..{arch.depth}, got {K}")
    fixed = np.zeros(arch.n_params, dtype=bool)
    for k in K:
        fixed[arch.weight(k)] = True
    if not free_biases:
        for j in range(K[0], arch.depth + 1):
            fixed[arch.bias(j)] = True
    fixed[arch.last_layer] = True
    return fixed


def locus_dimension(arch: Architecture, K, free_biases: bool = False) -> int:
    """dim S_K = number of free coordinates (the locus is an affine coordinate subspace)."""
    return int((~locus_constraints(arch, K, free_biases)).sum())


def dim_S_K_formula(arch: Architecture, K) -> int:
    """cooper2020.md section 2: dim S_K = sum_{j<k_1} d_j (d_{j-1}+1) + sum_{k_1<j<=H, j not in K} d_j d_{j-1}."""
    d, K = arch.widths, sorted(K)
    return (sum(d[j] * (d[j - 1] + 1) for j in range(1, K[0]))
            + sum(d[j] * d[j - 1] for j in range(K[0] + 1, arch.depth + 1) if j not in K))


def put_on_locus(arch: Architecture, theta, K, ybar, free_biases: bool = False) -> np.ndarray:
    """Set the constrained coordinates of theta exactly: zeros, and b_{H+1} = ybar."""
    theta = np.array(theta, dtype=float)
    theta[locus_constraints(arch, K, free_biases)] = 0.0
    theta[arch.bias(arch.depth + 1)] = np.asarray(ybar, float)
    return theta
