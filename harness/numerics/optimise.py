"""Finding critical points: descent to local minima, minimisation of ||grad L||^2 to reach saddles,
Levenberg-Marquardt to reach zero loss, and Newton refinement of whatever was found.

All use scipy.optimize on the cached JAX functions of :class:`~harness.models.mlp.Problem`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.optimize as so

from harness.numerics import TOL, relative_gradient


@dataclass
class Refined:
    theta: np.ndarray
    grad_rel: float  # relative gradient after refinement (numerics.relative_gradient)
    refined: bool  # reached the criticality tolerance
    method: str


def newton_refine(problem, theta, tol: float = 1e-13, max_iter: int = 30) -> Refined:
    """Newton steps theta <- theta - H^+ grad, with the pseudo-inverse (least squares, relative cut-off) so
    that degenerate critical points (singular Hessians, critical manifolds) converge in the normal directions.
    Keeps the best iterate."""
    theta = np.asarray(theta, float).copy()
    best, best_rg = theta, relative_gradient(problem, theta)
    for _ in range(max_iter):
        if best_rg <= tol:
            break
        step = np.linalg.lstsq(problem.hessian(theta), problem.grad(theta), rcond=1e-10)[0]
        theta = theta - step
        rg = relative_gradient(problem, theta)
        if not np.isfinite(rg):
            break
        if rg < best_rg:
            best, best_rg = theta.copy(), rg
        elif rg > 1e3 * best_rg:
            break
    return Refined(best, best_rg, bool(best_rg <= TOL.critical), "newton")


def descend(problem, theta0, max_iter: int = 2000) -> np.ndarray:
    """BFGS descent on L from theta0: reaches local (often global) minima."""
    res = so.minimize(problem.loss, theta0, jac=problem.grad, method="BFGS",
                      options={"maxiter": max_iter, "gtol": 1e-13})
    return res.x


def gradient_norm_descent(problem, theta0, max_iter: int = 400) -> np.ndarray:
    """Minimise phi = 1/2 ||grad L||^2 (gradient H grad L): converges to critical points of any index,
    saddles included."""

    def phi(t):
        g = problem.grad(t)
        return 0.5 * float(g @ g), problem.hvp(t, g)

    res = so.minimize(phi, theta0, jac=True, method="BFGS", options={"maxiter": max_iter, "gtol": 1e-16})
    return res.x


def zero_loss(problem, theta0, max_nfev: int = 400) -> np.ndarray:
    """Levenberg-Marquardt on the residual map F(w) = (f_w(x_i) - y_i): a point of M = L^{-1}(0) when one is
    within reach (needs N >= n d_out; falls back to a trust-region method otherwise)."""
    method = "lm" if problem.n * problem.arch.d_out >= problem.n_params else "trf"
    res = so.least_squares(lambda t: problem.residuals(t).ravel(), theta0, jac=problem.jacobian,
                           method=method, xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=max_nfev)
    return res.x


def critical_point(problem, theta0, method: str = "descent") -> Refined:
    """A critical point near the path from theta0: ``descent`` (minima), ``gradnorm`` (any index),
    ``zero-loss`` (global minima); then Newton-refined."""
    start = {"descent": descend, "gradnorm": gradient_norm_descent, "zero-loss": zero_loss}[method]
    theta = start(problem, np.asarray(theta0, float))
    r = newton_refine(problem, theta)
    r.method = f"{method}+newton"
    return r


@dataclass
class Minimised:
    theta: np.ndarray
    loss: float
    grad_norm: float  # ||grad L||_2 at theta
    converged: bool  # grad_norm <= gtol
    method: str


def minimise_gated(problem, theta0, gtol: float = 1e-8, restarts: int = 3) -> Minimised:
    """A local minimum of L from theta0 for any problem with ``loss``, ``grad`` and ``hessian``: L-BFGS-B,
    then BFGS restarts, then a second-order trust-region continuation (``trust-exact`` with the exact Hessian)
    while ||grad L|| > gtol.  ``converged`` says whether the gradient gate was met: first-order methods stall
    near the non-strict saddles of deep linear networks (Trager et al. claims file 2.11), so a caller must never
    report an unconverged run as a minimum."""
    theta = np.asarray(theta0, float)
    res = so.minimize(problem.loss, theta, jac=problem.grad, method="L-BFGS-B",
                      options={"maxiter": 5000, "gtol": 1e-14, "ftol": 1e-16})
    theta, method = res.x, "l-bfgs-b"
    for _ in range(restarts):
        if np.linalg.norm(problem.grad(theta)) <= gtol:
            break
        theta = so.minimize(problem.loss, theta, jac=problem.grad, method="BFGS",
                            options={"maxiter": 5000, "gtol": gtol / 10}).x
        method += "+bfgs"
    if np.linalg.norm(problem.grad(theta)) > gtol:
        theta = so.minimize(problem.loss, theta, jac=problem.grad, hess=problem.hessian, method="trust-exact",
                            options={"maxiter": 500, "gtol": gtol / 10}).x
        method += "+trust-exact"
    g = float(np.linalg.norm(problem.grad(theta)))
    return Minimised(theta, problem.loss(theta), g, g <= gtol, method)
