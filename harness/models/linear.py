"""Linear networks: f_theta(x) = W_h ... W_1 x, no biases (Trager, Kohn & Bruna 2020, section 1.1).

Widths d = (d_0, ..., d_h), W_i in R^{d_i x d_{i-1}}, theta = (W_1, ..., W_h) flattened layer by layer, each
row-major.  The parameterization map mu(theta) = W_h ... W_1 =: Wbar in R^{d_h x d_0}; its image is the
determinantal variety M_r = {rank <= r}, r = min_i d_i (input and output included).  Filling: r = min(d_0, d_h).

Partial products W_{>i} = W_h ... W_{i+1} (W_{>h} = I) and W_{<i} = W_{i-1} ... W_1 (W_{<1} = I), so
Wbar = W_{>i} W_i W_{<i}.  Then
  * d mu(theta)[dW] = sum_i W_{>i} dW_i W_{<i}      (column of J for entry (a, b) of W_i: W_{>i}[:, a] W_{<i}[b, :]);
  * dL/dW_i = W_{>i}^T G W_{<i}^T,  G = grad ell(Wbar);
  * Hess L = J^T Hess ell J + B,  where B has zero diagonal blocks (mu is affine in each layer) and, for i < j,
    B[(i,a,b), (j,c,e)] = <G, W_{>j} E_ce M E_ab W_{<i}> = M[e, a] A[c, b],  M = W_{j-1} ... W_{i+1},
    A = W_{>j}^T G W_{<i}^T.
The functions of this module are generic in the scalar type: float64 arrays, or numpy object arrays of
``flint.fmpq`` for exact rational arithmetic (every float64 is a dyadic rational).  Float64 loss, gradient
and Hessian of L = ell o mu also run in JAX, with every width padded to a bucket (zero rows and columns
multiply exactly) so that one compilation serves every architecture of a depth.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import jax
import jax.numpy as jnp
import numpy as np

from harness.numerics import exact
from harness.numerics.determinantal import dim_M
from harness.core.evidence import jsonable
from harness.core.instances import register_instance_type
from harness.models.losses import Loss, loss_from_dict


# =========================================================================================================
# Architecture
# =========================================================================================================
@dataclass(frozen=True)
class LinearArchitecture:
    widths: tuple[int, ...]

    def __post_init__(self):
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        if len(self.widths) < 2 or min(self.widths) < 1:
            raise ValueError(f"a linear network needs >= 2 widths, all >= 1; got {self.widths}")

    @property
    def h(self) -> int:
        """Number of layers (weight matrices)."""
        return len(self.widths) - 1

    @property
    def d_in(self) -> int:
        return self.widths[0]

    @property
    def d_out(self) -> int:
        return self.widths[-1]

    @property
    def r(self) -> int:
        """r = min_i d_i over all widths, input and output included."""
        return min(self.widths)

    @property
    def m(self) -> int:
        """m = min(d_0, d_h): the largest rank of a d_h x d_0 matrix."""
        return min(self.d_in, self.d_out)

    @property
    def filling(self) -> bool:
        """M_r is all of R^{d_h x d_0} iff r = min(d_0, d_h)."""
        return self.r == self.m

    @property
    def shapes(self) -> tuple[tuple[int, int], ...]:
        return tuple((self.widths[i], self.widths[i - 1]) for i in range(1, len(self.widths)))

    @property
    def n_params(self) -> int:
        return sum(a * b for a, b in self.shapes)

    @property
    def dim_M(self) -> int:
        """dim M_r = r (d_0 + d_h - r)."""
        return dim_M(self.r, self.d_out, self.d_in)

    @property
    def fiber_dim(self) -> int:
        """Dimension of the fiber over a rank-r matrix: d_theta - dim M_r."""
        return self.n_params - self.dim_M

    def slices(self) -> list[slice]:
        out, at = [], 0
        for a, b in self.shapes:
            out.append(slice(at, at + a * b))
            at += a * b
        return out

    def unflatten(self, theta) -> list[np.ndarray]:
        theta = np.asarray(theta)
        if theta.shape != (self.n_params,):
            raise ValueError(f"expected {self.n_params} parameters, got shape {theta.shape}")
        return [theta[s].reshape(shape) for s, shape in zip(self.slices(), self.shapes)]

    def flatten(self, Ws) -> np.ndarray:
        arrays = [np.asarray(W) for W in Ws]
        for W, shape in zip(arrays, self.shapes):
            if W.shape != shape:
                raise ValueError(f"layer of shape {W.shape}, expected {shape}")
        return np.concatenate([W.ravel() for W in arrays])

    def __str__(self) -> str:
        return "-".join(map(str, self.widths))


# =========================================================================================================
# Generic (float or exact) maths of mu
# =========================================================================================================
def _eye(n: int, like) -> np.ndarray:
    if np.asarray(like).dtype == object:
        return exact.object_array(np.eye(n, dtype=int))
    return np.eye(n)


def product(Ws) -> np.ndarray:
    """mu(theta) = W_h ... W_1."""
    P = Ws[0]
    for W in Ws[1:]:
        P = W @ P
    return P


def partial_products(Ws):
    """(left, right): left[i] = W_{<i+1} = W_i ... W_1 (d_i x d_0), right[i] = W_{>i+1} (d_h x d_{i+1}), for the
    0-based layer index i (so layer i is Ws[i]); W_{<1} = I_{d_0}, W_{>h} = I_{d_h}."""
    h = len(Ws)
    left = [_eye(Ws[0].shape[1], Ws[0])]
    for W in Ws[:-1]:
        left.append(W @ left[-1])
    right = [None] * h
    right[h - 1] = _eye(Ws[-1].shape[0], Ws[0])
    for i in range(h - 2, -1, -1):
        right[i] = right[i + 1] @ Ws[i + 1]
    return left, right


def dmu(Ws) -> np.ndarray:
    """The Jacobian J of vec(mu) (row-major vec, d_h d_0 rows) with respect to theta (d_theta columns)."""
    left, right = partial_products(Ws)
    d_out, d_in = right[0].shape[0], left[0].shape[1]
    blocks = []
    for i, W in enumerate(Ws):
        # J[(p, q), (a, b)] = right[i][p, a] left[i][b, q]
        blocks.append(np.einsum("pa,bq->pqab", right[i], left[i]).reshape(d_out * d_in, W.size))
    return np.concatenate(blocks, axis=1)


def gradient(Ws, G) -> np.ndarray:
    """grad L = (W_{>i}^T G W_{<i}^T)_i flattened, for G = grad ell(mu(theta))."""
    left, right = partial_products(Ws)
    return np.concatenate([(right[i].T @ G @ left[i].T).ravel() for i in range(len(Ws))])


def second_variation(Ws, G) -> np.ndarray:
    """B = sum_pq G_pq Hess mu_pq: the part of Hess L that involves the second derivative of mu."""
    left, right = partial_products(Ws)
    sizes = [W.size for W in Ws]
    offs = np.concatenate([[0], np.cumsum(sizes)])
    n = offs[-1]
    B = np.zeros((n, n), dtype=object if np.asarray(G).dtype == object else float)
    if B.dtype == object:
        B[...] = exact.to_fmpq(0)
    for i in range(len(Ws)):
        M = _eye(Ws[i].shape[0], Ws[0])  # W_{j-1} ... W_{i+1}, d_{j-1} x d_i
        for j in range(i + 1, len(Ws)):
            A = right[j].T @ G @ left[i].T  # d_j x d_{i-1}
            block = np.einsum("ea,cb->abce", M, A).reshape(sizes[i], sizes[j])
            B[offs[i]:offs[i + 1], offs[j]:offs[j + 1]] = block
            B[offs[j]:offs[j + 1], offs[i]:offs[i + 1]] = block.T
            M = Ws[j] @ M
    return B


def hessian(Ws, G, H_ell) -> np.ndarray:
    """Hess L = J^T Hess ell J + B (B = :func:`second_variation`)."""
    J = dmu(Ws)
    return J.T @ H_ell @ J + second_variation(Ws, G)


def rank_dmu_formula(Ws, rank) -> int:
    """Trager et al. (claims file 2.5, derived): rank d mu = sum_i (c_i - c_{i-1}) rho_i with
    c_i = rank W_{>i}, rho_i = rank W_{<i}, c_0 = 0 (layers counted from 1)."""
    left, right = partial_products(Ws)
    c = [0] + [rank(R) for R in right]
    rho = [rank(Lf) for Lf in left]
    return sum((c[i + 1] - c[i]) * rho[i] for i in range(len(Ws)))


def gl_move(Ws, Gs) -> list:
    """(..., W_{i+1} G_i^{-1}, G_i W_i, ...) for invertible G_i at each hidden layer i = 1..h-1: same mu."""
    Ws = list(Ws)
    for i, G in enumerate(Gs):  # G acts on the output of layer i (0-based), i.e. hidden layer i + 1
        Ginv = _inverse(G)
        Ws[i] = G @ Ws[i]
        Ws[i + 1] = Ws[i + 1] @ Ginv
    return Ws


def _inverse(G) -> np.ndarray:
    if np.asarray(G).dtype == object:
        return exact.to_object_array(exact.rational_matrix(G).inv())
    return np.linalg.inv(G)


# =========================================================================================================
# Problems: (linear network, loss) -- float64 JAX with padded shapes, exact for polynomial losses
# =========================================================================================================
def _bucket(k: int, floor: int = 4) -> int:
    return max(floor, 1 << max(0, int(k - 1).bit_length()))


@lru_cache(maxsize=None)
def _compiled(h: int, B: int, fn):
    """Loss, gradient and Hessian of L = fn(mu(theta), params) for h layers of size B x B (padded)."""

    def L(p, mask, params):
        q = (p * mask).reshape(h, B, B)
        W = q[0]
        for i in range(1, h):
            W = q[i] @ W
        return fn(W, params)

    return dict(loss=jax.jit(L), grad=jax.jit(jax.grad(L)), hessian=jax.jit(jax.hessian(L)))


@dataclass(frozen=True, eq=False)
class LinearProblem:
    """A linear network with a loss ell on its function space: L = ell o mu.

    Every method takes and returns *real* (unpadded) quantities.  Float64 methods (``loss``, ``grad``,
    ``hessian``, ``hessian_eigenvalues``) run in JAX; ``exact_*`` methods use rational arithmetic and exist
    for polynomial losses."""

    arch: LinearArchitecture
    loss_fn: Loss = field(repr=False)

    def __post_init__(self):
        if tuple(self.loss_fn.shape) != (self.arch.d_out, self.arch.d_in):
            raise ValueError(f"loss acts on {self.loss_fn.shape} matrices, the network maps "
                             f"R^{self.arch.d_in} -> R^{self.arch.d_out}")

    @property
    def n_params(self) -> int:
        return self.arch.n_params

    #: No mpmath backend: polynomial claims are decided in exact arithmetic instead (``exact_*``), and the
    #: certification of a float64 finding on a linear network says "numerical".
    supports_precise = False

    # ---- padding -------------------------------------------------------------------------------------
    @cached_property
    def _pad(self):
        """(B, index, mask, params): every layer embedded in a B x B square (B a width bucket), the real
        coordinates' positions, their 0/1 mask and the loss parameters padded to B x B (device arrays, made
        once).  None for a loss that does not pad: it is compiled at its real shape."""
        if not self.loss_fn.paddable:
            return None
        arch = self.arch
        B = _bucket(max(arch.widths))
        index = []
        for i, (a, b) in enumerate(arch.shapes):
            rows, cols = np.meshgrid(np.arange(a), np.arange(b), indexing="ij")
            index.append(i * B * B + (rows * B + cols).ravel())
        index = np.concatenate(index)
        mask = np.zeros(arch.h * B * B)
        mask[index] = 1.0
        params = jax.tree_util.tree_map(jnp.asarray, self.loss_fn.params((B, B)))
        return B, index, jnp.asarray(mask), params

    def _fns(self):
        if self._pad is None:
            return _compiled_unpadded(self.arch, self.loss_fn)
        return _compiled(self.arch.h, self._pad[0], self.loss_fn.fn)

    def _args(self, theta):
        theta = np.asarray(theta, float)
        if theta.shape != (self.n_params,):
            raise ValueError(f"expected {self.n_params} parameters, got shape {theta.shape}")
        if self._pad is None:
            return (jnp.asarray(theta),)
        B, index, mask, params = self._pad
        p = np.zeros(self.arch.h * B * B)
        p[index] = theta
        return jnp.asarray(p), mask, params

    # ---- float64 ---------------------------------------------------------------------------------------
    def layers(self, theta) -> list[np.ndarray]:
        return self.arch.unflatten(theta)

    def mu(self, theta) -> np.ndarray:
        return product(self.layers(theta))

    def loss(self, theta) -> float:
        return float(self._fns()["loss"](*self._args(theta)))

    def grad(self, theta) -> np.ndarray:
        g = np.asarray(self._fns()["grad"](*self._args(theta)))
        return g if self._pad is None else g[self._pad[1]]

    def hessian(self, theta) -> np.ndarray:
        """Dense symmetrised Hessian of L (float64)."""
        H = np.asarray(self._fns()["hessian"](*self._args(theta)))
        if self._pad is not None:
            idx = self._pad[1]
            H = H[np.ix_(idx, idx)]
        return 0.5 * (H + H.T)

    def hessian_eigenvalues(self, theta) -> np.ndarray:
        return np.linalg.eigvalsh(self.hessian(theta))

    def hvp(self, theta, v) -> np.ndarray:
        return self.hessian(theta) @ np.asarray(v, float)

    def jacobian_mu(self, theta) -> np.ndarray:
        return dmu(self.layers(theta))

    # ---- exact (rational) ------------------------------------------------------------------------------
    def exact_layers(self, theta) -> list[np.ndarray]:
        return [exact.object_array(W) for W in self.arch.unflatten(theta)] if not _is_object(theta) else \
            self.arch.unflatten(theta)

    def exact_mu(self, theta) -> np.ndarray:
        return product(self.exact_layers(theta))

    def exact_loss(self, theta):
        return self.loss_fn.exact_value(self.exact_mu(theta))

    def exact_grad_ell(self, theta) -> np.ndarray:
        return self.loss_fn.exact_grad(self.exact_mu(theta))

    def exact_grad(self, theta) -> np.ndarray:
        Ws = self.exact_layers(theta)
        return gradient(Ws, self.loss_fn.exact_grad(product(Ws)))

    def exact_hessian(self, theta) -> np.ndarray:
        Ws = self.exact_layers(theta)
        W = product(Ws)
        return hessian(Ws, self.loss_fn.exact_grad(W), self.loss_fn.exact_hessian(W))

    def exact_jacobian_mu(self, theta) -> np.ndarray:
        return dmu(self.exact_layers(theta))


def _is_object(theta) -> bool:
    return np.asarray(theta).dtype == object


@lru_cache(maxsize=None)
def _compiled_unpadded(arch: LinearArchitecture, loss: Loss):
    shapes, slices = arch.shapes, arch.slices()
    fn, params = loss.fn, jax.tree_util.tree_map(jnp.asarray, loss.params(None))

    def L(p):
        W = p[slices[0]].reshape(shapes[0])
        for s, shape in zip(slices[1:], shapes[1:]):
            W = p[s].reshape(shape) @ W
        return fn(W, params)

    return dict(loss=jax.jit(L), grad=jax.jit(jax.grad(L)), hessian=jax.jit(jax.hessian(L)))


# =========================================================================================================
# Instances
# =========================================================================================================
@dataclass(frozen=True, eq=False)
class LinearInstance:
    """A linear network, a loss on its function space, and a point theta with its provenance ``point``
    (``{"source": "canonical", "I": [0, 2]}``, ``{"source": "optimised", "grad_norm": 1e-12}``, ...).

    ``theta`` may be float64 or an object array of exact rationals (``flint.fmpq``); float64 entries are
    themselves exact rationals, so exact checks never round either way."""

    arch: LinearArchitecture
    loss: Loss = field(repr=False)
    theta: np.ndarray = field(repr=False)
    point: dict = field(default_factory=dict)

    @cached_property
    def problem(self) -> LinearProblem:
        return LinearProblem(self.arch, self.loss)

    @property
    def source(self) -> str:
        return self.point.get("source", "random")

    @cached_property
    def float_theta(self) -> np.ndarray:
        return np.array([float(x) for x in np.ravel(self.theta)]) if _is_object(self.theta) else \
            np.asarray(self.theta, float)

    @cached_property
    def exact_theta(self) -> np.ndarray:
        return self.theta if _is_object(self.theta) else exact.object_array(self.theta)

    def with_theta(self, theta, **point) -> "LinearInstance":
        return LinearInstance(self.arch, self.loss, theta, {**self.point, **point})

    def with_loss(self, loss: Loss, **point) -> "LinearInstance":
        return LinearInstance(self.arch, loss, self.theta, {**self.point, **point})

    # ---- serialisation (exact: rationals as "p/q" strings) -------------------------------------------
    def to_dict(self) -> dict:
        theta = [str(x) for x in self.exact_theta] if _is_object(self.theta) else self.float_theta.tolist()
        return {"type": "LinearInstance", "widths": list(self.arch.widths), "loss": self.loss.to_dict(),
                "theta": theta, "exact": _is_object(self.theta), "point": jsonable(self.point)}

    @classmethod
    def from_dict(cls, d: dict) -> "LinearInstance":
        arch = LinearArchitecture(tuple(d["widths"]))
        if d.get("exact"):
            theta = np.array([exact.parse_rational(s) for s in d["theta"]], dtype=object)
        else:
            theta = np.array(d["theta"], float)
        return cls(arch, loss_from_dict(d["loss"]), theta, d.get("point", {}))

    def describe(self) -> str:
        lines = [f"linear network {self.arch} (d_0-...-d_h), r = {self.arch.r}, "
                 f"{'filling' if self.arch.filling else 'non-filling'}, d_theta = {self.arch.n_params}",
                 f"loss: {self.loss.describe()}",
                 f"point: {', '.join(f'{k}={v}' for k, v in self.point.items()) or 'random'}"]
        for i, W in enumerate(self.arch.unflatten(self.exact_theta if _is_object(self.theta)
                                                  else self.float_theta), start=1):
            if W.dtype == object:
                body = "[" + "; ".join(" ".join(str(x) for x in row) for row in W) + "]"
            else:
                body = np.array2string(W, precision=4, separator=", ")
            lines.append(f"W{i} = {body}")
        return "\n".join(lines)


register_instance_type("LinearInstance", LinearInstance.from_dict)
