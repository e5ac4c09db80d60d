"""Checks that a workload did what it claims, read back through the raw driver.

A fast wrong answer must never be reported as a time, so after the timed
region the worker summarises what the workload returned (plain tuples) and
calls :func:`check`, which compares it and the table contents (read with the
raw DBAPI connection, not with the library under test) with what the seeded
data and the input imply.  A mismatch raises :class:`Invalid` with the first
difference, which the report shows as INVALID.
"""

from __future__ import annotations

from workloads import FILTER_LIMIT, seeded_row


class Invalid(Exception):
    """The workload ran but produced a wrong result."""


def as_record(item) -> tuple | None:
    """(id, name, age) from an ORM object, a Core/lightalchemy Row or a tuple."""
    if item is None:
        return None
    if hasattr(item, "name"):
        return (item.id, item.name, item.age)
    return tuple(item)


def summarise(workload: str, output):
    """Turn a workload's return value into plain data (outside the timed region)."""
    if workload in ("load_all", "get_by_pk"):
        return [as_record(item) for item in output]
    if workload == "filter_query":
        return [[as_record(item) for item in page] for page in output]
    if workload == "single_insert_commit":
        return list(output)
    if workload == "stream":
        return tuple(output)
    return None


def _table(conn) -> list[tuple]:
    return [tuple(r) for r in conn.execute("SELECT id, name, age FROM person ORDER BY id")]


def _same(what: str, got: list, expected: list) -> None:
    if got == expected:
        return
    if len(got) != len(expected):
        raise Invalid(f"{what}: {len(got)} rows, expected {len(expected)}")
    for index, (g, e) in enumerate(zip(got, expected)):
        if g != e:
            raise Invalid(f"{what}: row {index} is {g!r}, expected {e!r}")
    raise Invalid(f"{what}: differs")  # pragma: no cover - unreachable


def check(workload: str, arg, seed: int, result, conn) -> None:
    """Raise :class:`Invalid` unless ``result`` and the table are as expected."""
    if workload == "stream":  # a million rows: no list of them
        expected = (seed, sum(len(seeded_row(i)[1]) for i in range(1, seed + 1)))
        if result != expected:
            raise Invalid(f"streamed (rows, name chars) = {result}, expected {expected}")
        return
    seeded = [seeded_row(i) for i in range(1, seed + 1)]
    if workload == "bulk_create":
        rows = _table(conn)
        _same("table after bulk_create", [r[1:] for r in rows], list(arg))
        if len({r[0] for r in rows}) != len(rows):
            raise Invalid("duplicate ids after bulk_create")
    elif workload == "load_all":
        _same("objects loaded", sorted(result), seeded)
        _same("table after load_all", _table(conn), seeded)
    elif workload == "get_by_pk":
        _same("objects fetched by key", result, [seeded_row(k) for k in arg])
    elif workload == "single_insert_commit":
        rows = _table(conn)
        if sorted(result) != [r[0] for r in rows]:
            raise Invalid(f"ids read after commit {result[:5]}... do not match the table's ids")
        by_id = {r[0]: r[1:] for r in rows}
        _same("rows by returned id", [by_id[i] for i in result], list(arg))
    elif workload == "update_dirty":
        expected = [(i, n, a + 1 if i <= arg else a) for i, n, a in seeded]
        _same("table after update_dirty", _table(conn), expected)
    elif workload == "filter_query":
        if len(result) != len(arg):
            raise Invalid(f"{len(result)} query results, expected {len(arg)}")
        for age, page in zip(arg, result):
            if len(page) != FILTER_LIMIT or len({r[0] for r in page}) != FILTER_LIMIT:
                raise Invalid(f"age == {age}: {len(page)} objects, expected {FILTER_LIMIT}")
            for record in page:
                if record[2] != age or record != seeded_row(record[0]):
                    raise Invalid(f"age == {age} returned {record!r}")
    elif workload == "delete":
        _same("table after delete", _table(conn), [r for r in seeded if r[0] > arg])
    else:  # pragma: no cover - a new workload without a check
        raise Invalid(f"no check for workload {workload!r}")
