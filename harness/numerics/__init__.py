"""Numerics: gap-ruled ranks and inertia, exact arithmetic, precision switching, optimisers.

* :mod:`harness.numerics.spectral` (re-exported here): ranks, null spaces and Hessian inertia decided on a
  spectral gap (inconclusive when there is none), Lanczos extremes, a least-squares solve that follows the
  precision in force;
* :mod:`harness.numerics.precision`: float64 JAX for the search, mpmath for re-verification;
* :mod:`harness.numerics.exact`: python-flint ranks, rank mod p, exact inertia, Sturm counts;
* :mod:`harness.numerics.optimise`: descent, saddle search, gated minimisation, Newton refinement;
* :mod:`harness.numerics.determinantal`: the determinantal variety M_r (tangent and normal spaces, charts).
"""
from harness.numerics.spectral import (TOL, Inertia, Rank, Tolerances, extreme_eigenvalues, hessian_inertia,
                                       inertia, lstsq, null_space, numerical_rank, relative_gradient)

__all__ = ["TOL", "Inertia", "Rank", "Tolerances", "extreme_eigenvalues", "hessian_inertia", "inertia", "lstsq",
           "null_space", "numerical_rank", "relative_gradient"]
