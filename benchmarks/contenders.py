"""The contenders: which module runs the workloads and with which environment.

``sqlalchemy-orm`` and ``lightalchemy`` share ``orm_workloads`` and differ only
in ``BENCH_ORM``.  ``forbidden`` lists packages that must not be imported by a
run of that contender: a lightalchemy run that pulled in SQLAlchemy (or the
reverse) would not measure what it claims, so the worker reports it as INVALID.
``import_module`` is what the import-time measurement imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contender:
    name: str
    module: str
    import_module: str
    env: dict[str, str] = field(default_factory=dict)
    forbidden: tuple[str, ...] = ()


CONTENDERS = {
    c.name: c
    for c in (
        Contender("raw", "raw_workloads", "sqlite3",
                  forbidden=("sqlalchemy", "lightalchemy", "peewee")),
        Contender("sqlalchemy-orm", "orm_workloads", "sqlalchemy.orm",
                  env={"BENCH_ORM": "sqlalchemy"}, forbidden=("lightalchemy", "peewee")),
        Contender("lightalchemy", "orm_workloads", "lightalchemy.orm",
                  env={"BENCH_ORM": "lightalchemy"}, forbidden=("sqlalchemy", "peewee")),
        Contender("sqlalchemy-core", "core_workloads", "sqlalchemy",
                  forbidden=("lightalchemy", "peewee")),
        Contender("peewee", "peewee_workloads", "peewee",
                  forbidden=("sqlalchemy", "lightalchemy")),
    )
}

BASELINE = "raw"
SUBJECT = "lightalchemy"
REFERENCE = "sqlalchemy-orm"
