"""Fully connected architectures and their flat parameter layout.

Widths d_0 (input), d_1..d_H (hidden), d_{H+1} = d_out.  Parameters W_j in R^{d_j x d_{j-1}}, b_j in R^{d_j},
flattened layer by layer as (W_1 row-major, b_1, W_2, b_2, ..., W_{H+1}, b_{H+1}), so that
N = sum_j d_j (d_{j-1} + 1) and the last layer u = (W_{H+1}, b_{H+1}) is the tail of the vector.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Architecture:
    d_in: int
    hidden: tuple[int, ...]
    d_out: int

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        if self.d_in < 1 or self.d_out < 1 or any(h < 1 for h in self.hidden):
            raise ValueError(f"all widths must be >= 1, got {self.widths}")

    @property
    def widths(self) -> tuple[int, ...]:
        return (self.d_in, *self.hidden, self.d_out)

    @property
    def depth(self) -> int:
        """H, the number of hidden layers."""
        return len(self.hidden)

    @property
    def last_hidden(self) -> int:
        return self.hidden[-1] if self.hidden else self.d_in

    @cached_property
    def layers(self) -> tuple[tuple[slice, tuple[int, int], slice], ...]:
        """For j = 1..H+1: (slice of W_j, shape of W_j, slice of b_j) in the flat vector."""
        out, at, w = [], 0, self.widths
        for j in range(1, len(w)):
            rows, cols = w[j], w[j - 1]
            ws = slice(at, at + rows * cols)
            at += rows * cols
            bs = slice(at, at + rows)
            at += rows
            out.append((ws, (rows, cols), bs))
        return tuple(out)

    @property
    def n_params(self) -> int:
        return self.layers[-1][2].stop

    @property
    def last_layer(self) -> slice:
        """Coordinates of u = (W_{H+1}, b_{H+1}), the fiber directions of Cooper section 5."""
        return slice(self.layers[-1][0].start, self.n_params)

    def weight(self, j: int) -> slice:
        return self.layers[j - 1][0]

    def bias(self, j: int) -> slice:
        return self.layers[j - 1][2]

    def unflatten(self, theta) -> list[tuple[np.ndarray, np.ndarray]]:
        theta = np.asarray(theta)
        return [(theta[ws].reshape(shape), theta[bs]) for ws, shape, bs in self.layers]

    def flatten(self, layers) -> np.ndarray:
        return np.concatenate([np.concatenate([np.ravel(W), np.ravel(b)]) for W, b in layers]).astype(float)

    def coordinate_names(self) -> list[str]:
        names = []
        for j, (_, (rows, cols), _) in enumerate(self.layers, start=1):
            names += [f"W{j}[{r},{c}]" for r in range(rows) for c in range(cols)]
            names += [f"b{j}[{r}]" for r in range(rows)]
        return names

    def __str__(self) -> str:
        return "-".join(map(str, self.widths))
