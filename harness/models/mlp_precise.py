"""High-precision (mpmath) recomputation of everything :class:`harness.models.mlp.Problem` computes in float64.

Same network and loss as :mod:`harness.models.mlp`:

    a_0 = x,   z_j = W_j a_{j-1} + b_j,   a_j = sigma(z_j)  (j = 1..H),   f_w(x) = z_{H+1},
    L(w) = sum_i ||f_w(x_i) - y_i||^2            (a sum, no 1/2, no 1/n).

The float64 inputs (theta, X, Y) are converted to mpmath exactly, so every result is the exact value for the
float64 problem, correct to about ``digits`` significant digits, then rounded (to nearest) to float64.

Method.
  * Forward pass and reverse-mode backpropagation written out by hand, per sample, with
    ``activation.mp_fn`` and ``activation.mp_deriv``:  for a scalar phi = <delta, f(x)>,

        delta_{H+1} = delta,   dphi/dW_j = delta_j a_{j-1}^T,   dphi/db_j = delta_j,
        delta_{j-1} = (W_j^T delta_j) * sigma'(z_{j-1}).

    The gradient uses delta = 2 (f(x_i) - y_i) (one backprop per sample, O(n N) operations); the residual
    Jacobian uses delta = e_c (one backprop per sample and output, O(n d_out N)).
  * Hessian: central differences of the exact high-precision gradient,

        H[:, k] = (g(w + h_k e_k) - g(w - h_k e_k)) / (2 h_k),   h_k = 10^(-s) max(1, |w_k|),  s = digits / 2.5,

    evaluated with ``s`` guard digits, i.e. at ``digits + s`` working digits.  Truncation error is
    O(h^2) ~ 10^(-0.8 digits), rounding error ~ 10^(-digits); at 50 digits that is ~1e-40 relative,
    far below float64 rounding.  Cost: 2N gradients, O(n N^2).

Everything runs inside ``mp.workdps(...)``; the global ``mp.dps`` is never changed.  mpmath is slow (pure
Python), so problems are limited to :data:`MAX_PRECISE_PARAMS` parameters.
"""
from __future__ import annotations

import mpmath as mp
import numpy as np

from harness.models import activations

#: Largest parameter count the precise backend accepts (the harness never asks for more): a Hessian costs
#: 2N high-precision gradients of O(n N) each, and ``mp.eigsy`` is O(N^3) in pure Python.
MAX_PRECISE_PARAMS = 80

#: Fewest significant digits accepted: float64 inputs (53 bits, ~16 digits) must convert exactly.
MIN_DIGITS = 16


def _step_exponent(digits: int) -> int:
    """s with h = 10^(-s): the central-difference step for ``digits`` digits (s = digits / 2.5)."""
    return max(1, round(digits / 2.5))


def _to_float_array(values, shape) -> np.ndarray:
    """Round mpf values (nested lists or flat list) to nearest float64."""
    return np.array([float(v) for v in values], dtype=float).reshape(shape)


class PreciseProblem:
    """mpmath twin of a :class:`harness.models.mlp.Problem` (same methods, same return conventions)."""

    def __init__(self, problem, digits: int = 50):
        digits = int(digits)
        if digits < MIN_DIGITS:
            raise ValueError(f"need at least {MIN_DIGITS} digits, got {digits}")
        if problem.n_params > MAX_PRECISE_PARAMS:
            raise ValueError(
                f"precise backend limited to {MAX_PRECISE_PARAMS} parameters, problem has {problem.n_params}"
            )
        self.problem = problem
        self.arch = problem.arch
        self.digits = digits
        act = activations.get(problem.activation)
        self._sigma, self._dsigma = act.mp_fn, act.mp_deriv
        # float64 -> mpf is exact at any precision >= 53 bits, so these need no working precision.
        self._X = [[mp.mpf(float(v)) for v in row] for row in problem.X]
        self._Y = [[mp.mpf(float(v)) for v in row] for row in problem.Y]

    # ---- conversion ----------------------------------------------------------------------------------
    def _params(self, theta) -> list:
        """theta (float64, shape (N,)) as an exact list of mpf."""
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (self.arch.n_params,):
            raise ValueError(f"expected {self.arch.n_params} parameters, got shape {theta.shape}")
        return [mp.mpf(float(t)) for t in theta]

    def _layers(self, w) -> list:
        """Flat mpf list w -> [(W_j as a list of rows, b_j)] for j = 1..H+1 (layout of Architecture)."""
        out = []
        for ws, (rows, cols), bs in self.arch.layers:
            W = [w[ws.start + r * cols: ws.start + (r + 1) * cols] for r in range(rows)]
            out.append((W, w[bs]))
        return out

    # ---- forward and backward for one sample ---------------------------------------------------------
    def _forward(self, layers, x):
        """Forward pass for one input x.

        Returns (acts, dsig, out): acts = [a_0, ..., a_H], dsig = [sigma'(z_1), ..., sigma'(z_H)],
        out = f(x) = z_{H+1}.
        """
        H = self.arch.depth
        acts, dsig, a = [x], [], x
        for j, (W, b) in enumerate(layers, start=1):
            z = [mp.fdot(row, a) + bj for row, bj in zip(W, b)]
            if j <= H:
                a = [self._sigma(t) for t in z]
                acts.append(a)
                dsig.append([self._dsigma(t) for t in z])
            else:
                a = z
        return acts, dsig, a

    def _backprop(self, layers, acts, dsig, delta, into: list) -> None:
        """Add d<delta, f(x)>/dw to the flat list ``into`` (reverse mode, O(N) operations).

        delta_{H+1} = delta;  dW_j += delta_j a_{j-1}^T,  db_j += delta_j;
        delta_{j-1} = (W_j^T delta_j) * sigma'(z_{j-1}).
        """
        for j in range(len(layers), 0, -1):
            ws, (rows, cols), bs = self.arch.layers[j - 1]
            a_prev = acts[j - 1]
            for r in range(rows):
                d = delta[r]
                base = ws.start + r * cols
                for c in range(cols):
                    into[base + c] += d * a_prev[c]
                into[bs.start + r] += d
            if j > 1:
                W = layers[j - 1][0]
                delta = [mp.fdot([W[r][c] for r in range(rows)], delta) * dsig[j - 2][c] for c in range(cols)]

    # ---- high-precision results (mpf) ----------------------------------------------------------------
    def _outputs_mp(self, w) -> list:
        """[f(x_1), ..., f(x_n)], each a list of d_out mpf."""
        layers = self._layers(w)
        return [self._forward(layers, x)[2] for x in self._X]

    def _loss_mp(self, w):
        """L(w) = sum_i sum_c (f_c(x_i) - y_ic)^2."""
        return mp.fsum((f - y) ** 2 for out, ys in zip(self._outputs_mp(w), self._Y) for f, y in zip(out, ys))

    def _grad_mp(self, w) -> list:
        """grad L = sum_i J_i^T 2 r_i, by one backprop per sample with delta = 2 (f(x_i) - y_i)."""
        layers = self._layers(w)
        g = [mp.mpf(0)] * len(w)
        for x, y in zip(self._X, self._Y):
            acts, dsig, out = self._forward(layers, x)
            self._backprop(layers, acts, dsig, [2 * (f - yc) for f, yc in zip(out, y)], g)
        return g

    def _jacobian_mp(self, w) -> list:
        """Rows d f_c(x_i) / dw for (i, c) in row-major order: one backprop with delta = e_c per row."""
        layers = self._layers(w)
        d_out, rows = self.arch.d_out, []
        for x in self._X:
            acts, dsig, _ = self._forward(layers, x)
            for c in range(d_out):
                row = [mp.mpf(0)] * len(w)
                self._backprop(layers, acts, dsig, [mp.mpf(1) if k == c else mp.mpf(0) for k in range(d_out)], row)
                rows.append(row)
        return rows

    def hessian_mp(self, theta) -> mp.matrix:
        """Symmetrised Hessian as an mp.matrix, by central differences of the exact gradient.

        H[:, k] = (g(w + h_k e_k) - g(w - h_k e_k)) / (2 h_k), h_k = 10^(-s) max(1, |w_k|), s = digits/2.5,
        computed at digits + s working digits (s guard digits absorb the cancellation).  The entries carry
        that working precision; use them inside ``mp.workdps`` of at least ``digits``.
        """
        s = _step_exponent(self.digits)
        w = self._params(theta)
        N = len(w)
        with mp.workdps(self.digits + s):
            h = mp.mpf(10) ** (-s)
            H = mp.matrix(N, N)
            for k in range(N):
                hk = h * max(mp.mpf(1), abs(w[k]))
                wp, wm = list(w), list(w)
                wp[k] += hk
                wm[k] -= hk
                gp, gm = self._grad_mp(wp), self._grad_mp(wm)
                for r in range(N):
                    H[r, k] = (gp[r] - gm[r]) / (2 * hk)
            for r in range(N):
                for k in range(r + 1, N):
                    H[r, k] = H[k, r] = (H[r, k] + H[k, r]) / 2
        return H

    # ---- the Problem interface (float64 numpy out) ---------------------------------------------------
    def loss(self, theta) -> float:
        with mp.workdps(self.digits):
            return float(self._loss_mp(self._params(theta)))

    def grad(self, theta) -> np.ndarray:
        with mp.workdps(self.digits):
            return _to_float_array(self._grad_mp(self._params(theta)), (self.arch.n_params,))

    def hessian(self, theta) -> np.ndarray:
        """Dense, symmetrised Hessian of L (exactly symmetric after rounding)."""
        H = self.hessian_mp(theta)
        N = self.arch.n_params
        with mp.workdps(self.digits):
            return _to_float_array((H[r, k] for r in range(N) for k in range(N)), (N, N))

    def hessian_eigenvalues_mp(self, theta) -> np.ndarray:
        """Eigenvalues of the high-precision Hessian by ``mp.eigsy`` at ``digits`` digits, ascending, float64."""
        H = self.hessian_mp(theta)
        with mp.workdps(self.digits):
            E = mp.eigsy(H, eigvals_only=True)
            return np.sort(_to_float_array(E, (len(E),)))

    def jacobian(self, theta) -> np.ndarray:
        """J = dF/dw of the residual map F(w) = (f_w(x_i) - y_i)_{i,c}; row i*d_out + c is d f_c(x_i)/dw."""
        with mp.workdps(self.digits):
            rows = self._jacobian_mp(self._params(theta))
            return _to_float_array((v for row in rows for v in row), (len(rows), self.arch.n_params))

    def layer_outputs(self, theta) -> list[np.ndarray]:
        """[a_0(X), a_1(X), ..., a_H(X), f(X)], each n x d_j."""
        with mp.workdps(self.digits):
            layers = self._layers(self._params(theta))
            per_sample = []
            for x in self._X:
                acts, _, out = self._forward(layers, x)
                per_sample.append([*acts, out])
            n = len(self._X)
            return [
                _to_float_array((v for sample in per_sample for v in sample[j]), (n, d))
                for j, d in enumerate(self.arch.widths)
            ]
