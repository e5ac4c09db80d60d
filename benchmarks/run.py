"""Benchmark driver: lightalchemy against raw sqlite3, SQLAlchemy ORM and Core, peewee.

    python benchmarks/run.py                      # full run, writes RESULTS.md
    python benchmarks/run.py --quick              # 1/50 sizes, 3 reps, < 2 minutes
    python benchmarks/run.py --compare lightalchemy,sqlalchemy-orm
    python benchmarks/run.py --only load_all,stream --contenders raw,lightalchemy

Every (contender, workload, repetition) runs in a fresh subprocess
(``worker.py``); only the workload itself is timed, every result is verified
through the raw driver, and the median of the repetitions is reported.  The
tables go to stdout, progress to stderr, everything to ``--json``
(benchmarks/results.json); a full, unfiltered run also rewrites RESULTS.md.
Exits 1 when any result was INVALID or an ERROR.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
from pathlib import Path

import measure
import report
from contenders import CONTENDERS, SUBJECT
from machine import facts
from workloads import WORKLOADS

from backends import BACKENDS

HERE = Path(__file__).resolve().parent
EXTRAS = ("import_time", "calls")  # measurements besides the workloads, selectable by --only
QUICK_SCALE = 1 / 50
QUICK_REPS = 3
FULL_REPS = 5


def _names(text: str, known, what: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {', '.join(unknown)}; choose from {', '.join(known)}")
    return names


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"sizes × {QUICK_SCALE:g} and {QUICK_REPS} repetitions")
    parser.add_argument("--reps", type=int, help=f"repetitions (default {FULL_REPS}, "
                                                 f"{QUICK_REPS} with --quick)")
    parser.add_argument("--scale", type=float, help="multiply every workload size by this")
    parser.add_argument("--only", type=lambda t: _names(t, [*WORKLOADS, *EXTRAS], "workload"),
                        help="comma-separated workloads (and/or import_time, calls)")
    parser.add_argument("--contenders", type=lambda t: _names(t, list(CONTENDERS), "contender"),
                        help="comma-separated contenders (default: all)")
    parser.add_argument("--compare", type=lambda t: _names(t, list(CONTENDERS), "contender"),
                        help="A,B: run only these two and print B ÷ A per workload")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="sqlite",
                        help="database to run on (see backends.py); postgresql uses "
                             "LIGHTALCHEMY_PG_URL or starts scripts/pg-server")
    parser.add_argument("--json", type=Path, default=HERE / "results.json",
                        help="where to write the results (default benchmarks/results.json)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per subprocess")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    if args.compare is not None:
        if len(args.compare) != 2 or args.contenders:
            parser.error("--compare takes exactly two contenders, without --contenders")
        args.contenders = args.compare
    if args.reps is not None and args.reps < 1:
        parser.error("--reps must be at least 1")
    if args.scale is not None and args.scale <= 0:
        parser.error("--scale must be positive")
    return args


def is_full_run(args: argparse.Namespace) -> bool:
    """Only the complete, full-size run may rewrite RESULTS.md."""
    return (not args.quick and args.scale in (None, 1) and args.only is None
            and args.contenders is None and args.compare is None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    scale = args.scale if args.scale is not None else (QUICK_SCALE if args.quick else 1.0)
    reps = args.reps or (QUICK_REPS if args.quick else FULL_REPS)
    contenders = args.contenders or [
        c for c in CONTENDERS if args.backend == "sqlite" or c != "peewee"]  # peewee: psycopg2
    selected = args.only or [*WORKLOADS, *EXTRAS]
    clock = measure.Clock(args.quiet)

    results = {
        "meta": {"command": shlex.join(["benchmarks/run.py", *argv]), "backend": args.backend,
                 "scale": scale, "reps": reps, "quick": args.quick,
                 "contenders": contenders, "compare": args.compare, "machine": facts()},
        "workloads": {},
    }
    with tempfile.TemporaryDirectory(prefix="lightalchemy-bench-") as directory:
        settings = measure.Settings(backend=args.backend, scale=scale, reps=reps,
                                    contenders=contenders, timeout=args.timeout,
                                    directory=Path(directory), progress=clock)
        if SUBJECT in contenders:
            settings.source = measure.snapshot_source(Path(directory))
        for name in (w for w in WORKLOADS if w in selected):
            results["workloads"][name] = measure.measure_workload(name, settings)
        if "import_time" in selected:
            results["import_ms"] = measure.measure_imports(settings)
        if "calls" in selected:
            results["calls_per_item"] = measure.measure_calls(settings)
    results["meta"]["elapsed_s"] = clock.elapsed()

    report.analyse(results)
    print(report.render(results), end="")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    clock(f"wrote {args.json}")
    if args.backend != "sqlite" and args.only is None and args.compare is None and \
            args.contenders is None and args.scale is None and args.reps is None:
        # RESULTS-postgresql.md: the latest whole run on that backend, --quick or full
        path = HERE / f"RESULTS-{args.backend}.md"
        path.write_text(report.markdown(results, shlex.join(["benchmarks/run.py", *argv])))
        clock(f"wrote {path}")
    elif is_full_run(args):
        (HERE / "RESULTS.md").write_text(report.markdown(results, "make bench"))
        clock(f"wrote {HERE / 'RESULTS.md'}")
    return 1 if report.failures(results) else 0


if __name__ == "__main__":
    sys.exit(main())
