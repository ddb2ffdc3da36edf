"""The progress display of ``landscape-audit run``: one line per claim as it starts (in-process) and finishes, and
the progress of the work units and examples -- a tqdm bar that redraws on a terminal, a plain line now and then
(every ``LOG_EVERY`` seconds) in a CI log.  With Dask, the engine and its dashboard address are printed first.
"""
from __future__ import annotations

import sys
import threading
import time

from harness.engine.progress import Progress

#: Seconds between two progress lines when stderr is not a terminal.
LOG_EVERY = 30.0


class ConsoleProgress(Progress):
    """Claim lines on ``stream``; a live unit/example bar when it is a terminal, periodic lines otherwise."""

    def __init__(self, stream=None, live: bool | None = None, quiet: bool = False, log_every: float = LOG_EVERY):
        self.stream = stream or sys.stderr
        self.live = (_isatty(self.stream) if live is None else live) and not quiet
        self.quiet = quiet
        self.log_every = log_every
        self.paths: dict = {}
        self._bar = None
        self._t0 = time.monotonic()
        self._last_log = self._t0
        self._units = (0, 0)
        self._examples = 0
        self._claim_examples = 0
        self._claims_done = 0
        self._claims_total = 0
        self._last_draw = 0.0
        self._closed = False
        # lines and redraws come from the run's thread and, on a Dask cluster, from the client's event-loop
        # thread (workers' example counts)
        self._lock = threading.RLock()

    # -- output ------------------------------------------------------------------------------------------
    def _line(self, text: str) -> None:
        if self.quiet:
            return
        with self._lock:
            self._write_line(text)

    def _write_line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.clear()
            self.stream.write(text + "\n")
            self.stream.flush()
            self._bar.refresh()
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _status(self) -> str:
        done, total = self._units
        return (f"{done}/{total} units, {self._examples + self._claim_examples} examples, "
                f"{self._claims_done}/{self._claims_total} claims, {time.monotonic() - self._t0:.0f} s")

    def _tick(self) -> None:
        if self.quiet or self._closed:
            return
        with self._lock:
            self._draw()

    def _draw(self) -> None:
        if self.live:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=self._units[1], file=self.stream, unit="unit", leave=False,
                                 dynamic_ncols=True, mininterval=0.2)
            self._bar.total = self._units[1]
            self._bar.n = self._units[0]
            self._bar.set_postfix_str(f"{self._examples + self._claim_examples} examples, "
                                      f"{self._claims_done}/{self._claims_total} claims", refresh=False)
            self._bar.refresh()
        else:
            now = time.monotonic()
            if now - self._last_log >= self.log_every:
                self._last_log = now
                self._write_line(f"progress: {self._status()}")

    # -- Progress hooks ----------------------------------------------------------------------------------
    def engine_started(self, engine) -> None:
        workers = getattr(engine, "workers", 1)
        if engine.name == "in-process":
            return
        dash = engine.dashboard or "(no dashboard: install bokeh to get the Dask dashboard)"
        count = "" if "LocalCluster" in engine.name else f", {workers} worker{'s' if workers != 1 else ''} now"
        self._line(f"engine: {engine.name}{count}; Dask dashboard: {dash}")

    def units_planned(self, total: int) -> None:
        self._units = (self._units[0], total)

    def unit_finished(self, unit, payload, audit) -> None:
        self._units = (audit.units_done, audit.units_total)
        self._examples = audit.examples
        self._claim_examples = getattr(getattr(audit, "engine", None), "examples_running", 0)
        self._claims_total = len(audit.claims)
        self._tick()

    def claim_started(self, claim, index, total):
        self._claims_total = total
        self._line(f"[{index}/{total}] {claim.id} ({claim.theorem}, {claim.kind}) ...")

    def example(self, claim, examples):
        self._claim_examples = examples
        now = time.monotonic()
        if now - self._last_draw >= 0.2:  # a CI log: _draw prints only every log_every seconds
            self._last_draw = now
            self._tick()

    def claim_finished(self, claim, result, index, total):
        self._claims_done += 1
        self._claims_total = total
        note = "" if result.as_expected else f"  <- expected {result.expected_verdict}"
        extra = f", {result.inconclusive} inconclusive" if result.inconclusive else ""
        self._line(f"[{index}/{total}] {claim.id}: {result.verdict}, {result.examples} examples{extra}, "
                   f"{result.seconds:.1f} s{note}")

    def ablation_started(self, claim, hypothesis):
        self._line(f"      ablation of {claim.id} without {hypothesis.name!r} ...")

    def ablation_finished(self, claim, entry):
        load = {"falsified": "load-bearing", "survived": "not needed on these examples"}.get(entry["verdict"], "")
        self._line(f"      without {entry['hypothesis']!r}: {entry['verdict']}, {entry['examples']} examples"
                   + (f" ({load})" if load else ""))

    def reports_written(self, paths):
        self.paths = dict(paths)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._bar is not None:
                self._bar.close()
                self._bar = None
        if not self.quiet and not self.live and self._units[1]:
            self._line(f"progress: {self._status()}")


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
