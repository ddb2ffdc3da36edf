"""Audits as work units on Dask distributed: real LocalClusters (small, worker processes), no mocks.

Same verdicts in-process and with two worker processes for the same seed, and the same cells of a reproduction
grid; a worker killed mid-run; SIGTERM to the client then ``--resume``; a unit that raises stays an ``error``
verdict; bad input (``--workers 0``, an unreachable scheduler, workers at other versions, ``--resume`` on a folder
without a run or with a run of another catalogue) is a one-line usage error with exit 2 that leaves the folder as
it was.  The merge of shards, and the assembly of a reproduction from its cells, are also checked in-process.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from _cli import run
from harness.app import cli
from harness.core.claims import registry

REPO = Path(__file__).resolve().parents[1]

TOY = textwrap.dedent('''
    import hypothesis.strategies as st

    from harness import Assumption, Evidence, Paper, claim

    P = Paper("disttest", "A. Tester", "Claims for testing distributed runs", 2024)

    @claim("disttest/holds", paper=P, theorem="Lemma 1", statement="x + 1 > x", strategy=st.integers(0, 1000),
           hypotheses=[Assumption("x <= 1000", holds=lambda x: x <= 1000, violating=st.integers(1001, 2000))])
    def holds(x):
        return Evidence.at_least(x + 1, x + 0.5, "x + 1")

    @claim("disttest/false", paper=P, theorem="Lemma 2", statement="x < 500", strategy=st.integers(0, 1000))
    def false(x):
        return Evidence.at_most(x, 499, "x")

    @claim("disttest/exists", paper=P, theorem="Lemma 3", statement="some x >= 700", kind="exists",
           strategy=st.integers(0, 1000))
    def exists(x):
        return Evidence.at_least(x, 700, "x")

    @claim("disttest/raises", paper=P, theorem="Lemma 4", statement="a check that crashes",
           strategy=st.integers(0, 10))
    def raises(x):
        raise RuntimeError("boom from the check")

    def sampler(rng, cell, size):
        return [int(v) for v in rng.integers(0, 100, size)]

    @claim("disttest/prop", paper=P, theorem="Lemma 5", statement="most x < 99", kind="proportion", eps=0.05,
           measure="uniform on 0..99", sampler=sampler, strategy=st.integers(0, 99),
           cells=({"a": 1}, {"a": 2, "eps": 0.002}))
    def prop(x):
        return Evidence.at_most(x, 98, "x")
''')

SLOW = textwrap.dedent('''
    import time

    import hypothesis.strategies as st

    from harness import Evidence, Paper, claim

    P = Paper("slowtest", "A. Tester", "Slow claims for interrupting distributed runs", 2024)

    def make(i):
        @claim(f"slowtest/holds-{i}", paper=P, theorem=f"Lemma {i}", statement="x + 1 > x",
               strategy=st.integers(0, 1000))
        def holds(x):
            time.sleep(0.02)
            return Evidence.at_least(x + 1, x + 0.5, "x + 1")

    for i in range(3):
        make(i)

    @claim("slowtest/false", paper=P, theorem="Lemma 9", statement="x < 500", strategy=st.integers(0, 1000))
    def false(x):
        time.sleep(0.01)
        return Evidence.at_most(x, 499, "x")
''')


def _write(tmp_path_factory, name, text):
    path = tmp_path_factory.mktemp("claims") / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def toy_file(tmp_path_factory):
    path = _write(tmp_path_factory, "dist_claims.py", TOY)
    yield path
    for claim_id in cli._loaded_files.pop(path.resolve(), []):
        registry._claims.pop(claim_id, None)


@pytest.fixture(scope="module")
def slow_file(tmp_path_factory):
    path = _write(tmp_path_factory, "slow_claims.py", SLOW)
    yield path
    for claim_id in cli._loaded_files.pop(path.resolve(), []):
        registry._claims.pop(claim_id, None)


def _report(folder) -> dict:
    return json.loads((Path(folder) / "report.json").read_text())


def _essentials(report) -> dict:
    """What must not depend on where the units ran: verdicts, example counts, findings, ablations, cells."""
    out = {}
    for r in report["results"]:
        f = r["finding"] or {}
        out[r["claim_id"]] = (r["verdict"], r["examples"], r["inconclusive"], f.get("instance"),
                              f.get("certification"), [(a["hypothesis"], a["verdict"], a["examples"])
                                                       for a in r["ablation"]],
                              [(c["cell"], c["trials"], c["failures"], c["verdict"])
                               for c in r["proportion"].get("cells", [])])
    return out


# ---- same verdicts in-process and on a cluster; an error unit ----------------------------------------------

def test_two_workers_give_the_in_process_verdicts(capsys, toy_file, tmp_path):
    args = ["run", "--file", toy_file, "--profile", "default", "--seed", "3", "--ablate", "--quiet"]
    code_local, _, _ = run(capsys, *args, "--out", tmp_path / "local")
    code_dask, _, err = run(capsys, *args, "--out", tmp_path / "dask", "--workers", "2")
    local, dask = _report(tmp_path / "local"), _report(tmp_path / "dask")
    assert code_local == code_dask == 1  # disttest/false is expected to hold
    assert _essentials(local) == _essentials(dask)
    assert local["environment"]["engine"] == "in-process"
    assert dask["environment"]["engine"].startswith("Dask LocalCluster (2 worker")
    v = {cid: e[0] for cid, e in _essentials(dask).items()}
    assert v == {"disttest/exists": "witnessed", "disttest/false": "falsified", "disttest/holds": "survived",
                 "disttest/prop": "falsified", "disttest/raises": "error"}
    by_id = {r["claim_id"]: r for r in dask["results"]}
    # default profile: two seed shards per claim, their examples summed
    assert by_id["disttest/holds"]["examples"] == 100
    assert "shard" in by_id["disttest/false"]["message"]
    # the unit that raised stays an error, with the check's exception
    assert "boom from the check" in by_id["disttest/raises"]["message"]
    # findings are written by the client into the report folder
    path = tmp_path / "dask" / "counterexamples" / "disttest__false.json"
    assert json.loads(path.read_text())["instance"] == {"type": "repr", "repr": "500"}
    assert by_id["disttest/false"]["finding"]["replay_file"] == str(path)
    code, out, _ = run(capsys, "replay", path, "--file", toy_file)
    assert code == 0 and "REPRODUCED" in out
    # proportion counts merged before the interval: the cell with eps = 0.002 is falsified (true rate 0.01)
    cells = {c["cell"]: c for c in by_id["disttest/prop"]["proportion"]["cells"]}
    assert cells["a=2, eps=0.002"]["verdict"] == "falsified" and cells["a=1"]["verdict"] == "survived"


# ---- reproduction grids: a cell per task ---------------------------------------------------------------------

#: The cheapest reproduction of the catalogue (12 cells, well under a second in ci).
CHEAP_REPRODUCTION = "karhadkar2024/thm-10-table"


def _timeless(cells) -> list:
    """Cells of a reproduction without their timings."""
    return [{k: v for k, v in c.items() if k != "seconds"} for c in cells]


def _cells(folder) -> list:
    """The cells of the cheap reproduction as written into ``folder``."""
    path = Path(folder) / "reproductions" / "karhadkar2024__thm-10-table.json"
    return _timeless(json.loads(path.read_text())["cells"])


def _cells_of_seed(seed) -> list:
    """The cells of the cheap reproduction run in this process."""
    from harness.statistics.reproductions import by_id, run_reproduction

    return _timeless(run_reproduction(by_id(CHEAP_REPRODUCTION), "ci", seed)["cells"])


def test_reproduction_cells_on_two_workers_are_the_in_process_cells(capsys, tmp_path):
    args = ["reproduce", CHEAP_REPRODUCTION, "--seed", "3"]
    code_local, _, _ = run(capsys, *args, "--out", tmp_path / "local")
    code_dask, out, err = run(capsys, *args, "--out", tmp_path / "dask", "--workers", "2")
    assert code_local == code_dask == 0, err
    assert "Dask LocalCluster (2 worker processes)" in err
    local, dask = _cells(tmp_path / "local"), _cells(tmp_path / "dask")
    assert local == dask and all(c["run"] for c in dask) and len(dask) == 12
    assert [c["successes"] for c in dask] != [c["successes"] for c in _cells_of_seed(0)]  # the seed is used
    for name in ("md", "png"):
        assert (tmp_path / "dask" / "reproductions" / f"karhadkar2024__thm-10-table.{name}").stat().st_size > 0
    assert "12 cells" in out and "agree with the reference" in out


def test_reproduction_on_a_cluster_keeps_the_time_budget(tmp_path):
    from harness.engine.distributed import DaskConnection, run_reproduction_on
    from harness.statistics.reproductions import by_id

    rep = by_id(CHEAP_REPRODUCTION)
    conn = DaskConnection(workers=1)
    try:
        late = run_reproduction_on(conn, rep, "ci", 3, seconds=-1)
        done = run_reproduction_on(conn, rep, "ci", 3)  # the cells cancelled above do not stand in the way
    finally:
        conn.close()
    assert late["not_run"] == 12 and late["cells"] == [{"cell": c, "run": False} for c in rep.grids["ci"]]
    assert late["compared"] == late["agreeing"] == 0
    assert done["not_run"] == 0
    assert _timeless(done["cells"]) == _cells_of_seed(3)


def test_assembled_cells_are_the_reproduction():
    from harness.statistics.reproductions import assemble, by_id, not_run, plan, run_cell, run_reproduction

    rep = by_id(CHEAP_REPRODUCTION)
    grid, trials, seed = plan(rep, "ci", 5)
    cells = [run_cell(rep, k, cell, trials, seed) for k, cell in enumerate(grid)]
    whole = run_reproduction(rep, "ci", 5)
    parts = assemble(rep, "ci", seed, trials, cells, whole["seconds"])
    for c in cells + whole["cells"]:
        c.pop("seconds")
    assert parts == whole and whole["not_run"] == 0 and whole["compared"] == 12
    late = run_reproduction(rep, "ci", 5, seconds=-1)  # past the budget before the first cell
    assert late == assemble(rep, "ci", seed, trials, [not_run(c) for c in grid], late["seconds"])


def _half_broken(cell, trials, rng):
    """Successes of a toy cell; the cell n = 2 raises."""
    if cell["n"] == 2:
        raise FloatingPointError("overflow in the toy cell")
    return int(rng.integers(0, trials + 1))


def test_a_cell_that_raises_is_an_error_entry_and_the_others_run(capsys, tmp_path, monkeypatch):
    from harness.statistics import reproductions as R

    rep = R.Reproduction("test/half-broken", "Toy grid", "a fraction", grids={"ci": [{"d1": 1, "n": k} for k in (1, 2, 3)]},
                         trials={"ci": 10}, compute=_half_broken, key=("d1", "n"))
    from harness.app.catalogue import load_catalogue

    load_catalogue()
    monkeypatch.setitem(R.REPRODUCTIONS, rep.id, rep)
    code, out, err = run(capsys, "reproduce", rep.id, "--out", tmp_path)
    assert code == 3, err  # EXIT_ERROR, as for a claim that raises
    assert "2 cells" in out and "1 cells raised" in out
    assert "cell {'d1': 1, 'n': 2}: FloatingPointError: overflow in the toy cell" in err
    written = json.loads((tmp_path / "reproductions" / "test__half-broken.json").read_text())
    assert written["errors"] == 1 and written["not_run"] == 0
    assert [c["run"] for c in written["cells"]] == [True, False, True]
    assert "**Error** in the cell d1 = 1, n = 2" in (tmp_path / "reproductions" / "test__half-broken.md").read_text()


def test_a_cell_task_that_raises_on_a_worker_is_an_error_entry():
    from harness.engine.distributed import DaskConnection, _cell_entry

    conn = DaskConnection(workers=1)
    try:
        fut = conn.client.submit(_half_broken, {"n": 2}, 10, None, pure=False)
        fut.exception()  # wait for it
        entry = _cell_entry(fut, {"n": 2})
    finally:
        conn.close()
    assert entry == {"cell": {"n": 2}, "run": False, "error": "FloatingPointError: overflow in the toy cell"}


# ---- a worker killed during the run --------------------------------------------------------------------------

def test_a_killed_worker_loses_nothing(slow_file, tmp_path):
    from harness.engine.audit import run_audit
    from harness.engine.progress import Progress

    claims = cli.select_claims(None, [slow_file])

    class KillOnce(Progress):
        killed = None

        def engine_started(self, engine):
            self.engine = engine

        def unit_finished(self, unit, payload, audit):
            if self.killed is None:  # the other worker is in the middle of a unit now
                pids = self.engine.worker_pids()
                victim = sorted(pids.values())[0]
                os.kill(victim, signal.SIGKILL)
                self.killed = victim

    progress = KillOnce()
    dist = run_audit(claims, "default", seed=5, out_dir=tmp_path / "dask", progress=progress, workers=2,
                     files=[str(slow_file)])
    assert progress.killed is not None
    local = run_audit(claims, "default", seed=5, out_dir=tmp_path / "local")
    assert not dist.interrupted
    assert [(r.claim_id, r.verdict, r.examples) for r in dist.results] == \
        [(r.claim_id, r.verdict, r.examples) for r in local.results]
    assert all(r.verdict != "error" for r in dist.results)
    assert {r.claim_id: r.verdict for r in dist.results}["slowtest/false"] == "falsified"


# ---- live example counts from the workers ------------------------------------------------------------------

def test_workers_send_the_example_counts_of_running_units(slow_file, tmp_path, monkeypatch):
    """The progress hears of examples while units run on workers (Dask events), not only when a unit ends;
    the counts of running units are dropped once their results are in."""
    import harness.engine.distributed
    from harness.engine.audit import run_audit
    from harness.engine.progress import Progress
    from harness.app.console import ConsoleProgress

    monkeypatch.setattr(harness.engine.distributed, "EXAMPLE_EVERY", 0.1)  # the units here last about a second

    claims = cli.select_claims(None, [slow_file])

    class Record(Progress):
        def __init__(self):
            self.calls, self.done, self.engine = [], 0, None

        def engine_started(self, engine):
            self.engine = engine

        def example(self, claim, examples):
            self.calls.append((claim, examples, self.done))

        def unit_finished(self, unit, payload, audit):
            self.done += 1

    progress = Record()
    run = run_audit(claims, "default", seed=5, out_dir=tmp_path / "dask", progress=progress, workers=2,
                    files=[str(slow_file)])
    assert not run.interrupted
    assert progress.calls, "no example count arrived from the workers while units ran"
    assert all(claim is None for claim, _, _ in progress.calls)
    assert any(n > 0 and done < progress.done for _, n, done in progress.calls)
    assert progress.engine.examples_running == 0

    import io

    stream = io.StringIO()
    console = ConsoleProgress(stream=stream, live=False, log_every=0.0)
    run_audit(claims, "default", seed=5, out_dir=tmp_path / "console", progress=console, workers=2,
              files=[str(slow_file)])
    console.close()
    import re

    counts = [tuple(map(int, m.groups())) for m in re.finditer(r"progress: (\d+)/\d+ units, (\d+) examples",
                                                                stream.getvalue())]
    assert any(u1 == u0 and e1 > e0 for (u0, e0), (u1, e1) in zip(counts, counts[1:])), \
        "no CI-log progress line counted examples between two units' results"


# ---- SIGTERM to the client, then --resume -----------------------------------------------------------------

def _cli(*argv, **kw):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "harness", *map(str, argv)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_sigterm_writes_an_interrupted_report_and_resume_finishes_it(slow_file, tmp_path):
    out = tmp_path / "run"
    proc = _cli("run", "--file", slow_file, "--profile", "default", "--seed", "1", "--workers", "1", "--out", out)
    done = out / ".run" / "done"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not (done.is_dir() and any(done.glob("*.json"))):
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 130, err
    assert "interrupted" in err and "--resume" in err
    report = _report(out)
    assert report["interrupted"] is True
    records = {p.name: p.stat().st_mtime_ns for p in done.glob("*.json")}
    assert records and len(records) < 8  # 4 claims x 2 shards: the run was stopped part-way

    proc = _cli("run", "--resume", out)
    try:
        stdout, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 1, err  # slowtest/false is falsified, as a complete run says
    assert f"{len(records)} units done" in err
    report = _report(out)
    assert report["interrupted"] is False and report["seed"] == 1 and report["profile"] == "default"
    verdicts = {r["claim_id"]: (r["verdict"], r["examples"]) for r in report["results"]}
    assert {k: v[0] for k, v in verdicts.items()} == {
        "slowtest/false": "falsified", "slowtest/holds-0": "survived", "slowtest/holds-1": "survived",
        "slowtest/holds-2": "survived"}
    assert all(verdicts[f"slowtest/holds-{i}"][1] == 100 for i in range(3))
    # the units done before SIGTERM were not run again
    assert {p.name: p.stat().st_mtime_ns for p in done.glob("*.json") if p.name in records} == records
    assert len(list(done.glob("*.json"))) == 8


# ---- bad input: exit 2, one line, nothing lost ------------------------------------------------------------

def _one_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _command(name, toy_file) -> list:
    """The start of a command line: ``run`` of the toy claims, or ``reproduce`` of the cheapest reproduction."""
    return ["run", "--file", toy_file] if name == "run" else ["reproduce", CHEAP_REPRODUCTION]


@pytest.mark.parametrize("command", ["run", "reproduce"])
def test_workers_zero(capsys, toy_file, tmp_path, command):
    code, _, err = run(capsys, *_command(command, toy_file), "--workers", "0", "--out", tmp_path / "o")
    assert code == 2 and "--workers must be at least 1" in _one_line(err)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["run", "reproduce"])
def test_unreachable_scheduler(capsys, toy_file, tmp_path, monkeypatch, command):
    from harness.engine import distributed

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 2)
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, _, err = run(capsys, *_command(command, toy_file), "--scheduler", f"tcp://127.0.0.1:{port}",
                       "--out", tmp_path / "o")
    assert code == 2 and "cannot reach the Dask scheduler" in _one_line(err)
    assert not (tmp_path / "o" / "report.json").exists() and not (tmp_path / "o" / "reproductions").exists()


def test_resume_of_a_folder_without_a_run(capsys, tmp_path):
    (tmp_path / "report.md").write_text("an old report")
    code, _, err = run(capsys, "run", "--resume", tmp_path)
    assert code == 2 and "holds no run to resume" in _one_line(err)
    assert (tmp_path / "report.md").read_text() == "an old report"


def test_resume_of_a_run_of_another_catalogue(capsys, toy_file, tmp_path):
    out = tmp_path / "o"
    code, _, _ = run(capsys, "run", "--file", toy_file, "--claims", "disttest/holds", "--profile", "ci",
                     "--out", out, "--quiet")
    assert code == 0
    plan_path = out / ".run" / "plan.json"
    plan = json.loads(plan_path.read_text())
    plan["claims"].append({"id": "elsewhere/thm-1", "fingerprint": "0"})
    plan_path.write_text(json.dumps(plan))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    code, _, err = run(capsys, "run", "--resume", out)
    assert code == 2 and "another catalogue" in _one_line(err) and "elsewhere/thm-1" in err
    plan["claims"] = [{"id": "disttest/holds", "fingerprint": "changed"}]
    plan_path.write_text(json.dumps(plan))
    before[plan_path] = plan_path.read_bytes()
    code, _, err = run(capsys, "run", "--resume", out)
    assert code == 2 and "has changed" in _one_line(err)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_resume_keeps_the_runs_options(capsys, toy_file, tmp_path):
    out = tmp_path / "o"
    run(capsys, "run", "--file", toy_file, "--claims", "disttest/holds", "--profile", "ci", "--out", out, "-q")
    code, _, err = run(capsys, "run", "--resume", out, "--profile", "thorough")
    assert code == 2 and "--profile 'ci'" in _one_line(err)


def test_workers_at_other_versions_are_refused(tmp_path):
    from harness.engine.distributed import DaskEngine, EngineError, local_versions
    from harness.core.profiles import get

    versions = dict(local_versions(), hypothesis="0.0.1")
    with pytest.raises(EngineError) as e:
        DaskEngine(get("ci"), None, [], tmp_path, workers=1, versions=versions)
    msg = str(e.value)
    assert f"hypothesis {local_versions()['hypothesis']} (this client: 0.0.1)" in msg


def test_version_differences_name_missing_packages():
    from harness.engine.distributed import check_versions, version_differences

    client = {"landscape-audit": "0.1.0", "jax": "0.10.2"}
    assert version_differences(client, {"jax": "0.10.2"}) == ["landscape-audit not installed (this client: 0.1.0)"]
    assert version_differences(client, dict(client)) == []
    check_versions({"tcp://a": dict(client)}, client)
    with pytest.raises(Exception, match="worker tcp://b: jax 0.9.0"):
        check_versions({"tcp://a": dict(client), "tcp://b": {**client, "jax": "0.9.0"}}, client)


# ---- the merge of shards, on hand-made results ------------------------------------------------------------

def _toy_claim(kind="forall"):
    import hypothesis.strategies as st

    from harness.core.claims import Paper, claim

    return claim("merge/toy", paper=Paper("m", "A", "T", 2024), theorem="T", statement="s", kind=kind,
                 strategy=st.integers(), register=False)(lambda x: None)


def _shard(c, verdict, examples, repr_=None, inconclusive=0, min_margin=1.0):
    from harness.core.results import ClaimResult, Finding

    r = ClaimResult.of(c, verdict, examples=examples, inconclusive=inconclusive, min_margin=min_margin)
    if repr_ is not None:
        r.finding = Finding("counterexample", {"type": "repr", "repr": repr_}, repr_, {"margin": -1.0})
    return r


def test_merge_forall_reports_the_smallest_counterexample_and_counts_the_others():
    from harness.engine.units import merge_shards

    c = _toy_claim()
    merged = merge_shards(c, [_shard(c, "survived", 30), _shard(c, "falsified", 10, "123456", min_margin=-1),
                              _shard(c, "falsified", 12, "501", min_margin=-2), _shard(c, "survived", 30)])
    assert merged.verdict == "falsified" and merged.finding.instance["repr"] == "501"
    assert merged.examples == 82 and merged.min_margin == -2
    assert "shard 3 of 4" in merged.message and "1 other shard also found one" in merged.message


def test_merge_forall_survives_with_examples_summed_and_errors_win_over_survival():
    from harness.engine.units import merge_shards

    c = _toy_claim()
    merged = merge_shards(c, [_shard(c, "survived", 30, inconclusive=2), _shard(c, "survived", 25, min_margin=0.5)])
    assert merged.verdict == "survived" and merged.examples == 55 and merged.inconclusive == 2
    assert merged.min_margin == 0.5
    err = _shard(c, "error", 3)
    err.message = "RuntimeError: boom"
    assert merge_shards(c, [_shard(c, "survived", 30), err]).verdict == "error"
    mostly_undecided = merge_shards(c, [_shard(c, "survived", 10, inconclusive=8), _shard(c, "survived", 10,
                                                                                          inconclusive=8)])
    assert mostly_undecided.verdict == "inconclusive"


def test_merge_exists_is_witnessed_by_any_shard():
    from harness.engine.units import merge_shards

    c = _toy_claim("exists")
    assert merge_shards(c, [_shard(c, "no witness", 20, min_margin=-3),
                            _shard(c, "no witness", 20, min_margin=-1)]).verdict == "no witness"
    merged = merge_shards(c, [_shard(c, "no witness", 20, min_margin=-3), _shard(c, "witnessed", 4, "7")])
    assert merged.verdict == "witnessed" and merged.finding.instance["repr"] == "7" and merged.examples == 24


def test_shard_seeds_depend_on_the_claim_and_shard_not_on_workers():
    from harness.engine.units import shard_seed

    seeds = {shard_seed(3, False, "a/b", i, 4) for i in range(4)}
    assert len(seeds) == 4 and shard_seed(3, False, "a/b", 1, 4) == shard_seed(3, False, "a/b", 1, 4)
    assert shard_seed(None, False, "a/b", 1, 4) is None  # a random run stays random
    assert shard_seed(7, True, "a/b", 0, 1) == 7  # one shard: run_claim's own seeding


def _readme_slurm_recipe() -> str:
    """The README's SLURM recipe (the python block that builds the SLURMCluster), up to ``cluster.scale``."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "SLURMCluster" in b)
    return block.split("cluster.scale")[0]


def test_readme_slurm_recipe_builds_single_threaded_workers_in_the_virtualenv():
    """The recipe as the README prints it: its sbatch script (dask-jobqueue builds it; nothing is submitted)
    activates the project's virtualenv, shares the JAX cache, and starts one single-threaded worker process per
    job -- what the harness needs (a unit's example time limit and derandomised runs assume one thread)."""
    pytest.importorskip("dask_jobqueue", reason="the [test] extra installs dask-jobqueue")
    ns: dict = {}
    exec(_readme_slurm_recipe(), ns)
    cluster = ns["cluster"]
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    assert "#SBATCH" in script and "-t 04:00:00" in script
    assert "source /path/to/landscape-audit/.venv/bin/activate" in script
    assert "LANDSCAPE_AUDIT_JAX_CACHE" in script
    assert "--nthreads 1" in script and ("--nworkers" not in script or "--nworkers 1" in script)
