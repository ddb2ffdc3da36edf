"""The reports render every verdict, escape user text, round-trip the JSON and write their files."""
from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from harness.core.results import VERDICTS, ClaimResult, Finding, RunResult  # noqa: E402
from reports import (load_json, plot_spectrum, render_html, render_json, render_markdown,  # noqa: E402
                     write_reports)
from reports.tables import fmt_examples, fmt_margin, shorten  # noqa: E402

LONG_TAIL = "and the tail of this statement mentions TAILMARKER so only the full text has it"
LONG_STATEMENT = ("Every critical point of the quadratic loss of a deep linear network with widths >= min(d_in, d_out) "
                  "is a global minimum or a saddle with a direction of negative curvature, " + LONG_TAIL)
DESCRIPTION = "net: 1 -> 2 -> 1, sigma = relu\nloss < 1e-3 & grad-norm < 1e-9\npoint: w = [0.5, -0.5]"
SCRIPT_STATEMENT = "width <= n & <script>alert('x')</script> implies lambda_min > 0"


def _claim(claim_id, verdict, *, kind="forall", expect="holds", **kw) -> ClaimResult:
    base = dict(claim_id=claim_id, paper="Doe & Roe (2020), Landscapes <and> minima", paper_key=claim_id.split("/")[0],
                theorem="Theorem " + claim_id.split("-")[-1], statement=f"statement of {claim_id}: n > d",
                kind=kind, expect=expect, verdict=verdict, examples=40, min_margin=0.5, seconds=1.25,
                hypotheses=["depth >= 2", "sigma(0) = 0"])
    base.update(kw)
    return ClaimResult(**base)


@pytest.fixture
def run() -> RunResult:
    counterexample = Finding(
        kind="counterexample", instance={"type": "repr", "repr": "(1, 2)"}, description=DESCRIPTION,
        evidence={"margin": -0.123456789, "detail": "smallest eigenvalue: -0.0123 (needs >= 0)",
                  "values": {"value": -0.0123, "bound": 0.0}},
        certification="certified", certification_detail="mpmath 50 digits agree", minimised=True,
        replay_file="audit-report/counterexamples/cooper2020-thm-3.2.json")
    mutant_ce = Finding(kind="counterexample", instance={"type": "repr", "repr": "3"}, description="depth 1",
                        evidence={"margin": -1.0, "detail": "rank 1 (expected 2)", "values": {}},
                        certification="numerical", minimised=False, replay_file="")
    witness = Finding(kind="witness", instance={"type": "repr", "repr": "[0.0]"},
                      description="bad local minimum at w = 0\nloss 0.25 > global 0",
                      evidence={"margin": 2.5, "detail": "local minimum with loss 0.25", "values": {"loss": 0.25}},
                      certification="numerical", certification_detail="Newton-refined",
                      replay_file="out/witness-yun.json")
    results = [
        _claim("kawaguchi2016/thm-2.3", "survived", statement=LONG_STATEMENT, min_margin=0.000123456789,
               ablation=[
                   {"hypothesis": "depth >= 2", "verdict": "falsified", "examples": 12, "message": "counterexample"},
                   {"hypothesis": "sigma(0) = 0", "verdict": "survived", "examples": 50, "message": ""},
                   {"hypothesis": "loss is quadratic", "verdict": "inconclusive", "examples": 9, "message": "gaps"},
               ]),
        _claim("cooper2020/thm-3.2", "falsified", statement=SCRIPT_STATEMENT, min_margin=-0.123456789,
               finding=counterexample),
        _claim("mutant/drop-depth", "falsified", expect="fails", min_margin=-1.0, finding=mutant_ce),
        _claim("yun2019/thm-1", "witnessed", kind="exists", finding=witness, min_margin=2.5),
        _claim("safran2018/thm-2", "no witness", kind="exists", expect="fails", examples=100),
        _claim("nguyen2017/thm-3", "inconclusive", examples=40, inconclusive=31,
               inconclusive_reasons={"no spectral gap": 20, "point not critical": 11}, message="31 of 40 inconclusive"),
        _claim("soudry2016/thm-1", "survived", examples=40, inconclusive=3,
               inconclusive_reasons={"ill-conditioned rank": 3}),
        _claim("venturi2019/thm-5", "error", examples=2, min_margin=math.inf,
               message="Traceback (most recent call last):\nValueError: shapes (2,3) & (4,) <mismatch>"),
        _claim("liang2018/thm-1", "timeout", examples=7, min_margin=math.inf, message="deadline 60 s exceeded"),
    ]
    return RunResult(profile="ci", seed=1234, started="2024-11-25T01:29:00+00:00", seconds=93.5, results=results,
                     environment={"python": "3.11.7", "jax": "0.4.30", "hypothesis": "6.100.0"})


def _section(text: str, title: str, level: str = "## ") -> str:
    """The body of the Markdown section ``title`` (up to the next heading of the same level)."""
    start = text.index(f"\n{level}{title}\n")
    end = text.find(f"\n{level}", start + 1)
    return text[start: end if end >= 0 else len(text)]


def _md_row(md: str, claim_id: str) -> list[str]:
    line = next(ln for ln in _section(md, "Summary").splitlines() if f"`{claim_id}`" in ln)
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]


# ---- cells ---------------------------------------------------------------------------------------------

def test_cell_formatting():
    assert fmt_margin(math.inf) == "" and fmt_margin(None) == ""
    assert fmt_margin(-0.123456789) == "-0.1235"
    assert fmt_margin(0.000123456789) == "0.0001235"
    assert fmt_margin(-math.inf) == "-inf"
    assert fmt_examples(40, 3) == "40 (3 inc.)" and fmt_examples(40, 0) == "40"
    short = shorten(LONG_STATEMENT)
    assert len(short) <= 90 and short.endswith("\u2026") and LONG_STATEMENT.startswith(short[:-1])
    assert shorten("short statement") == "short statement"


# ---- Markdown ------------------------------------------------------------------------------------------

def test_every_verdict_represented(run):
    assert {r.verdict for r in run.results} == set(VERDICTS)


def test_markdown_header_and_counts(run):
    md = render_markdown(run)
    assert "**Profile:** ci" in md and "**Seed:** 1234" in md and "2024-11-25T01:29:00+00:00" in md
    assert "1 min 34 s" in md and "jax 0.4.30" in md
    counts = {"survived": 2, "falsified": 2, "witnessed": 1, "no witness": 1, "inconclusive": 1, "error": 1,
              "timeout": 1}
    verdicts = _section(md, "Verdicts")
    for verdict, n in counts.items():
        assert re.search(rf"^\|\s*{verdict}\s*\|\s*{n}\s*\|$", verdicts, re.M), verdict
    assert re.search(r"^\|\s*total\s*\|\s*9\s*\|$", verdicts, re.M)


def test_markdown_status_lists_differences(run):
    md = render_markdown(run)
    status = md[md.index("**Status:"): md.index("## Summary")]
    assert "NOT as expected" in status and "4 of 9 claims differ" in status
    for cid in ("cooper2020/thm-3.2", "nguyen2017/thm-3", "venturi2019/thm-5", "liang2018/thm-1"):
        assert f"`{cid}`" in status
    for cid in ("mutant/drop-depth", "kawaguchi2016/thm-2.3", "yun2019/thm-1", "safran2018/thm-2"):
        assert f"`{cid}`" not in status
    assert "expected survived, got falsified **(unexpected falsification)**" in status
    warning = status[status.index("> **Warning: unexpected falsification.**"):]
    assert "`cooper2020/thm-3.2`" in warning and "`nguyen2017/thm-3`" not in warning


def test_markdown_as_expected_run(run):
    run.results = [r for r in run.results if r.as_expected]
    md = render_markdown(run)
    assert "**Status: as expected.** All 5 claims" in md
    assert "NOT as expected" not in md and "unexpected falsification" not in md


def test_markdown_summary_table(run):
    md = render_markdown(run)
    summary = _section(md, "Summary")
    for r in run.results:
        assert f"`{r.claim_id}`" in summary
    assert "TAILMARKER" not in summary
    row = _md_row(md, "kawaguchi2016/thm-2.3")
    assert len(row) == 10
    assert row[3].endswith("\u2026") and len(row[3]) < 120
    assert row[4:] == ["holds", "survived", "40", "0.0001235", "", "1.25"]
    assert _md_row(md, "cooper2020/thm-3.2")[7:9] == ["-0.1235", "certified"]
    assert _md_row(md, "soudry2016/thm-1")[6] == "40 (3 inc.)"
    assert _md_row(md, "venturi2019/thm-5")[7] == ""  # infinite min margin is blank
    # a statement with markup cannot open a tag in the Markdown table
    assert "<script>" not in md


def test_markdown_findings(run):
    md = render_markdown(run)
    ces = _section(md, "Counterexamples")
    assert "### `cooper2020/thm-3.2`: Theorem 3.2" in ces and "### `mutant/drop-depth`" in ces
    assert "TAILMARKER" not in ces
    assert "```text\n" + DESCRIPTION + "\n```" in ces  # verbatim in a fence
    assert "smallest eigenvalue: -0.0123 (needs >= 0) (margin -0.1235)" in ces
    assert "**Certification:** certified: mpmath 50 digits agree" in ces
    assert "**Minimised:** yes" in ces and "**Minimised:** no" in ces
    assert "`landscape-audit replay audit-report/counterexamples/cooper2020-thm-3.2.json`" in ces
    assert "**Replay file:** not written" in ces
    wit = _section(md, "Witnesses")
    assert "### `yun2019/thm-1`" in wit and "bad local minimum at w = 0\nloss 0.25 > global 0" in wit
    assert "`landscape-audit replay out/witness-yun.json`" in wit and "cooper2020" not in wit


def test_markdown_full_statement_in_findings(run):
    r = run.results[0]
    r.finding = Finding(kind="counterexample", instance={}, description="d", evidence={"margin": -1, "detail": "x"})
    md = render_markdown(run)
    ces = _section(md, "Counterexamples")
    assert "TAILMARKER" in ces and "TAILMARKER" not in _section(md, "Summary")
    # full statement, Markdown-escaped (underscores), in one piece
    assert LONG_STATEMENT.replace("_", "\\_") in ces


def test_markdown_inconclusive_ablation_errors(run):
    md = render_markdown(run)
    inc = _section(md, "Inconclusive")
    assert "`nguyen2017/thm-3`" in inc and "`soudry2016/thm-1`" in inc and "`cooper2020" not in inc
    assert "31 of 40 examples inconclusive" in inc
    assert re.search(r"^\|\s*no spectral gap\s*\|\s*20\s*\|$", inc, re.M)
    assert inc.index("no spectral gap") < inc.index("point not critical")  # most frequent first
    abl = _section(md, "Ablation")
    assert "`kawaguchi2016/thm-2.3`" in abl
    assert re.search(r"^\|\s*depth >= 2\s*\|\s*falsified\s*\|\s*12\s*\|\s*yes \(load-bearing\)", abl, re.M)
    assert re.search(r"^\|\s*sigma\(0\) = 0\s*\|\s*survived\s*\|\s*50\s*\|\s*no: candidate generalisation", abl, re.M)
    assert "undecided (inconclusive)" in abl
    err = _section(md, "Errors and timeouts")
    assert "ValueError: shapes (2,3) & (4,) <mismatch>" in err and "deadline 60 s exceeded" in err
    assert "`venturi2019/thm-5`" in err and "`liang2018/thm-1`" in err


def test_markdown_no_ablation_section_without_ablation(run):
    for r in run.results:
        r.ablation = []
    assert "## Ablation" not in render_markdown(run)
    assert "<h2>Ablation</h2>" not in render_html(run)


def test_markdown_table_cells_escape_pipes(run):
    run.results[0].statement = "|x| <= 1 and |y| <= 2"
    row = _md_row(render_markdown(run), "kawaguchi2016/thm-2.3")
    assert row[3] == "\\|x\\| <= 1 and \\|y\\| <= 2" and len(row) == 10


# ---- HTML ----------------------------------------------------------------------------------------------

def test_html_escaping(run):
    page = render_html(run)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "<mismatch>" not in page and "<and>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<pre>net: 1 -&gt; 2 -&gt; 1, sigma = relu\nloss &lt; 1e-3 &amp; grad-norm &lt; 1e-9\n" in page
    assert "ValueError: shapes (2,3) &amp; (4,) &lt;mismatch&gt;" in page
    assert "Doe &amp; Roe (2020), Landscapes &lt;and&gt; minima" in page
    assert "&amp;amp;" not in page and "&amp;lt;" not in page  # nothing escaped twice
    # every tag in the page is one the renderer makes
    tags = set(re.findall(r"</?([a-zA-Z0-9]+)", page))
    assert tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "dl", "dt", "dd",
                    "table", "thead", "tbody", "tr", "th", "td", "span", "code", "pre", "a", "ul", "li",
                    "strong", "em", "div"}


def _html_verdict_cell(page: str, claim_id: str) -> str:
    summary = page[page.index("<h2>Summary</h2>"): page.index("<h2>Counterexamples</h2>")]
    row = next(r for r in summary.split("<tr>") if f"<code>{claim_id}</code>" in r)
    return re.search(r'<span class="(verdict [^"]*)"[^>]*>([^<]*)</span>', row).group(1, 2)


def test_html_content_and_colours(run):
    page = render_html(run)
    for r in run.results:
        assert r.claim_id in page
    assert "<h2>Counterexamples</h2>" in page and "<h2>Witnesses</h2>" in page and "<h2>Inconclusive</h2>" in page
    assert "<h2>Ablation</h2>" in page and "<h2>Errors and timeouts</h2>" in page
    assert "Status: NOT as expected." in page and "Warning: unexpected falsification." in page
    assert _html_verdict_cell(page, "cooper2020/thm-3.2") == ("verdict v-bad unexpected", "falsified")
    assert _html_verdict_cell(page, "mutant/drop-depth") == ("verdict v-good", "falsified")
    assert _html_verdict_cell(page, "kawaguchi2016/thm-2.3") == ("verdict v-good", "survived")
    assert _html_verdict_cell(page, "yun2019/thm-1") == ("verdict v-good", "witnessed")
    assert _html_verdict_cell(page, "nguyen2017/thm-3")[0].startswith("verdict v-warn")
    assert _html_verdict_cell(page, "venturi2019/thm-5")[0].startswith("verdict v-grey")
    assert _html_verdict_cell(page, "liang2018/thm-1")[0].startswith("verdict v-grey")
    assert '<td style="text-align: right;">40 (3 inc.)</td>' in page
    assert "landscape-audit replay audit-report/counterexamples/cooper2020-thm-3.2.json" in page
    summary = page[page.index("<h2>Summary</h2>"): page.index("<h2>Counterexamples</h2>")]
    assert "TAILMARKER" not in summary and "Every critical point of the quadratic loss" in summary
    run.results[0].finding = run.results[1].finding
    assert "TAILMARKER" in render_html(run).split("<h2>Counterexamples</h2>")[1]
    assert "yes (load-bearing)" in page and "no: candidate generalisation" in page
    assert re.search(r"<td>falsified</td><td[^>]*>2</td>", page)  # verdict counts


# ---- JSON ----------------------------------------------------------------------------------------------

def test_json_round_trip(run):
    text = render_json(run)
    data = json.loads(text)
    assert data == json.loads(json.dumps(run.to_dict()))
    assert data["counts"]["falsified"] == 2 and data["counts"]["timeout"] == 1
    back = RunResult.from_dict(data)
    assert back.to_dict() == run.to_dict()
    assert back == run  # dataclass equality, incl. Finding objects and the infinite margin
    assert math.isinf(back.results[7].min_margin) and load_json(text) == run
    assert text == json.dumps(run.to_dict(), indent=2) + "\n"


def test_json_accepts_numpy_values(run):
    np = pytest.importorskip("numpy")
    run.results[1].finding.evidence["values"]["spectrum"] = np.array([1.0, -2.0])
    run.results[1].finding.evidence["values"]["rank"] = np.int64(3)
    data = json.loads(render_json(run))
    assert data["results"][1]["finding"]["evidence"]["values"]["spectrum"] == [1.0, -2.0]
    assert data["results"][1]["finding"]["evidence"]["values"]["rank"] == 3


# ---- files ---------------------------------------------------------------------------------------------

def test_write_reports(run, tmp_path):
    out = tmp_path / "nested" / "audit-report"
    paths = write_reports(run, out)
    assert set(paths) == {"markdown", "html", "json"}
    assert {p.name for p in paths.values()} == {"report.md", "report.html", "report.json"}
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]
    assert paths["markdown"].read_text(encoding="utf-8") == render_markdown(run)
    assert paths["html"].read_text(encoding="utf-8") == render_html(run)
    assert RunResult.from_dict(json.loads(paths["json"].read_text(encoding="utf-8"))) == run
    write_reports(run, out)  # overwriting is fine
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]


def test_write_reports_unwritable(run, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="cannot create report directory"):
        write_reports(run, blocker / "reports")


def test_empty_run_renders(tmp_path):
    run = RunResult(profile="default", seed=None, started="2024-01-01T00:00:00", seconds=0.0, results=[])
    md = render_markdown(run)
    assert "No claims were run." in md and "**Seed:** random" in md and "as expected" in md
    assert "No claims were run." in render_html(run)
    assert RunResult.from_dict(json.loads(render_json(run))) == run


def test_plot_spectrum(tmp_path):
    path = plot_spectrum([3.0, -1e-9, 0.0, 2e-12, 150.0, float("nan")], tmp_path / "figs" / "spectrum.png",
                         title="Hessian at <w0>")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError):
        plot_spectrum([float("nan")], tmp_path / "none.png", "empty")
