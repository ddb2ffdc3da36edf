"""MLPs with biases and the square loss in JAX (float64), compiled once per shape bucket.

f_w = A_{H+1} o sigma o A_H o ... o sigma o A_1,  A_j(z) = W_j z + b_j,  L(w) = sum_i ||f_w(x_i) - y_i||^2
(Cooper 2020, section 2: a sum, no 1/2, no 1/n).

Speed: JAX compiles once per array shape (~0.5 s), a small Hessian then costs ~1 ms.  Every problem is
embedded in a *padded* problem whose widths are rounded up to a few buckets; padded units, inputs, outputs
and samples are switched off by 0/1 masks, which multiply exactly, so the padded gradient and Hessian
restricted to the real coordinates equal the real ones bit for bit up to summation order.  Compiled
functions are cached per (activation, depth, padded widths), so a Hypothesis run over hundreds of random
architectures compiles a handful of times instead of once per example.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import jax
import jax.numpy as jnp
import numpy as np

from harness.models import activations
from harness.models.architecture import Architecture
from harness.models.losses import SquareLoss
from harness.core.evidence import jsonable
from harness.core.instances import register_instance_type
from harness.numerics.precision import precise_digits

def _bucket(k: int, floor: int) -> int:
    return max(floor, 1 << max(0, int(k - 1).bit_length()))


def padded_architecture(arch: Architecture) -> Architecture:
    """One width bucket for every hidden layer (>= 8), inputs and outputs padded to >= 4: the usual small
    architectures of the catalogue share a single compiled shape per depth."""
    wb = _bucket(max(arch.hidden), 8) if arch.hidden else 8
    return Architecture(_bucket(arch.d_in, 4), (wb,) * arch.depth, _bucket(arch.d_out, 4))


#: The activation is a traced index into this table (``lax.switch``), not a static argument, so that one
#: compilation serves every activation.
_ACT_NAMES = tuple(activations.ACTIVATIONS)
_ACT_FNS = tuple(activations.ACTIVATIONS[a].jax_fn for a in _ACT_NAMES)


def _forward(padded: Architecture, p, X, act):
    """All layer outputs a_0..a_H and f for the rows of X (padded layout); ``act`` indexes _ACT_FNS."""
    def sigma(z):
        return jax.lax.switch(act, _ACT_FNS, z)

    acts, a = [X], X
    for j, (ws, shape, bs) in enumerate(padded.layers, start=1):
        z = a @ p[ws].reshape(shape).T + p[bs]
        if j <= padded.depth:
            a = sigma(z)
            acts.append(a)
        else:
            a = z
    return acts, a


@lru_cache(maxsize=None)
def _compiled(padded: Architecture):
    """jit-compiled loss, gradient, Hessian, residual Jacobian, features for one padded shape.

    Data arguments: (mask, X, Y, sw, ow, act): parameter mask, padded inputs/targets, sample and output
    weights (0/1), activation index."""

    def residuals(p, mask, X, Y, sw, ow, act):
        _, out = _forward(padded, p * mask, X, act)
        return (out - Y) * ow[None, :] * sw[:, None]

    def loss(p, mask, X, Y, sw, ow, act):
        # the square loss of harness.models.losses, on the masked residuals (padded samples/outputs contribute 0)
        return SquareLoss.on_residuals(residuals(p, mask, X, Y, sw, ow, act))

    def layer_outputs(p, mask, X, act):
        return _forward(padded, p * mask, X, act)

    def hvp(p, mask, X, Y, sw, ow, act, v):
        return jax.jvp(lambda q: jax.grad(loss)(q, mask, X, Y, sw, ow, act), (p,), (v,))[1]

    return dict(
        loss=jax.jit(loss),
        grad=jax.jit(jax.grad(loss)),
        hessian=jax.jit(jax.hessian(loss)),
        hvp=jax.jit(hvp),
        jacobian=jax.jit(jax.jacfwd(residuals)),
        layer_outputs=jax.jit(layer_outputs),
    )


@lru_cache(maxsize=None)
def _output_derivative(padded: Architecture, order: int):
    """D^order f_c(x) w.r.t. all (padded) parameters for order 1, 2; for order 3 the contraction
    D^3 f_c(x)[v] (a matrix), which vanishes on an index set iff the tensor does, for almost every v."""

    def f(p, mask, x, c, act):
        _, out = _forward(padded, p * mask, x[None, :], act)
        return out[0, c]

    if order == 1:
        g = jax.grad(f)
    elif order == 2:
        g = jax.hessian(f)
    elif order == 3:
        def g(p, mask, x, c, act, v):
            return jax.hessian(lambda q: jax.jvp(lambda r: f(r, mask, x, c, act), (q,), (v,))[1])(p)
    else:
        raise ValueError("orders 1, 2, 3 are supported")
    return jax.jit(g)


@dataclass(frozen=True, eq=False)
class Problem:
    """A network (architecture + activation), a dataset (X: n x d_in, Y: n x d_out) and the square loss.

    Every method takes and returns *real* (unpadded) quantities as numpy float64 arrays.  Inside
    :func:`precise_backend` the same methods compute in mpmath (see :mod:`harness.models.mlp_precise`).
    """

    arch: Architecture
    activation: str
    X: np.ndarray = field(repr=False)
    Y: np.ndarray = field(repr=False)
    #: The loss on the network's outputs (a hypothesis can check it: ``inst.problem.loss_fn``).
    loss_fn = SquareLoss()

    def __post_init__(self):
        X = np.asarray(self.X, dtype=float).reshape(-1, self.arch.d_in)
        Y = np.asarray(self.Y, dtype=float).reshape(-1, self.arch.d_out)
        if X.shape[0] != Y.shape[0]:
            raise ValueError(f"{X.shape[0]} inputs but {Y.shape[0]} targets")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)
        activations.get(self.activation)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def n_params(self) -> int:
        return self.arch.n_params

    # ---- padding -------------------------------------------------------------------------------------
    @cached_property
    def _pad(self):
        arch, padded = self.arch, padded_architecture(self.arch)
        index = np.empty(arch.n_params, dtype=np.int64)
        for (ws, (r, c), bs), (pws, (_, pc), pbs) in zip(arch.layers, padded.layers):
            rows, cols = np.meshgrid(np.arange(r), np.arange(c), indexing="ij")
            index[ws] = pws.start + (rows * pc + cols).ravel()
            index[bs] = pbs.start + np.arange(r)
        mask = np.zeros(padded.n_params)
        mask[index] = 1.0
        nb = _bucket(self.n, 8)
        X = np.zeros((nb, padded.d_in))
        X[: self.n, : arch.d_in] = self.X
        Y = np.zeros((nb, padded.d_out))
        Y[: self.n, : arch.d_out] = self.Y
        sw = np.zeros(nb)
        sw[: self.n] = 1.0
        ow = np.zeros(padded.d_out)
        ow[: arch.d_out] = 1.0
        act = np.int32(_ACT_NAMES.index(self.activation))
        return padded, index, tuple(jnp.asarray(a) for a in (mask, X, Y, sw, ow, act))

    def _embed(self, theta):
        padded, index, _ = self._pad
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.arch.n_params,):
            raise ValueError(f"expected {self.arch.n_params} parameters, got shape {theta.shape}")
        p = np.zeros(padded.n_params)
        p[index] = theta
        return jnp.asarray(p)

    def _fns(self):
        return _compiled(self._pad[0])

    def _precise(self):
        digits = precise_digits()
        if digits is None:
            return None
        from harness.models import mlp_precise as precise

        return precise.PreciseProblem(self, digits=digits)

    # ---- the loss and its derivatives ----------------------------------------------------------------
    def loss(self, theta) -> float:
        if (pp := self._precise()) is not None:
            return pp.loss(theta)
        _, _, data = self._pad
        return float(self._fns()["loss"](self._embed(theta), *data))

    def grad(self, theta) -> np.ndarray:
        if (pp := self._precise()) is not None:
            return pp.grad(theta)
        _, index, data = self._pad
        return np.asarray(self._fns()["grad"](self._embed(theta), *data))[index]

    def hessian(self, theta) -> np.ndarray:
        """Dense, symmetrised Hessian of L."""
        if (pp := self._precise()) is not None:
            return pp.hessian(theta)
        _, index, data = self._pad
        Hp = np.asarray(self._fns()["hessian"](self._embed(theta), *data))
        H = Hp[np.ix_(index, index)]
        return 0.5 * (H + H.T)

    def hessian_eigenvalues(self, theta) -> np.ndarray:
        """Eigenvalues of the Hessian, ascending (computed in mpmath under the precise backend)."""
        if (pp := self._precise()) is not None:
            return pp.hessian_eigenvalues_mp(theta)
        return np.linalg.eigvalsh(self.hessian(theta))

    def hvp(self, theta, v) -> np.ndarray:
        """Hessian-vector product (float64 JAX; under the precise backend, the mpmath Hessian times v)."""
        if self._precise() is not None:
            return self.hessian(theta) @ np.asarray(v, float)
        _, index, data = self._pad
        pv = self._embed(v)
        return np.asarray(self._fns()["hvp"](self._embed(theta), *data, pv))[index]

    def jacobian(self, theta) -> np.ndarray:
        """J = dF/dw of the residual map F(w) = (f_w(x_i) - y_i)_{i,c}; rows ordered (i, c)."""
        if (pp := self._precise()) is not None:
            return pp.jacobian(theta)
        padded, index, data = self._pad
        Jp = np.asarray(self._fns()["jacobian"](self._embed(theta), *data))
        Jp = Jp[: self.n, : self.arch.d_out, :]
        return Jp.reshape(self.n * self.arch.d_out, -1)[:, index]

    # ---- forward quantities --------------------------------------------------------------------------
    def layer_outputs(self, theta) -> list[np.ndarray]:
        """[a_0(X), a_1(X), ..., a_H(X), f(X)], each n x d_j."""
        if (pp := self._precise()) is not None:
            return pp.layer_outputs(theta)
        padded, _, (mask, X, Y, sw, ow, act) = self._pad
        acts, out = self._fns()["layer_outputs"](self._embed(theta), mask, X, act)
        widths = self.arch.widths
        return [np.asarray(a)[: self.n, : widths[j]] for j, a in enumerate([*acts, out])]

    def outputs(self, theta) -> np.ndarray:
        return self.layer_outputs(theta)[-1]

    def residuals(self, theta) -> np.ndarray:
        return self.outputs(theta) - self.Y

    def features(self, theta) -> np.ndarray:
        """Phi(w') = [a_H(x_1) ... a_H(x_n)], a d_H x n matrix (Cooper section 5)."""
        return self.layer_outputs(theta)[-2].T

    def augmented_features(self, theta) -> np.ndarray:
        """Phi~ = [Phi ; 1^T], the (d_H + 1) x n matrix whose rank rho decides the fiber (Lemma 5.14)."""
        phi = self.features(theta)
        return np.vstack([phi, np.ones((1, self.n))])

    def output_derivative(self, theta, i: int, c: int, order: int, direction=None) -> np.ndarray:
        """D^order f_c(x_i) with respect to the real parameters (order 1: gradient, 2: Hessian); for order 3,
        the matrix D^3 f_c(x_i)[direction] (``direction``: a real parameter vector)."""
        if self._precise() is not None:
            from harness.core.evidence import Inconclusive

            raise Inconclusive("no mpmath backend for derivative tensors of f (float64 only)")
        padded, index, (mask, X, Y, sw, ow, act) = self._pad
        args = [self._embed(theta), mask, X[i], c, act]
        if order == 3:
            if direction is None:
                raise ValueError("order 3 needs a direction to contract with")
            args.append(self._embed(direction))
        T = np.asarray(_output_derivative(padded, order)(*args))
        return T[np.ix_(*([index] * min(order, 2)))]

    def y_mean(self) -> np.ndarray:
        return self.Y.mean(axis=0)


@dataclass(frozen=True, eq=False)
class NetInstance:
    """Data (X, Y), a network (arch, activation) and a point theta.

    ``point`` records where theta came from: ``{"source": "star-locus", "K": [2], ...}``,
    ``{"source": "optimised", "refined": True, "grad_rel": 3e-15}`` and so on.
    """

    arch: Architecture
    activation: str
    X: np.ndarray = field(repr=False)
    Y: np.ndarray = field(repr=False)
    theta: np.ndarray = field(repr=False)
    point: dict = field(default_factory=dict)

    @cached_property
    def problem(self) -> Problem:
        return Problem(self.arch, self.activation, self.X, self.Y)

    @property
    def n(self) -> int:
        return len(self.X)

    @property
    def source(self) -> str:
        return self.point.get("source", "random")

    def with_theta(self, theta, **point) -> "NetInstance":
        return NetInstance(self.arch, self.activation, self.X, self.Y, np.asarray(theta, float),
                           {**self.point, **point})

    # ---- serialisation --------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "type": "NetInstance",
            "arch": {"d_in": self.arch.d_in, "hidden": list(self.arch.hidden), "d_out": self.arch.d_out},
            "activation": self.activation,
            "X": np.asarray(self.X).tolist(),
            "Y": np.asarray(self.Y).tolist(),
            "theta": np.asarray(self.theta).tolist(),
            "point": jsonable(self.point),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "NetInstance":
        a = d["arch"]
        return cls(Architecture(a["d_in"], tuple(a["hidden"]), a["d_out"]), d["activation"],
                   np.array(d["X"], float).reshape(-1, a["d_in"]), np.array(d["Y"], float).reshape(-1, a["d_out"]),
                   np.array(d["theta"], float), d.get("point", {}))

    def describe(self) -> str:
        """Human-readable, minimised form for reports."""
        lines = [
            f"network {self.arch} (d_in-hidden-d_out), activation {self.activation}, n = {self.n}, "
            f"N = {self.arch.n_params} parameters",
            f"point: {', '.join(f'{k}={v}' for k, v in self.point.items()) or 'random'}",
            f"X = {np.array2string(np.asarray(self.X), precision=4, separator=', ')}",
            f"Y = {np.array2string(np.asarray(self.Y), precision=4, separator=', ')}",
        ]
        for j, (W, b) in enumerate(self.arch.unflatten(self.theta), start=1):
            lines.append(f"W{j} = {np.array2string(W, precision=4, separator=', ')}; "
                         f"b{j} = {np.array2string(b, precision=4, separator=', ')}")
        return "\n".join(lines)


register_instance_type("NetInstance", NetInstance.from_dict)
