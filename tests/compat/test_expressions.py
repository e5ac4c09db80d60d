
"""SQL expressions through Core: operators, functions, select/insert/update/delete."""

PEOPLE = [
    (1, "Alice", 30, "alice@example.com"),
    (2, "bob", 25, None),
    (3, "Carol", 35, "carol@test.org"),
    (4, "dave", None, "dave@example.com"),
    (5, "Eve", 30, "eve_1%@x.io"),
]


def _people(lib):
    sa = lib.sa
    md = sa.MetaData()
    t = sa.Table(
        "people",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Column("age", sa.Integer),
        sa.Column("email", sa.String),
    )
    engine = sa.create_engine(lib.url)
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            t.insert(),
            [dict(zip(("id", "name", "age", "email"), row, strict=True)) for row in PEOPLE],
        )
    return engine, t


def _ids(lib, *criteria):
    """Scenario body: record the ids matching each criterion, in id order."""
    engine, t = _people(lib)
    with engine.connect() as conn:
        for make in criteria:
            stmt = lib.sa.select(t.c.id).where(make(t.c, lib.sa)).order_by(t.c.id)
            lib.out(conn.execute(stmt).scalars().all())


def _values(lib, *expressions):
    """Scenario body: record the value of each expression for every row."""
    engine, t = _people(lib)
    with engine.connect() as conn:
        for make in expressions:
            stmt = lib.sa.select(make(t.c, lib.sa)).order_by(t.c.id)
            lib.out(conn.execute(stmt).scalars().all())


# -- comparison operators ---------------------------------------------------------------


def test_eq_ne(compare):
    compare(lambda lib: _ids(lib, lambda c, sa: c.age == 30, lambda c, sa: c.age != 30))


def test_lt_le_gt_ge(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.age < 30,
            lambda c, sa: c.age <= 30,
            lambda c, sa: c.age > 30,
            lambda c, sa: c.age >= 30,
        )
    )


def test_comparison_with_string_and_column(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.name == "bob",
            lambda c, sa: c.name > "C",
            lambda c, sa: c.id == c.age - 24,
            lambda c, sa: 30 == c.age,
        )
    )


def test_arithmetic(compare):
    compare(
        lambda lib: _values(
            lib,
            lambda c, sa: c.age + 1,
            lambda c, sa: c.age - c.id,
            lambda c, sa: c.age * 2,
            lambda c, sa: c.age % 7,
            lambda c, sa: -c.id,
            lambda c, sa: 100 - c.id,
        )
    )


def test_division(compare):
    compare(
        lambda lib: _values(
            lib,
            lambda c, sa: c.age / 4,
            lambda c, sa: c.age // 4,
            lambda c, sa: c.age / 2.0,
        )
    )


def test_string_concatenation(compare):
    compare(lambda lib: _values(lib, lambda c, sa: c.name + "!", lambda c, sa: "<" + c.name))


def test_in_and_not_in(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.id.in_([1, 3, 5]),
            lambda c, sa: c.name.in_(["bob", "nobody"]),
            lambda c, sa: c.id.not_in([1, 3, 5]),
            lambda c, sa: c.age.not_in([30]),
            lambda c, sa: ~c.id.in_([2]),
        )
    )


def test_in_empty_list(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.id.in_([]),
            lambda c, sa: c.id.not_in([]),
        )
    )


def test_in_subquery(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            sub = sa.select(t.c.age).where(t.c.name == "Alice")
            stmt = sa.select(t.c.id).where(t.c.age.in_(sub)).order_by(t.c.id)
            lib.out(conn.execute(stmt).scalars().all())

    compare(scenario)


def test_like_and_ilike(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.name.like("%o%"),
            lambda c, sa: c.name.like("a%"),
            lambda c, sa: c.name.ilike("a%"),
            lambda c, sa: c.name.ilike("%E"),
            lambda c, sa: c.name.not_like("%o%"),
            lambda c, sa: c.email.like("%@example.com"),
            lambda c, sa: c.name.like("_ob"),
        )
    )


def test_null_tests(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.email.is_(None),
            lambda c, sa: c.email.is_not(None),
            lambda c, sa: c.email == None,  # noqa: E711
            lambda c, sa: c.email != None,  # noqa: E711
            lambda c, sa: c.age.is_(None),
        )
    )


def test_ordering_comparison_with_none_rejected(compare):
    def scenario(lib):
        sa = lib.sa
        md = sa.MetaData()
        t = sa.Table("t", md, sa.Column("x", sa.Integer))
        try:
            sa.select(t).where(t.c.x > None)
        except lib.exc.SQLAlchemyError as error:
            lib.out(type(error).__name__)

    compare(scenario)


def test_between(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.age.between(25, 30),
            lambda c, sa: c.id.between(2, 4),
            lambda c, sa: ~c.age.between(25, 30),
            lambda c, sa: sa.between(c.id, 4, 99),
        )
    )


def test_startswith_endswith_contains(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.name.startswith("C"),
            lambda c, sa: c.name.startswith("c"),
            lambda c, sa: c.email.endswith(".com"),
            lambda c, sa: c.name.contains("a"),
            lambda c, sa: c.email.contains("example"),
        )
    )


def test_contains_with_wildcards_and_autoescape(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: c.email.contains("%"),
            lambda c, sa: c.email.contains("1%", autoescape=True),
            lambda c, sa: c.email.contains("_1", autoescape=True),
            lambda c, sa: c.email.startswith("eve_", autoescape=True),
            lambda c, sa: c.email.contains("e_1"),
        )
    )


def test_and_or_not(compare):
    compare(
        lambda lib: _ids(
            lib,
            lambda c, sa: sa.and_(c.age >= 30, c.email.is_not(None)),
            lambda c, sa: sa.or_(c.age < 30, c.age.is_(None)),
            lambda c, sa: sa.not_(c.age == 30),
            lambda c, sa: (c.age == 30) & (c.id > 1),
            lambda c, sa: (c.id == 1) | (c.id == 4),
            lambda c, sa: ~(c.name == "bob"),
            lambda c, sa: sa.and_(c.id > 1, sa.or_(c.name == "bob", c.name == "dave")),
        )
    )


def test_where_multiple_calls_and_args(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            stmt = sa.select(t.c.id).where(t.c.age >= 30).where(t.c.id > 1).order_by(t.c.id)
            lib.out(conn.execute(stmt).scalars().all())
            stmt = sa.select(t.c.id).where(t.c.age >= 30, t.c.name != "Eve").order_by(t.c.id)
            lib.out(conn.execute(stmt).scalars().all())
            stmt = sa.select(t.c.id).filter(t.c.age == 30).order_by(t.c.id)
            lib.out(conn.execute(stmt).scalars().all())
            stmt = sa.select(t.c.id).filter_by(name="bob")
            lib.out(conn.execute(stmt).scalars().all())

    compare(scenario)


# -- ordering, limiting ------------------------------------------------------------------


def test_order_by_asc_desc(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            for order in (
                (t.c.name,),
                (t.c.name.desc(),),
                (sa.desc(t.c.id),),
                (sa.asc(t.c.id),),
                (t.c.age.desc(), t.c.id.asc()),
                (t.c.age, t.c.id.desc()),
                (sa.func.lower(t.c.name),),
                ("name",),
            ):
                lib.out(conn.execute(sa.select(t.c.id).order_by(*order)).scalars().all())

    compare(scenario)


def test_limit_offset(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            base = sa.select(t.c.id).order_by(t.c.id)
            lib.out(conn.execute(base.limit(2)).scalars().all())
            lib.out(conn.execute(base.limit(2).offset(2)).scalars().all())
            lib.out(conn.execute(base.offset(3)).scalars().all())
            lib.out(conn.execute(base.limit(0)).scalars().all())
            lib.out(conn.execute(base.offset(10)).scalars().all())
            lib.out(conn.execute(base.limit(10).offset(1)).scalars().all())

    compare(scenario)


def test_distinct(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            stmt = sa.select(t.c.age).distinct().order_by(t.c.age)
            lib.out(conn.execute(stmt).scalars().all())

    compare(scenario)


def test_label(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            stmt = sa.select(t.c.name.label("who"), (t.c.age + 1).label("next_age")).where(
                t.c.id == 1
            )
            result = conn.execute(stmt)
            lib.out(list(result.keys()))
            row = result.one()
            lib.out(row.who, row.next_age, dict(row._mapping))
            stmt = sa.select(sa.func.count(t.c.id).label("n"))
            lib.out(conn.execute(stmt).mappings().one()["n"])

    compare(scenario)


# -- functions -------------------------------------------------------------------------------


def test_func_count(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
            lib.out(conn.execute(sa.select(sa.func.count(t.c.id))).scalar())
            lib.out(conn.execute(sa.select(sa.func.count(t.c.email))).scalar())
            lib.out(conn.execute(sa.select(sa.func.count(t.c.age.distinct()))).scalar())
            stmt = sa.select(sa.func.count()).select_from(t).where(t.c.age > 100)
            lib.out(conn.execute(stmt).scalar())

    compare(scenario)


def test_func_lower_upper_length(compare):
    compare(
        lambda lib: _values(
            lib,
            lambda c, sa: sa.func.lower(c.name),
            lambda c, sa: sa.func.upper(c.name),
            lambda c, sa: sa.func.length(c.name),
            lambda c, sa: sa.func.length(c.email),
        )
    )


def test_func_aggregates(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa, f = lib.sa, lib.sa.func
        with engine.connect() as conn:
            stmt = sa.select(f.max(t.c.age), f.min(t.c.age), f.sum(t.c.age), f.max(t.c.name))
            lib.out(tuple(conn.execute(stmt).one()))
            stmt = sa.select(f.sum(t.c.age), f.max(t.c.age)).where(t.c.id > 100)
            lib.out(tuple(conn.execute(stmt).one()))
            lib.out(conn.execute(sa.select(f.avg(t.c.age))).scalar())

    compare(scenario)


def test_func_coalesce_and_abs(compare):
    compare(
        lambda lib: _values(
            lib,
            lambda c, sa: sa.func.coalesce(c.email, "none"),
            lambda c, sa: sa.func.abs(c.id - 3),
        )
    )


def test_group_by_having(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            stmt = (
                sa.select(t.c.age, sa.func.count().label("n")).group_by(t.c.age).order_by(t.c.age)
            )
            lib.out([tuple(r) for r in conn.execute(stmt)])
            stmt = sa.select(t.c.age).group_by(t.c.age).having(sa.func.count() > 1)
            lib.out(conn.execute(stmt).scalars().all())

    compare(scenario)


# -- insert / update / delete ---------------------------------------------------------------


def test_insert_values(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.begin() as conn:
            r = conn.execute(sa.insert(t).values(name="Zed", age=50))
            lib.out(r.rowcount, tuple(r.inserted_primary_key))
            r = conn.execute(t.insert().values({"name": "Yan", "age": 51}))
            lib.out(tuple(r.inserted_primary_key))
            r = conn.execute(sa.insert(t), {"name": "Xi", "age": 52})
            lib.out(tuple(r.inserted_primary_key))
            r = conn.execute(t.insert().values([{"name": "W1"}, {"name": "W2"}]))
            lib.out(r.rowcount)
            rows = conn.execute(sa.select(t.c.id, t.c.name, t.c.age).where(t.c.id > 5))
            lib.out([tuple(r) for r in rows])

    compare(scenario)


def test_update_values_where_rowcount(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.begin() as conn:
            r = conn.execute(sa.update(t).where(t.c.age == 30).values(age=31))
            lib.out(r.rowcount)
            r = conn.execute(t.update().where(t.c.id == 99).values(age=1))
            lib.out(r.rowcount)
            r = conn.execute(sa.update(t).values(age=t.c.age + 1))
            lib.out(r.rowcount)
            r = conn.execute(
                sa.update(t).where(t.c.id == 2).values({"name": "Bob", "email": "b@b"})
            )
            lib.out(r.rowcount)
            rows = conn.execute(sa.select(t.c.id, t.c.name, t.c.age, t.c.email).order_by(t.c.id))
            lib.out([tuple(r) for r in rows])

    compare(scenario)


def test_update_with_bound_parameters(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.begin() as conn:
            stmt = sa.update(t).where(t.c.id == sa.bindparam("pid")).values(age=sa.bindparam("a"))
            r = conn.execute(stmt, [{"pid": 1, "a": 11}, {"pid": 2, "a": 22}])
            lib.out(r.rowcount)
            lib.out(conn.execute(sa.select(t.c.age).order_by(t.c.id)).scalars().all())

    compare(scenario)


def test_delete_where_rowcount(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.begin() as conn:
            r = conn.execute(sa.delete(t).where(t.c.age == 30))
            lib.out(r.rowcount)
            r = conn.execute(t.delete().where(t.c.name == "nobody"))
            lib.out(r.rowcount)
            lib.out(conn.execute(sa.select(t.c.id).order_by(t.c.id)).scalars().all())
            r = conn.execute(sa.delete(t))
            lib.out(r.rowcount)
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())

    compare(scenario)


def test_text_with_bound_params(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            stmt = sa.text("SELECT name FROM people WHERE age = :age AND id > :min ORDER BY id")
            lib.out(conn.execute(stmt, {"age": 30, "min": 0}).scalars().all())
            lib.out(conn.execute(stmt.bindparams(age=35, min=0)).scalars().all())
            stmt = sa.text("SELECT :a || :b")
            lib.out(conn.execute(stmt, {"a": "x", "b": "y"}).scalar())
            stmt = sa.text("SELECT count(*) FROM people WHERE name = :n")
            lib.out(conn.execute(stmt, {"n": "x' OR '1'='1"}).scalar())

    compare(scenario)


def test_text_escaped_colon(compare):
    def scenario(lib):
        sa = lib.sa
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            lib.out(conn.execute(sa.text(r"SELECT '10\:30'")).scalar())
            lib.out(conn.execute(sa.text(r"SELECT '\:a' || :b"), {"b": "!"}).scalar())

    compare(scenario)


# -- hostile data ---------------------------------------------------------------------------

HOSTILE = [
    "O'Reilly",
    'say "hi"',
    "Robert'); DROP TABLE people;--",
    "1; DELETE FROM people",
    "' OR '1'='1",
    "back\\slash",
    "%_wild%",
    ":notaparam",
    "?",
    "Ünïcødé ✓",
]


def test_hostile_values_round_trip_core(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.begin() as conn:
            for i, value in enumerate(HOSTILE):
                conn.execute(t.insert().values(id=100 + i, name=value, email=value))
            for value in HOSTILE:
                found = conn.execute(sa.select(t.c.name).where(t.c.email == value)).scalars().all()
                lib.out(found == [value])
            lib.out(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
            lib.out(
                conn.execute(sa.select(t.c.id).where(t.c.name.like("%'%")).order_by(t.c.id))
                .scalars()
                .all()
            )

    compare(scenario)


def test_hostile_values_round_trip_text(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.begin() as conn:
            insert = sa.text("INSERT INTO people (id, name) VALUES (:id, :name)")
            conn.execute(insert, [{"id": 100 + i, "name": v} for i, v in enumerate(HOSTILE)])
            names = conn.execute(sa.text("SELECT name FROM people WHERE id >= 100 ORDER BY id"))
            lib.out(names.scalars().all() == HOSTILE)
            lib.out(conn.execute(sa.text("SELECT count(*) FROM people")).scalar())

    compare(scenario)


def test_hostile_values_round_trip_orm(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Note(Base):
            __tablename__ = "notes"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            body: orm.Mapped[str]

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Note(body=v) for v in HOSTILE])
            s.commit()
        with orm.Session(engine) as s:
            lib.out(s.scalars(sa.select(Note.body).order_by(Note.id)).all() == HOSTILE)
            lib.out(s.query(Note).filter_by(body=HOSTILE[2]).one().id)
            lib.out(s.query(Note).filter(Note.body.contains("'")).count())

    compare(scenario)


def test_literal_and_literal_column_free_select(compare):
    def scenario(lib):
        sa = lib.sa
        engine = sa.create_engine(lib.url)
        with engine.connect() as conn:
            row = conn.execute(sa.select(sa.literal(1).label("one"), sa.literal("x").label("s")))
            lib.out(tuple(row.one()))
            lib.out(conn.execute(sa.select(sa.literal("it's"))).scalar())
            lib.out(conn.execute(sa.select(sa.func.upper("abc"))).scalar())

    compare(scenario)


def test_select_whole_table_and_columns(compare):
    def scenario(lib):
        engine, t = _people(lib)
        sa = lib.sa
        with engine.connect() as conn:
            result = conn.execute(sa.select(t).where(t.c.id <= 2).order_by(t.c.id))
            lib.out(list(result.keys()))
            lib.out([tuple(r) for r in result])
            result = conn.execute(t.select().where(t.c.id == 3))
            lib.out(tuple(result.one()))
            result = conn.execute(sa.select(t.c.email, t.c.id).where(t.c.id == 3))
            lib.out(tuple(result.one()))

    compare(scenario)
