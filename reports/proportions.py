"""Proportion claims and reproductions in the report: per cell the estimate, its Clopper-Pearson interval, eps
(or the reference value), the verdict, and one failing instance (shrunk by Hypothesis where the search found
one).  Rows are plain strings; the Markdown and HTML renderers escape them."""
from __future__ import annotations

import json
from pathlib import Path

from harness.core.results import ClaimResult, RunResult

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


# ---- reproductions (harness.statistics.reproductions) ----------------------------------------------------------------------

def _groups(result: dict) -> dict:
    groups: dict = {}
    for c in result["cells"]:
        key = tuple((g, c["cell"].get(g)) for g in result["group"])
        groups.setdefault(key, []).append(c)
    return groups


def reproduction_markdown(result: dict, plot: str = "") -> str:
    from .markdown import md_table, md_text

    out = [f"# Reproduction `{result['id']}`", "", md_text(result["title"]), "",
           f"- **Measure:** {md_text(result['measure'])}",
           f"- **Profile:** {result['profile']}, {result['trials']} trials per cell, seed {result['seed']}, "
           f"{result['seconds']:.1f} s",
           f"- **Agreement with the reference:** {result['agreeing']} of {result['compared']} compared cells "
           f"(reference inside the {int(100 * result['level'])}% Clopper-Pearson interval widened by two standard "
           "errors of the reference)"]
    if result["not_run"]:
        out.append(f"- **Not run:** {result['not_run']} cells did not fit the time budget")
    for c in (c for c in result["cells"] if c.get("error")):
        cell = ", ".join(f"{k} = {v}" for k, v in c["cell"].items())
        out.append(f"- **Error** in the cell {md_text(cell)}: {md_text(c['error'])}")
    if result.get("notes"):
        out.append(f"- **Notes:** {md_text(result['notes'])}")
    out.append("")
    if plot:
        out += [f"![{result['id']}]({plot})", ""]
    row, col = result["row"], result["col"]
    for key, cells in _groups(result).items():
        title = ", ".join(f"{k} = {v}" for k, v in key) or "all cells"
        rows_v = sorted({c["cell"][row] for c in cells})
        cols_v = sorted({c["cell"][col] for c in cells})
        table = []
        for rv in rows_v:
            line = [str(rv)]
            for cv in cols_v:
                c = next((x for x in cells if x["cell"][row] == rv and x["cell"][col] == cv), None)
                if c is None or not c["run"]:
                    line.append("" if c is None else "error" if c.get("error") else "not run")
                    continue
                ref = "" if c["reference"] is None else f" (ref {c['reference']:.2f}{'' if c['agrees'] else ' !'})"
                line.append(f"{c['estimate']:.2f} [{c['ci_low']:.2f}, {c['ci_high']:.2f}]{ref}")
            table.append(line)
        out += [f"## {md_text(title)}", "", f"Rows {row}, columns {col}: estimate [95% interval] (reference; "
                "'!' marks disagreement).", "", md_table([f"{row} / {col}"] + [str(v) for v in cols_v], table), ""]
    return "\n".join(out).rstrip() + "\n"


def reproduction_plot(result: dict, path):
    """Full-rank fraction against the row variable, one line per column value, with intervals and references."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        return None
    groups = _groups(result)
    fig, axes = plt.subplots(1, len(groups), figsize=(4.5 * len(groups), 3.6), squeeze=False)
    row, col = result["row"], result["col"]
    for ax, (key, cells) in zip(axes[0], groups.items()):
        for cv in sorted({c["cell"][col] for c in cells}):
            pts = sorted((c for c in cells if c["cell"][col] == cv and c["run"]), key=lambda c: c["cell"][row])
            if not pts:
                continue
            x = [c["cell"][row] for c in pts]
            y = [c["estimate"] for c in pts]
            err = [[c["estimate"] - c["ci_low"] for c in pts], [c["ci_high"] - c["estimate"] for c in pts]]
            line = ax.errorbar(x, y, yerr=err, marker="o", ms=3, capsize=2, label=f"{col} = {cv}")
            refs = [(c["cell"][row], c["reference"]) for c in pts if c["reference"] is not None]
            if refs:
                ax.plot(*zip(*refs), "x", color=line[0].get_color(), ms=6)
        ax.set_title(", ".join(f"{k} = {v}" for k, v in key) or result["id"], fontsize=9)
        ax.set_xlabel(row)
        ax.set_ylabel("P(full rank)")
        ax.set_ylim(-0.05, 1.05)
        ax.legend(fontsize=6)
    fig.suptitle(f"{result['id']} (x: reference)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return Path(path)


def write_reproduction(result: dict, out_dir) -> dict:
    """reproductions/<id>.md, .json and .png (a plot per group) under ``out_dir``."""
    out = Path(out_dir) / "reproductions"
    out.mkdir(parents=True, exist_ok=True)
    name = result["id"].replace("/", "__")
    png = reproduction_plot(result, out / f"{name}.png")
    md = out / f"{name}.md"
    md.write_text(reproduction_markdown(result, png.name if png else ""), encoding="utf-8")
    js = out / f"{name}.json"
    js.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return {"markdown": md, "json": js, "plot": png}
