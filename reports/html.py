"""The report as one self-contained HTML page (inline CSS, no scripts, no external resources).

Tables are made by ``tabulate`` with tablefmt "unsafehtml" on cells this module has already escaped with
:func:`html.escape`: the plain "html" format escapes every cell itself, which would leave no way to mark up the
coloured verdict cells.  Every piece of run data goes through :func:`esc` exactly once.
"""
from __future__ import annotations

import re
from html import escape

from tabulate import tabulate

from harness.core.results import ClaimResult, RunResult

from . import proportions, sections, tables

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 80em;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1, h2, h3 { line-height: 1.2; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1em; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
td, th { font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: .75em; overflow-x: auto; }
code { background: #f6f8fa; padding: 0 .2em; }
.verdict { font-weight: 600; padding: 0 .3em; border-radius: 3px; }
td > .verdict { display: block; margin: -.25em -.5em; padding: .25em .5em; border-radius: 0; }
.v-good { background: #d4edda; color: #155724; }
.v-bad { background: #f8d7da; color: #721c24; }
.v-warn { background: #fff3cd; color: #856404; }
.v-grey { background: #e2e3e5; color: #383d41; }
.unexpected { outline: 2px solid #c00; outline-offset: -2px; }
.status-ok { background: #d4edda; border: 1px solid #8fd19e; padding: .5em 1em; }
.status-bad { background: #fff3cd; border: 1px solid #e0c36a; padding: .5em 1em; }
.alert { background: #f8d7da; border: 2px solid #c00; padding: .5em 1em; margin: 1em 0; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: .2em 1em; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
"""


def esc(text) -> str:
    return escape(str(text), quote=True)


def verdict_class(verdict: str, as_expected: bool = True) -> str:
    """CSS class of a verdict cell: survived/witnessed green, falsified red unless expected, inconclusive amber,
    error/timeout grey; ``no witness`` green when expected, amber otherwise."""
    if verdict in ("survived", "witnessed"):
        return "v-good"
    if verdict == "falsified":
        return "v-good" if as_expected else "v-bad"
    if verdict == "no witness":
        return "v-good" if as_expected else "v-warn"
    if verdict == "inconclusive":
        return "v-warn"
    return "v-grey"


def verdict_span(verdict: str, as_expected: bool = True) -> str:
    cls = f"verdict {verdict_class(verdict, as_expected)}" + ("" if as_expected else " unexpected")
    title = "" if as_expected else ' title="differs from the expected verdict"'
    return f'<span class="{cls}"{title}>{esc(verdict)}</span>'


def html_table(headers, rows, *, numeric_cols=()) -> str:
    """``rows`` hold markup already (escape plain text with :func:`esc` first)."""
    colalign = ["right" if i in numeric_cols else "left" for i in range(len(headers))]
    out = tabulate(rows, headers=[esc(h) for h in headers], tablefmt="unsafehtml", disable_numparse=True,
                   colalign=colalign)
    # drop tabulate's fixed-width padding (meaningless in HTML); cell text is escaped, so "<t" is always a tag
    out = re.sub(r"(<t[dh][^>]*>)\s+", r"\1", out)
    return re.sub(r"\s+(</t[dh]>)", r"\1", out)


# ---- sections ------------------------------------------------------------------------------------------

def _facts(pairs) -> str:
    return '<dl class="facts">\n' + "\n".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in pairs) + "\n</dl>"


def _header(run: RunResult) -> list[str]:
    env = ", ".join(f"{esc(k)} {esc(v)}" for k, v in tables.environment_rows(run)) or "not recorded"
    facts = [("Profile", esc(run.profile)), ("Seed", esc(tables.fmt_seed(run.seed))),
             ("Started", esc(run.started)), ("Duration", esc(tables.fmt_duration(run.seconds))),
             ("Environment", env)]
    if run.interrupted:
        facts.append(("Interrupted", "yes, the run stopped before every claim was checked"))
    counts = [[esc(v), esc(n)] for v, n in tables.count_rows(run)]
    return ["<h1>landscape-audit report</h1>", _facts(facts), "<h2>Verdicts</h2>",
            html_table(tables.COUNT_HEADERS, counts, numeric_cols=(1,))] + _status(run)


def _status(run: RunResult) -> list[str]:
    st = sections.status(run)
    if st.as_expected:
        out = [f'<p class="status-ok"><strong>Status: as expected.</strong> All {st.total} claims gave the '
               f"verdict the catalogue expects.</p>"]
    else:
        what = f"{len(st.differing)} of {st.total} claims differ from expectation"
        if st.interrupted:
            what += "; the run was interrupted"
        out = [f'<div class="status-bad"><p><strong>Status: NOT as expected.</strong> {what}.</p>']
        if st.differing:
            out.append("<ul>")
            out += [f"<li><code>{esc(r.claim_id)}</code> ({esc(r.theorem)}): {esc(sections.difference(r))}"
                    + (" <strong>(unexpected falsification)</strong>" if r.unexpected_falsification else "")
                    + "</li>" for r in st.differing]
            out.append("</ul>")
        out.append("</div>")
    if st.unexpected_falsifications:
        out.append('<div class="alert"><p><strong>Warning: unexpected falsification.</strong> These claims were '
                   "expected to hold and were falsified (the run exits non-zero):</p><ul>")
        out += [f"<li><code>{esc(r.claim_id)}</code>: {esc(r.theorem)}, {esc(r.paper_key)}</li>"
                for r in st.unexpected_falsifications]
        out.append("</ul></div>")
    return out


def _summary(run: RunResult) -> list[str]:
    if not run.results:
        return ["<h2>Summary</h2>", "<p>No claims were run.</p>"]
    rows = []
    for r, row in zip(run.results, tables.summary_rows(run)):
        cells = [esc(c) for c in row]
        cells[0] = f'<a href="#{esc(_anchor(r))}"><code>{cells[0]}</code></a>' if r.finding is not None \
            else f"<code>{cells[0]}</code>"
        cells[tables.SUMMARY_VERDICT_COL] = verdict_span(r.verdict, r.as_expected)
        rows.append(cells)
    return ["<h2>Summary</h2>", html_table(tables.SUMMARY_HEADERS, rows, numeric_cols=tables.SUMMARY_NUMERIC_COLS)]


def _anchor(r: ClaimResult) -> str:
    return "claim-" + "".join(c if c.isalnum() or c in "-_." else "-" for c in r.claim_id)


def _claim_heading(r: ClaimResult, anchor: bool = False) -> str:
    ident = f' id="{esc(_anchor(r))}"' if anchor else ""
    return f"<h3{ident}><code>{esc(r.claim_id)}</code>: {esc(r.theorem)}</h3>"


def _finding(r: ClaimResult) -> list[str]:
    f = r.finding
    facts = sections.finding_facts(r, esc, lambda t: f"<code>{esc(t)}</code>", lambda t: f"<strong>{t}</strong>")
    facts = [(label, f"{verdict_span(r.verdict, r.as_expected)} {value}" if label == "Verdict" else value)
             for label, value in facts]
    plot = [f'<p><img src="{esc(f.spectrum_plot)}" alt="Hessian spectrum" width="560"></p>'] if f.spectrum_plot else []
    return [_claim_heading(r, anchor=True), f"<p><strong>Statement:</strong> {esc(r.statement)}</p>",
            _facts(facts), *plot, f"<pre>{esc(f.description or '(no description)')}</pre>"]


def _findings(title: str, claims: list[ClaimResult], none: str) -> list[str]:
    out = [f"<h2>{title}</h2>"]
    if not claims:
        return out + [f"<p>{none}</p>"]
    for r in claims:
        out += _finding(r)
    return out


def _inconclusive(run: RunResult) -> list[str]:
    out = ["<h2>Inconclusive</h2>"]
    claims = sections.inconclusive(run)
    if not claims:
        return out + ["<p>No inconclusive examples.</p>"]
    for r in claims:
        out += [_claim_heading(r), f"<p>{esc(r.inconclusive)} of {esc(r.examples)} examples inconclusive (verdict: "
                                   f"{verdict_span(r.verdict, r.as_expected)}).</p>"]
        rows = [[esc(c) for c in row] for row in tables.reason_rows(r)]
        out.append(html_table(tables.REASON_HEADERS, rows, numeric_cols=(1,)) if rows
                   else "<p>No reasons recorded.</p>")
        if r.message and r.verdict == "inconclusive":
            out.append(f"<pre>{esc(r.message)}</pre>")
    return out


def _ablation(run: RunResult) -> list[str]:
    claims = sections.ablated(run)
    if not claims:
        return []
    out = ["<h2>Ablation</h2>",
           "<p>Each hypothesis was dropped in turn (instances violate it and satisfy the others). "
           "<em>falsified</em> means the hypothesis is load-bearing; <em>survived</em> means the theorem may hold "
           "without it (a candidate generalisation).</p>"]
    for r in claims:
        rows = []
        for row in tables.ablation_rows(r):
            cells = [esc(c) for c in row]
            verdict = row[tables.ABLATION_VERDICT_COL]
            cells[tables.ABLATION_VERDICT_COL] = verdict_span(verdict)
            if verdict == "survived":
                cells[tables.ABLATION_LOAD_COL] = f"<strong>{cells[tables.ABLATION_LOAD_COL]}</strong>"
            rows.append(cells)
        out += [_claim_heading(r), html_table(tables.ABLATION_HEADERS, rows, numeric_cols=(2,))]
    return out


def _failures(run: RunResult) -> list[str]:
    out = ["<h2>Errors and timeouts</h2>"]
    claims = sections.failures(run)
    if not claims:
        return out + ["<p>None.</p>"]
    for r in claims:
        out += [_claim_heading(r),
                f"<p>{verdict_span(r.verdict, r.as_expected)} after {esc(tables.fmt_seconds(r.seconds))} s and "
                f"{esc(r.examples)} examples.</p>",
                f"<pre>{esc(r.message or '(no message)')}</pre>"]
    return out


def render_html(run: RunResult) -> str:
    """The whole report as a self-contained HTML page."""
    body = _header(run) + _summary(run)
    body += proportions.html_section(run)
    body += _findings("Counterexamples", sections.counterexamples(run), "No counterexamples.")
    body += _findings("Witnesses", sections.witnesses(run), "No witnesses.")
    body += _inconclusive(run) + _ablation(run) + _failures(run)
    title = f"landscape-audit report: {run.profile}, {run.started}"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
    ]) + "\n"
