"""Architectures: depth, hidden widths, input/output sizes, and width regimes relative to n.

Regimes (Cooper 2020, section 4): ``"any"``; ``"very_wide"`` (last hidden layer d_H >= n, the hypothesis of
Lemma 5.8 / Thm 5.17, ``strict=True`` for d_H > n); ``"narrow"`` (d_H <= n - 2, where Phi~ cannot have
rank n); ``"wide"`` (every hidden layer > n, Thm 5.10).
"""
from __future__ import annotations

from hypothesis import strategies as st

from harness.models.architecture import Architecture
from strategies.discrete import draw_dimension

REGIMES = ("any", "very_wide", "narrow", "wide")


@st.composite
def architectures(draw, depth=st.integers(1, 4), width=st.integers(1, 5), d_in=st.integers(1, 4),
                  d_out=st.integers(1, 3), n: int | None = None, regime: str = "any", extra=st.integers(0, 3),
                  strict: bool = False) -> Architecture:
    if regime not in REGIMES:
        raise ValueError(f"unknown regime {regime!r}; choose from {REGIMES}")
    if regime != "any" and n is None:
        raise ValueError(f"regime {regime!r} needs the number of samples n")
    if regime == "narrow" and n < 3:
        raise ValueError("regime 'narrow' needs n >= 3")
    H = draw_dimension(draw, "depth", depth)
    # only the widths a regime keeps are drawn, so a dimension is read only where it shapes the instance
    free = H if regime == "any" else 0 if regime == "wide" else H - 1
    hidden = [draw_dimension(draw, "width", width) for _ in range(free)]
    if regime == "very_wide":
        hidden.append(n + int(strict) + draw_dimension(draw, "extra width", extra))
    elif regime == "wide":
        hidden = [n + 1 + draw_dimension(draw, "extra width", extra) for _ in range(H)]
    elif regime == "narrow":
        hidden.append(draw_dimension(draw, "narrow width", st.integers(1, n - 2)))
    di = draw_dimension(draw, "d_in", d_in)
    do = draw_dimension(draw, "d_out", d_out)
    return Architecture(di, tuple(hidden), do)
