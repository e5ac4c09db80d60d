"""Running the measurements: worker subprocesses, import times, call counts.

Everything that takes time happens here, always in a fresh subprocess, and the
repetitions are interleaved across contenders (repetition 1 of every
contender, then repetition 2, ...; the starting contender rotates) so that a
slow spell of the machine is spread over all contenders instead of landing on
one.  The result of every function is plain JSON-ready data.
"""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from contenders import CONTENDERS, Contender
from worker import RESULT_PREFIX, SOURCE_ENV
from workloads import PROFILED, WORKLOADS, seeded_rows

from backends import BACKENDS

WORKER = Path(__file__).resolve().parent / "worker.py"
ROOT = WORKER.parents[1]

# Import time is measured in a fresh interpreter around one import statement.
IMPORT_PROBE = (
    "import importlib, time\n"
    "start = time.perf_counter()\n"
    "importlib.import_module({module!r})\n"
    "print(time.perf_counter() - start)\n"
)


@dataclass
class Settings:
    backend: str
    scale: float
    reps: int
    contenders: list[str]
    timeout: float
    directory: Path
    source: Path | None = None  # a snapshot of src/ that every subprocess imports first
    progress: Callable[[str], None] = field(default=lambda message: None)

    def env(self, contender: Contender | None = None) -> dict[str, str]:
        env = dict(os.environ)
        if self.source is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(self.source), env.get("PYTHONPATH")) if p)
            env[SOURCE_ENV] = str(self.source)
        if contender is not None:
            env.update(contender.env)
        return env


def snapshot_source(directory: Path) -> Path:
    """Copy ``src/lightalchemy`` so the whole run measures one version of it.

    lightalchemy is developed while benchmarks run; a file saved half-way
    through a run would otherwise mix two versions (or break a run outright).
    The copy goes first on PYTHONPATH, ahead of the editable install.  It is
    byte-compiled here, as pip compiles an installed SQLAlchemy or peewee, so
    that import times compare like with like even under PYTHONDONTWRITEBYTECODE.
    """
    source = directory / "src"
    shutil.copytree(ROOT / "src" / "lightalchemy", source / "lightalchemy",
                    ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(source, quiet=1)
    return source


def rotated(names: list[str], rep: int) -> list[str]:
    """``names`` starting at position ``rep`` (so no contender always runs first)."""
    k = rep % len(names)
    return names[k:] + names[:k]


def launch(spec: dict, contender: Contender, settings: Settings) -> dict:
    """Run ``worker.py`` for one spec and return its outcome dict."""
    env, timeout = settings.env(contender), settings.timeout
    try:
        done = subprocess.run([sys.executable, str(WORKER), json.dumps(spec)],
                              capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "error", "detail": f"timed out after {timeout:.0f} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    return {
        "status": "error",
        "detail": f"worker exited with code {done.returncode} without a result",
        "traceback": done.stderr[-4000:],
    }


def _fail(cell: dict, outcome: dict) -> None:
    """Mark a cell INVALID/ERROR: its times are dropped, never reported."""
    cell.update(status=outcome["status"], detail=outcome.get("detail"),
                traceback=outcome.get("traceback"), samples=[], rss_samples_mb=[])


def measure_workload(name: str, settings: Settings) -> dict:
    """Median seconds and peak-RSS growth of one workload for every contender."""
    workload = WORKLOADS[name]
    size = workload.scaled_size(settings.scale)
    seed = workload.seed_rows(size, settings.scale)
    backend = BACKENDS[settings.backend]
    template = backend.create_template(settings.directory, name, seeded_rows(seed))
    cells = {c: {"status": "ok", "samples": [], "rss_samples_mb": []}
             for c in settings.contenders}
    try:
        for rep in range(settings.reps):
            for contender in rotated(settings.contenders, rep):
                cell = cells[contender]
                if cell["status"] != "ok":
                    continue  # a failed contender is not retried
                location = backend.clone(template, settings.directory, f"{name}-{contender}")
                spec = {"contender": contender, "workload": name, "size": size, "seed": seed,
                        "backend": settings.backend, "location": location}
                try:
                    outcome = launch(spec, CONTENDERS[contender], settings)
                finally:
                    backend.discard(location)
                label = f"{name} [{contender}] rep {rep + 1}/{settings.reps}"
                if outcome["status"] != "ok":
                    _fail(cell, outcome)
                    settings.progress(f"{label}: {outcome['status'].upper()} {outcome['detail']}")
                    continue
                cell["samples"].append(outcome["seconds"])
                cell["rss_samples_mb"].append(outcome["rss_growth_kb"] * 1024 / 1e6)
                settings.progress(f"{label}: {outcome['seconds']:.4f} s")
    finally:
        backend.discard_template(template)
    for cell in cells.values():
        ok = cell["status"] == "ok"
        cell["seconds"] = statistics.median(cell["samples"]) if ok else None
        cell["rss_growth_mb"] = statistics.median(cell["rss_samples_mb"]) if ok else None
    return {"size": size, "seed_rows": seed, "summary": workload.summary, "contenders": cells}


def _import_seconds(module: str, settings: Settings) -> float:
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE.format(module=module)],
                          capture_output=True, text=True, timeout=settings.timeout,
                          env=settings.env())
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    return float(done.stdout.strip().splitlines()[-1])


def measure_imports(settings: Settings) -> dict:
    """Median wall time of ``import <module>`` in a fresh interpreter, per contender.

    One unmeasured import first, so that writing ``.pyc`` files is not timed.
    """
    cells = {}
    for contender in settings.contenders:
        module = CONTENDERS[contender].import_module
        if module == "sqlite3" and settings.backend == "postgresql":
            module = "psycopg"  # the raw contender's driver there
        try:
            _import_seconds(module, settings)
            cells[contender] = {"status": "ok", "module": module, "samples": []}
        except (RuntimeError, subprocess.SubprocessError) as exc:
            cells[contender] = {"status": "error", "module": module, "detail": str(exc)}
    for rep in range(settings.reps):
        for contender in rotated(settings.contenders, rep):
            cell = cells[contender]
            if cell["status"] != "ok":
                continue
            try:
                cell["samples"].append(_import_seconds(cell["module"], settings) * 1e3)
            except (RuntimeError, subprocess.SubprocessError) as exc:
                cell.update(status="error", detail=str(exc), samples=[])
    for contender, cell in cells.items():
        cell["ms"] = statistics.median(cell["samples"]) if cell["status"] == "ok" else None
        shown = f"{cell['ms']:.1f} ms" if cell["ms"] is not None else cell["detail"]
        settings.progress(f"import {cell['module']} [{contender}]: {shown}")
    return cells


def measure_calls(settings: Settings) -> dict:
    """Python function calls per object (cProfile), for the workloads in PROFILED.

    Counts are deterministic, so one run per contender is enough; the sizes are
    fixed (not scaled) so that quick and full runs report comparable numbers.
    """
    backend = BACKENDS[settings.backend]
    out = {}
    for name, size in PROFILED.items():
        seed = WORKLOADS[name].seed_rows(size, 1.0)
        template = backend.create_template(settings.directory, f"calls-{name}",
                                           seeded_rows(seed))
        cells = {}
        try:
            for contender in settings.contenders:
                location = backend.clone(template, settings.directory, f"calls-{contender}")
                spec = {"contender": contender, "workload": name, "size": size, "seed": seed,
                        "backend": settings.backend, "location": location, "profile": True}
                try:
                    outcome = launch(spec, CONTENDERS[contender], settings)
                finally:
                    backend.discard(location)
                if outcome["status"] == "ok":
                    cells[contender] = {"status": "ok", "calls": outcome["calls"],
                                        "per_item": outcome["calls"] / size}
                else:
                    cells[contender] = {"status": outcome["status"],
                                        "detail": outcome.get("detail"),
                                        "traceback": outcome.get("traceback")}
                per_item = cells[contender].get("per_item")
                settings.progress(f"calls {name} [{contender}]: "
                                  f"{per_item if per_item is None else round(per_item, 1)}")
        finally:
            backend.discard_template(template)
        out[name] = {"items": size, "contenders": cells}
    return out


class Clock:
    """Progress lines on stderr with the elapsed time, so long runs show life."""

    def __init__(self, quiet: bool = False) -> None:
        self.start = time.perf_counter()
        self.quiet = quiet

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{self.elapsed():7.1f}s] {message}", file=sys.stderr,
                  flush=True)
