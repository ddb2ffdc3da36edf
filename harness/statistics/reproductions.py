"""Reproductions of a paper's figures and tables: a declared grid of cells, a measure, the fraction per cell
with its Clopper-Pearson interval, reference values (from the claims file) and a table and plot.

A small grid runs in the ``ci`` profile, the paper's grid in ``thorough`` (``default`` sits between).  A cell
*agrees* with its reference when the reference lies in the cell's 95% interval widened by two standard errors of
the reference itself (the claims file's re-runs used 40 trials per cell).  When the grid does not fit the time
budget, the cells that fit are run and the rest are listed as not run.

Each cell is computed on its own (:func:`run_cell`, with the generator of ``SeedSequence([seed, k])`` for cell
``k``), so cells can run anywhere -- in this process (:func:`run_reproduction`) or as Dask tasks
(:func:`harness.engine.distributed.run_reproduction_on`) -- with the same successes; :func:`assemble` makes the result.
"""
from __future__ import annotations

import fnmatch
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from harness.statistics.proportion import clopper_pearson

LEVEL = 0.95


@dataclass(frozen=True)
class Reproduction:
    id: str
    title: str
    measure: str
    #: profile name -> list of cells (dicts)
    grids: dict
    #: profile name -> trials per cell
    trials: dict
    #: ``compute(cell, trials, rng) -> number of successes``
    compute: Callable = field(repr=False)
    #: cell key (tuple of values of ``key``) -> reference fraction
    reference: dict = field(default_factory=dict)
    key: tuple = ()
    row: str = "d1"  # table rows
    col: str = "n"  # table columns
    group: tuple = ()  # one table / plot per value of these keys
    reference_trials: int = 40
    notes: str = ""


REPRODUCTIONS: dict[str, Reproduction] = {}


def register(rep: Reproduction) -> Reproduction:
    REPRODUCTIONS[rep.id] = rep
    return rep


def select(pattern: str | None) -> list[Reproduction]:
    """The reproductions whose ids match ``pattern`` (comma-separated globs; all when None), sorted by id."""
    reps = sorted(REPRODUCTIONS.values(), key=lambda r: r.id)
    if not pattern:
        return reps
    out = [r for r in reps if any(fnmatch.fnmatchcase(r.id, p.strip()) for p in pattern.split(","))]
    if not out:
        raise KeyError(f"no reproduction matches {pattern!r}; known: {', '.join(r.id for r in reps)}")
    return out


def by_id(rep_id: str) -> Reproduction:
    """The catalogue's reproduction ``rep_id`` (KeyError when there is none)."""
    return REPRODUCTIONS[rep_id]


def agrees(est_lo: float, est_hi: float, ref: float, ref_trials: int) -> bool:
    tol = 2 * math.sqrt(max(ref * (1 - ref), 1.0 / ref_trials) / ref_trials)
    return est_lo - tol <= ref <= est_hi + tol


def plan(rep: Reproduction, profile: str, seed: int | None) -> tuple[list, int, int]:
    """The grid and trials per cell of ``profile`` (the ``ci`` ones for a profile the reproduction does not name)
    and the seed (0 for None)."""
    grid = rep.grids.get(profile) or rep.grids["ci"]
    trials = rep.trials.get(profile) or rep.trials["ci"]
    return grid, trials, 0 if seed is None else int(seed)


def run_cell(rep: Reproduction, k: int, cell: dict, trials: int, seed: int) -> dict:
    """Cell ``k`` of the grid: its successes out of ``trials`` (drawn with ``SeedSequence([seed, k])``), their
    Clopper-Pearson interval and the reference it is compared with."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, k]))
    t0 = time.monotonic()
    s = int(rep.compute(cell, trials, rng))
    lo, hi = clopper_pearson(s, trials, LEVEL)
    ref = rep.reference.get(tuple(cell[x] for x in rep.key))
    return {"cell": cell, "run": True, "successes": s, "trials": trials, "estimate": s / trials,
            "ci_low": lo, "ci_high": hi, "reference": ref,
            "agrees": None if ref is None else agrees(lo, hi, ref, rep.reference_trials),
            "seconds": time.monotonic() - t0}


def not_run(cell: dict) -> dict:
    """The entry of a cell left out (it did not fit the time budget)."""
    return {"cell": cell, "run": False}


def failed(cell: dict, exc: BaseException) -> dict:
    """The entry of a cell whose computation raised: the other cells go on, the report names the error (as a
    claim that raises gets the verdict ``error``)."""
    return {"cell": cell, "run": False, "error": f"{type(exc).__name__}: {exc}"}


def run_cell_or_error(rep: Reproduction, k: int, cell: dict, trials: int, seed: int) -> dict:
    """:func:`run_cell`, or :func:`failed` when it raises."""
    try:
        return run_cell(rep, k, cell, trials, seed)
    except Exception as e:  # noqa: BLE001 -- any failure of a cell's computation is reported, not raised
        return failed(cell, e)


def assemble(rep: Reproduction, profile: str, seed: int, trials: int, cells: list, seconds: float) -> dict:
    """The result of a reproduction from its cells' entries (:func:`run_cell` or :func:`not_run`, in grid order):
    the counts of cells run, compared with a reference and agreeing, with what the report needs to draw them."""
    done = [c for c in cells if c["run"]]
    errors = [c for c in cells if c.get("error")]
    compared = [c for c in done if c["agrees"] is not None]
    return {"id": rep.id, "title": rep.title, "measure": rep.measure, "profile": profile, "seed": seed,
            "trials": trials, "level": LEVEL, "cells": cells, "seconds": seconds,
            "not_run": len(cells) - len(done) - len(errors), "errors": len(errors), "compared": len(compared),
            "agreeing": sum(1 for c in compared if c["agrees"]), "notes": rep.notes,
            "row": rep.row, "col": rep.col, "group": list(rep.group)}


def run_reproduction(rep: Reproduction, profile: str = "ci", seed: int | None = None,
                     seconds: float = 600.0) -> dict:
    """Run the grid of ``profile`` cell by cell in this process; once ``seconds`` have passed, the remaining
    cells are listed as not run."""
    grid, trials, seed = plan(rep, profile, seed)
    started = time.monotonic()
    cells = []
    for k, cell in enumerate(grid):
        late = time.monotonic() - started > seconds
        cells.append(not_run(cell) if late else run_cell_or_error(rep, k, cell, trials, seed))
    return assemble(rep, profile, seed, trials, cells, time.monotonic() - started)
