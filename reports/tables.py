"""The rows of the report's tables, as plain (unescaped) strings; each renderer escapes them for its format.

Cell formatting lives here too, so that Markdown and HTML show the same numbers.
"""
from __future__ import annotations

import math

from harness.core.results import VERDICTS, ClaimResult, RunResult

#: Longest statement shown in the summary table; the full text is in the findings sections.
STATEMENT_WIDTH = 90

SUMMARY_HEADERS = ("Claim", "Paper", "Theorem", "Statement", "Expect", "Verdict", "Examples", "Decisive margin",
                   "Certification", "Seconds")
#: Index of the verdict column in :data:`SUMMARY_HEADERS` (the HTML renderer colours it).
SUMMARY_VERDICT_COL = SUMMARY_HEADERS.index("Verdict")
SUMMARY_NUMERIC_COLS = tuple(SUMMARY_HEADERS.index(h) for h in ("Examples", "Decisive margin", "Seconds"))

ABLATION_HEADERS = ("Hypothesis dropped", "Verdict", "Examples", "Load-bearing?", "Message")
ABLATION_VERDICT_COL = ABLATION_HEADERS.index("Verdict")
ABLATION_LOAD_COL = ABLATION_HEADERS.index("Load-bearing?")

COUNT_HEADERS = ("Verdict", "Claims")
REASON_HEADERS = ("Reason", "Examples")
ENVIRONMENT_HEADERS = ("Component", "Version")


# ---- cells ---------------------------------------------------------------------------------------------

def shorten(text: str, width: int = STATEMENT_WIDTH) -> str:
    """``text`` on one line, cut to at most ``width`` characters (at a word boundary when one is close) with
    an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = cut.rfind(" ")
    if space >= width * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "\u2026"


def fmt_margin(x) -> str:
    """4 significant digits; blank for ``None`` and ``+inf`` (no example decided a margin)."""
    if x is None:
        return ""
    x = float(x)
    if math.isinf(x) and x > 0:
        return ""
    return f"{x:.4g}"


def fmt_seconds(x) -> str:
    return f"{float(x):.2f}"


def fmt_duration(seconds) -> str:
    s = float(seconds)
    if s < 60:
        return f"{s:.1f} s"
    minutes, s = divmod(s, 60)
    if minutes < 60:
        return f"{int(minutes)} min {s:.0f} s"
    hours, minutes = divmod(minutes, 60)
    return f"{int(hours)} h {int(minutes)} min {s:.0f} s"


def fmt_examples(examples, inconclusive) -> str:
    """``"40"``, or ``"40 (3 inc.)"`` when some examples were inconclusive."""
    return f"{examples} ({inconclusive} inc.)" if inconclusive else f"{examples}"


def fmt_seed(seed) -> str:
    return "random" if seed is None else str(seed)


def load_bearing(verdict: str) -> str:
    """What an ablation verdict says about the dropped hypothesis."""
    if verdict == "falsified":
        return "yes (load-bearing)"
    if verdict == "survived":
        return "no: candidate generalisation"
    return f"undecided ({verdict})"


# ---- rows ----------------------------------------------------------------------------------------------

def summary_rows(run: RunResult) -> list[list[str]]:
    """One row per claim, columns as :data:`SUMMARY_HEADERS`."""
    rows = []
    for r in run.results:
        rows.append([
            r.claim_id,
            r.paper_key,
            r.theorem,
            shorten(r.statement),
            r.expect,
            r.verdict,
            fmt_examples(r.examples, r.inconclusive),
            fmt_margin(r.min_margin),
            r.finding.certification if r.finding is not None else "",
            fmt_seconds(r.seconds),
        ])
    return rows


def count_rows(run: RunResult) -> list[list[str]]:
    """Claims per verdict (every verdict listed, zeros included), then the total."""
    counts = run.counts()
    rows = [[v, str(counts.get(v, 0))] for v in VERDICTS]
    rows += [[v, str(n)] for v, n in counts.items() if v not in VERDICTS]
    rows.append(["total", str(len(run.results))])
    return rows


def reason_rows(r: ClaimResult) -> list[list[str]]:
    """Inconclusive reasons, most frequent first."""
    items = sorted(r.inconclusive_reasons.items(), key=lambda kv: (-_as_int(kv[1]), str(kv[0])))
    return [[str(reason), str(n)] for reason, n in items]


def ablation_rows(r: ClaimResult) -> list[list[str]]:
    rows = []
    for item in r.ablation:
        verdict = str(item.get("verdict", ""))
        rows.append([
            str(item.get("hypothesis", "")),
            verdict,
            str(item.get("examples", "")),
            load_bearing(verdict),
            " ".join(str(item.get("message", "") or "").split()),
        ])
    return rows


def environment_rows(run: RunResult) -> list[list[str]]:
    return [[str(k), str(v)] for k, v in sorted(run.environment.items(), key=lambda kv: str(kv[0]))]


def _as_int(x) -> int:
    try:
        return int(x)
    except (TypeError, ValueError):
        return 0
