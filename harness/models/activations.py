"""Activation registry: each activation knows the properties theorems assume of it.

Properties are facts, not guesses: ``smooth`` (C-infinity), ``zero_at_zero`` (sigma(0) = 0), ``increasing``
(strictly), ``bounded``, ``analytic``, ``poly_degree`` (None unless sigma is a polynomial), ``homogeneous``
(sigma(cz) = c sigma(z) for c > 0), ``relu``.  Each carries a JAX function and an mpmath function with its
derivative, so that the high-precision backend can recompute what float64 found.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import jax.numpy as jnp
import jax.scipy.special as jsp
import mpmath as mp


@dataclass(frozen=True)
class Activation:
    name: str
    jax_fn: Callable = field(repr=False, compare=False)
    mp_fn: Callable = field(repr=False, compare=False)
    mp_deriv: Callable = field(repr=False, compare=False)
    smooth: bool = True
    zero_at_zero: bool = True
    increasing: bool = True
    bounded: bool = False
    analytic: bool = True
    poly_degree: int | None = None
    homogeneous: bool = False
    relu: bool = False

    def __call__(self, z):
        return self.jax_fn(z)


def _mp_sigmoid(z):
    return 1 / (1 + mp.exp(-z))


_LOG2 = float(jnp.log(2.0))

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("tanh", jnp.tanh, mp.tanh, lambda z: 1 - mp.tanh(z) ** 2, bounded=True),
        Activation("arctan", jnp.arctan, mp.atan, lambda z: 1 / (1 + z * z), bounded=True),
        Activation("erf", jsp.erf, mp.erf, lambda z: 2 / mp.sqrt(mp.pi) * mp.exp(-z * z), bounded=True),
        Activation(
            "softplus0",
            lambda z: jnp.logaddexp(z, 0.0) - _LOG2,
            lambda z: mp.log(1 + mp.exp(z)) - mp.log(2),
            _mp_sigmoid,
        ),
        Activation(
            "sigmoid", lambda z: 1 / (1 + jnp.exp(-z)), _mp_sigmoid,
            lambda z: _mp_sigmoid(z) * (1 - _mp_sigmoid(z)), zero_at_zero=False, bounded=True,
        ),
        Activation(
            "swish", lambda z: z / (1 + jnp.exp(-z)), lambda z: z * _mp_sigmoid(z),
            lambda z: _mp_sigmoid(z) * (1 + z * (1 - _mp_sigmoid(z))), increasing=False,
        ),
        Activation("sin", jnp.sin, mp.sin, mp.cos, increasing=False, bounded=True),
        Activation("linear", lambda z: z, lambda z: z, lambda z: mp.mpf(1), poly_degree=1, homogeneous=True),
        Activation("square", lambda z: z * z, lambda z: z * z, lambda z: 2 * z, increasing=False, poly_degree=2),
        Activation(
            "relu", lambda z: jnp.maximum(z, 0.0), lambda z: max(z, mp.mpf(0)),
            lambda z: mp.mpf(1) if z > 0 else mp.mpf(0),
            smooth=False, analytic=False, increasing=False, homogeneous=True, relu=True,
        ),
    ]
}

#: Smooth, strictly increasing, sigma(0) = 0: the activations of Cooper (2020), section 2.
COOPER_ACTIVATIONS = ("tanh", "arctan", "erf", "softplus0")


def get(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r}; known: {', '.join(sorted(ACTIVATIONS))}") from None
