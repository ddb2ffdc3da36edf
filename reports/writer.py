"""Write the three report files of a run."""
from __future__ import annotations

import os
from pathlib import Path

from harness.core.results import RunResult

from .html import render_html
from .jsonfile import render_json
from .markdown import render_markdown

#: Format -> (file name, renderer).
FILES = {
    "markdown": ("report.md", render_markdown),
    "html": ("report.html", render_html),
    "json": ("report.json", render_json),
}


def write_reports(run: RunResult, out_dir) -> dict[str, Path]:
    """Write ``report.md``, ``report.html`` and ``report.json`` into ``out_dir`` (created if missing) and return
    ``{"markdown": path, "html": path, "json": path}``.

    Each file is written to a temporary name and then renamed, so a reader never sees half a report.
    Raises :class:`OSError` naming the directory or file when it cannot be created or written.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise _error(e, f"cannot create report directory {str(out_dir)!r}") from e
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise OSError(f"report directory {str(out_dir)!r} is not writable")

    _plot_spectra(run, out_dir)
    rendered = {fmt: (out_dir / name, render(run)) for fmt, (name, render) in FILES.items()}
    paths = {}
    for fmt, (path, text) in rendered.items():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        except OSError as e:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            raise _error(e, f"cannot write report file {str(path)!r}") from e
        paths[fmt] = path
    return paths


def _plot_spectra(run: RunResult, out_dir: Path) -> None:
    """Draw the Hessian spectrum of every finding that carries one (once: an existing plot is kept)."""
    from .plots import plot_spectrum

    for r in run.results:
        f = r.finding
        if f is None or not f.spectrum or f.spectrum_plot:
            continue
        folder = "counterexamples" if f.kind == "counterexample" else "witnesses"
        rel = f"{folder}/{r.claim_id.replace('/', '__').replace(' ', '_')}.spectrum.png"
        try:
            if not (out_dir / rel).is_file():
                plot_spectrum(f.spectrum, out_dir / rel, f"{r.claim_id}: Hessian spectrum at the {f.kind}")
        except Exception:  # a plot is a courtesy; never lose a report over it
            continue
        f.spectrum_plot = rel


def _error(e: OSError, what: str) -> OSError:
    """An OSError of the same kind (errno) as ``e`` with a message saying what failed."""
    message = f"{what}: {e.strerror or e}"
    return OSError(e.errno, message) if e.errno is not None else OSError(message)
