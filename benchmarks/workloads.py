"""What each workload does, how big it is, and the data it starts from.

This module is shared by the driver (which seeds a database per workload) and
by the worker (which builds the workload's input and checks its result), so
that every contender gets exactly the same rows and the same input lists.
Nothing here imports a database library.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Non-ASCII names on purpose: a result that mangles text must show up as INVALID.
FIRST_NAMES = ("Егор", "Сергей", "Владимир", "Alice", "Bob", "Zoë", "María", "李雷")

FILTER_LIMIT = 10  # rows per filter_query query: select(...).where(age == a).limit(10)
AGES = 100  # ages are 0..99, so every age has seed_rows / 100 rows
MIN_FILTER_SEED = AGES * FILTER_LIMIT  # so that every query returns a full page


def person_name(i: int) -> str:
    return f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {i}"


def person_age(i: int) -> int:
    return i % AGES


def seeded_row(i: int) -> tuple[int, str, int]:
    """Row ``i`` (1-based id) of every seeded table."""
    return (i, person_name(i), person_age(i))


def seeded_rows(count: int):
    return (seeded_row(i) for i in range(1, count + 1))


@dataclass(frozen=True)
class Workload:
    """One measured task.

    ``size`` is the number of objects / operations at full scale; ``seed`` is
    the number of rows in the table before the run, given the scaled size.
    """

    name: str
    size: int
    mutating: bool
    summary: str

    def scaled_size(self, scale: float) -> int:
        return max(10, round(self.size * scale))

    def seed_rows(self, size: int, scale: float) -> int:
        return SEED_RULES[self.name](size, scale)


WORKLOADS = {
    w.name: w
    for w in (
        Workload("bulk_create", 100_000, True,
                 "new objects, add_all + commit (construction timed)"),
        Workload("load_all", 100_000, False,
                 "scalars(select(Person)).all(), read each .name"),
        Workload("get_by_pk", 10_000, False,
                 "session.get() of distinct keys in one session"),
        Workload("single_insert_commit", 2_000, True,
                 "new session, add one object, commit, read .id"),
        Workload("update_dirty", 10_000, True,
                 "load objects, change .age on each, commit"),
        Workload("filter_query", 2_000, False,
                 "select(...).where(age == a).limit(10) as objects"),
        Workload("delete", 10_000, True,
                 "load objects, session.delete() each, commit"),
        Workload("stream", 1_000_000, False,
                 "yield_per=1000 iteration, read each .name"),
    )
}

# Rows present before each workload.  update_dirty and delete touch only the
# first half of the table so that the check also proves the other half was
# left alone.
SEED_RULES = {
    "bulk_create": lambda size, scale: 0,
    "load_all": lambda size, scale: size,
    "get_by_pk": lambda size, scale: size,
    "single_insert_commit": lambda size, scale: 0,
    "update_dirty": lambda size, scale: 2 * size,
    "filter_query": lambda size, scale: max(MIN_FILTER_SEED, round(10_000 * scale)),
    "delete": lambda size, scale: 2 * size,
    "stream": lambda size, scale: size,
}

# The cProfile runs count calls per object on small, fixed sizes.
PROFILED = {"bulk_create": 2_000, "load_all": 2_000}


def make_input(workload: str, size: int):
    """The argument passed to ``<contender>.<workload>(ctx, arg)``.

    Built outside the timed region: the (name, age) pairs for inserts, the
    shuffled keys for get_by_pk, the ages for filter_query, or the number of
    rows to touch.
    """
    if workload in ("bulk_create", "single_insert_commit"):
        return [(person_name(i), person_age(i)) for i in range(1, size + 1)]
    if workload == "get_by_pk":
        keys = list(range(1, size + 1))
        random.Random(4).shuffle(keys)
        return keys
    if workload == "filter_query":
        return [(i * 37) % AGES for i in range(size)]
    if workload in ("update_dirty", "delete"):
        return size
    return None
