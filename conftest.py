"""Thin pytest integration of landscape-audit.

* Every registered claim is collected as a test item named by its id (``conftest.py::cooper2020/thm-3.2``):
  ``pytest`` (testpaths include this file), ``pytest -k cooper2020``, ``pytest -n 2`` (pytest-xdist).
  An item passes iff the claim's verdict is the one the catalogue expects; "inconclusive" is a skip.
* ``--audit-profile ci|default|thorough`` (default ci), ``--audit-seed S``, ``--audit-report DIR`` (write the
  audit report of the claims run in this session; the xdist controller gathers the workers' results),
  ``--audit-file my_claims.py`` (also collect the claims of a researcher's own file; repeatable).
* Hypothesis settings profiles "ci", "default", "thorough" for the ordinary Hypothesis tests in ``tests/``;
  "ci" is loaded when the environment variable CI is set.
"""
from __future__ import annotations

import os
import sys

if os.environ.get("PYTEST_XDIST_WORKER") and "numpy" not in sys.modules:
    # pytest -n N runs one process per core: a BLAS thread pool per process oversubscribes the cores (on 2
    # cores, two processes with two OpenBLAS threads each ran a paper's audit 40% slower than with one each;
    # benchmarks/dask-scaling.md).  Dask's nanny sets the same for its workers; a lone process keeps its pool.
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import json
import time
from datetime import datetime, timezone
from pathlib import Path

import hypothesis
import pytest

from harness.core import profiles as audit_profiles
from harness.app.catalogue import load_catalogue
from harness.core.claims import registry
from harness.core.results import ClaimResult, RunResult

load_catalogue()  # this repository's tests and claim items are the published catalogue's

for _name, _profile in audit_profiles.PROFILES.items():
    hypothesis.settings.register_profile(_name, _profile.settings())
if os.environ.get("CI"):
    hypothesis.settings.load_profile("ci")

_PROPERTY = "landscape_audit_claim_result"


def pytest_addoption(parser):
    group = parser.getgroup("landscape-audit")
    group.addoption("--audit-profile", default="ci", help="search profile for claim items: "
                    f"{', '.join(audit_profiles.PROFILES)} (default: ci)")
    group.addoption("--audit-seed", type=int, default=None, help="random seed for claim items")
    group.addoption("--audit-report", default=None, metavar="DIR",
                    help="write the audit report of the claims run in this session into DIR")
    group.addoption("--audit-file", action="append", default=[], metavar="PY",
                    help="also collect the claims defined in this Python file (repeatable)")


def pytest_configure(config):
    try:
        audit_profiles.get(config.getoption("audit_profile"))
    except audit_profiles.UnknownProfile as e:
        raise pytest.UsageError(str(e)) from None
    for f in config.getoption("audit_file"):
        if not Path(f).is_file():
            raise pytest.UsageError(f"--audit-file {f!r} does not exist")
        registry.load_file(f)
    report_dir = config.getoption("audit_report")
    if report_dir and not hasattr(config, "workerinput"):  # only the controller writes the report
        try:
            Path(report_dir).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise pytest.UsageError(f"--audit-report {report_dir!r}: {e.strerror or e}") from None
        config.pluginmanager.register(_AuditReport(config, Path(report_dir)), "landscape-audit-report")


def pytest_collect_file(file_path, parent):
    if file_path == Path(__file__):
        return ClaimFile.from_parent(parent, path=file_path)
    return None


class ClaimFile(pytest.File):
    def collect(self):
        for claim in registry:
            yield ClaimItem.from_parent(self, name=claim.id, claim=claim)


class ClaimFailed(Exception):
    def __init__(self, result: ClaimResult):
        super().__init__(result.verdict)
        self.result = result


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.extra_keyword_matches.update({claim.paper.key, claim.kind})

    def runtest(self):
        from harness.engine.runner import run_claim

        opt = self.config.getoption
        result = run_claim(self.claim, opt("audit_profile"), seed=opt("audit_seed"), out_dir=opt("audit_report"))
        self.user_properties.append((_PROPERTY, json.dumps(result.to_dict(), default=str)))
        if result.verdict == "inconclusive":
            pytest.skip(f"{self.claim.id} inconclusive: {result.message}")
        if not result.as_expected:
            raise ClaimFailed(result)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, ClaimFailed):
            return super().repr_failure(excinfo, style)
        r = excinfo.value.result
        want = r.expected_verdict
        lines = [f"{r.claim_id} ({r.theorem}): {r.statement}",
                 f"verdict: {r.verdict} (expected {want}) after {r.examples} examples, {r.seconds:.1f} s"]
        if r.message:
            lines.append(f"message: {r.message.rstrip()}")
        f = r.finding
        if f is not None:
            ev = f.evidence or {}
            lines += [f"{f.kind} ({f.certification}{': ' + f.certification_detail if f.certification_detail else ''}):",
                      f.description,
                      f"evidence: margin {ev.get('margin')}; {ev.get('detail', '')}"]
            lines += [f"  {k} = {v}" for k, v in (ev.get("values") or {}).items()]
            if f.replay_file:
                lines.append(f"replay: landscape-audit replay {f.replay_file}")
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, None, f"{self.claim.id}: {self.claim.theorem}"


class _AuditReport:
    """Gathers the claim results of the session (from xdist workers too) and writes the report at the end."""

    def __init__(self, config, out_dir: Path):
        self.config, self.out_dir = config, out_dir
        self.results: dict[str, ClaimResult] = {}
        self.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.t0 = time.monotonic()
        self.paths: dict = {}

    def pytest_runtest_logreport(self, report):
        for key, value in getattr(report, "user_properties", ()):
            if key == _PROPERTY:
                self.results[report.nodeid] = ClaimResult.from_dict(json.loads(value))

    def pytest_sessionfinish(self, session, exitstatus):
        from harness.engine.audit import environment
        from reports import write_reports

        order = {c.id: i for i, c in enumerate(registry)}
        results = sorted(self.results.values(), key=lambda r: order.get(r.claim_id, len(order)))
        run = RunResult(profile=self.config.getoption("audit_profile"), seed=self.config.getoption("audit_seed"),
                        started=self.started, seconds=time.monotonic() - self.t0, results=results,
                        environment=environment(), interrupted=exitstatus == pytest.ExitCode.INTERRUPTED)
        self.paths = write_reports(run, self.out_dir)

    def pytest_terminal_summary(self, terminalreporter):
        if self.paths:
            terminalreporter.write_sep("-", "landscape-audit report")
            for p in self.paths.values():
                terminalreporter.write_line(str(p))
