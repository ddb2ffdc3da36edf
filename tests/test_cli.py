"""The ``landscape-audit`` command line, called in-process through ``harness.app.cli.main(argv)``.

Behavioural tests use their own tiny claims file (integers, no networks) so that they do not depend on the
catalogue; only ``list``/``show`` of catalogue claims look at it, and skip while it is empty.
"""
from __future__ import annotations

import json
import textwrap

import pytest

from _cli import run
from harness.app import cli
from harness.core.claims import registry

CLAIMS_FILE = textwrap.dedent('''
    """Tiny claims for the CLI tests."""
    import hypothesis.strategies as st

    from harness import Assumption, Evidence, Inconclusive, Paper, claim

    P = Paper("clitest", "A. Tester", "Claims for testing the command line", 2024)

    @claim("clitest/holds", paper=P, theorem="Lemma 1", statement="x + 1 > x for integers 0..10",
           strategy=st.integers(0, 10),
           hypotheses=[Assumption("x >= 0", holds=lambda x: x >= 0, violating=st.integers(-10, -1))])
    def holds(x):
        """x + 1 > x."""
        return Evidence.at_least(x + 1, x + 0.5, "x + 1")

    @claim("clitest/false", paper=P, theorem="Lemma 2", statement="x < 5 for integers 0..10",
           strategy=st.integers(0, 10))
    def false(x):
        """A false statement: x < 5 (counterexample x = 5)."""
        return Evidence.at_most(x, 4, "x")

    @claim("clitest/raises", paper=P, theorem="Lemma 3", statement="a check that crashes",
           strategy=st.integers(0, 10))
    def raises(x):
        raise RuntimeError("boom from the check")

    @claim("clitest/nan", paper=P, theorem="Lemma 4", statement="a check with a NaN margin",
           strategy=st.integers(0, 10))
    def nan(x):
        return Evidence(float("nan"), "not a number")

    @claim("clitest/ablatable", paper=P, theorem="Lemma 5", statement="x >= 0 under the hypothesis x >= 0",
           strategy=st.integers(0, 10),
           hypotheses=[Assumption("x >= 0", holds=lambda x: x >= 0, violating=st.integers(-10, -1)),
                       Assumption("x <= 10", holds=lambda x: x <= 10, violating=st.integers(11, 20))])
    def ablatable(x):
        """x >= 0: needs the first hypothesis, not the second."""
        return Evidence.at_least(x, 0, "x")
''')


@pytest.fixture(scope="module")
def claims_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("claims") / "cli_claims.py"
    path.write_text(CLAIMS_FILE)
    yield path
    # keep the global registry as the catalogue left it for other test modules
    for claim_id in cli._loaded_files.pop(path.resolve(), []):
        registry._claims.pop(claim_id, None)


# ---- usage errors: exit 2, one line, no traceback --------------------------------------------------------

def _one_line_error(err: str):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_unknown_claim_id(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--claims", "nosuchpaper/thm-0", "--out", tmp_path / "o", "--profile", "ci")
    assert code == 2
    assert "unknown claim id 'nosuchpaper/thm-0'" in _one_line_error(err)


def test_malformed_glob(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--claims", "cooper2020/[", "--out", tmp_path / "o")
    assert code == 2
    assert "malformed glob" in _one_line_error(err)


def test_empty_glob(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--claims", ",nosuch", "--out", tmp_path / "o")
    assert code == 2
    assert "empty claim pattern" in _one_line_error(err)


def test_unknown_profile(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--profile", "fast", "--out", tmp_path / "o")
    assert code == 2
    line = _one_line_error(err)
    assert "unknown profile 'fast'" in line and "ci" in line and "thorough" in line


def test_unwritable_out_dir(capsys, tmp_path, claims_file):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = run(capsys, "run", "--file", claims_file, "--profile", "ci", "--out", blocker / "report")
    assert code == 2
    assert "not writable" in _one_line_error(err)


def test_missing_claims_file(capsys, tmp_path):
    code, _, err = run(capsys, "run", "--file", tmp_path / "nope.py", "--out", tmp_path / "o")
    assert code == 2
    assert "does not exist" in _one_line_error(err)


def test_broken_claims_file(capsys, tmp_path):
    broken = tmp_path / "broken_claims.py"
    broken.write_text("def f(:\n")
    code, _, err = run(capsys, "list", "--file", broken)
    assert code == 2
    assert "SyntaxError" in _one_line_error(err)


def test_bad_seed_and_unknown_command(capsys):
    code, _, err = run(capsys, "run", "--seed", "abc")
    assert code == 2 and "invalid int value" in _one_line_error(err)
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice" in _one_line_error(err)


def test_replay_of_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "replay", tmp_path / "nothing.json")
    assert code == 2 and "does not exist" in _one_line_error(err)


def test_help_exits_zero(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "replay" in out


# ---- list / show -----------------------------------------------------------------------------------------

def test_list_of_a_claims_file(capsys, claims_file):
    code, out, _ = run(capsys, "list", "--file", claims_file)
    assert code == 0
    assert out.splitlines()[0].split()[:5] == ["id", "theorem", "kind", "expect", "statement"]
    for claim_id in ("clitest/holds", "clitest/false", "clitest/raises", "clitest/nan"):
        assert claim_id in out
    code, out, _ = run(capsys, "list", "--file", claims_file, "--claims", "clitest/f*")
    assert code == 0 and "clitest/false" in out and "clitest/holds" not in out


def test_show_of_a_claims_file(capsys, claims_file):
    code, out, _ = run(capsys, "show", "clitest/holds", "--file", claims_file)
    assert code == 0
    for text in ("A. Tester (2024), Claims for testing the command line", "Lemma 1", "x + 1 > x for integers",
                 "x >= 0", "ablation strategy", "forall", "holds", "x + 1 > x."):
        assert text in out


def _catalogue():
    claims = [c for c in registry if not c.id.startswith("clitest/")]
    if not claims:
        pytest.skip("the claim catalogue is empty")
    return claims


def test_list_of_the_catalogue(capsys):
    claims = _catalogue()
    code, out, _ = run(capsys, "list")
    assert code == 0
    for c in claims:
        assert c.id in out


def test_show_of_a_catalogue_claim(capsys):
    c = _catalogue()[0]
    code, out, _ = run(capsys, "show", c.id)
    assert code == 0
    assert c.id in out and c.theorem in out and c.paper.cite() in out


# ---- a run of the tiny claims file -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def file_run(claims_file, tmp_path_factory):
    """``run --file`` of the tiny claims, ablation on; shared by the tests below (it takes a few seconds)."""
    out_dir = tmp_path_factory.mktemp("audit") / "report"
    capture = pytest.MonkeyPatch()
    import io
    import sys

    stdout, stderr = io.StringIO(), io.StringIO()
    capture.setattr(sys, "stdout", stdout)
    capture.setattr(sys, "stderr", stderr)
    try:
        code = cli.main(["run", "--file", str(claims_file), "--profile", "ci", "--out", str(out_dir), "--ablate"])
    finally:
        capture.undo()
    report = json.loads((out_dir / "report.json").read_text())
    return code, stdout.getvalue(), stderr.getvalue(), out_dir, report


def _result(report, claim_id):
    (r,) = [r for r in report["results"] if r["claim_id"] == claim_id]
    return r


def test_run_exit_code_is_1_for_an_unexpected_falsification(file_run):
    code, out, err, _, _ = file_run
    assert code == 1
    assert "FALSIFIED, expected to hold: clitest/false" in err


def test_run_continues_after_errors(file_run):
    _, _, _, _, report = file_run
    assert [r["claim_id"] for r in report["results"]] == [
        "clitest/ablatable", "clitest/false", "clitest/holds", "clitest/nan", "clitest/raises"]
    assert _result(report, "clitest/raises")["verdict"] == "error"
    assert "boom from the check" in _result(report, "clitest/raises")["message"]
    assert _result(report, "clitest/nan")["verdict"] == "error"
    assert "non-finite margin" in _result(report, "clitest/nan")["message"]
    assert _result(report, "clitest/holds")["verdict"] == "survived"
    assert report["profile"] == "ci" and not report["interrupted"]
    for name in ("python", "jax", "numpy", "scipy", "hypothesis"):
        assert report["environment"][name]


def test_run_falsifies_the_false_claim_and_writes_its_counterexample(file_run):
    _, _, _, out_dir, report = file_run
    r = _result(report, "clitest/false")
    assert r["verdict"] == "falsified"
    assert r["finding"]["description"] == "5"  # shrunk to the smallest counterexample
    path = out_dir / "counterexamples" / "clitest__false.json"
    assert path.is_file()
    assert json.loads(path.read_text())["claim_id"] == "clitest/false"


def test_run_prints_progress_reports_and_counts(file_run):
    _, out, err, out_dir, _ = file_run
    assert "[2/5] clitest/false (Lemma 2, forall) ..." in err
    assert "clitest/false: falsified" in err
    for name in ("report.md", "report.html", "report.json"):
        assert str(out_dir / name) in out
        assert (out_dir / name).is_file()
    assert "5 claims" in out and "2 survived" in out and "1 falsified" in out and "2 error" in out


def test_ablation(file_run):
    _, _, _, _, report = file_run
    ablation = {a["hypothesis"]: a for a in _result(report, "clitest/ablatable")["ablation"]}
    assert ablation["x >= 0"]["verdict"] == "falsified"  # load-bearing
    assert ablation["x <= 10"]["verdict"] == "survived"  # not needed
    assert set(ablation["x >= 0"]) == {"hypothesis", "verdict", "examples", "message"}
    assert _result(report, "clitest/ablatable")["verdict"] == "survived"


def test_replay_reproduces_the_counterexample(capsys, file_run, claims_file):
    _, _, _, out_dir, _ = file_run
    path = out_dir / "counterexamples" / "clitest__false.json"
    code, out, _ = run(capsys, "replay", path, "--file", claims_file)
    assert code == 0, out
    assert "REPRODUCED" in out and "needs <= 4" in out and "certify:" in out


def test_replay_of_an_ablation_counterexample(capsys, file_run, claims_file):
    _, _, _, out_dir, _ = file_run
    (path,) = (out_dir / "ablation" / "counterexamples").glob("clitest__ablatable__without_x_0*.json")
    code, out, _ = run(capsys, "replay", path, "--file", claims_file)
    assert code == 0, out


def test_replay_of_a_finding_that_does_not_reproduce(capsys, file_run, claims_file, tmp_path):
    _, _, _, out_dir, _ = file_run
    data = json.loads((out_dir / "counterexamples" / "clitest__false.json").read_text())
    data["instance"] = {"type": "repr", "repr": "3"}  # 3 < 5: no violation
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data))
    code, out, _ = run(capsys, "replay", path, "--file", claims_file)
    assert code == 1 and "NOT REPRODUCED" in out


def test_replay_without_the_claims_file(capsys, tmp_path):
    path = tmp_path / "finding.json"
    path.write_text(json.dumps({"claim_id": "elsewhere/thm-9", "instance": {"type": "repr", "repr": "1"}}))
    code, _, err = run(capsys, "replay", path)
    assert code == 2 and "needs --file" in _one_line_error(err)


def test_exit_code_3_for_errors_only(capsys, claims_file, tmp_path):
    code, out, err = run(capsys, "run", "--file", claims_file, "--claims", "clitest/raises,clitest/holds",
                         "--profile", "ci", "--out", tmp_path / "o", "--quiet")
    assert code == 3
    assert "error: clitest/raises" in err
    assert "clitest/raises (" not in err  # --quiet: no progress lines
    assert "1 survived, 1 error" in out


def test_interrupted_run_writes_a_partial_report(capsys, claims_file, tmp_path, monkeypatch):
    from harness.engine import audit

    real = audit.run_claim

    def interrupt_on_second(claim, *a, **k):
        if claim.id == "clitest/holds":
            raise KeyboardInterrupt
        return real(claim, *a, **k)

    monkeypatch.setattr(audit, "run_claim", interrupt_on_second)
    code, out, err = run(capsys, "run", "--file", claims_file, "--claims", "clitest/false,clitest/holds",
                         "--profile", "ci", "--out", tmp_path / "o")
    assert code == 130
    assert "interrupted after 1 of 2 claims" in err
    report = json.loads((tmp_path / "o" / "report.json").read_text())
    assert report["interrupted"] is True
    assert [r["claim_id"] for r in report["results"]] == ["clitest/false"]
