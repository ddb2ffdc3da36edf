"""The pytest integration in the root ``conftest.py``: claims collected as items named by their ids, selection
with ``-k``, verdicts as outcomes, and the audit report gathered by the pytest-xdist controller.

Each test runs pytest in a subprocess on a temporary copy of the root conftest (a claims file loaded twice in
one process would register its ids twice).
"""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[1]

CLAIMS = textwrap.dedent('''
    import hypothesis.strategies as st

    from harness import Evidence, Inconclusive, Paper, claim

    P = Paper("plugtest", "A. Tester", "Claims for testing the pytest integration", 2024)
    Q = Paper("othertest", "B. Tester", "Other claims", 2024)

    @claim("plugtest/holds", paper=P, theorem="Lemma 1", statement="x >= 0", strategy=st.integers(0, 10))
    def holds(x):
        return Evidence.at_least(x, 0, "x")

    @claim("plugtest/refuted", paper=P, theorem="Remark 2", statement="x < 5, a literal reading the audit refutes",
           strategy=st.integers(0, 10), expect="fails")
    def refuted(x):
        return Evidence.at_most(x, 4, "x")

    @claim("plugtest/wrong", paper=P, theorem="Lemma 3", statement="x < 5", strategy=st.integers(0, 10))
    def wrong(x):
        return Evidence.at_most(x, 4, "x")

    @claim("plugtest/undecided", paper=P, theorem="Lemma 4", statement="undecidable here",
           strategy=st.integers(0, 10))
    def undecided(x):
        raise Inconclusive("no spectral gap: test")

    @claim("othertest/thm-3.2", paper=Q, theorem="Theorem 3.2", statement="x <= 10", strategy=st.integers(0, 10))
    def other(x):
        return Evidence.at_most(x, 10, "x")
''')


@pytest.fixture
def project(pytester, monkeypatch):
    shutil.copy(REPO / "conftest.py", pytester.path / "conftest.py")
    pytester.makefile(".toml", pyproject='[tool.pytest.ini_options]\ntestpaths = ["conftest.py"]\n')
    (pytester.path / "plug_claims.py").write_text(CLAIMS)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.delenv("CI", raising=False)
    return pytester


def test_claims_are_collected_by_id(project):
    result = project.runpytest_subprocess("--collect-only", "-q", "-p", "no:cacheprovider",
                                          "--audit-file=plug_claims.py", "-k", "plugtest or othertest")
    ids = [line for line in result.outlines if line.startswith("conftest.py::")]
    assert ids == ["conftest.py::othertest/thm-3.2", "conftest.py::plugtest/holds", "conftest.py::plugtest/refuted",
                   "conftest.py::plugtest/undecided", "conftest.py::plugtest/wrong"]


def test_k_selects_one_paper(project):
    result = project.runpytest_subprocess("--collect-only", "-q", "-p", "no:cacheprovider",
                                          "--audit-file=plug_claims.py", "-k", "othertest")
    assert [line for line in result.outlines if line.startswith("conftest.py::")] == [
        "conftest.py::othertest/thm-3.2"]


def test_catalogue_claims_are_collected(project):
    from harness.core.claims import registry

    ids = [c.id for c in registry if c.paper.key == "cooper2020"]
    if not ids:
        pytest.skip("no cooper2020 claims in the catalogue yet")
    result = project.runpytest_subprocess("--collect-only", "-q", "-p", "no:cacheprovider", "-k", "cooper2020")
    assert [line for line in result.outlines if line.startswith("conftest.py::")] == [
        f"conftest.py::{i}" for i in ids]


def test_verdicts_and_report_under_xdist(project):
    result = project.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-rA",
                                          "--audit-file=plug_claims.py", "--audit-report=rep", "-k", "plugtest")
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    text = result.stdout.str()
    assert "verdict: falsified (expected survived)" in text  # the failure shows verdict and evidence
    assert "evidence: margin -0.25; x: 5 (needs <= 4)" in text
    assert "inconclusive" in text and "no spectral gap" in text
    report = json.loads((project.path / "rep" / "report.json").read_text())
    verdicts = {r["claim_id"]: r["verdict"] for r in report["results"]}
    assert verdicts == {"plugtest/holds": "survived", "plugtest/refuted": "falsified",
                        "plugtest/undecided": "inconclusive", "plugtest/wrong": "falsified"}
    assert report["profile"] == "ci"
    assert (project.path / "rep" / "counterexamples" / "plugtest__wrong.json").is_file()
