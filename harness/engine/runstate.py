"""What a run keeps on disk to be resumed: its plan and one record per finished unit, under ``DIR/.run/``.

``plan.json`` names the claims (with a fingerprint of each), the profile, the seed, ``--ablate`` and the claims
files; ``done/<unit>.json`` holds a unit's payload, written by the client the moment the unit's result arrives;
``stage/<unit>/`` is where a unit run on this machine keeps its provisional findings and Hypothesis database.
``landscape-audit run --resume DIR`` re-reads the plan, refuses a catalogue that no longer matches it, and runs
only the units without a record.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from harness.engine.units import Unit, safe_key

STATE = ".run"
PLAN_VERSION = 1


class ResumeError(Exception):
    """The folder holds no resumable run, or a run of another catalogue."""


def claim_fingerprint(claim) -> str:
    parts = [claim.id, claim.kind, claim.expect, repr(float(claim.budget)), claim.statement, claim.theorem,
             "|".join(h.name for h in claim.hypotheses), repr(claim.eps), repr(tuple(claim.cells))]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class RunState:
    def __init__(self, out_dir: Path):
        self.root = Path(out_dir) / STATE
        self.done = self.root / "done"
        self.stage = self.root / "stage"

    @property
    def plan_path(self) -> Path:
        return self.root / "plan.json"

    def write_plan(self, claims, profile: str, seed, ablate: bool, files, started: str) -> dict:
        plan = {"version": PLAN_VERSION, "profile": profile, "seed": seed, "ablate": bool(ablate),
                "files": [str(Path(f).resolve()) for f in files], "started": started,
                "claims": [{"id": c.id, "fingerprint": claim_fingerprint(c)} for c in claims]}
        _atomic_write(self.plan_path, json.dumps(plan, indent=2))
        return plan

    def read_plan(self) -> dict:
        try:
            plan = json.loads(self.plan_path.read_text())
            plan["claims"], plan["profile"]
        except FileNotFoundError:
            raise ResumeError(f"{str(self.root.parent)!r} holds no run to resume (no {STATE}/plan.json)") from None
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise ResumeError(f"{str(self.plan_path)!r} is not a run plan: {e}") from None
        return plan

    def record_path(self, unit: Unit) -> Path:
        return self.done / f"{safe_key(unit.key)}.json"

    def stage_dir(self, unit: Unit) -> Path:
        return self.stage / safe_key(unit.key)

    def save(self, unit: Unit, payload: dict) -> None:
        _atomic_write(self.record_path(unit), json.dumps({"unit": unit.to_dict(), "payload": payload},
                                                         default=str))

    def load(self, unit: Unit) -> dict | None:
        path = self.record_path(unit)
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        return data["payload"] if data.get("unit", {}).get("key") == unit.key else None

    def count_done(self) -> int:
        return len(list(self.done.glob("*.json"))) if self.done.is_dir() else 0


def check_catalogue(plan: dict, claims_by_id: dict) -> None:
    """Refuse to resume when a claim of the plan is missing or has changed (id, statement, budget, ...)."""
    missing = [c["id"] for c in plan["claims"] if c["id"] not in claims_by_id]
    if missing:
        raise ResumeError(f"the run in this folder is of another catalogue: claim {missing[0]!r} "
                          f"(and {len(missing) - 1} more) is not in this one" if len(missing) > 1 else
                          f"the run in this folder is of another catalogue: claim {missing[0]!r} is not in this one")
    changed = [c["id"] for c in plan["claims"] if claim_fingerprint(claims_by_id[c["id"]]) != c["fingerprint"]]
    if changed:
        raise ResumeError(f"the run in this folder is of another catalogue: claim {changed[0]!r} has changed "
                          f"since (statement, budget, hypotheses or cells)")
