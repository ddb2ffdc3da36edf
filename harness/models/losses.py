"""Losses as objects: a loss on the function space (a matrix W in R^{d_out x d_in}) or on a network's outputs.

A problem is (model, loss, data).  A function-space loss ``ell`` is a *pure* JAX function ``fn(W, params)`` of
the matrix and a pytree of parameters (optax/Equinox style), plus facts that theorems assume of it
(``convex``, ``smooth``, ``frobenius_quadratic`` = "an affine image of the Frobenius-quadratic loss",
``polynomial``: exact rational derivatives exist).  Losses whose ``params(shape)`` zero-pads exactly (every
entrywise loss with phi(0) = 0, the data-quadratic loss, cross-entropy with masked classes) share one
compiled function across every matrix size up to a bucket (see :mod:`harness.models.linear`).

Polynomial losses (quadratic, weighted quadratic) also give their gradient and Hessian in exact rational
arithmetic (numpy object arrays of ``flint.fmpq``), so that critical points, inertias and descent steps of
linear networks are decided without rounding.

Concrete losses (Trager, Kohn & Bruna 2020, section 1.3 of the claims file):

* :class:`QuadraticLoss` ``||W X - Y||_F^2`` (sum, no 1/2), with its whitening ``U = Y X^T S^{-1/2}``,
  ``S = X X^T``: ``ell(W) = ||W S^{1/2} - U||^2 + c``;
* :class:`WeightedQuadraticLoss` ``sum_pq lambda_pq (W_pq - U_pq)^2`` (strongly convex, not isotropic);
* :class:`LogCoshLoss` ``sum_pq lambda_pq log cosh(W_pq - U_pq) + reg ||W||^2``;
* :class:`CrossEntropyLoss` multinomial cross-entropy of the logits ``W x_j`` plus ``reg ||W||^2``;
* :class:`FunctionLoss` any smooth loss a user supplies as a JAX function of ``W`` (``convex`` is the user's
  declaration: say so in the claim's hypotheses);
* :class:`SquareLoss` the output-space loss ``sum_i ||f(x_i) - y_i||^2`` of the MLPs of :mod:`harness.models.mlp`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from harness.numerics import exact


# ---- pure functions (module level: one compiled function per function, shared by every instance) --------
def _entrywise_quadratic(W, p):
    return jnp.sum(p["lam"] * (W - p["U"]) ** 2)


def _data_quadratic(W, p):
    return jnp.sum((W @ p["X"] - p["Y"]) ** 2)


def _logcosh(W, p):
    Z = W - p["U"]
    # log cosh z = |z| + log1p(exp(-2|z|)) - log 2: stable for large |z|, 0 at z = 0 (so padding is exact).
    a = jnp.abs(Z)
    return jnp.sum(p["lam"] * (a + jnp.log1p(jnp.exp(-2.0 * a)) - jnp.log(2.0))) + p["reg"] * jnp.sum(W ** 2)


def _cross_entropy(W, p):
    logits = W @ p["X"] + p["class_shift"][:, None]  # padded classes are shifted to -1e30: exp underflows to 0
    lse = jax.scipy.special.logsumexp(logits, axis=0)
    picked = jnp.sum(logits * p["onehot"], axis=0)
    return jnp.sum(p["sample"] * (lse - picked)) + p["reg"] * jnp.sum(W ** 2)


def _pad(A, shape):
    out = np.zeros(shape)
    A = np.asarray(A, float)
    out[: A.shape[0], : A.shape[1]] = A
    return out


class Loss:
    """A smooth loss ell on R^{d_out x d_in}.  Subclasses set ``fn`` (a module-level pure function),
    implement :meth:`params` and, for polynomial losses, :meth:`exact_grad` / :meth:`exact_hessian`."""

    name: str = "loss"
    convex: bool = True
    smooth: bool = True
    frobenius_quadratic: bool = False
    polynomial: bool = False
    paddable: bool = True
    fn: Callable = staticmethod(_entrywise_quadratic)

    @property
    def shape(self) -> tuple[int, int]:
        raise NotImplementedError

    def params(self, shape: tuple[int, int] | None = None) -> dict:
        """The pytree of parameters, zero-padded to ``shape`` (None: the real shape)."""
        raise NotImplementedError

    # ---- float64 evaluation on the real shape ---------------------------------------------------------
    @cached_property
    def _real_params(self):
        return jax.tree_util.tree_map(jnp.asarray, self.params(None))

    def value(self, W) -> float:
        return float(_jitted(self.fn, "value")(jnp.asarray(W, float), self._real_params))

    def grad(self, W) -> np.ndarray:
        """nabla ell(W), a d_out x d_in matrix."""
        return np.asarray(_jitted(self.fn, "grad")(jnp.asarray(W, float), self._real_params))

    def hessian(self, W) -> np.ndarray:
        """The Hessian of ell as a (d_out d_in) x (d_out d_in) matrix on row-major vec(W)."""
        m = int(np.prod(self.shape))
        return np.asarray(_jitted(self.fn, "hessian")(jnp.asarray(W, float), self._real_params)).reshape(m, m)

    # ---- exact rational derivatives (polynomial losses) -----------------------------------------------
    def exact_value(self, W):
        raise NotImplementedError(f"{self.name} is not polynomial: no exact value")

    def exact_grad(self, W) -> np.ndarray:
        raise NotImplementedError(f"{self.name} is not polynomial: no exact gradient")

    def exact_hessian(self, W) -> np.ndarray:
        raise NotImplementedError(f"{self.name} is not polynomial: no exact Hessian")

    # ---- the convex problem on the whole function space ------------------------------------------------
    def minimum(self) -> tuple[float, np.ndarray]:
        """(min ell, a minimiser) over all of R^{d_out x d_in}, by BFGS from 0 with the JAX gradient and a
        Newton polish (convex losses: the minimum is global).  Quadratic losses override it in closed form."""
        from scipy.optimize import minimize

        shape = self.shape
        res = minimize(lambda w: self.value(w.reshape(shape)), np.zeros(int(np.prod(shape))),
                       jac=lambda w: self.grad(w.reshape(shape)).ravel(), method="BFGS",
                       options={"gtol": 1e-13, "maxiter": 5000})
        w = res.x
        gnorm = np.linalg.norm(self.grad(w.reshape(shape)))
        for _ in range(5):  # Newton polish on the (convex, smooth) problem: keep steps that shrink the gradient
            step = np.linalg.lstsq(self.hessian(w.reshape(shape)), self.grad(w.reshape(shape)).ravel(), rcond=None)[0]
            g_new = np.linalg.norm(self.grad((w - step).reshape(shape)))
            if not g_new < gnorm:
                break
            w, gnorm = w - step, g_new
        return self.value(w.reshape(shape)), w.reshape(shape)

    # ---- serialisation ---------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


@lru_cache(maxsize=None)
def _jitted(fn, what: str):
    if what == "value":
        return jax.jit(fn)
    if what == "grad":
        return jax.jit(jax.grad(fn))
    if what == "hessian":
        return jax.jit(jax.hessian(fn))
    raise ValueError(what)


def _fmt(A) -> str:
    return np.array2string(np.asarray(A, float), precision=4, separator=", ")


# ---- the quadratic loss of a linear map on data -------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class QuadraticLoss(Loss):
    """ell(W) = ||W X - Y||_F^2 with X in R^{d_in x N}, Y in R^{d_out x N} (columns are samples)."""

    X: np.ndarray = field(repr=False)
    Y: np.ndarray = field(repr=False)
    #: Exact rational data (object arrays of flint.fmpq) when the data are not float64 numbers, and the exact
    #: whitening (P, sigma, Q, R) with U = Y X^T R^{-1} = P diag(sigma) Q^T, R = S^{1/2}, when it is known.
    X_exact: np.ndarray | None = field(default=None, repr=False)
    Y_exact: np.ndarray | None = field(default=None, repr=False)
    whitening_exact: tuple | None = field(default=None, repr=False)
    name = "quadratic ||WX - Y||^2"
    frobenius_quadratic = True
    polynomial = True
    fn = staticmethod(_data_quadratic)

    def __post_init__(self):
        X, Y = np.atleast_2d(np.asarray(self.X, float)), np.atleast_2d(np.asarray(self.Y, float))
        if X.shape[1] != Y.shape[1]:
            raise ValueError(f"X has {X.shape[1]} samples, Y has {Y.shape[1]}")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "Y", Y)

    @classmethod
    def exact(cls, X, Y, whitening: tuple | None = None) -> "QuadraticLoss":
        """From exact rational data (object arrays of fmpq); float64 copies serve the JAX path."""
        return cls(exact.to_float_array(exact.rational_matrix(X)), exact.to_float_array(exact.rational_matrix(Y)),
                   X_exact=X, Y_exact=Y, whitening_exact=whitening)

    @property
    def shape(self):
        return (self.Y.shape[0], self.X.shape[0])

    def params(self, shape=None):
        if shape is None:
            return {"X": self.X, "Y": self.Y}
        N = _bucket(self.X.shape[1])
        return {"X": _pad(self.X, (shape[1], N)), "Y": _pad(self.Y, (shape[0], N))}

    @cached_property
    def _exact(self):
        X = self.X_exact if self.X_exact is not None else exact.object_array(self.X)
        Y = self.Y_exact if self.Y_exact is not None else exact.object_array(self.Y)
        return X, Y, X @ X.T, Y @ X.T

    def exact_value(self, W):
        X, Y, _, _ = self._exact
        R = W @ X - Y
        return (R * R).sum()

    def exact_grad(self, W):
        """nabla ell = 2 (W S - Y X^T), S = X X^T."""
        _, _, S, YXt = self._exact
        return 2 * (W @ S - YXt)

    def exact_hessian(self, W=None):
        """2 (I_{d_out} (x) S) on row-major vec(W): d^2 ell[E, E'] = 2 tr(E S E'^T)."""
        _, _, S, _ = self._exact
        return 2 * np.kron(np.eye(self.shape[0], dtype=int).astype(object), S)

    @cached_property
    def whitening(self):
        """(U, R, c): R = S^{1/2} (symmetric), U = Y X^T R^{-1}, c = ||Y||^2 - ||U||^2, so that
        ell(W) = ||W R - U||^2 + c (float64)."""
        S = self.X @ self.X.T
        lam, V = np.linalg.eigh(S)
        if lam.min() <= 1e-12 * lam.max():
            raise ValueError("X X^T is singular: the whitened target is undefined (H1 of the classification)")
        R = (V * np.sqrt(lam)) @ V.T
        U = self.Y @ self.X.T @ np.linalg.inv(R)
        return U, R, float(np.sum(self.Y ** 2) - np.sum(U ** 2))

    def minimum(self):
        W = np.linalg.lstsq(self.X.T, self.Y.T, rcond=None)[0].T
        return self.value(W), W

    def to_dict(self):
        d = {"type": "QuadraticLoss", "X": self.X.tolist(), "Y": self.Y.tolist()}
        if self.X_exact is not None:
            d["X_exact"], d["Y_exact"] = _strings(self.X_exact), _strings(self.Y_exact)
        if self.whitening_exact is not None:
            P, sigma, Q, R = self.whitening_exact
            d["whitening_exact"] = [_strings(P), [str(s) for s in sigma], _strings(Q), _strings(R)]
        return d

    def describe(self):
        return f"{self.name}\n  X = {_fmt(self.X)}\n  Y = {_fmt(self.Y)}"


# ---- entrywise losses -----------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _EntrywiseLoss(Loss):
    """ell(W) = sum_pq lambda_pq phi(W_pq - U_pq) (+ a subclass's extra terms), lambda > 0: a target U and
    positive weights of one shape, zero-padded together (phi(0) = 0 makes the padding exact)."""

    U: np.ndarray = field(repr=False)
    lam: np.ndarray = field(repr=False)

    def __post_init__(self):
        U, lam = np.atleast_2d(np.asarray(self.U, float)), np.atleast_2d(np.asarray(self.lam, float))
        if U.shape != lam.shape:
            raise ValueError(f"U is {U.shape}, lambda is {lam.shape}")
        if np.any(lam <= 0):
            raise ValueError("weights lambda must be positive (the loss is then strongly convex)")
        object.__setattr__(self, "U", U)
        object.__setattr__(self, "lam", lam)

    @property
    def shape(self):
        return self.U.shape

    def params(self, shape=None):
        if shape is None:
            return {"U": self.U, "lam": self.lam}
        return {"U": _pad(self.U, shape), "lam": _pad(self.lam, shape)}

    def to_dict(self):
        return {"type": type(self).__name__, "U": self.U.tolist(), "lam": self.lam.tolist()}

    def describe(self):
        return f"{self.name}\n  U = {_fmt(self.U)}\n  lambda = {_fmt(self.lam)}"


@dataclass(frozen=True, eq=False)
class WeightedQuadraticLoss(_EntrywiseLoss):
    """ell(W) = sum_pq lambda_pq (W_pq - U_pq)^2, lambda > 0 (Frobenius-quadratic iff lambda is constant)."""

    name = "weighted quadratic sum lambda (W - U)^2"
    polynomial = True
    fn = staticmethod(_entrywise_quadratic)

    @property
    def frobenius_quadratic(self) -> bool:  # type: ignore[override]
        return bool(np.all(self.lam == self.lam.flat[0]))

    @cached_property
    def _exact(self):
        return exact.object_array(self.U), exact.object_array(self.lam)

    def exact_value(self, W):
        U, lam = self._exact
        return (lam * (W - U) * (W - U)).sum()

    def exact_grad(self, W):
        U, lam = self._exact
        return 2 * lam * (W - U)

    def exact_hessian(self, W=None):
        _, lam = self._exact
        m = lam.size
        H = np.zeros((m, m), dtype=object)
        H[...] = exact.to_fmpq(0)
        H[np.arange(m), np.arange(m)] = 2 * lam.ravel()
        return H

    def minimum(self):
        return 0.0, self.U.copy()


@dataclass(frozen=True, eq=False)
class LogCoshLoss(_EntrywiseLoss):
    """ell(W) = sum_pq lambda_pq log cosh(W_pq - U_pq) + reg ||W||^2: smooth, convex, not polynomial."""

    reg: float = 0.0
    name = "logcosh sum lambda log cosh(W - U) + reg ||W||^2"
    fn = staticmethod(_logcosh)

    def __post_init__(self):
        super().__post_init__()
        if self.reg < 0:
            raise ValueError(f"logcosh loss needs reg >= 0, got {self.reg}")

    def params(self, shape=None):
        return {**super().params(shape), "reg": np.float64(self.reg)}

    def to_dict(self):
        return {**super().to_dict(), "reg": self.reg}

    def describe(self):
        return super().describe().replace("\n", f" (reg = {self.reg:g})\n", 1)


@dataclass(frozen=True, eq=False)
class CrossEntropyLoss(Loss):
    """ell(W) = sum_j [logsumexp(W x_j) - (W x_j)_{c_j}] + reg ||W||^2 (multinomial logistic loss, convex);
    X in R^{d_in x N}, labels c_j in {0..d_out - 1}."""

    X: np.ndarray = field(repr=False)
    labels: tuple = ()
    n_classes: int = 2
    reg: float = 0.0
    name = "cross-entropy + reg ||W||^2"
    fn = staticmethod(_cross_entropy)

    def __post_init__(self):
        X = np.atleast_2d(np.asarray(self.X, float))
        labels = tuple(int(c) for c in self.labels)
        if len(labels) != X.shape[1] or not all(0 <= c < self.n_classes for c in labels):
            raise ValueError("one label in 0..n_classes-1 per column of X")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "labels", labels)

    @property
    def shape(self):
        return (self.n_classes, self.X.shape[0])

    def params(self, shape=None):
        K, N = self.n_classes, self.X.shape[1]
        rows, cols = (K, self.X.shape[0]) if shape is None else shape
        Nb = N if shape is None else _bucket(N)
        onehot = np.zeros((rows, Nb))
        onehot[list(self.labels), np.arange(N)] = 1.0
        shift = np.full(rows, -1e30)
        shift[:K] = 0.0
        sample = np.zeros(Nb)
        sample[:N] = 1.0
        return {"X": _pad(self.X, (cols, Nb)), "onehot": onehot, "class_shift": shift, "sample": sample,
                "reg": np.float64(self.reg)}

    def to_dict(self):
        return {"type": "CrossEntropyLoss", "X": self.X.tolist(), "labels": list(self.labels),
                "n_classes": self.n_classes, "reg": self.reg}

    def describe(self):
        return f"{self.name} (reg = {self.reg:g}), labels {list(self.labels)}\n  X = {_fmt(self.X)}"


@dataclass(frozen=True, eq=False)
class FunctionLoss(Loss):
    """Any smooth loss given as a JAX function ``fn(W) -> scalar`` on d_out x d_in matrices.  ``convex`` is
    the author's declaration (a hypothesis the claim relies on, not something the harness proves)."""

    function: Callable = field(repr=False, default=None)
    d_out: int = 1
    d_in: int = 1
    convex_declared: bool = False
    label: str = "user loss"
    paddable = False

    def __post_init__(self):
        if not callable(self.function):
            raise TypeError("FunctionLoss needs a JAX function W -> scalar")

    @property
    def name(self):  # type: ignore[override]
        return self.label

    @property
    def convex(self):  # type: ignore[override]
        return self.convex_declared

    @property
    def shape(self):
        return (self.d_out, self.d_in)

    @cached_property
    def fn(self):  # type: ignore[override]
        f = self.function
        return lambda W, p: f(W)

    def params(self, shape=None):
        if shape is not None and tuple(shape) != self.shape:
            raise ValueError("a FunctionLoss is evaluated at its own shape only")
        return {}

    def to_dict(self):
        return {"type": "FunctionLoss", "label": self.label, "repr": repr(self.function),
                "shape": list(self.shape), "convex": self.convex_declared}


@dataclass(frozen=True)
class SquareLoss:
    """The output-space loss of :mod:`harness.models.mlp`: L(w) = sum_i ||f_w(x_i) - y_i||^2 (a sum, no 1/2, no
    1/n; Cooper 2020 section 2).  The MLP problem compiles it into its padded functions."""

    name: str = "square loss sum_i ||f(x_i) - y_i||^2"
    convex: bool = True
    frobenius_quadratic: bool = True

    @staticmethod
    def on_residuals(R):
        """sum of squared residuals f(x_i) - y_i."""
        return jnp.sum(R ** 2)


def _bucket(k: int, floor: int = 4) -> int:
    return max(floor, 1 << max(0, int(k - 1).bit_length()))


LOSS_TYPES = {c.__name__: c for c in (QuadraticLoss, WeightedQuadraticLoss, LogCoshLoss, CrossEntropyLoss)}


def loss_from_dict(d: dict) -> Loss:
    kind = d.get("type")
    if kind == "FunctionLoss":
        raise ValueError(f"a user-supplied loss ({d.get('label')}) cannot be rebuilt from a file: "
                         "import the module that defines it and rebuild the instance there")
    if kind not in LOSS_TYPES:
        raise ValueError(f"unknown loss type {kind!r}; known: {', '.join(LOSS_TYPES)}")
    args = {k: v for k, v in d.items() if k != "type"}
    for key in ("X", "Y", "U", "lam"):
        if key in args:
            args[key] = np.array(args[key], float)
    for key in ("X_exact", "Y_exact"):
        if args.get(key) is not None:
            args[key] = _rationals(args[key])
    if args.get("whitening_exact") is not None:
        P, sigma, Q, R = args["whitening_exact"]
        args["whitening_exact"] = (_rationals(P), list(_rationals(sigma)), _rationals(Q), _rationals(R))
    return LOSS_TYPES[kind](**args)


def _strings(A) -> list:
    """An exact rational array as nested lists of 'p/q' strings (JSON)."""
    return np.vectorize(str, otypes=[object])(np.asarray(A, dtype=object)).tolist()


def _rationals(nested) -> np.ndarray:
    """Inverse of :func:`_strings`."""
    return np.vectorize(exact.parse_rational, otypes=[object])(np.array(nested, dtype=object))
