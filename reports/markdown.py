"""The report as GitHub-flavoured Markdown (tables by ``tabulate``, tablefmt "github")."""
from __future__ import annotations

import re

from tabulate import tabulate

from harness.core.results import ClaimResult, RunResult

from . import proportions, sections, tables

_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY = re.compile(r"&(?=#?\w+;)")


# ---- escaping ------------------------------------------------------------------------------------------

def md_text(text) -> str:
    """Inline text on one line, with the characters Markdown would interpret escaped (``<`` only where it
    would open an HTML tag, ``&`` only where it would start an entity)."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub("&amp;", text)
    return _TAG_START.sub("&lt;", text)


def md_cell(text) -> str:
    """:func:`md_text` for a table cell (``|`` escaped too)."""
    return md_text(text).replace("|", "\\|")


def md_code(text) -> str:
    """An inline code span holding ``text`` verbatim."""
    text = " ".join(str(text).split())
    if not text:
        return ""
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_fence(text, info: str = "text") -> str:
    """A fenced code block holding ``text`` verbatim (the fence is longer than any backtick run inside)."""
    text = str(text).rstrip("\n")
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def md_table(headers, rows, *, code_cols=(), numeric_cols=()) -> str:
    cells = [[md_code(c).replace("|", "\\|") if i in code_cols and c else md_cell(c) for i, c in enumerate(row)]
             for row in rows]
    colalign = ["right" if i in numeric_cols else "left" for i in range(len(headers))]
    return tabulate(cells, headers=[md_cell(h) for h in headers], tablefmt="github", disable_numparse=True,
                    colalign=colalign)


# ---- sections ------------------------------------------------------------------------------------------

def _header(run: RunResult) -> list[str]:
    env = ", ".join(f"{k} {v}" for k, v in tables.environment_rows(run)) or "not recorded"
    out = [
        "# landscape-audit report",
        "",
        f"- **Profile:** {md_text(run.profile)}",
        f"- **Seed:** {md_text(tables.fmt_seed(run.seed))}",
        f"- **Started:** {md_text(run.started)}",
        f"- **Duration:** {tables.fmt_duration(run.seconds)}",
        f"- **Environment:** {md_text(env)}",
    ]
    if run.interrupted:
        out.append("- **Interrupted:** yes, the run stopped before every claim was checked")
    out += ["", "## Verdicts", "", md_table(tables.COUNT_HEADERS, tables.count_rows(run), numeric_cols=(1,)), ""]
    out += _status(run)
    return out


def _status(run: RunResult) -> list[str]:
    st = sections.status(run)
    out = []
    if st.as_expected:
        out.append(f"**Status: as expected.** All {st.total} claims gave the verdict the catalogue expects.")
    else:
        what = f"{len(st.differing)} of {st.total} claims differ from expectation"
        if st.interrupted:
            what += "; the run was interrupted"
        out.append(f"**Status: NOT as expected.** {what}.")
        if st.differing:
            out.append("")
            out += [f"- {md_code(r.claim_id)} ({md_text(r.theorem)}): {sections.difference(r)}"
                    + (" **(unexpected falsification)**" if r.unexpected_falsification else "")
                    for r in st.differing]
    if st.unexpected_falsifications:
        out += ["", "> **Warning: unexpected falsification.** These claims were expected to hold and were falsified "
                    "(the run exits non-zero):", ">"]
        out += [f"> - {md_code(r.claim_id)}: {md_text(r.theorem)}, {md_text(r.paper_key)}"
                for r in st.unexpected_falsifications]
    out.append("")
    return out


def _summary(run: RunResult) -> list[str]:
    if not run.results:
        return ["## Summary", "", "No claims were run.", ""]
    table = md_table(tables.SUMMARY_HEADERS, tables.summary_rows(run), code_cols=(0,),
                     numeric_cols=tables.SUMMARY_NUMERIC_COLS)
    return ["## Summary", "", table, ""]


def _claim_heading(r: ClaimResult) -> str:
    return f"### {md_code(r.claim_id)}: {md_text(r.theorem)}"


def _finding(r: ClaimResult) -> list[str]:
    f = r.finding
    facts = sections.finding_facts(r, md_text, md_code, lambda t: f"**{t}**")
    out = [_claim_heading(r), "", f"**Statement:** {md_text(r.statement)}", ""]
    for label, value in facts:
        if label == "Verdict":
            value = f"{md_text(r.verdict)} {value}"
        out.append(f"- **{label}:** {value}")
    if f.spectrum_plot:
        out.append(f"- **Hessian spectrum:** ![Hessian spectrum]({f.spectrum_plot})")
    out += ["", md_fence(f.description or "(no description)"), ""]
    return out


def _findings(title: str, claims: list[ClaimResult], none: str) -> list[str]:
    out = [f"## {title}", ""]
    if not claims:
        return out + [none, ""]
    for r in claims:
        out += _finding(r)
    return out


def _inconclusive(run: RunResult) -> list[str]:
    out = ["## Inconclusive", ""]
    claims = sections.inconclusive(run)
    if not claims:
        return out + ["No inconclusive examples.", ""]
    for r in claims:
        out += [_claim_heading(r), "",
                f"{r.inconclusive} of {r.examples} examples inconclusive (verdict: {md_text(r.verdict)}).", ""]
        rows = tables.reason_rows(r)
        out += [md_table(tables.REASON_HEADERS, rows, numeric_cols=(1,)) if rows else "No reasons recorded.", ""]
        if r.message and r.verdict == "inconclusive":
            out += [md_fence(r.message), ""]
    return out


def _ablation(run: RunResult) -> list[str]:
    claims = sections.ablated(run)
    if not claims:
        return []
    out = ["## Ablation", "",
           "Each hypothesis was dropped in turn (instances violate it and satisfy the others). "
           "*falsified* means the hypothesis is load-bearing; *survived* means the theorem may hold without it "
           "(a candidate generalisation).", ""]
    for r in claims:
        out += [_claim_heading(r), "",
                md_table(tables.ABLATION_HEADERS, tables.ablation_rows(r), numeric_cols=(2,)), ""]
    return out


def _failures(run: RunResult) -> list[str]:
    out = ["## Errors and timeouts", ""]
    claims = sections.failures(run)
    if not claims:
        return out + ["None.", ""]
    for r in claims:
        out += [_claim_heading(r), "", f"**{md_text(r.verdict)}** after {tables.fmt_seconds(r.seconds)} s "
                f"and {r.examples} examples.", "", md_fence(r.message or "(no message)"), ""]
    return out


def render_markdown(run: RunResult) -> str:
    """The whole report as Markdown."""
    lines = _header(run) + _summary(run)
    lines += proportions.markdown_section(run)
    lines += _findings("Counterexamples", sections.counterexamples(run), "No counterexamples.")
    lines += _findings("Witnesses", sections.witnesses(run), "No witnesses.")
    lines += _inconclusive(run) + _ablation(run) + _failures(run)
    return "\n".join(lines).rstrip("\n") + "\n"
