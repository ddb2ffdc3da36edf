"""Hypothesis strategies for datasets, architectures, activations and parameter points.

Composable and shrink-friendly: sizes are drawn as small integers (shrinking acts on them first), real
entries come from a drawn seed (generic = Gaussian, in general position almost surely) or, for hand-readable
instances, from small half-integers.
"""
from strategies.architectures import architectures
from strategies.data import datasets
from strategies.networks import activations, problems
from strategies.points import (
    core_points,
    critical_points,
    global_minima,
    optimised_critical_points,
    random_points,
    split_points,
    star_points,
)

__all__ = [
    "activations", "architectures", "core_points", "critical_points", "datasets", "global_minima",
    "optimised_critical_points", "problems", "random_points", "split_points", "star_points",
]
