"""The example programs print the same with SQLAlchemy as with lightalchemy.

Each example imports only ``lightalchemy``; the SQLAlchemy run is the same file
with the imports swapped, as a user would swap them.
"""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(source: str, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("example", ["relationships.py"])
def test_example_prints_the_same_on_sqlalchemy(tmp_path, example):
    source = (EXAMPLES / example).read_text(encoding="utf-8")
    ours = _run(source, tmp_path, "ours")
    theirs = _run(source.replace("from lightalchemy", "from sqlalchemy"), tmp_path, "theirs")
    assert ours.strip(), "the example printed nothing"
    assert ours == theirs
