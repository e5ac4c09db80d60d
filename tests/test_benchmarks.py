"""The benchmark suite (benchmarks/run.py) runs end to end and every result is valid.

Nothing here asserts a time: the point is that every workload ran for every
contender, that lightalchemy's results passed the raw-driver checks, and that
a wrong result is reported as INVALID rather than as a time.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
WORKLOADS = ["bulk_create", "load_all", "get_by_pk", "single_insert_commit", "update_dirty",
             "filter_query", "delete", "stream"]
CONTENDERS = ["raw", "sqlalchemy-orm", "lightalchemy", "sqlalchemy-core", "peewee"]
RESULT_PREFIX = "BENCH-RESULT "


def _problem(cell: dict) -> str:
    return f"{cell.get('status')}: {cell.get('detail')}\n{cell.get('traceback') or ''}"


def test_quick_run_covers_every_workload_and_contender_with_valid_results(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--reps", "1",
         "--scale", "0.002", "--json", str(out), "--quiet"],
        capture_output=True, text=True, encoding="utf-8", timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "INVALID" not in done.stdout and "ERROR" not in done.stdout, done.stdout

    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["meta"]["contenders"] == CONTENDERS
    assert list(results["workloads"]) == WORKLOADS
    for workload in WORKLOADS:
        cells = results["workloads"][workload]["contenders"]
        assert sorted(cells) == sorted(CONTENDERS), workload
        for contender, cell in cells.items():
            assert cell["status"] == "ok", f"{workload} [{contender}] {_problem(cell)}"
            assert isinstance(cell["seconds"], float)
            assert isinstance(cell["rss_growth_mb"], float)
    for contender in CONTENDERS:
        cell = results["import_ms"][contender]
        assert cell["status"] == "ok" and isinstance(cell["ms"], float), _problem(cell)
    for workload in ("bulk_create", "load_all"):
        cells = results["calls_per_item"][workload]["contenders"]
        for contender in CONTENDERS:
            assert cells[contender]["status"] == "ok", _problem(cells[contender])
    assert {t["target"].split(":")[0] for t in results["targets"]} >= {
        "bulk_create", "load_all", "stream", "import lightalchemy.orm (ms)"}


def _worker(spec: dict) -> dict:
    done = subprocess.run([sys.executable, str(BENCHMARKS / "worker.py"), json.dumps(spec)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(RESULT_PREFIX)]
    assert done.returncode == 0 and lines, done.stderr
    return json.loads(lines[-1][len(RESULT_PREFIX):])


def test_a_wrong_result_is_reported_invalid_not_timed(tmp_path):
    # The table is empty but the spec says 5 rows were seeded: load_all returns
    # nothing, so the check after the timed region must call it INVALID.
    db = tmp_path / "empty.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE person (id INTEGER NOT NULL, name VARCHAR NOT NULL, "
                     "age INTEGER NOT NULL, PRIMARY KEY (id))")
    outcome = _worker({"contender": "raw", "workload": "load_all", "size": 5, "seed": 5,
                       "backend": "sqlite", "location": str(db)})
    assert outcome["status"] == "invalid"
    assert "seconds" not in outcome
    assert "0 rows, expected 5" in outcome["detail"]


def test_a_failing_workload_is_reported_as_an_error(tmp_path):
    missing = tmp_path / "no-such-directory" / "x.db"
    outcome = _worker({"contender": "raw", "workload": "load_all", "size": 5, "seed": 5,
                       "backend": "sqlite", "location": str(missing)})
    assert outcome["status"] == "error"
    assert "OperationalError" in outcome["detail"]
    assert "seconds" not in outcome
