"""Figures for the report.  matplotlib is imported lazily, and only its object-oriented API with the Agg
canvas is used (no ``pyplot``, no global backend switch), so plotting is safe in headless runs and threads."""
from __future__ import annotations

from pathlib import Path


def plot_spectrum(eigenvalues, path, title: str = "Hessian spectrum") -> Path:
    """Save a PNG of the sorted spectrum ``eigenvalues`` (index vs. eigenvalue, symlog y-axis) to ``path``.

    The linear region of the symlog axis is set a few decades below the largest magnitude, so that near-zero
    eigenvalues, the ones rank and minimality decisions hinge on, stay visible next to the large ones.
    Non-finite values are left out and counted in the title.  Returns the path written.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, MaxNLocator, NullLocator

    values = np.asarray(eigenvalues, dtype=float).ravel()
    finite = np.sort(values[np.isfinite(values)])
    if finite.size == 0:
        raise ValueError("plot_spectrum: no finite eigenvalues to plot")
    dropped = values.size - finite.size

    scale = float(np.max(np.abs(finite)))
    nonzero = np.abs(finite[finite != 0])
    if scale > 0:
        # linear region just below the smallest nonzero magnitude (so a cluster of "numerical zeros" and its gap to
        # the rest stay visible), but no lower than round-off and no higher than 1e-3 of the largest
        linthresh = float(np.clip(nonzero.min(), scale * 1e-15, scale * 1e-3))
    else:
        linthresh = 1.0

    fig = Figure(figsize=(6.4, 4.0), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    idx = np.arange(1, finite.size + 1)
    neg, pos = finite < 0, finite >= 0
    ax.plot(idx, finite, color="0.6", linewidth=0.8, zorder=1)
    ax.scatter(idx[pos], finite[pos], s=12, color="tab:blue", label="\u03bb \u2265 0", zorder=2, clip_on=False)
    if neg.any():
        ax.scatter(idx[neg], finite[neg], s=12, color="tab:red", label="\u03bb < 0", zorder=2, clip_on=False)
    ax.axhline(0.0, color="black", linewidth=0.6)
    ax.set_yscale("symlog", linthresh=linthresh)
    ticks = _symlog_ticks(finite, linthresh)
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    bottom, top = min(ticks[0], float(finite[0])), max(ticks[-1], float(finite[-1]))
    ax.set_ylim(*((bottom, top) if bottom < top else (-1.0, 1.0)))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("index (sorted)")
    ax.set_ylabel("eigenvalue")
    suffix = f" ({dropped} non-finite omitted)" if dropped else ""
    ax.set_title(f"{title}{suffix}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path


def _symlog_ticks(values, linthresh: float, per_side: int = 5) -> list[float]:
    """0 and at most ``per_side`` powers of ten on each side that has data (the outermost one beyond the data)."""
    import math

    lo = math.floor(math.log10(linthresh))
    ticks = [0.0]
    for sign, extreme in ((1.0, float(values.max())), (-1.0, float(values.min()))):
        if sign * extreme <= 0:
            continue
        hi = max(lo, math.ceil(math.log10(sign * extreme)))
        step = max(1, math.ceil((hi - lo) / per_side))
        # from the top down, stopping two decades above the linear region so no label crowds the "0"
        ticks += [sign * 10.0 ** e for e in (range(hi, lo + 1, -step) if hi >= lo + 2 else [hi])]
    return sorted(ticks)
