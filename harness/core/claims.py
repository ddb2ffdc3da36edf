"""Claims, their papers and hypotheses, and the registry the ``@claim`` decorator fills.

A claim is one checkable statement of a paper: named hypotheses (the theorem's assumptions), a Hypothesis
strategy of instances satisfying them, a kind (``forall``: every instance has the property; ``exists``: some
instance is a witness) and a check that maps an instance to :class:`~harness.core.evidence.Evidence`.
``expect`` records what the catalogue expects of the statement as written ("holds", or "fails" for a literal
reading the audit refutes), so that a run knows a surprise from a confirmation.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import importlib.util
import pkgutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

KINDS = ("forall", "exists", "proportion")
EXPECTATIONS = ("holds", "fails")


@dataclass(frozen=True)
class Paper:
    key: str
    authors: str
    title: str
    year: int
    arxiv: str = ""

    def cite(self) -> str:
        arxiv = f", arXiv:{self.arxiv}" if self.arxiv else ""
        return f"{self.authors} ({self.year}), {self.title}{arxiv}"


@dataclass(frozen=True)
class Assumption:
    """One named hypothesis of a theorem, e.g. "sigma(0) = 0".

    ``holds`` is a predicate on instances (used to validate strategies and ablations); ``violating`` is an
    optional strategy of instances that violate exactly this hypothesis, for ``--ablate``.
    """

    name: str
    holds: Callable[[Any], bool] | None = field(default=None, compare=False)
    violating: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Claim:
    id: str
    paper: Paper
    theorem: str
    statement: str
    check: Callable[[Any], Any] = field(compare=False, repr=False)
    strategy: Any = field(compare=False, repr=False)
    hypotheses: tuple[Assumption, ...] = ()
    kind: str = "forall"
    expect: str = "holds"
    budget: float = 1.0
    notes: str = ""
    #: Explicit instances, tried after the search when it found nothing: the paper's own examples or a
    #: shape the claims file names.  Zero-argument callables, built when the claim runs.
    examples: tuple = ()
    #: The check is exact (integer bookkeeping, no floating point): a finding is certified as computed.
    exact: bool = False
    # ---- kind "proportion" ("at least a 1 - eps fraction of <measure> has the property"; harness.statistics.proportion)
    #: The allowed failure fraction, in (0, 1); a cell's own "eps" key overrides it.
    eps: float | None = None
    #: The measure the fraction is taken under, in words (e.g. "uniform over all 2^(d1 n) patterns").
    measure: str = ""
    #: ``sampler(rng, cell, size) -> list of instances``: i.i.d. draws from the measure (a numpy Generator).
    sampler: Callable | None = field(default=None, compare=False, repr=False)
    #: The settings (dicts) the statement quantifies over; each is tested on its own.
    cells: tuple = ()
    #: ``population(cell)``: the whole (finite, uniformly weighted) space as a sized iterable, or None;
    #: enumerated instead of sampled when small enough (the verdict is then exact).
    population: Callable | None = field(default=None, compare=False, repr=False)
    #: ``batch_check(instances) -> margins``: the check on many instances at once (same margins as ``check``).
    batch_check: Callable | None = field(default=None, compare=False, repr=False)
    #: Confidence of the Clopper-Pearson decision, over all cells and sequential looks together.
    confidence: float = 0.999

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.expect not in EXPECTATIONS:
            raise ValueError(f"claim {self.id}: expect must be one of {EXPECTATIONS}, got {self.expect!r}")
        object.__setattr__(self, "hypotheses", tuple(self.hypotheses))
        if self.kind == "proportion":
            _validate_proportion(self)

    def __call__(self, instance):
        return self.check(instance)

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()

    def variant(self, id: str, **changes) -> "Claim":
        """An unregistered copy with some fields changed: how mutants and ablations are made."""
        return dataclasses.replace(self, id=id, **changes)

    def violated_hypotheses(self, instance) -> list[str]:
        return [h.name for h in self.hypotheses if h.holds is not None and not h.holds(instance)]


def _validate_proportion(c: "Claim") -> None:
    """A proportion claim names its measure, can draw or enumerate instances, and has every eps in (0, 1)."""
    object.__setattr__(c, "cells", tuple(c.cells) or ({},))
    for cell in c.cells:
        eps = cell.get("eps", c.eps)
        if eps is None or not isinstance(eps, (int, float)) or not 0.0 < float(eps) < 1.0:
            raise ValueError(f"claim {c.id}: eps must lie in the open interval (0, 1), got {eps!r}"
                             + (f" in cell {cell}" if "eps" in cell else ""))
    if not c.measure:
        raise ValueError(f"claim {c.id}: a proportion claim must name its measure")
    if c.sampler is None and c.population is None:
        raise ValueError(f"claim {c.id}: a proportion claim needs a sampler or a population")
    if not 0.0 < c.confidence < 1.0:
        raise ValueError(f"claim {c.id}: confidence must lie in (0, 1), got {c.confidence!r}")


class UnknownClaim(KeyError):
    def __str__(self):
        return self.args[0]


class Registry:
    def __init__(self):
        self._claims: dict[str, Claim] = {}
        #: The claim packages loaded into this registry (:meth:`load_package`), in order.
        self.packages: list[str] = []

    def add(self, c: Claim) -> Claim:
        if c.id in self._claims and self._claims[c.id].check is not c.check:
            raise ValueError(f"duplicate claim id {c.id!r}")
        self._claims[c.id] = c
        return c

    def __getitem__(self, claim_id: str) -> Claim:
        try:
            return self._claims[claim_id]
        except KeyError:
            near = [k for k in self._claims if claim_id.split("/")[-1] in k][:5]
            hint = f"; did you mean {', '.join(near)}?" if near else "; `landscape-audit list` shows all ids"
            raise UnknownClaim(f"unknown claim id {claim_id!r}{hint}") from None

    def __iter__(self):
        return iter(sorted(self._claims.values(), key=lambda c: _natural_key(c.id)))

    def __len__(self):
        return len(self._claims)

    def select(self, patterns: str | list[str] | None) -> list[Claim]:
        """Claims whose id matches any of the comma-separated globs; an unmatched pattern is an error."""
        claims = list(self)
        if not patterns:
            return claims
        if isinstance(patterns, str):
            patterns = [p.strip() for p in patterns.split(",")]
        chosen = []
        for pat in patterns:
            if not pat:
                raise UnknownClaim("empty claim pattern")
            if pat.count("[") != pat.count("]"):
                raise UnknownClaim(f"malformed glob {pat!r}: unbalanced brackets")
            hits = [c for c in claims if fnmatch.fnmatchcase(c.id, pat)]
            if not hits:
                self[pat]  # raises UnknownClaim with suggestions
            chosen += [c for c in hits if c not in chosen]
        return chosen

    def load_package(self, name: str) -> None:
        """Import every module of the package ``name`` (e.g. the catalogue, ``properties``) so that its claims
        register (idempotent).  The engine never names a catalogue itself: the application loads one, and the
        packages loaded here are what a Dask worker loads too (:attr:`packages`)."""
        package = importlib.import_module(name)
        for mod in pkgutil.iter_modules(getattr(package, "__path__", [])):
            importlib.import_module(f"{name}.{mod.name}")
        if name not in self.packages:
            self.packages.append(name)

    def load_file(self, path: str | Path):
        """Import a researcher's own claims file (e.g. ``my_conjecture.py``) so its claims register."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"claims file {str(path)!r} does not exist")
        name = f"landscape_audit_user_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module


registry = Registry()


def claim(id: str, *, paper: Paper, theorem: str, statement: str, strategy, hypotheses=(), kind="forall",
          expect="holds", budget=1.0, notes="", examples=(), exact=False, register=True, **proportion):
    """Decorator: turn ``check(instance) -> Evidence`` into a registered :class:`Claim`.  ``proportion``:
    the fields of a proportion claim (eps, measure, sampler, cells, population, batch_check, confidence)."""

    def wrap(check):
        c = Claim(id=id, paper=paper, theorem=theorem, statement=statement, check=check, strategy=strategy,
                  hypotheses=tuple(hypotheses), kind=kind, expect=expect, budget=budget, notes=notes,
                  examples=tuple(examples), exact=exact, **proportion)
        return registry.add(c) if register else c

    return wrap


def _natural_key(s: str):
    import re

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]
