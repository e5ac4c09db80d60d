
"""MetaData/Table/Column, column types (round trips and storage), constraints, DDL."""

import datetime
import enum
import uuid
from decimal import Decimal

import pytest


class Color(enum.Enum):
    red = 1
    green = 2
    blue = "b"


def _roundtrip(lib, type_, values, *, raw=True):
    """Store ``values`` in a one-column table and record what comes back.

    Records ``(type name, value)`` for each value read back through the column
    type and, with ``raw``, the SQLite storage class (``typeof``) and raw value
    as stored, which is what other programs reading the file would see.
    """
    sa = lib.sa
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", type_))
    engine = sa.create_engine(lib.url)
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t.insert(), [{"id": i, "v": v} for i, v in enumerate(values)])
        for (v,) in conn.execute(sa.select(t.c.v).order_by(t.c.id)):
            lib.out(type(v).__name__, v)
        if raw:
            rows = conn.execute(sa.text("SELECT typeof(v), v FROM t ORDER BY id"))
            lib.out([tuple(r) for r in rows])
    return engine, t


# -- MetaData / Table / Column ---------------------------------------------------------


def test_table_metadata_objects(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        users = sa.Table(
            "users",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
            sa.Column("email", sa.String(100)),
        )
        sa.Table(
            "posts",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("user_id", sa.ForeignKey("users.id")),
        )
        lib.out(users.name, list(users.c.keys()), [c.name for c in users.columns])
        lib.out([c.name for c in users.primary_key.columns])
        lib.out(sorted(md.tables), [t.name for t in md.sorted_tables])
        lib.out(users.c.name.nullable, users.c.email.nullable, users.c.id.primary_key)
        lib.out(users.c.name.type.length, type(users.c.name.type).__name__)
        lib.out(md.tables["users"] is users, users.c["email"] is users.c.email)
        lib.out(users.c.name.table is users, users.c.name.key)

    compare(scenario)


def test_table_columns_in_declared_types(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("a", sa.Integer, primary_key=True),
            sa.Column("b", sa.String(20)),
            sa.Column("c", sa.Numeric(10, 2)),
            sa.Column("d", sa.Boolean),
        )
        lib.out([type(c.type).__name__ for c in t.columns])
        lib.out(t.c.c.type.precision, t.c.c.type.scale)
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            info = conn.execute(sa.text("PRAGMA table_info(t)")).all()
            lib.out([(r[1], r[3], r[5]) for r in info])  # name, notnull, pk

    compare(scenario)


# -- types ---------------------------------------------------------------------------------


def test_type_integer(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Integer, [0, -5, 2**31 - 1, 123456789012, None])

    compare(scenario)


def test_type_biginteger(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.BigInteger, [2**62, -(2**63), None])

    compare(scenario)


def test_type_smallinteger(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.SmallInteger, [1, -32768, 32767])

    compare(scenario)


def test_type_string_length_not_enforced(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.String(3), ["abc", "longer than three", "", None])

    compare(scenario)


def test_type_text(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Text, ["line1\nline2\ttab", "x" * 10000, "'quoted' \"double\""])

    compare(scenario)


def test_type_unicode(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Unicode(20), ["Ёжик", "日本語", "emoji 😀", "null\x00byte"])

    compare(scenario)


def test_type_float(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Float, [1.5, -0.1, 1e300, 0.0, 3])

    compare(scenario)


def test_type_numeric_scale_2(compare):
    def scenario(lib):
        _roundtrip(
            lib,
            lib.sa.Numeric(10, 2),
            [Decimal("12.34"), Decimal("0.10"), Decimal("-99999999.99"), Decimal("1.5"), None],
        )

    compare(scenario)


@pytest.mark.xfail(strict=True, reason="deliberate difference: lightalchemy refuses to round a Decimal past 15 significant digits on SQLite (SQLAlchemy rounds it silently); see README")
def test_type_numeric_large_precision(compare):
    def scenario(lib):
        _roundtrip(
            lib,
            lib.sa.Numeric(30, 10),
            [Decimal("12345678901234567890.0123456789"), Decimal("0.0000000001"), Decimal("1")],
        )

    compare(scenario)


def test_type_numeric_asdecimal_false(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Numeric(10, 2, asdecimal=False), [Decimal("2.50"), 3.25])

    compare(scenario)


def test_type_boolean(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Boolean, [True, False, None])

    compare(scenario)


def test_type_date(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Date, [datetime.date(2024, 2, 29), datetime.date(1, 1, 1)])

    compare(scenario)


def test_type_datetime(compare):
    def scenario(lib):
        _roundtrip(
            lib,
            lib.sa.DateTime,
            [
                datetime.datetime(2024, 1, 2, 3, 4, 5),
                datetime.datetime(2024, 1, 2, 3, 4, 5, 678901),
                datetime.datetime(1999, 12, 31, 23, 59, 59, 1),
            ],
        )

    compare(scenario)


def test_type_time(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Time, [datetime.time(0, 0), datetime.time(13, 45, 7, 250)])

    compare(scenario)


def test_type_largebinary(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.LargeBinary, [b"\x00\x01\xff", b"", bytes(range(256))])

    compare(scenario)


def test_type_enum(compare):
    def scenario(lib):
        _roundtrip(lib, lib.sa.Enum(Color), [Color.red, Color.blue, None])

    compare(scenario)


def test_type_enum_accepts_member_name_string(compare):
    def scenario(lib):
        engine, t = _roundtrip(lib, lib.sa.Enum(Color), ["green"], raw=False)
        lib.out(t.c.v.type.enums)

    compare(scenario)


def test_type_enum_unknown_value_in_database(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table("t", md, sa.Column("v", sa.Enum(Color)))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO t (v) VALUES ('purple')"))
            try:
                conn.execute(sa.select(t.c.v)).all()
            except LookupError as error:
                lib.out(type(error).__name__)

    compare(scenario)


def test_type_json(compare):
    def scenario(lib):
        _roundtrip(
            lib,
            lib.sa.JSON,
            [
                {"a": 1, "nested": {"list": [1, 2.5, "x", None, True], "deep": {"k": []}}},
                [1, "two", {"three": 3}],
                "just a string",
                42,
                {"unicode": "Ёж"},
            ],
        )

    compare(scenario)


def test_type_json_null_vs_sql_null(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("plain", sa.JSON),
            sa.Column("none_as_null", sa.JSON(none_as_null=True)),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert(), {"id": 1, "plain": None, "none_as_null": None})
            lib.out(tuple(conn.execute(sa.select(t.c.plain, t.c.none_as_null)).one()))
            raw = conn.execute(sa.text("SELECT plain, none_as_null FROM t")).one()
            lib.out(tuple(raw))

    compare(scenario)


def test_type_uuid(compare):
    def scenario(lib):
        _roundtrip(
            lib,
            lib.sa.Uuid,
            [uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.UUID(int=0), None],
        )

    compare(scenario)


def test_type_uuid_as_string(compare):
    def scenario(lib):
        _roundtrip(
            lib,
            lib.sa.Uuid(as_uuid=False),
            ["12345678-1234-5678-1234-567812345678"],
        )

    compare(scenario)


def test_types_module_exports(compare):
    def scenario(lib):
        names = [
            "Integer",
            "BigInteger",
            "SmallInteger",
            "String",
            "Text",
            "Unicode",
            "Float",
            "Numeric",
            "Boolean",
            "Date",
            "DateTime",
            "Time",
            "LargeBinary",
            "Enum",
            "JSON",
            "Uuid",
        ]
        lib.out([getattr(lib.types, n) is getattr(lib.sa, n) for n in names])

    compare(scenario)


def test_datetime_orm_roundtrip(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Ev(Base):
            __tablename__ = "ev"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            at: orm.Mapped[datetime.datetime]
            day: orm.Mapped[datetime.date]
            price: orm.Mapped[Decimal] = orm.mapped_column(sa.Numeric(10, 2))
            flag: orm.Mapped[bool]
            color: orm.Mapped[Color]
            key: orm.Mapped[uuid.UUID]

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(
                Ev(
                    at=datetime.datetime(2020, 5, 6, 7, 8, 9, 10),
                    day=datetime.date(2020, 5, 6),
                    price=Decimal("9.99"),
                    flag=False,
                    color=Color.green,
                    key=uuid.UUID(int=7),
                )
            )
            s.commit()
        with orm.Session(engine) as s:
            e = s.scalars(sa.select(Ev)).one()
            for name in ("at", "day", "price", "flag", "color", "key"):
                value = getattr(e, name)
                lib.out(name, type(value).__name__, value)

    compare(scenario)


# -- keys and constraints -------------------------------------------------------------------


def test_composite_primary_key(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("a", sa.Integer, primary_key=True),
            sa.Column("b", sa.String, primary_key=True),
            sa.Column("v", sa.String),
        )
        lib.out([c.name for c in t.primary_key])
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            r = conn.execute(t.insert().values(a=1, b="x", v="first"))
            lib.out(tuple(r.inserted_primary_key))
            conn.execute(t.insert().values(a=1, b="y", v="second"))
            conn.execute(t.insert().values(a=2, b="x", v="third"))
            conn.commit()
            try:
                conn.execute(t.insert().values(a=1, b="x", v="dup"))
            except lib.exc.IntegrityError as error:
                lib.out(type(error).__name__)
                conn.rollback()
            rows = conn.execute(sa.select(t).order_by(t.c.a, t.c.b)).all()
            lib.out([tuple(r) for r in rows])

    compare(scenario)


def test_autoincrement_and_inserted_primary_key(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("v", sa.String)
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            for v in ("a", "b", "c"):
                r = conn.execute(t.insert().values(v=v))
                lib.out(tuple(r.inserted_primary_key), r.lastrowid)
            conn.execute(t.delete().where(t.c.id == 3))
            r = conn.execute(t.insert().values(v="d"))
            lib.out(tuple(r.inserted_primary_key))
            r = conn.execute(t.insert().values(id=100, v="e"))
            lib.out(tuple(r.inserted_primary_key))
            r = conn.execute(t.insert().values(v="f"))
            lib.out(tuple(r.inserted_primary_key))

    compare(scenario)


def test_sqlite_autoincrement_keyword(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("v", sa.String),
            sqlite_autoincrement=True,
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert(), [{"v": "a"}, {"v": "b"}, {"v": "c"}])
            conn.execute(t.delete().where(t.c.id == 3))
            r = conn.execute(t.insert().values(v="d"))
            lib.out(tuple(r.inserted_primary_key))

    compare(scenario)


def test_not_null_violation(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String, nullable=False),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            for values in ({"name": None}, {}):
                try:
                    conn.execute(t.insert().values(**values))
                except lib.exc.IntegrityError as error:
                    lib.out(type(error).__name__, type(error.orig).__name__)
                    conn.rollback()
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())

    compare(scenario)


def test_unique_violation(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("email", sa.String, unique=True),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            conn.execute(t.insert().values(email="a@x"))
            conn.execute(t.insert().values(email=None))
            conn.execute(t.insert().values(email=None))  # NULLs are distinct
            conn.commit()
            try:
                conn.execute(t.insert().values(email="a@x"))
            except lib.exc.IntegrityError as error:
                lib.out(type(error).__name__)
                conn.rollback()
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())

    compare(scenario)


def test_index_true_creates_named_index(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "people",
            md,
            sa.Column("id", sa.Integer, primary_key=True, index=True),
            sa.Column("name", sa.String, index=True),
            sa.Column("code", sa.String, index=True, unique=True),
        )
        lib.out(sorted(ix.name for ix in t.indexes))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("PRAGMA index_list(people)")).all()
            lib.out(sorted((r[1], r[2]) for r in rows if not r[1].startswith("sqlite_")))
            conn.execute(t.insert().values(name="n", code="c"))
            try:
                conn.execute(t.insert().values(name="n", code="c"))
            except lib.exc.IntegrityError as error:
                lib.out(type(error).__name__)

    compare(scenario)


def test_default_value_and_callable(compare):
    def scenario(lib):
        sa = lib.sa
        calls = []

        def make_label():
            calls.append(1)
            return f"label-{len(calls)}"

        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("status", sa.String, default="new"),
            sa.Column("label", sa.String, default=make_label),
            sa.Column("n", sa.Integer, default=0),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert().values(id=1))
            conn.execute(t.insert().values(id=2, status="old", label="given", n=5))
            conn.execute(t.insert(), [{"id": 3}, {"id": 4}])
            lib.out([tuple(r) for r in conn.execute(sa.select(t).order_by(t.c.id))])
            # the Python-side default is not part of the table definition
            conn.execute(sa.text("INSERT INTO t (id) VALUES (5)"))
            lib.out(tuple(conn.execute(sa.select(t).where(t.c.id == 5)).one()))
        lib.out(len(calls))

    compare(scenario)


def test_server_default(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("n", sa.Integer, server_default=sa.text("42")),
            sa.Column("s", sa.String, server_default="plain"),
            sa.Column("quoted", sa.String, server_default="it's"),
            sa.Column("expr", sa.Integer, server_default=sa.text("(6 * 7)")),
            sa.Column("ts", sa.String, server_default=sa.func.current_date()),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert().values(id=1))
            conn.execute(sa.text("INSERT INTO t (id) VALUES (2)"))
            conn.execute(t.insert().values(id=3, n=1, s="given"))
            for row in conn.execute(sa.select(t).order_by(t.c.id)):
                lib.out(row.id, row.n, row.s, row.quoted, row.expr, len(row.ts))

    compare(scenario)


def test_onupdate(compare):
    def scenario(lib):
        sa = lib.sa
        counter = []

        def bump():
            counter.append(1)
            return len(counter)

        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String),
            sa.Column("version", sa.Integer, default=0, onupdate=bump),
            sa.Column("touched", sa.String, onupdate="yes"),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert(), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
            conn.execute(t.update().where(t.c.id == 1).values(name="A"))
            conn.execute(t.update().values(name=t.c.name + "!"))
            conn.execute(t.update().where(t.c.id == 2).values(name="B", version=99))
            lib.out([tuple(r) for r in conn.execute(sa.select(t).order_by(t.c.id))])
        lib.out(len(counter))

    compare(scenario)


def test_onupdate_orm(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        counter = []

        def bump():
            counter.append(1)
            return len(counter) * 10

        class Base(orm.DeclarativeBase):
            pass

        class Doc(Base):
            __tablename__ = "docs"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            body: orm.Mapped[str]
            edits: orm.Mapped[int] = orm.mapped_column(default=0, onupdate=bump)

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            d = Doc(body="v1")
            s.add(d)
            s.commit()
            lib.out(d.edits)
            d.body = "v2"
            s.commit()
            lib.out(d.edits)
            d.body = "v3"
            s.flush()
            lib.out(d.edits)
            s.commit()
            s.commit()  # nothing changed: onupdate not called again
            lib.out(d.edits, len(counter))

    compare(scenario)


def test_foreign_key_ondelete_cascade(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
        child = sa.Table(
            "child",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", ondelete="CASCADE")),
            sa.Column("other_id", sa.Integer, sa.ForeignKey("parent.id", ondelete="SET NULL")),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            fks = conn.execute(sa.text("PRAGMA foreign_key_list(child)")).all()
            lib.out(sorted((r[2], r[3], r[4], r[6]) for r in fks))
            lib.out([fk.target_fullname for fk in child.c.parent_id.foreign_keys])
            conn.execute(sa.text("PRAGMA foreign_keys=ON"))
            conn.execute(parent.insert(), [{"id": 1}, {"id": 2}])
            conn.execute(
                child.insert(),
                [
                    {"id": 10, "parent_id": 1, "other_id": 2},
                    {"id": 11, "parent_id": 2, "other_id": 1},
                ],
            )
            conn.execute(parent.delete().where(parent.c.id == 1))
            rows = conn.execute(sa.select(child).order_by(child.c.id)).all()
            lib.out([tuple(r) for r in rows])
            try:
                conn.execute(child.insert().values(id=12, parent_id=99))
            except lib.exc.IntegrityError as error:
                lib.out(type(error).__name__)
            conn.rollback()

    compare(scenario)


def test_foreign_key_not_enforced_by_default(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
        child = sa.Table(
            "child",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.ForeignKey("parent.id")),
        )
        lib.out(type(child.c.parent_id.type).__name__)
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(child.insert().values(id=1, parent_id=123))
            lib.out(conn.execute(sa.select(child.c.parent_id)).scalar())

    compare(scenario)


def test_index_and_unique_constraint_objects(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("a", sa.Integer),
            sa.Column("b", sa.Integer),
            sa.Column("c", sa.String),
            sa.UniqueConstraint("a", "b", name="uq_a_b"),
            sa.Index("ix_t_c", "c"),
        )
        sa.Index("ix_t_b_c", t.c.b, t.c.c, unique=True)
        lib.out(sorted(ix.name for ix in t.indexes))
        lib.out(sorted(c.name for c in t.constraints if c.name))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("PRAGMA index_list(t)")).all()
            lib.out(sorted((r[1], r[2]) for r in rows if r[1].startswith("ix_")))
            conn.execute(t.insert().values(a=1, b=1, c="x"))
            conn.execute(t.insert().values(a=1, b=2, c="x"))
            conn.commit()
            for values in ({"a": 1, "b": 1, "c": "y"}, {"a": 5, "b": 2, "c": "x"}):
                try:
                    conn.execute(t.insert().values(**values))
                except lib.exc.IntegrityError as error:
                    lib.out(type(error).__name__)
                    conn.rollback()

    compare(scenario)


def test_check_constraint(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("age", sa.Integer, sa.CheckConstraint("age >= 0")),
            sa.Column("lo", sa.Integer),
            sa.Column("hi", sa.Integer),
            sa.CheckConstraint("lo <= hi", name="ck_range"),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.connect() as conn:
            conn.execute(t.insert().values(age=1, lo=1, hi=2))
            conn.commit()
            for values in ({"age": -1}, {"age": 5, "lo": 3, "hi": 2}):
                try:
                    conn.execute(t.insert().values(**values))
                except lib.exc.IntegrityError as error:
                    lib.out(type(error).__name__, type(error.orig).__name__)
                    conn.rollback()
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())

    compare(scenario)


def test_create_all_twice_and_checkfirst(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        md.create_all(engine)
        md.create_all(bind=engine, checkfirst=True)
        try:
            md.create_all(engine, checkfirst=False)
        except lib.exc.SQLAlchemyError as error:
            lib.out(type(error).__name__)
        with engine.connect() as conn:
            names = conn.execute(
                sa.text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            ).scalars()
            lib.out(list(names))

    compare(scenario)


def test_drop_all_in_foreign_key_order(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        # declared child-first on purpose
        sa.Table(
            "grandchild",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("child_id", sa.ForeignKey("child.id")),
        )
        sa.Table(
            "child",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.ForeignKey("parent.id")),
        )
        parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
        sa.Table("unrelated", md, sa.Column("id", sa.Integer, primary_key=True))
        lib.out([t.name for t in md.sorted_tables])
        engine = sa.create_engine(lib.url)

        def tables():
            with engine.connect() as conn:
                return (
                    conn.execute(
                        sa.text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                    )
                    .scalars()
                    .all()
                )

        md.create_all(engine)
        lib.out(tables())
        md.drop_all(engine, tables=[parent])
        lib.out(tables())
        md.drop_all(engine)
        lib.out(tables())
        md.drop_all(engine)  # checkfirst: nothing to drop, no error
        lib.out(tables())

    compare(scenario)


def test_drop_all_with_foreign_keys_enforced(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        child = sa.Table(
            "child",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.ForeignKey("parent.id")),
        )
        parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            conn.execute(sa.text("PRAGMA foreign_keys=ON"))
            md.create_all(conn)
            conn.execute(parent.insert().values(id=1))
            conn.execute(child.insert().values(id=1, parent_id=1))
            conn.commit()
            md.drop_all(conn)
            conn.commit()
            names = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type='table'"))
            lib.out(names.scalars().all())

    compare(scenario)


def test_reserved_word_identifiers_core(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        group = sa.Table(
            "group",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("order", sa.Integer, index=True),
            sa.Column("select", sa.String),
            sa.Column("from", sa.String, default="d"),
        )
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(group.insert(), [{"order": 2, "select": "b"}, {"order": 1, "select": "a"}])
            conn.execute(group.update().where(group.c.order == 2).values(select="B"))
            rows = conn.execute(
                sa.select(group.c.id, group.c.order, group.c.select, group.c["from"])
                .where(group.c.order > 0)
                .order_by(group.c.order)
            ).all()
            lib.out([tuple(r) for r in rows])
            conn.execute(group.delete().where(group.c.order == 1))
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(group)).scalar())
        md.drop_all(engine)

    compare(scenario)


def test_reserved_word_identifiers_orm(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Group(Base):
            __tablename__ = "group"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            order: orm.Mapped[int]
            where: orm.Mapped[str | None] = orm.mapped_column("where")

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Group(order=3, where="x"), Group(order=1)])
            s.commit()
            g = s.scalars(sa.select(Group).where(Group.order == 3)).one()
            g.order = 4
            s.commit()
            lib.out([(x.id, x.order, x.where) for x in s.query(Group).order_by(Group.order)])
            s.delete(g)
            s.commit()
            lib.out(s.query(Group).count())

    compare(scenario)


def test_enum_unknown_string_is_stored_and_fails_on_read(compare):
    def scenario(lib):
        sa = lib.sa

        class Color(enum.Enum):
            red = 1
            green = 2

        metadata = sa.MetaData()
        t = sa.Table("t", metadata, sa.Column("c", sa.Enum(Color)),
                     sa.Column("s", sa.Enum("a", "b")),
                     sa.Column("v", sa.Enum("a", "b", validate_strings=True)))
        engine = sa.create_engine(lib.url)
        metadata.create_all(engine)
        with engine.begin() as conn:
            for row in ({"c": "red"}, {"c": "PURPLE"}, {"c": Color.green}, {"s": "zz"}):
                conn.execute(t.insert(), row)
            try:
                conn.execute(t.insert(), {"v": "zz"})
                lib.out("stored")
            except Exception as error:
                lib.out(type(error).__name__)
            lib.out(conn.exec_driver_sql("SELECT c, s FROM t ORDER BY rowid").all())
            try:
                conn.execute(sa.select(t.c.c)).all()
                lib.out("read")
            except LookupError as error:
                lib.out(type(error).__name__)

    compare(scenario)


def test_sql_expression_default_with_bound_values(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        md = sa.MetaData()
        t = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("state", sa.String, default=sa.func.upper("draft")),
                     sa.Column("note", sa.String, server_default=sa.text("'n/a'")))
        engine = sa.create_engine(lib.url)
        md.create_all(engine)
        with engine.begin() as conn:
            conn.execute(t.insert(), {"id": 1})
            conn.execute(t.insert(), [{"id": 2}, {"id": 3}])
            conn.execute(t.insert().values(id=4, state="given"))
            lib.out(conn.execute(sa.select(t).order_by(t.c.id)).all())

        class Base(orm.DeclarativeBase):
            pass

        class Draft(Base):
            __table__ = t

        with orm.Session(engine) as s:
            drafts = [Draft(), Draft(state=None), Draft(state="x")]
            s.add_all(drafts)
            s.flush()
            lib.out([(d.id, d.state, d.note) for d in drafts])

    compare(scenario)
