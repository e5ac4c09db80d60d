"""benchmarks/run.py --backend postgresql runs end to end with valid results (no times)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKLOADS = ["bulk_create", "load_all", "get_by_pk", "single_insert_commit", "update_dirty",
             "filter_query", "delete", "stream"]
CONTENDERS = ["raw", "sqlalchemy-orm", "lightalchemy", "sqlalchemy-core"]


def test_quick_postgresql_run_is_valid(pg_admin, pg_server_url, tmp_path):
    out = tmp_path / "results.json"
    env = {**os.environ, "LIGHTALCHEMY_PG_URL": pg_server_url}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--backend", "postgresql",
         "--quick", "--reps", "1", "--scale", "0.002", "--only", ",".join(WORKLOADS),
         "--json", str(out), "--quiet"],
        capture_output=True, text=True, encoding="utf-8", timeout=300, env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "INVALID" not in done.stdout and "ERROR" not in done.stdout, done.stdout
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["meta"]["backend"] == "postgresql"
    assert results["meta"]["contenders"] == CONTENDERS  # peewee needs psycopg2
    assert list(results["workloads"]) == WORKLOADS
    for workload in WORKLOADS:
        for contender, cell in results["workloads"][workload]["contenders"].items():
            assert cell["status"] == "ok", f"{workload} [{contender}] {cell}"
    # every schema the run made was dropped
    left = pg_admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'bench\\_%'"
                            ).fetchone()[0]
    assert left == 0
