"""Whole user programs (tests/compat/programs/*.py) run on SQLAlchemy and on lightalchemy.

Each program defines ``run(sa, orm, exc, url, print)`` and is written like a user's
script; what it prints is compared between the two libraries.
"""

import importlib.util
import warnings
from pathlib import Path

import pytest

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("*.py"))


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"compat_program_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program(compare, path):
    program = _load(path)

    def scenario(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", lib.exc.SADeprecationWarning)
            program.run(lib.sa, lib.orm, lib.exc, lib.url,
                        lambda *values: lib.out(repr(values)))

    records = compare(scenario, file_db=True)
    assert records and not (isinstance(records[-1], tuple) and records[-1][0] == "raised"), (
        f"the program stopped with an exception: {records[-1]}")
