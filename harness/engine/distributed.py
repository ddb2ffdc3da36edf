"""Engines that run work units (:mod:`harness.engine.units`): in this process, or on Dask distributed workers.

:class:`InProcessEngine` runs the units one at a time, in priority order, in this process (the in-process run
uses the same units and the same merge as a distributed one).  :class:`DaskEngine` submits them to a Dask
cluster: a ``LocalCluster`` of N single-threaded worker processes (``--workers N``) or an existing scheduler
(``--scheduler ADDRESS``, e.g. one started by dask-jobqueue on SLURM).  A worker loads the catalogue (and the
run's claims files) once, keeps its compiled JAX functions in memory across units and in JAX's persistent cache
(``LANDSCAPE_AUDIT_JAX_CACHE``, a folder the workers share when they can), and returns each unit's payload to
the client, which writes findings and records.  A worker killed mid-unit: the scheduler reruns its units
elsewhere.  Workers must run the same versions of the harness and of its numerical stack as the client
(derandomised verdicts depend on them): :func:`check_versions` refuses a cluster that does not.

A reproduction grid (:mod:`harness.statistics.reproductions`) runs the same way, a cell per task
(:func:`run_reproduction_on`): the workers find the reproduction in their catalogue by id and compute the cell
as :func:`harness.statistics.reproductions.run_cell` does in-process; the client assembles the result.

Per-example wall-clock limits apply on workers too: units run in a worker thread, where SIGALRM cannot be
delivered, so :mod:`harness.engine.timeouts` raises the timeout in that thread from its watchdog thread instead.
"""
from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import platform
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path

from harness.core.claims import registry
from harness.engine.units import Unit, error_payload, run_unit

#: Distributions whose versions a worker must share with the client.
VERSION_PACKAGES = ("landscape-audit", "hypothesis", "jax", "jaxlib", "numpy", "scipy", "mpmath", "python-flint",
                    "dask", "distributed")
#: Seconds to wait for a scheduler to answer, and for the first worker of an existing cluster.
CONNECT_TIMEOUT = float(os.environ.get("LANDSCAPE_AUDIT_CONNECT_TIMEOUT", "10"))
WORKER_WAIT = float(os.environ.get("LANDSCAPE_AUDIT_WORKER_WAIT", "300"))
#: Dask event topic of the live example counts workers send (suffixed by the run's token).
EXAMPLES_TOPIC = "landscape-audit-examples"
#: Seconds between two example counts a worker sends for one unit.
EXAMPLE_EVERY = 1.0


class EngineError(Exception):
    """The cluster cannot be used (unreachable scheduler, workers at other versions): a usage error."""


def local_versions() -> dict:
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in VERSION_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# The probe runs on workers that may not have the harness installed: its source is compiled into a module of its
# own that no worker can import, so cloudpickle sends it by value.
_PROBE_SOURCE = '''
def probe(names):
    import platform
    from importlib import metadata
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except Exception:
            out[name] = "not installed"
    return out
'''


def _probe_function():
    ns = {"__name__": "landscape_audit_version_probe"}
    exec(compile(_PROBE_SOURCE, "<landscape-audit version probe>", "exec"), ns)
    return ns["probe"]


def version_differences(client: dict, worker: dict) -> list[str]:
    """``name worker-version (client: client-version)`` for every package whose versions differ."""
    out = []
    for name, want in client.items():
        have = worker.get(name, "not installed")
        if have != want:
            out.append(f"{name} {have} (this client: {want})" if have != "not installed"
                       else f"{name} not installed (this client: {want})")
    return out


def check_versions(per_worker: dict, client: dict) -> None:
    """Refuse (EngineError) when any worker's versions differ from the client's, naming them."""
    bad = {w: d for w, d in ((w, version_differences(client, v)) for w, v in per_worker.items()) if d}
    if bad:
        lines = [f"worker {w}: {', '.join(d)}" for w, d in sorted(bad.items())]
        raise EngineError("workers run other versions than this client (derandomised verdicts depend on them); "
                          "install the same versions there: " + "; ".join(lines))


# ---- the task a worker runs ----------------------------------------------------------------------------

_loaded_files: set[str] = set()
_checked = False


class VersionMismatch(Exception):
    pass


def _worker_claim(claim_id: str, files, packages=()):
    """The claim ``claim_id`` on a worker: the client's claim packages (the catalogue) and files loaded first."""
    for name in packages:
        if name not in registry.packages:
            registry.load_package(name)
    for f in files:
        if f not in _loaded_files:
            registry.load_file(f)
            _loaded_files.add(f)
    return registry[claim_id]


def _check_worker_versions(versions: dict) -> None:
    """Raise VersionMismatch on a worker whose versions differ from the client's ``versions`` (checked once)."""
    global _checked
    if not _checked:
        diff = version_differences(versions, local_versions())
        if diff:
            raise VersionMismatch(f"worker at other versions: {', '.join(diff)}")
        _checked = True


def run_unit_task(unit: dict, ctx: dict) -> dict:
    """What a Dask worker runs: one unit, from its description and the run's context."""
    _check_worker_versions(ctx["versions"])
    u = Unit.from_dict(unit)
    try:
        claim = _worker_claim(u.claim_id, ctx["files"], ctx.get("packages", ()))
    except Exception as e:
        return error_payload(f"the worker cannot load claim {u.claim_id!r}: {type(e).__name__}: {e}")
    stage = None
    if ctx.get("stage"):
        stage = Path(ctx["stage"]) / ctx["stage_names"][u.key] if u.key in ctx.get("stage_names", {}) else None
    if stage is None or not _writable(stage):
        stage = Path(tempfile.mkdtemp(prefix="landscape-audit-unit-"))
    report = ExampleReporter(ctx["topic"], u.key, ctx.get("example_every", EXAMPLE_EVERY)) if ctx.get("topic") \
        else None
    with _quiet_worker_random():
        return run_unit(u, claim, ctx["profile"], ctx["seed"], stage, on_example=report)


class ExampleReporter:
    """A unit's ``on_example`` hook on a worker: sends the unit's example count to the client as a Dask event
    (``Worker.log_event``, which the client receives with ``subscribe_topic``) at most every ``every`` seconds,
    so that the client's progress counts the examples of running units, not only of finished ones."""

    def __init__(self, topic: str, key: str, every: float = EXAMPLE_EVERY):
        self.topic, self.key, self.every = topic, key, every
        self._last = time.monotonic()

    def __call__(self, claim, examples: int) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        try:
            from distributed import get_worker

            get_worker().log_event(self.topic, {"unit": self.key, "examples": int(examples)})
        except ValueError:  # not on a worker (the task function called directly)
            pass


@contextlib.contextmanager
def _quiet_worker_random():
    """Hypothesis warns when the global ``random`` state changes while a strategy draws.  On a Dask worker the
    worker's own event-loop thread uses ``random`` (retry jitter, heartbeats) at any moment, so the warning
    fires on every unit without any strategy touching ``random`` (our strategies draw from Hypothesis and
    seeded numpy generators only; the in-process run never shows it).  Silenced for the unit's duration
    (task threads are single: ``nthreads=1``)."""
    from hypothesis.errors import HypothesisDeprecationWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Do not use the `random` module inside strategies",
                                category=HypothesisDeprecationWarning)
        yield


class MissingReproduction(Exception):
    pass


def run_cell_task(rep_id: str, k: int, cell: dict, trials: int, seed: int, versions: dict,
                  packages=()) -> dict:
    """What a Dask worker runs for a reproduction: cell ``k`` of ``rep_id`` (found in the worker's catalogue,
    the client's claim ``packages`` loaded first), as :func:`harness.statistics.reproductions.run_cell` computes
    it in-process."""
    from harness.statistics.reproductions import by_id, run_cell

    _check_worker_versions(versions)
    for name in packages:
        if name not in registry.packages:
            registry.load_package(name)
    try:
        rep = by_id(rep_id)
    except KeyError:
        raise MissingReproduction(f"the worker's catalogue has no reproduction {rep_id!r}") from None
    return run_cell(rep, k, cell, trials, seed)


def task_exception(fut) -> BaseException:
    """The exception of a task that ended in error, as its own failure; EngineError is raised instead when it
    says the cluster itself is unusable (workers at other versions, without the harness, or with another
    catalogue)."""
    exc = fut.exception()
    if isinstance(exc, VersionMismatch) or type(exc).__name__ in ("VersionMismatch", "MissingReproduction"):
        raise EngineError(str(exc))
    if isinstance(exc, ModuleNotFoundError) and "harness" in str(exc):
        raise EngineError(f"a worker does not have landscape-audit installed: {exc}")
    return exc


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        return os.access(path, os.W_OK)
    except OSError:
        return False


# ---- engines -------------------------------------------------------------------------------------------

class InProcessEngine:
    """Runs the units in this process, lowest priority value first (claims in catalogue order)."""

    name = "in-process"
    dashboard = None
    workers = 1
    examples_running = 0  # units run one at a time: none is running between two

    def __init__(self, claims_by_id: dict, prof, seed, stage_of, runner=None, on_start=None, on_example=None):
        self.claims, self.prof, self.seed = claims_by_id, prof, seed
        self.stage_of, self.runner = stage_of, runner
        self.on_start, self.on_example = on_start, on_example
        self._heap: list = []
        self._seq = itertools.count()
        self._cancelled: set[str] = set()

    def submit(self, unit: Unit, priority: int) -> None:
        heapq.heappush(self._heap, (priority, next(self._seq), unit))

    def cancel(self, keys) -> None:
        self._cancelled.update(keys)

    @property
    def pending(self) -> int:
        return sum(1 for _, _, u in self._heap if u.key not in self._cancelled)

    def next(self):
        while self._heap:
            _, _, unit = heapq.heappop(self._heap)
            if unit.key in self._cancelled:
                continue
            if self.on_start:
                self.on_start(unit)
            claim = self.claims[unit.claim_id]
            return unit, run_unit(unit, claim, self.prof, self.seed, self.stage_of(unit), runner=self.runner,
                                  on_example=self.on_example)
        return None

    def close(self) -> None:
        pass


class DaskConnection:
    """A client of a Dask cluster whose workers run this client's versions: a new LocalCluster of ``workers``
    single-threaded processes, or the cluster of ``scheduler``.  Raises EngineError when it cannot be used."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None, versions: dict | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:  # pragma: no cover (a dependency)
            raise EngineError(f"Dask distributed is not installed: {e}") from None
        self.cluster = None
        self.versions = versions or local_versions()
        try:
            if scheduler:
                self.name = f"Dask scheduler {scheduler}"
                try:
                    self.client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
                except (OSError, TimeoutError, ValueError) as e:
                    raise EngineError(f"cannot reach the Dask scheduler at {scheduler!r}: "
                                      f"{type(e).__name__}: {' '.join(str(e).split())[:200]}") from None
                try:
                    self.client.wait_for_workers(1, timeout=WORKER_WAIT)
                except (TimeoutError, OSError):
                    self.client.close()
                    raise EngineError(f"the Dask scheduler at {scheduler!r} has no workers "
                                      f"(waited {WORKER_WAIT:g} s)") from None
            else:
                self.name = f"Dask LocalCluster ({workers} worker process{'es' if workers != 1 else ''})"
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                            dashboard_address=":0",
                                            silence_logs=logging.ERROR)
                self.client = Client(self.cluster, set_as_default=False)
            self.dashboard = self.client.dashboard_link if _has_bokeh() else None
            self.workers = len(self.client.scheduler_info().get("workers", {}))
            per_worker = self.client.run(_probe_function(), list(VERSION_PACKAGES))
            check_versions(per_worker, self.versions)
        except BaseException:
            self.close()
            raise

    def worker_pids(self) -> dict:
        """The process id of every worker, by worker address."""
        return self.client.run(os.getpid)

    def close(self) -> None:
        """Close the client, and the LocalCluster if this connection started it."""
        client = getattr(self, "client", None)
        if client is not None:
            try:
                client.close(timeout=10)
            except Exception:
                pass
        if self.cluster is not None:
            try:
                self.cluster.close(timeout=20)
            except Exception:
                pass


class DaskEngine(DaskConnection):
    """Runs the units on a Dask cluster: a new LocalCluster of ``workers`` processes, or ``scheduler``'s."""

    def __init__(self, prof, seed, files, stage_root: Path, workers: int | None = None,
                 scheduler: str | None = None, versions: dict | None = None, on_example=None):
        from distributed import as_completed

        super().__init__(workers, scheduler, versions)
        self.token = uuid.uuid4().hex[:8]
        self.topic = f"{EXAMPLES_TOPIC}-{self.token}" if on_example else None
        self.ctx = {"profile": prof, "seed": seed, "files": [str(f) for f in files],
                    "packages": list(registry.packages), "stage": str(stage_root), "stage_names": {}, "versions": self.versions, "topic": self.topic,
                    "example_every": EXAMPLE_EVERY}
        self._as_completed = as_completed(loop=self.client.loop)
        self._futures: dict[str, tuple] = {}  # dask key -> (unit, future)
        self._cancelled: set[str] = set()
        self._running: dict[str, int] = {}  # unit key -> examples its worker reported so far
        self._live_units: set[str] = set()  # keys of the units submitted and not yet taken
        self._lock = threading.Lock()  # _running, _live_units: the event-loop thread and this one
        self.on_example = on_example
        if self.topic:
            self.client.subscribe_topic(self.topic, self._example_event)

    @property
    def examples_running(self) -> int:
        """Examples that the units still running have reported (their workers' latest counts)."""
        with self._lock:
            return sum(self._running.values())

    def _example_event(self, event) -> None:
        """A worker's example count (runs in the client's event-loop thread)."""
        _, msg = event
        key = msg.get("unit")
        with self._lock:
            if key not in self._live_units:  # a late count of a unit already taken
                return
            self._running[key] = msg.get("examples", 0)
        self.on_example(None, self.examples_running)

    def submit(self, unit: Unit, priority: int) -> None:
        from harness.engine.units import safe_key

        ctx = dict(self.ctx, stage_names={unit.key: safe_key(unit.key)})
        key = f"unit-{safe_key(unit.key)}-{self.token}"
        fut = self.client.submit(run_unit_task, unit.to_dict(), ctx, key=key, pure=False, priority=-priority)
        self._futures[key] = (unit, fut)
        with self._lock:
            self._live_units.add(unit.key)
        self._as_completed.add(fut)

    def cancel(self, keys) -> None:
        keys = set(keys)
        for k, (unit, fut) in list(self._futures.items()):
            if unit.key in keys:
                self._cancelled.add(k)
                fut.cancel()

    @property
    def pending(self) -> int:
        return sum(1 for k in self._futures if k not in self._cancelled)

    def next(self):
        while self._futures:
            fut = next(self._as_completed)
            key = fut.key
            unit, _ = self._futures.pop(key, (None, None))
            if unit is not None:
                with self._lock:
                    self._live_units.discard(unit.key)
                    self._running.pop(unit.key, None)
            if unit is None or key in self._cancelled:
                self._cancelled.discard(key)
                continue
            if fut.status == "error":
                exc = task_exception(fut)
                payload = error_payload(f"the unit failed on the cluster: {type(exc).__name__}: {exc}")
            elif fut.status == "cancelled":
                payload = error_payload("the unit was cancelled on the cluster")
            else:
                payload = fut.result()
            fut.release()
            return unit, payload
        return None

    def close(self) -> None:
        if getattr(self, "topic", None):
            with contextlib.suppress(Exception):
                self.client.unsubscribe_topic(self.topic)
        for _, fut in getattr(self, "_futures", {}).values():
            try:
                fut.cancel()
            except Exception:
                pass
        super().close()


# ---- reproductions: a cell per task ----------------------------------------------------------------------

def run_reproduction_on(conn: DaskConnection, rep, profile: str = "ci", seed: int | None = None,
                        seconds: float = 600.0) -> dict:
    """:func:`harness.statistics.reproductions.run_reproduction` with each cell a task on ``conn``'s cluster (same seed, same
    cells' successes).  The cells not finished after ``seconds`` are cancelled and listed as not run."""
    import time

    from distributed import as_completed

    from harness.statistics.reproductions import assemble, plan
    from harness.engine.units import safe_key

    grid, trials, seed = plan(rep, profile, seed)
    started = time.monotonic()
    token = uuid.uuid4().hex[:8]  # keys of their own: the cells of an earlier call may be cancelled
    futures = [conn.client.submit(run_cell_task, rep.id, k, cell, trials, seed, conn.versions,
                                  list(registry.packages), pure=False,
                                  key=f"cell-{safe_key(rep.id)}-{k}-{token}", priority=-k)
               for k, cell in enumerate(grid)]
    try:
        try:
            for _ in as_completed(futures, loop=conn.client.loop, timeout=max(seconds, 0.0)):
                pass
        except TimeoutError:
            pass
        cells = [_cell_entry(fut, cell) for fut, cell in zip(futures, grid)]
    finally:
        conn.client.cancel(futures)  # the unfinished cells, and the results already taken
    return assemble(rep, profile, seed, trials, cells, time.monotonic() - started)


def _cell_entry(fut, cell: dict) -> dict:
    """A cell task's entry: its result, not run when it is unfinished, the error entry when its computation
    raised (EngineError raised when the cluster is unusable)."""
    from harness.statistics.reproductions import failed, not_run

    if fut.status not in ("finished", "error"):
        return not_run(cell)
    if fut.status == "error":
        return failed(cell, task_exception(fut))
    return fut.result()


def _has_bokeh() -> bool:
    try:
        import bokeh  # noqa: F401
    except ImportError:
        return False
    return True
