"""``landscape-audit``: run, list, show and replay claims from the command line.

    landscape-audit run [--claims GLOB[,GLOB]] [--profile ci|default|thorough] [--seed S] [--out DIR]
                        [--ablate] [--file my_claims.py ...] [--quiet]
                        [--workers N | --scheduler ADDRESS] [--resume DIR]
    landscape-audit list [--claims GLOB] [--file ...]
    landscape-audit show ID [--file ...]
    landscape-audit replay FILE [--file ...]
    landscape-audit reproduce [ID[,GLOB]] [--profile ci|default|thorough] [--seed S] [--out DIR]
                              [--workers N | --scheduler ADDRESS] [--list]

Exit codes: 0 everything went as the catalogue expects (or the finding replayed); 1 a claim expected to hold
was falsified (``replay``: the finding did not reproduce); 2 a usage error (unknown claim id or profile,
malformed glob, unwritable output folder, missing claims file); 3 no falsification, but some claim ended in
error or timeout (or the catalogue could not be loaded); 130 interrupted (the partial report is written).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import traceback
from pathlib import Path

from harness.core import profiles as profiles_mod
from harness.engine.audit import base_claim_id, run_audit
from harness.app.catalogue import load_catalogue
from harness.core.claims import Claim, UnknownClaim, registry
from harness.core.profiles import UnknownProfile
from harness.core.results import RunResult
from reports.tables import shorten

PROG = "landscape-audit"

EXIT_OK, EXIT_FALSIFIED, EXIT_USAGE, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

#: Width of the statement column of ``list``.
STATEMENT_WIDTH = 70


class UsageError(Exception):
    """A mistake on the command line: one line on stderr, exit code 2."""


class CatalogueError(Exception):
    """The claim catalogue (or a claims file) could not be imported."""


# ---- argument parsing ----------------------------------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Property-based audit of loss-landscape theorems.",
                     epilog="Exit codes: 0 as expected, 1 a claim expected to hold was falsified, 2 usage error, "
                            "3 some claim ended in error or timeout, 130 interrupted.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    def add_file(p):
        p.add_argument("--file", action="append", default=[], metavar="PY",
                       help="also load the claims defined in this Python file (repeatable); without --claims, "
                            "only that file's claims are used")

    def add_engine(p, what):
        engine = p.add_mutually_exclusive_group()
        engine.add_argument("--workers", type=int, metavar="N",
                            help=f"run the {what} on a Dask LocalCluster of N single-threaded worker processes")
        engine.add_argument("--scheduler", metavar="ADDRESS",
                            help=f"run the {what} on an existing Dask cluster (e.g. tcp://host:8786, started by "
                                 "dask-jobqueue on SLURM)")

    run = sub.add_parser("run", help="run claims and write the audit report")
    run.add_argument("--claims", metavar="GLOB[,GLOB]", help="claim ids or globs, comma-separated "
                                                               "(default: every claim)")
    run.add_argument("--profile", default=None, metavar="|".join(profiles_mod.PROFILES),
                     help="how hard to search (default: default)")
    run.add_argument("--seed", type=int, help="random seed (turns derandomisation off)")
    run.add_argument("--out", default=None, metavar="DIR",
                     help="report folder (default: audit-report)")
    run.add_argument("--ablate", action="store_true", default=None,
                     help="also run each claim with one hypothesis violated at a time")
    add_file(run)
    run.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    add_engine(run, "work units")
    run.add_argument("--resume", metavar="DIR",
                     help="finish the interrupted run in DIR: its claims, profile, seed and --ablate, skipping "
                          "the units whose results are in DIR")

    lst = sub.add_parser("list", help="list the claims")
    lst.add_argument("--claims", metavar="GLOB[,GLOB]", help="only claims matching these globs")
    add_file(lst)

    show = sub.add_parser("show", help="everything about one claim")
    show.add_argument("id", metavar="ID")
    add_file(show)

    repro = sub.add_parser("reproduce", help="re-run a paper's experiments (reproductions) with tables and plots")
    repro.add_argument("id", nargs="?", metavar="ID[,GLOB]", help="reproduction ids or globs (default: all)")
    repro.add_argument("--profile", default="ci", metavar="|".join(profiles_mod.PROFILES),
                       help="grid size: ci small, thorough the paper's grid (default: %(default)s)")
    repro.add_argument("--seed", type=int, help="random seed (default 0)")
    repro.add_argument("--out", default="audit-report", metavar="DIR", help="report folder (default: %(default)s)")
    add_engine(repro, "grid cells")
    repro.add_argument("--list", action="store_true", help="list the reproductions")

    replay = sub.add_parser("replay", help="re-check a counterexample or witness file")
    replay.add_argument("path", metavar="FILE")
    add_file(replay)
    return parser


# ---- loading claims ------------------------------------------------------------------------------------

#: Claims files loaded in this process (resolved path -> ids they registered): loading twice is a no-op.
_loaded_files: dict[Path, list[str]] = {}


def _load_catalogue() -> None:
    try:
        load_catalogue()
    except Exception as e:
        raise CatalogueError(f"cannot load the claim catalogue: {_one_line(e)}{_where(e)}") from e


def load_files(paths) -> list[str]:
    """Load claims files; returns the ids they registered.  A missing or broken file is a usage error."""
    _load_catalogue()
    ids: list[str] = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise UsageError(f"claims file {str(path)!r} does not exist")
        key = path.resolve()
        if key not in _loaded_files:
            before = {c.id for c in registry}
            try:
                registry.load_file(path)
            except Exception as e:
                raise UsageError(f"cannot load claims file {str(path)!r}: {_one_line(e)}{_where(e)}") from e
            _loaded_files[key] = [c.id for c in registry if c.id not in before]
        ids += [i for i in _loaded_files[key] if i not in ids]
    return ids


def select_claims(patterns: str | None, files) -> list[Claim]:
    file_ids = load_files(files)
    try:
        if patterns is None and files:
            return [c for c in registry if c.id in file_ids]
        return registry.select(patterns)
    except UnknownClaim as e:
        raise UsageError(str(e)) from None


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _where(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    if isinstance(e, SyntaxError) and e.filename:
        return f" ({e.filename}:{e.lineno})"
    return f" ({tb[-1].filename}:{tb[-1].lineno})" if tb else ""


# ---- progress display ----------------------------------------------------------------------------------

from harness.app.console import ConsoleProgress  # noqa: E402  (the run command's display; kept importable here)


# ---- commands ------------------------------------------------------------------------------------------

def _check_writable(folder: str) -> Path:
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise UsageError(f"output folder {folder!r} is not writable: {reason}") from None
    return path


def check_engine_options(args) -> None:
    """``--workers N`` needs N >= 1: a usage error otherwise."""
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers must be at least 1, got {args.workers}")


def cmd_run(args) -> int:
    out, err = sys.stdout, sys.stderr
    from harness.engine.distributed import EngineError
    from harness.engine.runstate import ResumeError, RunState, check_catalogue

    check_engine_options(args)
    resume = args.resume is not None
    if resume:
        if args.out is not None and Path(args.out).resolve() != Path(args.resume).resolve():
            raise UsageError("--resume DIR writes into DIR; leave out --out (or give the same folder)")
        if not Path(args.resume).is_dir():
            raise UsageError(f"--resume: {args.resume!r} is not a folder")
        try:
            plan = RunState(Path(args.resume)).read_plan()
        except ResumeError as e:
            raise UsageError(str(e)) from None
        given = {"--profile": (args.profile, plan["profile"]), "--seed": (args.seed, plan.get("seed")),
                 "--ablate": (args.ablate, plan.get("ablate"))}
        for flag, (mine, theirs) in given.items():
            if mine is not None and mine != theirs:
                raise UsageError(f"--resume: the run in {args.resume!r} was started with {flag} {theirs!r}; "
                                 f"a resumed run keeps its options")
        if args.claims is not None or args.file:
            raise UsageError("--resume takes the claims (and claims files) of the run it resumes; "
                             "leave out --claims and --file")
        args.profile, args.seed, args.ablate, args.out = plan["profile"], plan.get("seed"), plan.get("ablate"), \
            args.resume
        files = plan.get("files", [])
        missing = [f for f in files if not Path(f).is_file()]
        if missing:
            raise UsageError(f"--resume: the run's claims file {missing[0]!r} does not exist any more")
        load_files(files)
        _load_catalogue()
        known = {c.id: c for c in registry}
        try:
            check_catalogue(plan, known)
        except ResumeError as e:
            raise UsageError(str(e)) from None
        claims = [known[c["id"]] for c in plan["claims"]]
    else:
        files = [str(Path(f).resolve()) for f in args.file]
    try:
        prof = profiles_mod.get(args.profile or "default")
    except UnknownProfile as e:
        raise UsageError(str(e)) from None
    if not resume:
        claims = select_claims(args.claims, args.file)
    out_dir = _check_writable(args.out or "audit-report")
    if not claims:
        print(f"{PROG}: no claims registered; nothing to run", file=err)
    progress = ConsoleProgress(err, quiet=args.quiet)
    if resume and not args.quiet:
        print(f"{PROG}: resuming the run in {str(out_dir)!r}: {RunState(out_dir).count_done()} units done", file=err)
    previous = _terminate_as_interrupt()
    try:
        run = run_audit(claims, prof.name, seed=args.seed, out_dir=out_dir, ablate=bool(args.ablate),
                        progress=progress, workers=args.workers, scheduler=args.scheduler, files=files,
                        resume=resume)
    except EngineError as e:
        raise UsageError(str(e)) from None
    except OSError as e:  # the report could not be written (disk full, folder removed meanwhile, ...)
        print(f"{PROG}: error: {_one_line(e)}", file=err)
        return EXIT_ERROR
    finally:
        _restore_terminate(previous)
        progress.close()
    _summary(run, progress.paths, out, err)
    if run.interrupted:
        print(f"{PROG}: interrupted after {len(run.results)} of {len(claims)} claims; partial report written "
              f"(finish it with: {PROG} run --resume {out_dir})", file=err)
        return EXIT_INTERRUPTED
    return exit_code(run, err)


def _terminate_as_interrupt():
    """SIGTERM (CI time limits, batch schedulers) stops a run like Ctrl-C: partial report, exit 130."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def on_term(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, on_term)


def _restore_terminate(previous) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def exit_code(run: RunResult, err=None) -> int:
    err = err or sys.stderr
    bad = [r for r in run.results if r.unexpected_falsification]
    errors = [r for r in run.results if r.verdict in ("error", "timeout")]
    for r in errors:
        print(f"{PROG}: {r.verdict}: {r.claim_id}: {(r.message.splitlines() or [''])[0]}", file=err)
    for r in bad:
        where = f" (counterexample: {r.finding.replay_file})" if r.finding and r.finding.replay_file else ""
        print(f"{PROG}: FALSIFIED, expected to hold: {r.claim_id} ({r.theorem}){where}", file=err)
    if bad:
        return EXIT_FALSIFIED
    return EXIT_ERROR if errors else EXIT_OK


def _summary(run: RunResult, paths: dict, out, err) -> None:
    if paths:
        print("reports:", file=out)
        for name, p in paths.items():
            if isinstance(p, (list, tuple)):
                for q in p:
                    print(f"  {name}: {q}", file=out)
            else:
                print(f"  {name}: {p}", file=out)
    counts = {v: n for v, n in run.counts().items() if n}
    text = ", ".join(f"{n} {v}" for v, n in counts.items()) or "no claims run"
    n = len(run.results)
    print(f"{n} claim{'s' if n != 1 else ''} in {run.seconds:.1f} s: {text}", file=out)
    differing = [r for r in run.results if not r.as_expected and not r.unexpected_falsification
                 and r.verdict not in ("error", "timeout")]
    for r in differing:
        print(f"{PROG}: note: {r.claim_id}: expected {r.expected_verdict}, got {r.verdict}", file=err)


def cmd_list(args) -> int:
    from tabulate import tabulate

    out, err = sys.stdout, sys.stderr
    claims = select_claims(args.claims, args.file)
    if not claims:
        print(f"{PROG}: no claims registered", file=err)
        return EXIT_OK
    rows = [(c.id, c.theorem, c.kind, c.expect, shorten(c.statement, STATEMENT_WIDTH)) for c in claims]
    print(tabulate(rows, headers=("id", "theorem", "kind", "expect", "statement"), tablefmt="simple"), file=out)
    return EXIT_OK


def cmd_show(args) -> int:
    out = sys.stdout
    load_files(args.file)
    try:
        c = registry[args.id]
    except UnknownClaim as e:
        raise UsageError(str(e)) from None
    print(describe_claim(c), file=out)
    return EXIT_OK


def describe_claim(c: Claim) -> str:
    import inspect

    lines = [c.id, "=" * len(c.id),
             f"paper:      {c.paper.cite()}  [{c.paper.key}]",
             f"theorem:    {c.theorem}",
             f"kind:       {c.kind}",
             f"expect:     {c.expect}",
             f"budget:     {c.budget:g} x the profile's examples"]
    try:
        src = inspect.getsourcefile(c.check)
        line = inspect.getsourcelines(c.check)[1]
        lines.append(f"check:      {c.check.__qualname__} ({src}:{line})")
    except (TypeError, OSError):
        lines.append(f"check:      {getattr(c.check, '__qualname__', repr(c.check))}")
    lines += ["", "statement:", _indent(c.statement), "", "hypotheses:"]
    if c.hypotheses:
        for h in c.hypotheses:
            extra = [x for x in ("predicate" if h.holds is not None else "",
                                 "ablation strategy" if h.violating is not None else "") if x]
            lines.append(f"  - {h.name}" + (f"  ({', '.join(extra)})" if extra else ""))
    else:
        lines.append("  (none)")
    if c.notes:
        lines += ["", "notes:", _indent(c.notes)]
    lines += ["", "check docstring:", _indent(inspect.cleandoc(c.check.__doc__ or "") or "(none)")]
    return "\n".join(lines)


def _indent(text: str, pad: str = "  ") -> str:
    import textwrap

    return textwrap.indent(textwrap.dedent(str(text)).strip("\n"), pad)


def cmd_replay(args) -> int:
    out = sys.stdout
    from harness.engine.certify import certify
    from harness.core.evidence import Inconclusive
    from harness.core.instances import describe, instance_from_dict
    from harness.engine.runner import evaluate

    path = Path(args.path)
    if not path.is_file():
        raise UsageError(f"finding file {str(path)!r} does not exist")
    try:
        data = json.loads(path.read_text())
        claim_id, instance_dict = data["claim_id"], data["instance"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UsageError(f"{str(path)!r} is not a counterexample/witness file: {_one_line(e)}") from None
    load_files(args.file)
    try:
        c = registry[claim_id]
    except UnknownClaim:
        try:
            base = registry[base_claim_id(claim_id)]  # an ablation finding: same check, one hypothesis dropped
            c = base.variant(claim_id)
        except UnknownClaim as e:
            hint = "" if args.file else " (a claim from your own claims file needs --file)"
            raise UsageError(f"{e}{hint}") from None
    try:
        instance = instance_from_dict(instance_dict)
    except Exception as e:
        raise UsageError(f"cannot rebuild the instance in {str(path)!r}: {_one_line(e)}") from None

    finding_kind = data.get("kind") or ("counterexample" if c.kind == "forall" else "witness")
    want_violation = finding_kind != "witness"
    print(f"{finding_kind} for {c.id} ({c.theorem}): {c.statement}", file=out)
    print("instance:", file=out)
    print(_indent(describe(instance)), file=out)
    recorded = data.get("evidence") or {}
    if recorded:
        print(f"recorded: margin {_fmt(recorded.get('margin'))}; {recorded.get('detail', '')}", file=out)

    try:
        ev = evaluate(c, instance)
    except Inconclusive as e:
        print(f"float64:  inconclusive: {e}", file=out)
        print("NOT REPRODUCED: the float64 check could not decide", file=out)
        return EXIT_FALSIFIED
    except Exception as e:
        print(f"float64:  the check raised {_one_line(e)}", file=out)
        print("NOT REPRODUCED", file=out)
        return EXIT_FALSIFIED
    print(f"float64:  margin {_fmt(ev.margin)}; {ev.detail}", file=out)
    for k, v in ev.to_dict()["values"].items():
        print(f"          {k} = {v}", file=out)
    reproduced = (ev.margin < 0) if want_violation else (ev.margin >= 0)

    try:
        cert = certify(c, instance, c.kind)
        print(f"certify:  {cert.status}: {cert.detail}", file=out)
        refuted = cert.status == "refuted"
    except Exception as e:
        print(f"certify:  failed: {_one_line(e)}", file=out)
        refuted = False
    if not reproduced:
        what = "no violation" if want_violation else "not a witness"
        print(f"NOT REPRODUCED: {what} in float64 (margin {_fmt(ev.margin)})", file=out)
        return EXIT_FALSIFIED
    if refuted:
        print("NOT REPRODUCED: float64 agrees, but the high-precision re-check refutes it", file=out)
        return EXIT_FALSIFIED
    print(f"REPRODUCED: the {finding_kind} reproduces", file=out)
    return EXIT_OK


def _fmt(x) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    return f"{x:.6g}" if math.isfinite(x) else str(x)


def cmd_reproduce(args) -> int:
    """Run reproductions: per cell the fraction with its interval beside the reference, a table and a plot; the
    cells in this process, or as tasks on a Dask cluster (``--workers`` / ``--scheduler``)."""
    from harness.engine.distributed import EngineError
    from harness.statistics.reproductions import select

    check_engine_options(args)
    _load_catalogue()
    try:
        profiles_mod.get(args.profile)
        reps = select(args.id)
    except (UnknownProfile, KeyError) as e:
        raise UsageError(str(e).strip("'\"")) from None
    if args.list:
        for r in reps:
            print(f"{r.id}: {r.title}", file=sys.stdout)
        return EXIT_OK
    out_dir = _check_writable(args.out)
    budget = profiles_mod.get(args.profile).claim_seconds
    conn = None
    try:
        conn = _connect(args.workers, args.scheduler)
        errors = sum(_reproduce(r, args.profile, args.seed, budget, out_dir, conn) for r in reps)
    except EngineError as e:
        raise UsageError(str(e)) from None
    finally:
        if conn is not None:
            conn.close()
    return EXIT_ERROR if errors else EXIT_OK


def _connect(workers: int | None, scheduler: str | None):
    """A Dask connection for ``--workers`` / ``--scheduler``; None (run in this process) without either."""
    from harness.engine.distributed import DaskConnection

    if workers is None and not scheduler:
        return None
    return DaskConnection(workers, scheduler)


def _reproduce(rep, profile: str, seed, budget: float, out_dir: Path, conn) -> int:
    """Run one reproduction (its cells on ``conn``'s cluster, or in this process), write its files, print a line;
    returns the number of cells that raised (each named on stderr)."""
    from harness.engine.distributed import run_reproduction_on
    from harness.statistics.reproductions import run_reproduction
    from reports.proportions import write_reproduction

    where = f", {conn.name}" if conn is not None else ""
    print(f"{PROG}: reproducing {rep.id} ({profile}{where}) ...", file=sys.stderr)
    if conn is None:
        result = run_reproduction(rep, profile, seed, seconds=budget)
    else:
        result = run_reproduction_on(conn, rep, profile, seed, seconds=budget)
    paths = write_reproduction(result, out_dir)
    note = f", {result['not_run']} cells not run (time budget)" if result["not_run"] else ""
    note += f", {result['errors']} cells raised" if result["errors"] else ""
    run = len(result["cells"]) - result["not_run"] - result["errors"]
    print(f"{rep.id}: {run} cells in {result['seconds']:.1f} s, "
          f"{result['agreeing']} of {result['compared']} agree with the reference{note}; {paths['markdown']}",
          file=sys.stdout)
    for c in (c for c in result["cells"] if c.get("error")):
        print(f"{PROG}: error: {rep.id} cell {c['cell']}: {' '.join(c['error'].split())}", file=sys.stderr)
    return result["errors"]


COMMANDS = {"run": cmd_run, "list": cmd_list, "show": cmd_show, "replay": cmd_replay, "reproduce": cmd_reproduce}


def main(argv=None) -> int:
    """Entry point of ``landscape-audit`` and ``python -m harness``; returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:  # --help, or a usage error already printed by the parser
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except UsageError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except CatalogueError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `landscape-audit list | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
