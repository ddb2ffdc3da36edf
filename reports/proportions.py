"""Proportion claims and reproductions in the report: per cell the estimate, its Clopper-Pearson interval, eps
(or the reference value), the verdict, and one failing instance (shrunk by Hypothesis where the search found
one).  Rows are plain strings; the Markdown and HTML renderers escape them."""
from __future__ import annotations

from harness.results import ClaimResult, RunResult

CELL_HEADERS = ("Cell", "Mode", "Samples", "Failures", "Failure rate", "Interval", "eps", "Verdict", "Why")


def _f(x, digits=4) -> str:
    try:
        return f"{float(x):.{digits}g}"
    except (TypeError, ValueError):
        return ""


def proportion_results(run: RunResult) -> list[ClaimResult]:
    return [r for r in run.results if getattr(r, "proportion", None)]


def cell_rows(r: ClaimResult) -> list[list[str]]:
    rows = []
    for c in r.proportion.get("cells", []):
        level = c.get("level", 1.0)
        interval = (f"[{_f(c.get('ci_low'))}, {_f(c.get('ci_high'))}]"
                    + ("" if c.get("mode") == "exhaustive" else f" at {_f(100 * level, 6)}%"))
        rows.append([c.get("cell", ""), c.get("mode", ""), str(c.get("trials", 0)), str(c.get("failures", 0)),
                     _f(c.get("estimate")), interval, _f(c.get("eps")), c.get("verdict", ""),
                     "; ".join(x for x in (c.get("reason", ""), c.get("note", "")) if x)])
    return rows


def preamble(r: ClaimResult) -> str:
    p = r.proportion
    return (f"Measure: {p.get('measure', '')}. Verdict {r.verdict} (expect {r.expect}). Confidence "
            f"{p.get('confidence')} overall; {p.get('correction', '')}; seed {p.get('seed')}.")


def example_text(r: ClaimResult) -> tuple[str, str]:
    """(heading, description) of the failing instance shown for the claim, or ('', '')."""
    ex = r.proportion.get("example")
    if not ex:
        return "", ""
    how = "shrunk by Hypothesis" if ex.get("minimised") else "the sampler's first failing draw (not minimised)"
    cert = f", certification {ex['certification']}" if ex.get("certification") else ""
    return f"A failing instance ({ex.get('cell', '')}; {how}{cert}; margin {_f(ex.get('margin'))})", \
        ex.get("description", "")


def markdown_section(run: RunResult) -> list[str]:
    from .markdown import md_fence, md_table, md_text, md_code

    results = proportion_results(run)
    if not results:
        return []
    out = ["## Proportion claims", "",
           "Each cell is decided from a Clopper-Pearson interval of the failure rate (falsified when its lower "
           "bound exceeds eps, survived when its upper bound is below eps), or exactly when the cell's space was "
           "enumerated.", ""]
    for r in results:
        out += [f"### {md_code(r.claim_id)}: {md_text(r.theorem)}", "", md_text(preamble(r)), "",
                md_table(CELL_HEADERS, cell_rows(r), numeric_cols=(2, 3, 4, 6)), ""]
        head, desc = example_text(r)
        if head:
            out += [f"{md_text(head)}:", "", md_fence(desc), ""]
    return out


def html_section(run: RunResult) -> list[str]:
    from .html import esc, html_table, verdict_span

    results = proportion_results(run)
    if not results:
        return []
    out = ["<h2>Proportion claims</h2>",
           "<p>Each cell is decided from a Clopper-Pearson interval of the failure rate, or exactly when the "
           "cell's space was enumerated.</p>"]
    for r in results:
        rows = []
        for row in cell_rows(r):
            cells = [esc(x) for x in row]
            cells[7] = verdict_span(row[7], row[7] != "falsified" or r.expect == "fails")
            rows.append(cells)
        out += [f"<h3><code>{esc(r.claim_id)}</code>: {esc(r.theorem)}</h3>", f"<p>{esc(preamble(r))}</p>",
                html_table(CELL_HEADERS, rows, numeric_cols=(2, 3, 4, 6))]
        head, desc = example_text(r)
        if head:
            out += [f"<p>{esc(head)}:</p>", f"<pre>{esc(desc)}</pre>"]
    return out
