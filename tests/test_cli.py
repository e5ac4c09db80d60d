"""``python -m lightalchemy demo`` and ``examples/people.py``, run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "people.py"

FIRST_RUN = [
    "1",
    "1.Егор (28)",
    "2.Сергей (28)",
    "3.Владимир (32)",
    "Егор - 28",
]
SECOND_RUN = [
    "4",
    "1.Егор (28)",
    "2.Сергей (28)",
    "3.Владимир (32)",
    "4.Егор (28)",
    "5.Сергей (28)",
    "6.Владимир (32)",
    "Егор - 28",
]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def _demo(cwd: Path, *options: str) -> subprocess.CompletedProcess:
    return _run(["-m", "lightalchemy", "demo", *options], cwd)


def _lines(result: subprocess.CompletedProcess) -> list[str]:
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_demo_twice_accumulates_rows(tmp_path):
    assert _lines(_demo(tmp_path)) == FIRST_RUN
    assert (tmp_path / "people.db").is_file()
    assert _lines(_demo(tmp_path)) == SECOND_RUN


def test_demo_db_option(tmp_path):
    target = tmp_path / "sub" / "other.db"
    target.parent.mkdir()
    assert _lines(_demo(tmp_path, "--db", str(target))) == FIRST_RUN
    assert target.is_file()
    assert not (tmp_path / "people.db").exists()


def test_demo_url_overrides_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'from_url.db'}"
    result = _demo(tmp_path, "--url", url, "--db", str(tmp_path / "ignored.db"))
    assert _lines(result) == FIRST_RUN
    assert (tmp_path / "from_url.db").is_file()
    assert not (tmp_path / "ignored.db").exists()


def test_demo_memory_url(tmp_path):
    assert _lines(_demo(tmp_path, "--url", "sqlite://")) == FIRST_RUN


def test_demo_echo_prints_sql(tmp_path):
    result = _demo(tmp_path, "--echo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "CREATE TABLE people" in out
    assert "INSERT INTO people" in out
    assert "SELECT" in out and "FROM people" in out
    assert "COMMIT" in out
    # the program's own output is still there, in order
    printed = [line for line in out.splitlines() if line in FIRST_RUN]
    assert printed == FIRST_RUN


def test_demo_without_echo_prints_no_sql(tmp_path):
    out = _demo(tmp_path).stdout
    assert "INSERT" not in out and "SELECT" not in out


@pytest.mark.parametrize(
    "options, fragment",
    [
        (["--url", "not a url"], "URL"),
        (["--db", "/nonexistent-dir/sub/people.db"], "nonexistent-dir"),
    ],
)
def test_demo_errors_are_friendly(tmp_path, options, fragment):
    result = _demo(tmp_path, *options)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    assert fragment in result.stderr


def test_errors_do_not_show_the_password(tmp_path):
    result = _demo(tmp_path, "--url", "postgresql+psycopg://user:s3cret@127.0.0.1:1/db")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    assert "s3cret" not in result.stderr + result.stdout


def test_no_command_prints_help(tmp_path):
    result = _run(["-m", "lightalchemy"], tmp_path)
    assert result.returncode == 2
    assert "demo" in result.stdout


def test_help(tmp_path):
    result = _run(["-m", "lightalchemy", "demo", "--help"], tmp_path)
    assert result.returncode == 0
    for option in ("--db", "--url", "--echo"):
        assert option in result.stdout


def test_example_people_script(tmp_path):
    assert _lines(_run([str(EXAMPLE)], tmp_path)) == FIRST_RUN
    assert (tmp_path / "people.db").is_file()
    assert _lines(_run([str(EXAMPLE)], tmp_path)) == SECOND_RUN


def test_example_is_the_sqlalchemy_program_with_imports_swapped(tmp_path):
    """The example runs unchanged on SQLAlchemy once its imports are swapped back."""
    pytest.importorskip("sqlalchemy")
    source = EXAMPLE.read_text(encoding="utf-8")
    swapped = source.replace("from lightalchemy", "from sqlalchemy")
    assert "lightalchemy" not in swapped.split('"""', 2)[2]  # only the imports named it
    script = tmp_path / "people_sqlalchemy.py"
    script.write_text(swapped, encoding="utf-8")
    assert _lines(_run([str(script)], tmp_path)) == FIRST_RUN
