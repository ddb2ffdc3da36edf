"""Reports of a landscape-audit run: Markdown, HTML and JSON (tables by ``tabulate``), plus plots.

    from reports import write_reports
    paths = write_reports(run, "audit-report")  # {"markdown": ..., "html": ..., "json": ...}

Modules: :mod:`.tables` (table rows and cell formatting), :mod:`.sections` (which claims go in which section),
:mod:`.markdown`, :mod:`.html`, :mod:`.jsonfile` (one renderer each), :mod:`.writer` (files),
:mod:`.plots` (matplotlib figures, imported lazily).
"""
from __future__ import annotations

from .html import render_html
from .jsonfile import load_json, render_json
from .markdown import render_markdown
from .plots import plot_spectrum
from .writer import write_reports

__all__ = ["write_reports", "render_markdown", "render_html", "render_json", "load_json", "plot_spectrum"]
