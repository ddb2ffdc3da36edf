"""The README is a contract: its quick-start commands, its CLI examples and the conjecture files of "Adding a
claim" (written against the public API: harness, strategies, harness.numerics, the instance fields) must work."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harness.app import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start:end if end > 0 else None]


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


CONJECTURES = _python_blocks(_section("Adding a claim"))


def test_the_readme_shows_conjecture_files():
    assert len(CONJECTURES) >= 2


@pytest.mark.parametrize("index", range(len(CONJECTURES)))
def test_a_readme_conjecture_file_runs_alone(index, tmp_path):
    path = tmp_path / f"my_conjecture_{index}.py"
    path.write_text(CONJECTURES[index])
    out = tmp_path / "audit"
    code = cli.main(["run", "--file", str(path), "--profile", "ci", "--out", str(out)])
    report = json.loads((out / "report.json").read_text())
    ids = [r["claim_id"] for r in report["results"]]
    assert ids and all(i.startswith("me2026/") for i in ids)
    verdicts = {r["claim_id"]: r for r in report["results"]}
    assert all(r["verdict"] in ("survived", "falsified", "inconclusive", "witnessed", "no witness")
               for r in verdicts.values()), verdicts
    if "me2026/conj-2" in verdicts:  # the README says this one is false, with an exact counterexample
        r = verdicts["me2026/conj-2"]
        assert r["verdict"] == "falsified" and r["finding"]["certification"] == "exact"
        assert code == 1  # a claim expected to hold was falsified


def test_quick_start_commands_are_the_ci_ones():
    quick = _section("Quick start")
    assert "pip install -c constraints.txt -e '.[test]'" in quick
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "-c constraints.txt -e '.[test]'" in ci and "pytest -n 2" in ci
