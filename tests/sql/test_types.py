"""Every type, through a real SQLite database and back: same value, same Python type."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

import pytest

from lightalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    Unicode,
    Uuid,
    create_engine,
    insert,
    select,
)
from lightalchemy.exc import StatementError


class Color(enum.Enum):
    RED = "r"
    GREEN = "g"


UTC_PLUS_3 = dt.timezone(dt.timedelta(hours=3))
UTC_MINUS_930 = dt.timezone(-dt.timedelta(hours=9, minutes=30))

CASES = [
    ("integer", Integer(), 2**40),
    ("integer_negative", Integer(), -7),
    ("big_integer", BigInteger(), 2**62),
    ("small_integer", SmallInteger(), -5),
    ("string", String(20), "héllo ✓"),
    ("string_empty", String(), ""),
    ("text", Text(), "x" * 10_000),
    ("unicode", Unicode(10), "Егор"),
    ("float", Float(), 1.25),
    ("float_tiny", Float(), 1e-300),
    ("numeric_scale", Numeric(10, 2), Decimal("12.34")),
    ("numeric_trailing_zeros", Numeric(10, 2), Decimal("5.00")),
    ("numeric_negative", Numeric(10, 3), Decimal("-0.001")),
    ("numeric_15_digits", Numeric(20, 5), Decimal("1234567890.12345")),
    ("numeric_no_scale", Numeric(), Decimal("1.5")),
    ("boolean_true", Boolean(), True),
    ("boolean_false", Boolean(), False),
    ("date", Date(), dt.date(2024, 2, 29)),
    ("datetime", DateTime(), dt.datetime(2024, 1, 2, 3, 4, 5, 678901)),
    ("datetime_whole_second", DateTime(), dt.datetime(2024, 1, 2, 3, 4, 5)),
    ("datetime_tz", DateTime(timezone=True), dt.datetime(2024, 1, 2, 3, 4, 5, 6, UTC_PLUS_3)),
    ("datetime_utc", DateTime(timezone=True),
     dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)),
    ("datetime_tz_negative", DateTime(timezone=True),
     dt.datetime(1999, 12, 31, 23, 59, 59, 999999, UTC_MINUS_930)),
    ("time", Time(), dt.time(13, 14, 15, 161718)),
    ("time_midnight", Time(), dt.time(0, 0)),
    ("large_binary", LargeBinary(), b"\x00\x01\xff" * 100),
    ("large_binary_empty", LargeBinary(), b""),
    ("enum", Enum(Color), Color.GREEN),
    ("json_nested", JSON(), {"a": [1, 2, {"b": None, "c": "ü"}], "d": 1.5, "e": True}),
    ("json_list", JSON(), [1, "2", None, [], {}]),
    ("uuid", Uuid(), uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ("uuid_as_string", Uuid(as_uuid=False), "12345678-1234-5678-1234-567812345678"),
]


@pytest.fixture(scope="module")
def table_engine():
    engine = create_engine("sqlite://")
    metadata = MetaData()
    table = Table(
        "values_",
        metadata,
        Column("id", Integer, primary_key=True),
        *[Column(name, type_) for name, type_, _ in CASES],
    )
    metadata.create_all(engine)
    yield table, engine
    engine.dispose()


@pytest.mark.parametrize("name, type_, value", CASES, ids=[c[0] for c in CASES])
def test_round_trip(table_engine, name, type_, value):
    table, engine = table_engine
    column = table.c[name]
    with engine.begin() as conn:
        key = conn.execute(insert(table).values({name: value})).inserted_primary_key[0]
        back = conn.execute(select(column).where(table.c.id == key)).scalar_one()
        # also through executemany-style parameters
        conn.execute(insert(table), [{"id": key + 1000, name: value}])
        again = conn.execute(select(column).where(table.c.id == key + 1000)).scalar_one()
    for got in (back, again):
        assert got == value
        assert type(got) is type(value)
    if isinstance(value, dt.datetime):
        assert back.utcoffset() == value.utcoffset()


@pytest.mark.parametrize("name, type_, value", CASES, ids=[c[0] for c in CASES])
def test_none_round_trip(table_engine, name, type_, value):
    table, engine = table_engine
    with engine.begin() as conn:
        key = conn.execute(insert(table).values({name: None})).inserted_primary_key[0]
        assert conn.execute(
            select(table.c[name]).where(table.c.id == key)).scalar_one() is None


# JSON text, huge texts/blobs and tiny floats are not meaningfully compared with = in SQL
COMPARABLE = [c for c in CASES if not c[0].startswith(("json", "float_tiny", "large_binary",
                                                        "text"))]


@pytest.mark.parametrize("name, type_, value", COMPARABLE, ids=[c[0] for c in COMPARABLE])
def test_value_in_where_clause(table_engine, name, type_, value):
    """A value bound in WHERE is converted exactly as when it was stored."""
    table, engine = table_engine
    with engine.begin() as conn:
        key = conn.execute(insert(table).values({name: value})).inserted_primary_key[0]
        found = conn.execute(
            select(table.c.id).where(table.c[name] == value, table.c.id == key)
        ).scalar_one_or_none()
    assert found == key


# -- how SQLite stores them (documented in the README) -------------------------------------------------

@pytest.mark.parametrize(
    "type_, value, stored",
    [
        (DateTime(), dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02 03:04:05.000000"),
        (DateTime(), dt.datetime(2024, 1, 2, 3, 4, 5, 6), "2024-01-02 03:04:05.000006"),
        (DateTime(timezone=True), dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC_PLUS_3),
         "2024-01-02 03:04:05.000000+03:00"),
        (Date(), dt.date(2024, 2, 29), "2024-02-29"),
        (Time(), dt.time(1, 2, 3), "01:02:03.000000"),
        (Uuid(), uuid.UUID(int=255), "000000000000000000000000000000ff"),
        (Enum(Color), Color.RED, "RED"),
        (JSON(), {"a": [1, None]}, '{"a": [1, null]}'),
        (Boolean(), True, 1),
    ],
    ids=["datetime", "datetime_micro", "datetime_tz", "date", "time", "uuid", "enum", "json",
         "boolean"],
)
def test_sqlite_storage_format(type_, value, stored):
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("v", type_))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table).values(v=value))
        assert conn.exec_driver_sql("SELECT v FROM t").scalar_one() == stored
    engine.dispose()


def test_datetime_written_by_sqlite_itself_is_read():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("v", DateTime))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (v) VALUES ('2024-01-02 03:04:05')")
        assert conn.execute(select(table.c.v)).scalar_one() == dt.datetime(2024, 1, 2, 3, 4, 5)
    engine.dispose()


# -- refusals -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value",
    [Decimal("1234567890.123456"), Decimal("0.1234567890123456"),
     Decimal("12345678901234567890")],
)
def test_decimal_beyond_15_digits_is_refused(value):
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("amount", Numeric(30, 16)))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        with pytest.raises(StatementError) as info:
            conn.execute(insert(table).values(amount=value))
        message = str(info.value)
        assert str(value) in message
        assert "15 significant digits" in message
        with pytest.raises(StatementError):
            conn.execute(insert(table), [{"amount": value}])
        assert conn.execute(select(table.c.amount)).all() == []
    engine.dispose()


def test_decimal_with_15_digits_after_normalizing_is_accepted():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("amount", Numeric(30, 2)))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table).values(amount=Decimal("1.000000000000000000")))
        assert conn.execute(select(table.c.amount)).scalar_one() == Decimal("1.00")
    engine.dispose()


def test_enum_accepts_member_names():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("color", Enum(Color)))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table).values(color="GREEN"))
        assert conn.execute(select(table.c.color)).scalar_one() is Color.GREEN
    engine.dispose()


def test_unknown_enum_name_in_the_database_is_an_error():
    engine = create_engine("sqlite://")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("color", Enum(Color)))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (color) VALUES ('BLUE')")
        with pytest.raises(LookupError, match="BLUE"):
            conn.execute(select(table.c.color)).all()
    engine.dispose()
