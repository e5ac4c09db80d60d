"""One run of one workload for one contender, in a fresh interpreter.

The driver (``run.py``) starts this script once per (contender, workload,
repetition), so no run inherits another's caches, garbage or peak memory, and
``ru_maxrss`` (which only ever grows) measures this run alone.  Only the call
``<contender>.<workload>(ctx, arg)`` is timed: importing the library, building
the input, creating the engine, summarising the output and checking it against
the database happen outside the perf_counter pair.

Usage: ``worker.py SPEC_JSON``; the result is printed as one line starting
with ``RESULT_PREFIX`` so that stray output from a library cannot be mistaken
for it.
"""

from __future__ import annotations

import cProfile
import gc
import importlib
import json
import os
import pstats
import resource
import sys
import time
import traceback

from contenders import CONTENDERS
from verify import Invalid, check, summarise
from workloads import make_input

from backends import Target

RESULT_PREFIX = "BENCH-RESULT "
SOURCE_ENV = "BENCH_SOURCE"  # set by the driver: the snapshot of src/ to be measured


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(spec: dict) -> dict:
    contender = CONTENDERS[spec["contender"]]
    workload = spec["workload"]
    target = Target(spec["backend"], spec["location"])
    arg = make_input(workload, spec["size"])
    module = importlib.import_module(contender.module)
    function = getattr(module, workload)
    ctx = module.setup(target)
    profiler = cProfile.Profile() if spec.get("profile") else None

    gc.collect()
    rss_before = peak_rss_kb()
    if profiler is not None:
        profiler.enable()
    start = time.perf_counter()
    output = function(ctx, arg)
    seconds = time.perf_counter() - start
    if profiler is not None:
        profiler.disable()
    rss_after = peak_rss_kb()

    measured = {"seconds": seconds, "rss_growth_kb": rss_after - rss_before}
    if profiler is not None:
        measured["calls"] = pstats.Stats(profiler).total_calls
    result = summarise(workload, output)
    del output
    module.teardown(ctx)

    stray = sorted(name for name in contender.forbidden if name in sys.modules)
    if stray:
        raise Invalid(f"the {contender.name} run imported {', '.join(stray)}")
    source = os.environ.get(SOURCE_ENV)
    measured_file = getattr(sys.modules.get("lightalchemy"), "__file__", None)
    if source and measured_file and not measured_file.startswith(source):
        raise Invalid(f"imported lightalchemy from {measured_file}, not the snapshot {source}")
    conn = target.raw_connect()
    try:
        check(workload, arg, spec["seed"], result, conn)
    finally:
        conn.close()
    return measured


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    try:
        outcome = {"status": "ok", **run(spec)}
    except Invalid as exc:
        outcome = {"status": "invalid", "detail": str(exc)}
    except Exception as exc:  # any library failure is a result to report, not a crash
        outcome = {
            "status": "error",
            "detail": f"{type(exc).__name__}: {exc}",
            "traceback": traceback.format_exc(),
        }
    print(RESULT_PREFIX + json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
