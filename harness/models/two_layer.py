"""Two-layer networks without biases: f(x; theta) = U rho(W x) = sum_i u_i rho(<w_i, x>) (Venturi, Bandeira &
Bruna 2019, section 1 of ../shared/claims/venturi2019.md).

W in R^{p x n} (rows w_i, the neurons), U in R^{m x p} (columns u_i, vector outputs), theta = (vec W, vec U)
row-major.  Activations (:class:`Rho`): polynomials sum_k a_k z^k (the linear map and the square included),
ReLU and smooth ones (tanh, sigmoid, softplus, sin); each knows whether it is a polynomial, its degree, whether
it is positively homogeneous and a Lipschitz constant (for dense path checks).

Symmetries: permutations of the neurons; for a positively homogeneous rho of degree k (ReLU: k = 1, z^k for
odd or even k, with c > 0) the rescaling (w_i, u_i) -> (c w_i, c^-k u_i); for odd rho (tanh, sin, odd
polynomials) the sign flip (w_i, u_i) -> (-w_i, -u_i).  :func:`orbit_tangent` spans the tangent space of the
continuous orbit (rescalings), the space a strict local minimum is degenerate along.

Intrinsic dimension (claims file, VBB-DIM): dim* = dim span{x -> rho(<w, x>)}; for rho = sum_k a_k z^k it is
sum_{k: a_k != 0} C(n + k - 1, k) (:func:`intrinsic_dimension`), with the explicit factorisation
rho(<w, x>) = <psi(w), phi(x)>, psi(w)_alpha = a_k k!/alpha! w^alpha, phi(x)_alpha = x^alpha (:func:`psi`,
:func:`phi`).  :func:`exact_feature_rank` decides the rank of rho(<w_i, x_j>) over Q (python-flint) at random
integer points, the independent computation the formula is compared with.

Every function is generic in the scalar type (float64 arrays or numpy object arrays of ``flint.fmpq``), so
polynomial models (and ReLU on rational data) are evaluated exactly.  The loss is a separate object
(:mod:`harness.models.population`: empirical or population square loss), acting through its kernel blocks.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import combinations_with_replacement

import jax
import jax.numpy as jnp
import numpy as np

from harness.numerics import exact
from harness.core.evidence import Inconclusive, jsonable
from harness.core.instances import register_instance_type
from harness.models.losses import _bucket


class UnknownIntrinsicDimension(ValueError):
    """The intrinsic dimension of this activation (in this input dimension) is not known in closed form."""


# =========================================================================================================
# Activations
# =========================================================================================================
_SMOOTH = {
    "tanh": (np.tanh, jnp.tanh, 1.0, True),
    "sigmoid": (lambda z: 0.5 * (1 + np.tanh(0.5 * z)), lambda z: jax.nn.sigmoid(z), 0.25, False),
    "softplus": (lambda z: np.logaddexp(z, 0.0), lambda z: jnp.logaddexp(z, 0.0), 1.0, False),
    "sin": (np.sin, jnp.sin, 1.0, True),
}


@dataclass(frozen=True)
class Rho:
    """An activation.  ``name`` is "poly" (with ``coeffs`` = (a_0, ..., a_d), integers or 'p/q' strings),
    "relu", or one of tanh / sigmoid / softplus / sin.  ``Rho.of("linear")`` and ``Rho.of("square")`` are the
    polynomials z and z^2."""

    name: str
    coeffs: tuple = ()

    @staticmethod
    def of(spec) -> "Rho":
        if isinstance(spec, Rho):
            return spec
        if isinstance(spec, (tuple, list)):
            return Rho.poly(spec)
        if spec == "linear":
            return Rho.poly((0, 1))
        if spec == "square":
            return Rho.poly((0, 0, 1))
        if spec == "relu" or spec in _SMOOTH:
            return Rho(spec)
        raise KeyError(f"unknown activation {spec!r}: use relu, {', '.join(_SMOOTH)}, linear, square, "
                       "or a tuple of polynomial coefficients")

    @staticmethod
    def poly(coeffs) -> "Rho":
        c = [str(exact.to_fmpq(a)) if not isinstance(a, str) else a for a in coeffs]
        while len(c) > 1 and exact.parse_rational(c[-1]) == 0:
            c.pop()
        if all(exact.parse_rational(a) == 0 for a in c):
            raise ValueError("the zero polynomial is not an activation")
        return Rho("poly", tuple(c))

    # ---- properties -------------------------------------------------------------------------------------
    @property
    def polynomial(self) -> bool:
        return self.name == "poly"

    @cached_property
    def exact_coeffs(self) -> tuple:
        return tuple(exact.parse_rational(a) for a in self.coeffs)

    @cached_property
    def float_coeffs(self) -> tuple:
        return tuple(exact.to_float(a) for a in self.exact_coeffs)

    @property
    def degree(self) -> int | None:
        return len(self.coeffs) - 1 if self.polynomial else None

    @property
    def support(self) -> tuple:
        """Degrees k with a_k != 0."""
        return tuple(k for k, a in enumerate(self.exact_coeffs) if a != 0)

    @property
    def homogeneous_degree(self) -> int | None:
        """k with rho(cz) = c^k rho(z) for c > 0, or None."""
        if self.name == "relu":
            return 1
        if self.polynomial and len(self.support) == 1:
            return self.support[0]
        return None

    @property
    def odd(self) -> bool:
        return self.name in ("tanh", "sin") or (self.polynomial and all(k % 2 for k in self.support))

    @property
    def continuous(self) -> bool:
        return True

    @property
    def exact_capable(self) -> bool:
        """Rational inputs give rational values (polynomials, ReLU)."""
        return self.polynomial or self.name == "relu"

    def lipschitz(self, radius: float) -> float:
        """A Lipschitz constant of rho on [-radius, radius]."""
        if self.name == "relu":
            return 1.0
        if self.name in _SMOOTH:
            return _SMOOTH[self.name][2]
        return sum(k * abs(a) * radius ** (k - 1) for k, a in enumerate(self.float_coeffs) if k)

    def bound(self, radius: float) -> float:
        """A bound on |rho| over [-radius, radius]."""
        if self.polynomial:
            return sum(abs(a) * radius ** k for k, a in enumerate(self.float_coeffs))
        return abs(float(self(np.array(0.0)))) + self.lipschitz(radius) * radius

    def __str__(self) -> str:
        if not self.polynomial:
            return self.name
        terms = [f"{a}" + ("" if k == 0 else "z" if k == 1 else f"z^{k}")
                 for k, a in enumerate(self.coeffs) if exact.parse_rational(a) != 0]
        return " + ".join(terms)

    # ---- evaluation -------------------------------------------------------------------------------------
    def __call__(self, Z):
        """rho entrywise: float arrays in float64, object arrays of fmpq exactly."""
        Z = np.asarray(Z)
        if Z.dtype == object:
            return self._exact(Z)
        if self.polynomial:
            out = np.zeros_like(Z, dtype=float)
            for a in reversed(self.float_coeffs):
                out = out * Z + a
            return out
        if self.name == "relu":
            return np.maximum(Z, 0.0)
        return _SMOOTH[self.name][0](Z)

    def _exact(self, Z):
        if self.polynomial:
            coeffs = self.exact_coeffs
            out = np.empty(Z.shape, dtype=object)
            flat_in, flat_out = Z.ravel(), out.ravel()
            for i, z in enumerate(flat_in):
                v = coeffs[-1]
                for a in reversed(coeffs[:-1]):
                    v = v * z + a
                flat_out[i] = v
            return out
        if self.name == "relu":
            zero = exact.to_fmpq(0)
            return np.vectorize(lambda z: z if z > 0 else zero, otypes=[object])(Z)
        raise Inconclusive(f"activation {self.name} has no exact evaluation")

    def jax(self, z):
        if self.polynomial:
            out = jnp.zeros_like(z)
            for a in reversed(self.float_coeffs):
                out = out * z + a
            return out
        if self.name == "relu":
            return jnp.maximum(z, 0.0)
        return _SMOOTH[self.name][1](z)

    def to_dict(self) -> dict:
        return {"name": self.name, "coeffs": list(self.coeffs)}

    @staticmethod
    def from_dict(d) -> "Rho":
        return Rho(d["name"], tuple(d.get("coeffs", ())))


# =========================================================================================================
# Intrinsic dimension and the factorisation rho(<w, x>) = <psi(w), phi(x)>
# =========================================================================================================
def intrinsic_dimension(rho, n: int) -> float:
    """dim* of span{x -> rho(<w, x>) : w in R^n} (claims file VBB-DIM, [DERIVED]):
    sum_{k: a_k != 0} C(n + k - 1, k) for a polynomial; 2 for ReLU with n = 1 (span{relu(x), relu(-x)});
    infinite for a non-polynomial continuous rho and n >= 2.  Raises :class:`UnknownIntrinsicDimension` for
    a non-polynomial, non-homogeneous rho in n = 1 (e.g. relu(z) + 1 spans 3 functions there)."""
    rho = Rho.of(rho)
    if rho.polynomial:
        return sum(math.comb(n + k - 1, k) for k in rho.support)
    if n >= 2:
        return math.inf
    if rho.name == "relu":
        return 2
    raise UnknownIntrinsicDimension(f"dim* of {rho} in n = 1 is not known in closed form")


def multi_indices(n: int, k: int) -> list[tuple]:
    """The exponent vectors alpha in N^n with |alpha| = k, in a fixed order."""
    out = []
    for combo in combinations_with_replacement(range(n), k):
        alpha = [0] * n
        for i in combo:
            alpha[i] += 1
        out.append(tuple(alpha))
    return out


def _monomials(V, alphas):
    """V^alpha for each row of V (K x n) and each alpha: K x len(alphas), generic scalar type."""
    V = np.asarray(V)
    K = V.shape[0]
    out = np.empty((K, len(alphas)), dtype=V.dtype if V.dtype == object else float)
    for c, alpha in enumerate(alphas):
        col = np.ones(K, dtype=object) if V.dtype == object else np.ones(K)
        if V.dtype == object:
            col[:] = exact.to_fmpq(1)
        for i, e in enumerate(alpha):
            for _ in range(e):
                col = col * V[:, i]
        out[:, c] = col
    return out


def psi(rho, W):
    """Psi(W): rows psi(w_i) = (a_k k!/alpha! w_i^alpha)_{k in support, |alpha| = k} (p x dim*)."""
    rho = Rho.of(rho)
    if not rho.polynomial:
        raise UnknownIntrinsicDimension(f"{rho}: no finite factorisation psi / phi")
    W = np.asarray(W)
    n = W.shape[1]
    blocks = []
    for k in rho.support:
        alphas = multi_indices(n, k)
        a = rho.exact_coeffs[k] if W.dtype == object else rho.float_coeffs[k]
        mult = [math.factorial(k) // math.prod(math.factorial(e) for e in al) for al in alphas]
        M = _monomials(W, alphas)
        blocks.append(M * np.array([a * m for m in mult], dtype=object if W.dtype == object else float))
    return np.concatenate(blocks, axis=1)


def phi(rho, X):
    """Phi(X): rows phi(x_j) = (x_j^alpha)_{k in support, |alpha| = k} (N x dim*)."""
    rho = Rho.of(rho)
    X = np.asarray(X)
    n = X.shape[1]
    return np.concatenate([_monomials(X, multi_indices(n, k)) for k in rho.support], axis=1)


def feature_matrix(rho, W, X):
    """rho(W X^T): entry (i, j) = rho(<w_i, x_j>) (p x N), generic scalar type."""
    W, X = np.asarray(W), np.asarray(X)
    return Rho.of(rho)(W @ X.T)


def exact_feature_rank(rho, W, X) -> int:
    """rank over Q of rho(<w_i, x_j>) for rational W, X (exact; python-flint)."""
    Wq = W if np.asarray(W).dtype == object else exact.object_array(np.asarray(W))
    Xq = X if np.asarray(X).dtype == object else exact.object_array(np.asarray(X))
    return exact.rank(feature_matrix(rho, Wq, Xq))


# =========================================================================================================
# Architecture and parameters
# =========================================================================================================
@dataclass(frozen=True)
class TwoLayerArchitecture:
    n: int  # input dimension
    p: int  # width
    m: int = 1  # output dimension

    def __post_init__(self):
        if min(self.n, self.p, self.m) < 1:
            raise ValueError(f"a two-layer network needs n, p, m >= 1; got {self}")

    @property
    def n_params(self) -> int:
        return self.p * self.n + self.m * self.p

    def unflatten(self, theta):
        theta = np.asarray(theta)
        if theta.shape != (self.n_params,):
            raise ValueError(f"expected {self.n_params} parameters, got shape {theta.shape}")
        k = self.p * self.n
        return theta[:k].reshape(self.p, self.n), theta[k:].reshape(self.m, self.p)

    def flatten(self, W, U):
        W, U = np.asarray(W), np.asarray(U)
        if W.shape != (self.p, self.n) or U.shape != (self.m, self.p):
            raise ValueError(f"W {W.shape}, U {U.shape} do not fit {self}")
        dtype = object if (W.dtype == object or U.dtype == object) else float
        if dtype == object:
            W, U = _as_exact(W), _as_exact(U)
        return np.concatenate([W.ravel(), U.ravel()]).astype(dtype)

    def __str__(self):
        return f"{self.n}-{self.p}-{self.m}"


def _as_exact(A):
    A = np.asarray(A)
    return A if A.dtype == object else exact.object_array(A)


def forward(rho, W, U, X):
    """f(X) = U rho(W X^T): m x N (generic scalar type)."""
    return np.asarray(U) @ feature_matrix(rho, W, X)


def permute(theta, arch: TwoLayerArchitecture, perm):
    """The neuron permutation symmetry: same function."""
    W, U = arch.unflatten(theta)
    return arch.flatten(W[list(perm)], U[:, list(perm)])


def rescale(theta, arch: TwoLayerArchitecture, rho, c):
    """(w_i, u_i) -> (c_i w_i, c_i^-k u_i) for a positively homogeneous rho of degree k, c_i > 0."""
    k = Rho.of(rho).homogeneous_degree
    if k is None:
        raise ValueError(f"{rho} is not positively homogeneous")
    c = np.broadcast_to(np.asarray(c, dtype=object if np.asarray(theta).dtype == object else float), (arch.p,))
    W, U = arch.unflatten(theta)
    return arch.flatten(W * c[:, None], U / c[None, :] ** k)


def orbit_tangent(theta, arch: TwoLayerArchitecture, rho) -> np.ndarray:
    """Columns span the tangent space at theta of the rescaling orbit (empty for non-homogeneous rho):
    d/dc at c = 1 of (c w_i, c^-k u_i) = (w_i, -k u_i) on neuron i's coordinates."""
    k = Rho.of(rho).homogeneous_degree
    if k is None:
        return np.zeros((arch.n_params, 0))
    W, U = arch.unflatten(np.asarray(theta, float))
    cols = []
    for i in range(arch.p):
        dW, dU = np.zeros_like(W), np.zeros_like(U)
        dW[i], dU[:, i] = W[i], -k * U[:, i]
        cols.append(arch.flatten(dW, dU))
    return np.array(cols).T


# =========================================================================================================
# Problems: (architecture, activation, loss) and JAX derivatives of empirical losses
# =========================================================================================================
@lru_cache(maxsize=None)
def _compiled(rho: Rho, B: int, n: int, m: int, NB: int):
    """Empirical square loss mean_j weight_j ||U rho(W x_j) - y_j||^2 with the width padded to B and the
    sample padded to NB (zero-weight rows): one compilation per (activation, n, m, bucket)."""

    def L(theta, mask, X, Y, weights):
        q = theta * mask
        W = q[:B * n].reshape(B, n)
        U = q[B * n:].reshape(m, B)
        F = rho.jax(W @ X.T)
        R = U @ F - Y.T
        return jnp.sum(weights * jnp.sum(R * R, axis=0))

    return dict(loss=jax.jit(L), grad=jax.jit(jax.grad(L)), hessian=jax.jit(jax.hessian(L)))


@dataclass(frozen=True, eq=False)
class TwoLayerProblem:
    """A two-layer network with a square loss (``loss``: :class:`harness.models.population.EmpiricalLoss` or
    :class:`harness.models.population.PopulationLoss`).  L(W, U) = tr(U K_WW U^T) - 2 tr(U K_WY) + k_YY with the
    loss's kernel blocks; ``exact_loss`` evaluates it in rational arithmetic where the blocks are exact."""

    arch: TwoLayerArchitecture
    rho: Rho
    loss_fn: object = field(repr=False)

    @property
    def n_params(self) -> int:
        return self.arch.n_params

    supports_precise = False

    def split(self, theta):
        return self.arch.unflatten(theta)

    def loss(self, theta) -> float:
        W, U = self.split(np.asarray(theta, float))
        return float(self.loss_fn.value(self.rho, W, U))

    def exact_loss(self, theta):
        W, U = self.split(_as_exact(theta))
        return self.loss_fn.value(self.rho, W, U)

    @property
    def exact_capable(self) -> bool:
        return self.loss_fn.exact_for(self.rho)

    def segment_degree(self) -> int | None:
        """Degree bound of t -> L(theta_a + t (theta_b - theta_a)) for a polynomial rho of degree d: the
        output is a polynomial of degree <= d + 1 in t, the square loss of degree <= 2(d + 1)."""
        return 2 * (self.rho.degree + 1) if self.rho.polynomial else None

    # ---- JAX (empirical losses only) ------------------------------------------------------------------
    @cached_property
    def _pad(self):
        X, Y, weights = self.loss_fn.arrays()
        a = self.arch
        B, NB = _bucket(a.p), _bucket(len(X))
        idx = np.concatenate([(np.arange(a.p)[:, None] * a.n + np.arange(a.n)[None, :]).ravel(),
                              B * a.n + (np.arange(a.m)[:, None] * B + np.arange(a.p)[None, :]).ravel()])
        mask = np.zeros(B * a.n + a.m * B)
        mask[idx] = 1.0
        Xp, Yp, wp = np.zeros((NB, a.n)), np.zeros((NB, a.m)), np.zeros(NB)
        Xp[:len(X)], Yp[:len(X)], wp[:len(X)] = X, Y, weights
        return B, NB, idx, jnp.asarray(mask), jnp.asarray(Xp), jnp.asarray(Yp), jnp.asarray(wp)

    def _call(self, what, theta):
        if not hasattr(self.loss_fn, "arrays"):
            raise Inconclusive(f"no JAX derivatives for {type(self.loss_fn).__name__}")
        B, NB, idx, mask, X, Y, w = self._pad
        full = np.zeros(mask.shape[0])
        full[idx] = np.asarray(theta, float)
        fns = _compiled(self.rho, B, self.arch.n, self.arch.m, NB)
        return np.asarray(fns[what](jnp.asarray(full), mask, X, Y, w)), idx

    def grad(self, theta) -> np.ndarray:
        g, idx = self._call("grad", theta)
        return g[idx]

    def hessian(self, theta) -> np.ndarray:
        H, idx = self._call("hessian", theta)
        H = H[np.ix_(idx, idx)]
        return 0.5 * (H + H.T)

    def hessian_eigenvalues(self, theta) -> np.ndarray:
        return np.linalg.eigvalsh(self.hessian(theta))


# =========================================================================================================
# Instances
# =========================================================================================================
@dataclass(frozen=True, eq=False)
class TwoLayerInstance:
    """A two-layer network, a square loss (empirical or population) and a point theta (float, or exact
    rationals) with its provenance ``point`` ({"source": "forced-dependent", ...})."""

    arch: TwoLayerArchitecture
    rho: Rho
    loss: object = field(repr=False)
    theta: np.ndarray = field(repr=False)
    point: dict = field(default_factory=dict)

    @cached_property
    def problem(self) -> TwoLayerProblem:
        return TwoLayerProblem(self.arch, self.rho, self.loss)

    @property
    def source(self) -> str:
        return self.point.get("source", "random")

    @cached_property
    def float_theta(self) -> np.ndarray:
        return np.array([float(x) for x in np.ravel(self.theta)]) if np.asarray(self.theta).dtype == object \
            else np.asarray(self.theta, float)

    @cached_property
    def exact_theta(self) -> np.ndarray:
        return _as_exact(self.theta)

    @property
    def W(self):
        return self.arch.unflatten(self.theta)[0]

    @property
    def U(self):
        return self.arch.unflatten(self.theta)[1]

    def with_theta(self, theta, **point) -> "TwoLayerInstance":
        return TwoLayerInstance(self.arch, self.rho, self.loss, theta, {**self.point, **point})

    def to_dict(self) -> dict:
        is_obj = np.asarray(self.theta).dtype == object
        return {"type": "TwoLayerInstance", "arch": [self.arch.n, self.arch.p, self.arch.m],
                "rho": self.rho.to_dict(), "loss": self.loss.to_dict(),
                "theta": [str(x) for x in self.exact_theta] if is_obj else self.float_theta.tolist(),
                "exact": is_obj, "point": jsonable(self.point)}

    @classmethod
    def from_dict(cls, d: dict) -> "TwoLayerInstance":
        from harness.models.population import loss_from_dict

        theta = np.array([exact.parse_rational(s) for s in d["theta"]], dtype=object) if d.get("exact") \
            else np.array(d["theta"], float)
        return cls(TwoLayerArchitecture(*d["arch"]), Rho.from_dict(d["rho"]), loss_from_dict(d["loss"]), theta,
                   d.get("point", {}))

    def describe(self) -> str:
        W, U = self.arch.unflatten(self.float_theta)
        return "\n".join([
            f"two-layer network n-p-m = {self.arch}, rho = {self.rho}, loss: {self.loss.describe()}",
            f"point: {', '.join(f'{k}={v}' for k, v in self.point.items()) or 'random'}",
            f"W = {np.array2string(W, precision=4, separator=', ')}",
            f"U = {np.array2string(U, precision=4, separator=', ')}"])


register_instance_type("TwoLayerInstance", TwoLayerInstance.from_dict)
