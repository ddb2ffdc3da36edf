"""The command line called in-process, for the tests of ``harness.app.cli`` and of distributed runs.

(A helper module rather than a ``tests/conftest.py`` fixture: the root ``conftest.py`` is collected as a test
module named ``conftest``, and a second module of that name would clash with it.)
"""
from __future__ import annotations

from harness.app import cli


def run(capsys, *argv):
    """``landscape-audit ARGV`` through ``harness.app.cli.main``: (exit code, stdout, stderr), the output captured
    by pytest's ``capsys``."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
