"""JSON element access: ``Model.data["k"]``, nested keys, positions, paths, ``as_*()``.

The column is JSON, with JSONB on PostgreSQL (where plain ``json`` has no ``=``),
so the same scenarios compare elements on both databases.
"""

from typing import Any

ROWS = [
    {"name": "a", "n": 5, "f": 1.5, "ok": True, "tags": ["x", "y"],
     "nested": {"k": "v", "arr": [1, 2]}},
    {"name": "b", "n": 2, "f": 0.25, "ok": False, "tags": ["z"],
     "nested": {"k": "w", "arr": [3]}, "extra": None},
    {"name": "c", "n": 9, "f": 3.0, "ok": True, "tags": [], "nested": {"k": "v", "arr": []}},
]


def _setup(lib):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column
    json_type = sa.JSON().with_variant(lib.sa.dialects.postgresql.JSONB(), "postgresql")

    class Base(orm.DeclarativeBase):
        pass

    class Doc(Base):
        __tablename__ = "docs"
        id: Mapped[int] = mapped_column(primary_key=True)
        data: Mapped[Any] = mapped_column(json_type)

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([Doc(data=row) for row in ROWS])
        s.commit()
    return engine, Doc


def _load(lib):
    import sqlalchemy.dialects.postgresql  # noqa: F401

    import lightalchemy.dialects.postgresql  # noqa: F401 - lib.sa.dialects.postgresql


def test_json_elements_read_back(compare):
    def scenario(lib):
        _load(lib)
        sa, orm = lib.sa, lib.orm
        engine, Doc = _setup(lib)
        d = Doc.data
        columns = [
            d["name"], d["n"], d["f"], d["ok"], d["tags"], d["tags"][1], d["nested"]["k"],
            d[("nested", "arr", 0)], d[("nested", "k")], d["missing"], d["extra"],
            d["name"].as_string(), d["n"].as_integer(), d["f"].as_float(),
            d["ok"].as_boolean(), d["f"].as_numeric(10, 2), d["nested"].as_json(),
            d[("nested", "k")].as_string(), d["tags"][0].as_string(),
            d[("nested", "arr", 1)].as_integer(),
        ]
        with orm.Session(engine) as s:
            for row in s.execute(sa.select(*columns).order_by(Doc.id)):
                lib.out(tuple(row))

    compare(scenario)


def test_json_elements_in_where_and_order_by(compare):
    def scenario(lib):
        _load(lib)
        sa, orm = lib.sa, lib.orm
        engine, Doc = _setup(lib)
        d = Doc.data
        with orm.Session(engine) as s:
            def ids(*criteria, order=(Doc.id,)):
                lib.out(s.scalars(sa.select(Doc.id).where(*criteria).order_by(*order)).all())

            ids(d["tags"] == ["z"])
            ids(d["nested"]["arr"] == [1, 2])
            ids(d["extra"].is_(None))
            ids(d["n"].as_integer() > 3)
            ids(d["f"].as_float() < 1)
            ids(d[("nested", "k")].as_string() == "w")
            ids(d["ok"].as_boolean().is_(True))
            ids(d["name"].as_string().in_(["a", "c"]))
            ids(d["name"].as_string().like("b%"))
            ids(d["tags"][0].as_string() == "x")
            ids(d["missing"].as_string().is_(None))
            ids(order=(d["n"].as_integer().desc(),))
            ids(order=(d["f"].as_numeric(10, 2),))
            lib.out(s.scalar(sa.select(sa.func.sum(d["n"].as_integer()))))
            lib.out(s.query(Doc).filter(d["name"].as_string() == "b").one().data["n"])
            labeled = s.execute(sa.select(d["name"].as_string().label("nm"))
                                .order_by(Doc.id)).mappings().all()
            lib.out([dict(m) for m in labeled])

    compare(scenario)


def test_json_element_compared_with_plain_values(compare):
    """As in SQLAlchemy, a plain value is sent as itself, not as JSON text: on SQLite
    ``JSON_QUOTE(...) = 'a'`` matches no row (the element reads '"a"'); use
    ``as_string()`` / ``as_integer()`` to compare with plain values."""

    def scenario(lib):
        _load(lib)
        sa, orm = lib.sa, lib.orm
        engine, Doc = _setup(lib)
        d = Doc.data
        with orm.Session(engine) as s:
            for criterion in (d["name"] == "a", d["n"] == 2, d["nested"]["k"] == "v",
                              d["name"] != "a", d["name"] == '"a"'):
                lib.out(s.scalars(sa.select(Doc.id).where(criterion).order_by(Doc.id)).all())

    compare(scenario)


def test_json_element_in_update(compare):
    def scenario(lib):
        _load(lib)
        sa, orm = lib.sa, lib.orm
        engine, Doc = _setup(lib)
        with orm.Session(engine) as s:
            result = s.execute(sa.update(Doc).where(Doc.data["n"].as_integer() >= 5)
                               .values(data={"name": "z"})
                               .execution_options(synchronize_session=False))
            lib.out(result.rowcount)
            s.commit()
            lib.out(s.scalars(sa.select(Doc.data["name"]).order_by(Doc.id)).all())

    compare(scenario)


def test_indexing_a_non_json_column_is_refused(compare):
    def scenario(lib):
        _load(lib)
        engine, Doc = _setup(lib)
        for attempt in (lambda: Doc.id[0], lambda: Doc.__table__.c.id["k"],
                        lambda: list(Doc.id),
                        lambda: Doc.data["a"].as_string().as_integer()):
            try:
                attempt()
                lib.out("no error")
            except (NotImplementedError, AttributeError, TypeError) as error:
                lib.out(type(error).__name__)

    compare(scenario)
