"""Discrete dimensions of an instance space, for the small-scope enumeration (the engine's
:mod:`harness.engine.discrete`, re-exported for strategy authors): ``draw(dimension("depth", st.integers(1, 4)))``.
"""
from harness.engine.discrete import (MAX_VALUES, dimension, draw_dimension, finite_values, new_instance, pinned,
                                     recording)

__all__ = ["MAX_VALUES", "dimension", "draw_dimension", "finite_values", "new_instance", "pinned", "recording"]
