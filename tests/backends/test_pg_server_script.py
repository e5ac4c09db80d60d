"""scripts/pg-server: start prints a working URL, stop removes everything, and
LIGHTALCHEMY_PG_URL short-circuits both."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "pg-server"


def _script_module():
    loader = importlib.machinery.SourceFileLoader("pg_server_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader("pg_server_script", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True, timeout=300, env=env)


def test_a_url_from_the_environment_is_used_as_it_is(tmp_path):
    env = dict(os.environ, LIGHTALCHEMY_PG_URL="postgresql+psycopg://me@db.example/x")
    state = str(tmp_path / "state.json")
    started = _run("start", "--state", state, env=env)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "postgresql+psycopg://me@db.example/x"
    assert not os.path.exists(state)
    stopped = _run("stop", "--state", state, env=env)
    assert stopped.returncode == 0 and "left running" in stopped.stderr


def test_start_then_stop_leaves_nothing_behind(tmp_path):
    if _script_module().find_bindir() is None:
        pytest.skip("no PostgreSQL binaries here (the session's server came from "
                    "LIGHTALCHEMY_PG_URL); the script would install them")
    import psycopg

    env = {k: v for k, v in os.environ.items() if k != "LIGHTALCHEMY_PG_URL"}
    state_file = tmp_path / "state.json"
    started = _run("start", "--state", str(state_file), env=env)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip()
    assert url.startswith("postgresql+psycopg://postgres:") and "@127.0.0.1:" in url
    state = json.loads(state_file.read_text())
    try:
        again = _run("start", "--state", str(state_file), env=env)
        assert again.returncode != 0 and "already running" in again.stderr
        from lightalchemy.engine.url import make_url

        u = make_url(url)
        with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                             dbname=u.database) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (u.database,)
    finally:
        stopped = _run("stop", "--state", str(state_file), env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert not state_file.exists() and not os.path.exists(state["base"])
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                        dbname=u.database, connect_timeout=3)
