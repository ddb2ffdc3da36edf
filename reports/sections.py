"""Which claims go in which section of the report, and the run-level status line, shared by all formats."""
from __future__ import annotations

import shlex
from dataclasses import dataclass

from harness.core.results import ClaimResult, RunResult

from .tables import fmt_margin

REPLAY_COMMAND = "landscape-audit replay"


@dataclass
class Status:
    """Whether the run went as the catalogue expects."""

    total: int
    differing: list[ClaimResult]  # verdict differs from the expectation
    unexpected_falsifications: list[ClaimResult]  # expected to hold, falsified
    interrupted: bool

    @property
    def as_expected(self) -> bool:
        return not self.differing and not self.interrupted


def status(run: RunResult) -> Status:
    return Status(
        total=len(run.results),
        differing=[r for r in run.results if not r.as_expected],
        unexpected_falsifications=[r for r in run.results if r.unexpected_falsification],
        interrupted=bool(run.interrupted),
    )


def difference(r: ClaimResult) -> str:
    """``"expected survived, got inconclusive"``."""
    return f"expected {r.expected_verdict}, got {r.verdict}"


def counterexamples(run: RunResult) -> list[ClaimResult]:
    return [r for r in run.results if r.finding is not None and r.finding.kind != "witness"]


def witnesses(run: RunResult) -> list[ClaimResult]:
    return [r for r in run.results if r.finding is not None and r.finding.kind == "witness"]


def inconclusive(run: RunResult) -> list[ClaimResult]:
    return [r for r in run.results if r.inconclusive or r.inconclusive_reasons or r.verdict == "inconclusive"]


def ablated(run: RunResult) -> list[ClaimResult]:
    return [r for r in run.results if r.ablation]


def failures(run: RunResult) -> list[ClaimResult]:
    """Claims whose check raised or ran out of time."""
    return [r for r in run.results if r.verdict in ("error", "timeout")]


def replay_command(replay_file: str) -> str:
    return f"{REPLAY_COMMAND} {shlex.quote(replay_file)}"


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def finding_facts(r: ClaimResult, text, code, strong) -> list[tuple[str, str]]:
    """The labelled facts of a finding, in report order, formatted by the renderer's ``text`` (escape),
    ``code`` (inline code) and ``strong`` (emphasis) functions; the verdict cell is left to the renderer."""
    f = r.finding
    ev = f.evidence or {}
    margin = fmt_margin(ev.get("margin")) or "n/a"
    cert = text(f.certification) + (f": {text(f.certification_detail)}" if f.certification_detail else "")
    expectation = "as expected" if r.as_expected else strong("not as expected")
    replay = (f"{code(f.replay_file)}, run {code(replay_command(f.replay_file))}" if f.replay_file
              else "not written")
    facts = [
        ("Paper", text(r.paper or r.paper_key)),
        ("Verdict", f"(expect: {text(r.expect)}; {expectation})"),
        ("Evidence", f"{text(ev.get('detail', '')) or 'n/a'} (margin {text(margin)})"),
        ("Certification", cert),
        ("Minimised", yes_no(f.minimised)),
        ("Replay file", replay),
    ]
    if r.notes:
        facts.append(("Notes", text(r.notes)))
    return facts
