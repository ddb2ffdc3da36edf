"""Problems: an architecture, an activation and a dataset, bundled as a point-less NetInstance."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from harness.models.activations import COOPER_ACTIVATIONS
from harness.models.mlp import NetInstance
from strategies.architectures import architectures
from strategies.data import datasets
from strategies.discrete import dimension, draw_dimension


def activations(names=COOPER_ACTIVATIONS):
    """Activation names; shrinks toward the first (tanh)."""
    return st.sampled_from(tuple(names))


@st.composite
def problems(draw, n=st.integers(2, 8), arch=None, activation=None, entries: str = "gaussian",
             regime: str = "any", **arch_kwargs) -> NetInstance:
    """A NetInstance with theta = 0 and point {"source": "none"}; points are set by strategies.points.

    ``arch`` may be a strategy of Architecture or a callable n -> strategy (for regimes that depend on n).
    """
    n_ = draw_dimension(draw, "n", n)
    if arch is None:
        a = draw(architectures(n=n_, regime=regime, **arch_kwargs))
    else:
        a = draw(arch(n_) if callable(arch) and not isinstance(arch, st.SearchStrategy) else arch)
    act = draw(dimension("activation", activation if activation is not None else activations()))
    X, Y = draw(datasets(n_, a.d_in, a.d_out, entries))
    return NetInstance(a, act, X, Y, np.zeros(a.n_params), {"source": "none"})
