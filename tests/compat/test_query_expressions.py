"""SQL expressions in ORM queries: case, cast, functions, IN, tuples, NULLs, issue 5.

Every scenario builds the same two tables: ``Person(id, name, age, city)`` with the
seed's Cyrillic names, ASCII names and NULLs, and ``Order(id, person_id, amount,
status)`` joined to it with explicit ON clauses (no relationships).  Values are read
through ``session.execute(select(...))`` unless a scenario is about ``session.query``.
"""

from decimal import Decimal
from typing import Optional

PEOPLE = [
    (1, "Егор", 28, "Москва"),
    (2, "Сергей", 28, None),
    (3, "Владимир", 32, "Казань"),
    (4, "alice", 30, "Paris"),
    (5, "bob", None, "Paris"),
    (6, "carol", 25, None),
]

ORDERS = [
    (1, 1, Decimal("10.50"), "paid"),
    (2, 1, Decimal("5.25"), "new"),
    (3, 3, Decimal("100.00"), "paid"),
    (4, 4, Decimal("7.10"), "cancelled"),
    (5, 4, None, "new"),
    (6, 4, Decimal("3.00"), "paid"),
]


def _setup(lib, *, populate=True):
    """Engine and the ``Person`` / ``Order`` models, populated unless told otherwise."""
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(50))
        age: Mapped[Optional[int]]
        city: Mapped[Optional[str]]

    class Order(Base):
        __tablename__ = "orders"
        id: Mapped[int] = mapped_column(primary_key=True)
        person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id"))
        amount: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(10, 2))
        status: Mapped[str] = mapped_column(sa.String(20))

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    if populate:
        with orm.Session(engine) as s:
            s.add_all([Person(id=i, name=n, age=a, city=c) for i, n, a, c in PEOPLE])
            s.flush()
            s.add_all([Order(id=i, person_id=p, amount=m, status=st) for i, p, m, st in ORDERS])
            s.commit()
    return engine, Person, Order


def _run(lib, body, *, populate=True):
    """Scenario body ``body(lib, s, Person, Order)`` on a fresh session."""
    engine, Person, Order = _setup(lib, populate=populate)
    with lib.orm.Session(engine) as s:
        body(lib, s, Person, Order)


def _person_values(lib, *makers):
    """Scenario body: for each ``make(P, sa)``, its value for every person in id order."""

    def body(lib, s, Person, Order):
        for make in makers:
            stmt = lib.sa.select(make(Person, lib.sa)).order_by(Person.id)
            lib.out(s.scalars(stmt).all())

    _run(lib, body)


def _order_values(lib, *makers):
    """Scenario body: for each ``make(Ord, sa)``, its value for every order in id order."""

    def body(lib, s, Person, Order):
        for make in makers:
            stmt = lib.sa.select(make(Order, lib.sa)).order_by(Order.id)
            lib.out(s.scalars(stmt).all())

    _run(lib, body)


def _person_ids(lib, *criteria):
    """Scenario body: for each ``criterion(P, sa)``, the matching person ids in order."""

    def body(lib, s, Person, Order):
        for criterion in criteria:
            stmt = lib.sa.select(Person.id).where(criterion(Person, lib.sa)).order_by(Person.id)
            lib.out(s.scalars(stmt).all())

    _run(lib, body)


# -- case() --------------------------------------------------------------------------------------


def test_case_searched(compare):
    compare(
        lambda lib: _person_values(
            lib,
            lambda P, sa: sa.case((P.age < 28, "young"), (P.age >= 30, "old"), else_="mid"),
            lambda P, sa: sa.case((P.age < 28, "young")),
            lambda P, sa: sa.case((P.city == None, "?"), else_=P.city),  # noqa: E711
            lambda P, sa: sa.case((P.age > 29, P.age * 10), else_=0),
            lambda P, sa: sa.case((P.name.like("%o%"), 1), (P.name.like("%e%"), 2), else_=3),
        )
    )


def test_case_with_value(compare):
    compare(
        lambda lib: _person_values(
            lib,
            lambda P, sa: sa.case({"Paris": "FR", "Москва": "RU"}, value=P.city, else_="??"),
            lambda P, sa: sa.case({28: "twenty-eight"}, value=P.age),
            lambda P, sa: sa.case({1: P.name, 2: P.city}, value=P.id, else_="-"),
        )
    )


def test_case_numeric_results(compare):
    compare(
        lambda lib: _order_values(
            lib,
            lambda Ord, sa: sa.case((Ord.amount > 6, Ord.amount), else_=Decimal("0")),
            lambda Ord, sa: sa.case((Ord.status == "paid", Ord.amount), else_=None),
            lambda Ord, sa: sa.case((Ord.status == "paid", 1), else_=0),
        )
    )


def test_case_in_where_order_by_and_group_by(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        band = sa.case((Person.age < 30, "under30"), else_="30+").label("band")
        lib.out(
            s.scalars(sa.select(Person.id).where(band == "30+").order_by(Person.id)).all()
        )
        lib.out(s.scalars(sa.select(Person.id).order_by(band.desc(), Person.id)).all())
        rows = s.execute(sa.select(band, func.count()).group_by(band).order_by(band)).all()
        lib.out([tuple(r) for r in rows])
        paid_total = func.sum(sa.case((Order.status == "paid", Order.amount), else_=0))
        rows = s.execute(
            sa.select(Order.person_id, paid_total).group_by(Order.person_id).order_by(Order.person_id)
        ).all()
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


# -- cast() ----------------------------------------------------------------------------------------


def test_cast(compare):
    compare(
        lambda lib: _person_values(
            lib,
            lambda P, sa: sa.cast(P.age, sa.String),
            lambda P, sa: sa.cast(P.id, sa.String) + "#",
            lambda P, sa: sa.cast("42", sa.Integer) + P.id,
            lambda P, sa: sa.cast(P.age, sa.Float),
            lambda P, sa: sa.cast(P.age, sa.Numeric(10, 2)),
        )
    )


def test_cast_numeric(compare):
    compare(
        lambda lib: _order_values(
            lib,
            lambda Ord, sa: sa.cast(Ord.amount, sa.Integer),
            lambda Ord, sa: sa.cast(Ord.amount, sa.Float),
            lambda Ord, sa: sa.cast(Ord.amount, sa.String),
            lambda Ord, sa: sa.cast(Ord.id, sa.Numeric(10, 2)),
        )
    )


def test_cast_in_where(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: sa.cast(P.age, sa.String) == "28",
            lambda P, sa: sa.cast(P.age, sa.String).like("3%"),
        )
    )


def test_several_labelled_casts_in_one_row(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = (
            sa.select(
                sa.cast(Order.amount, sa.Integer).label("i"),
                sa.cast(Order.amount, sa.Float).label("f"),
                sa.cast(Order.amount, sa.String).label("s"),
            )
            .order_by(Order.id)
        )
        lib.out([r._asdict() for r in s.execute(stmt)])

    compare(lambda lib: _run(lib, body))


# -- coalesce, distinct -------------------------------------------------------------------------------


def test_coalesce(compare):
    compare(
        lambda lib: _person_values(
            lib,
            lambda P, sa: sa.func.coalesce(P.city, "nowhere"),
            lambda P, sa: sa.func.coalesce(P.city, P.name, "x"),
            lambda P, sa: sa.func.coalesce(P.age, -1),
            lambda P, sa: sa.func.coalesce(None, P.age),
        )
    )


def test_coalesce_numeric(compare):
    compare(
        lambda lib: _order_values(
            lib,
            lambda Ord, sa: sa.func.coalesce(Ord.amount, 0),
            lambda Ord, sa: sa.func.coalesce(Ord.amount, Decimal("-1.00")),
        )
    )


def test_distinct(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        lib.out(s.scalars(sa.select(sa.distinct(Person.age)).order_by(Person.age)).all())
        lib.out(s.scalars(sa.select(Person.city.distinct()).order_by(Person.city)).all())
        lib.out(s.scalar(sa.select(func.count(sa.distinct(Person.city)))))
        lib.out(s.scalar(sa.select(func.count(Person.age.distinct()))))
        lib.out(s.scalar(sa.select(func.sum(sa.distinct(Person.age)))))
        lib.out([r[0] for r in s.query(sa.distinct(Order.status)).order_by(Order.status)])

    compare(lambda lib: _run(lib, body))


# -- func.* --------------------------------------------------------------------------------------


def test_aggregates(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        row = s.execute(
            sa.select(
                func.count(),
                func.count(Person.age),
                func.sum(Person.age),
                func.avg(Person.age),
                func.min(Person.age),
                func.max(Person.age),
                func.min(Person.name),
                func.max(Person.city),
            )
        ).one()
        lib.out(tuple(row))
        row = s.execute(
            sa.select(
                func.count(Order.amount),
                func.sum(Order.amount),
                func.avg(Order.amount),
                func.min(Order.amount),
                func.max(Order.amount),
            )
        ).one()
        lib.out(tuple(row))

    compare(lambda lib: _run(lib, body))


def test_aggregates_per_group(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        stmt = (
            sa.select(
                Order.status,
                func.count(Order.id),
                func.sum(Order.amount),
                func.min(Order.amount),
                func.max(Order.amount),
            )
            .group_by(Order.status)
            .order_by(Order.status)
        )
        lib.out([tuple(r) for r in s.execute(stmt)])
        stmt = sa.select(Person.city, func.avg(Person.age)).group_by(Person.city).order_by(Person.city)
        lib.out([tuple(r) for r in s.execute(stmt)])

    compare(lambda lib: _run(lib, body))


def test_string_functions(compare):
    compare(
        lambda lib: _person_values(
            lib,
            lambda P, sa: sa.func.lower(P.name),
            lambda P, sa: sa.func.upper(P.name),
            lambda P, sa: sa.func.length(P.name),
            lambda P, sa: sa.func.length(P.city),
            lambda P, sa: sa.func.lower(P.city),
        )
    )


def test_numeric_functions(compare):
    compare(
        lambda lib: _person_values(
            lib,
            lambda P, sa: sa.func.abs(P.age - 30),
            lambda P, sa: sa.func.abs(-P.id),
            lambda P, sa: sa.func.round(P.age / 7.0, 2),
            lambda P, sa: sa.func.round(P.age * 1.5),
        )
    )


def test_round_and_abs_on_numeric_column(compare):
    compare(
        lambda lib: _order_values(
            lib,
            lambda Ord, sa: sa.func.round(Ord.amount, 1),
            lambda Ord, sa: sa.func.round(Ord.amount),
            lambda Ord, sa: sa.func.abs(Ord.amount - 10),
        )
    )


def test_functions_in_where_and_order_by(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        stmt = sa.select(Person.id).where(func.lower(Person.name) == "alice")
        lib.out(s.scalars(stmt).all())
        stmt = sa.select(Person.id).where(func.length(Person.name) > 4).order_by(Person.id)
        lib.out(s.scalars(stmt).all())
        stmt = sa.select(Person.id).order_by(func.length(Person.name).desc(), Person.id)
        lib.out(s.scalars(stmt).all())
        stmt = sa.select(Person.id).where(func.coalesce(Person.age, 0) < 26).order_by(Person.id)
        lib.out(s.scalars(stmt).all())

    compare(lambda lib: _run(lib, body))


def test_func_count_through_query(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        lib.out(s.query(func.count(Person.id)).scalar())
        lib.out(s.query(func.count(Person.city)).scalar())
        lib.out(s.query(func.sum(Order.amount)).filter(Order.status == "paid").scalar())
        lib.out(tuple(s.query(func.min(Person.age), func.max(Person.age)).one()))

    compare(lambda lib: _run(lib, body))


# -- label() ---------------------------------------------------------------------------------------


def test_label(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        stmt = sa.select(
            Person.name.label("who"),
            (Person.age + 1).label("next"),
            func.upper(Person.name).label("shout"),
        ).order_by(Person.id)
        rows = s.execute(stmt).all()
        lib.out([r._asdict() for r in rows])
        lib.out(rows[0].who, rows[0].next, rows[0].shout, list(rows[0]._fields))
        total = func.sum(Order.amount).label("total")
        stmt = (
            sa.select(Order.person_id, total)
            .group_by(Order.person_id)
            .order_by(total.desc())
        )
        lib.out([r._asdict() for r in s.execute(stmt)])

    compare(lambda lib: _run(lib, body))


# -- in_ / not_in ------------------------------------------------------------------------------------


def test_in_list(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: P.id.in_([1, 3, 5]),
            lambda P, sa: P.name.in_(["Егор", "bob", "nobody"]),
            lambda P, sa: P.age.in_([28, 30]),
            lambda P, sa: P.city.in_(["Paris", None]),
            lambda P, sa: P.id.in_((2, 4)),
        )
    )


def test_in_empty_list(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: P.id.in_([]),
            lambda P, sa: P.id.not_in([]),
            lambda P, sa: P.age.not_in([]),
            lambda P, sa: sa.or_(P.id.in_([]), P.id == 2),
            lambda P, sa: ~P.id.in_([]),
        )
    )


def test_not_in(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: P.id.not_in([1, 3, 5]),
            lambda P, sa: P.age.not_in([28]),
            lambda P, sa: P.city.not_in(["Paris"]),
            lambda P, sa: ~P.name.in_(["alice", "bob"]),
        )
    )


def test_in_subquery(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        paid = sa.select(Order.person_id).where(Order.status == "paid")
        lib.out(s.scalars(sa.select(Person.id).where(Person.id.in_(paid)).order_by(Person.id)).all())
        lib.out(s.scalars(sa.select(Person.id).where(Person.id.not_in(paid)).order_by(Person.id)).all())
        big = sa.select(Order.person_id).where(Order.amount > 50).subquery()
        lib.out(s.scalars(sa.select(Person.name).where(Person.id.in_(sa.select(big)))).all())
        none = sa.select(Order.person_id).where(Order.status == "nothing")
        lib.out(s.scalars(sa.select(Person.id).where(Person.id.in_(none))).all())
        ages = sa.select(Person.age).where(Person.city == "Paris")
        lib.out(s.scalars(sa.select(Person.id).where(Person.age.not_in(ages))).all())

    compare(lambda lib: _run(lib, body))


def test_in_scalar_subquery(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        sub = sa.select(Order.person_id).where(Order.amount > 50).scalar_subquery()
        lib.out(s.scalars(sa.select(Person.name).where(Person.id.in_(sub))).all())

    compare(lambda lib: _run(lib, body))


def test_in_through_query(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        q = s.query(Person.id).order_by(Person.id)
        lib.out([r[0] for r in q.filter(Person.id.in_([2, 4, 6]))])
        lib.out([r[0] for r in q.filter(Person.id.in_([]))])
        lib.out([r[0] for r in q.filter(Person.id.in_(sa.select(Order.person_id)))])

    compare(lambda lib: _run(lib, body))


def test_in_with_bindparam_expanding(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = (
            sa.select(Person.id)
            .where(Person.id.in_(sa.bindparam("ids", expanding=True)))
            .order_by(Person.id)
        )
        lib.out(s.scalars(stmt, {"ids": [1, 2, 5]}).all())
        lib.out(s.scalars(stmt, {"ids": [6]}).all())
        lib.out(s.scalars(stmt, {"ids": []}).all())

    compare(lambda lib: _run(lib, body))


# -- tuple_() --------------------------------------------------------------------------------------


def test_tuple_comparisons(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: sa.tuple_(P.age, P.city) == (28, "Москва"),
            lambda P, sa: sa.tuple_(P.age, P.id) > (28, 1),
            lambda P, sa: sa.tuple_(P.age, P.id) <= (28, 2),
            lambda P, sa: sa.tuple_(P.name, P.age) != ("Егор", 28),
        )
    )


def test_tuple_in(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: sa.tuple_(P.name, P.age).in_([("Егор", 28), ("alice", 30), ("x", 1)]),
            lambda P, sa: sa.tuple_(P.age, P.city).in_([(28, "Москва")]),
            lambda P, sa: sa.tuple_(P.name, P.age).not_in([("Егор", 28), ("alice", 30)]),
            lambda P, sa: sa.tuple_(P.id, P.age).in_([]),
        )
    )


def test_tuple_in_with_none_member(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: sa.tuple_(P.name, P.age).in_([("Егор", 28), ("bob", None)]),
        )
    )


def test_tuple_in_subquery(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        pairs = sa.select(Order.person_id, Order.id).where(Order.status == "paid")
        stmt = sa.select(Person.id).where(sa.tuple_(Person.id, Person.id).in_(pairs))
        lib.out(s.scalars(stmt.order_by(Person.id)).all())

    compare(lambda lib: _run(lib, body))


# -- correlated subqueries -----------------------------------------------------------------------------


def test_correlated_scalar_subquery_in_columns(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        n_orders = (
            sa.select(func.count(Order.id)).where(Order.person_id == Person.id).scalar_subquery()
        )
        rows = s.execute(sa.select(Person.name, n_orders.label("n")).order_by(Person.id)).all()
        lib.out([tuple(r) for r in rows])
        lib.out([r._asdict() for r in rows[:2]])
        total = (
            sa.select(func.sum(Order.amount)).where(Order.person_id == Person.id).scalar_subquery()
        )
        rows = s.execute(sa.select(Person.id, total).order_by(Person.id)).all()
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


def test_correlated_scalar_subquery_in_where_and_order_by(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        n_orders = (
            sa.select(func.count(Order.id)).where(Order.person_id == Person.id).scalar_subquery()
        )
        lib.out(s.scalars(sa.select(Person.id).where(n_orders > 1).order_by(Person.id)).all())
        lib.out(s.scalars(sa.select(Person.id).where(n_orders == 0).order_by(Person.id)).all())
        lib.out(s.scalars(sa.select(Person.id).order_by(n_orders.desc(), Person.id)).all())
        people = s.scalars(sa.select(Person).where(n_orders >= 1).order_by(Person.id)).all()
        lib.out([p.name for p in people])

    compare(lambda lib: _run(lib, body))


def test_correlated_subquery_through_query(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        n_orders = (
            sa.select(func.count(Order.id)).where(Order.person_id == Person.id).scalar_subquery()
        )
        rows = s.query(Person.name, n_orders).order_by(Person.id).all()
        lib.out([tuple(r) for r in rows])
        rows = s.query(Person, n_orders.label("n")).order_by(Person.id).all()
        lib.out([(p.id, n) for p, n in rows])

    compare(lambda lib: _run(lib, body))


def test_uncorrelated_scalar_subquery(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        biggest = sa.select(func.max(Order.amount)).scalar_subquery()
        lib.out(s.scalars(sa.select(Order.id).where(Order.amount == biggest)).all())
        avg_age = sa.select(func.avg(Person.age)).scalar_subquery()
        lib.out(s.scalars(sa.select(Person.id).where(Person.age > avg_age).order_by(Person.id)).all())
        rows = s.execute(sa.select(Order.id, biggest.label("top")).order_by(Order.id).limit(2)).all()
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


# -- literal(), null(), true(), false() -----------------------------------------------------------------


def test_literals(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        row = s.execute(
            sa.select(
                sa.literal(5),
                sa.literal("x"),
                sa.literal("Ёж"),
                sa.literal(1.5),
                sa.literal(Decimal("2.50")),
                sa.null(),
                sa.true(),
                sa.false(),
            )
        ).one()
        lib.out(tuple(row))
        lib.out(s.scalar(sa.select(sa.literal(7, sa.Integer) + 1)))
        lib.out(s.scalar(sa.select(sa.literal(True))))
        lib.out(s.scalars(sa.select(sa.literal("k") + Person.name).order_by(Person.id)).all())

    compare(lambda lib: _run(lib, body))


def test_true_false_null_in_where(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: sa.true(),
            lambda P, sa: sa.false(),
            lambda P, sa: sa.and_(sa.true(), P.age == 28),
            lambda P, sa: sa.or_(sa.false(), P.id == 3),
            lambda P, sa: P.city.is_(sa.null()),
            lambda P, sa: P.city == sa.null(),
        )
    )


def test_literal_columns_with_entity(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        rows = s.execute(
            sa.select(Person, sa.literal("tag").label("t"), sa.null().label("n"))
            .where(Person.id < 3)
            .order_by(Person.id)
        ).all()
        lib.out([(p.id, t, n) for p, t, n in rows])

    compare(lambda lib: _run(lib, body))


# -- string concatenation ---------------------------------------------------------------------------


def test_string_concatenation(compare):
    compare(
        lambda lib: _person_values(
            lib,
            lambda P, sa: P.name + "!",
            lambda P, sa: "<" + P.name + ">",
            lambda P, sa: P.name + " из " + P.city,
            lambda P, sa: P.name + sa.func.coalesce(P.city, "?"),
            lambda P, sa: P.name.concat("/").concat(P.name),
        )
    )


def test_string_concatenation_in_where(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: P.name + "@" + P.city == "alice@Paris",
            lambda P, sa: (P.name + P.city).like("%Paris"),
        )
    )


# -- NULL comparison -----------------------------------------------------------------------------------


def test_comparison_with_none(compare):
    compare(
        lambda lib: _person_ids(
            lib,
            lambda P, sa: P.city == None,  # noqa: E711
            lambda P, sa: P.city != None,  # noqa: E711
            lambda P, sa: P.city.is_(None),
            lambda P, sa: P.city.is_not(None),
            lambda P, sa: P.age.is_not(None),
            lambda P, sa: sa.not_(P.city == None),  # noqa: E711
            lambda P, sa: P.age == sa.null(),
        )
    )


def test_ordering_comparison_with_none_is_refused(compare):
    def scenario(lib):
        engine, Person, Order = _setup(lib, populate=False)
        for make in (lambda: Person.age > None, lambda: Person.age < None):
            try:
                make()
                lib.out("built")
            except lib.exc.ArgumentError as error:
                lib.out(type(error).__name__)

    compare(scenario)


def test_comparison_with_none_in_query_filter(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person.id).order_by(Person.id)
        lib.out([r[0] for r in q.filter(Person.age == None)])  # noqa: E711
        lib.out([r[0] for r in q.filter(Person.age.is_not(None), Person.city == None)])  # noqa: E711
        lib.out([r[0] for r in q.filter_by(age=None)])
        lib.out([r[0] for r in q.filter(Person.city != "Paris")])

    compare(lambda lib: _run(lib, body))


def test_bound_none_in_comparison(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        value = None
        stmt = sa.select(Person.id).where(Person.city == value).order_by(Person.id)
        lib.out(s.scalars(stmt).all())
        stmt = sa.select(Person.id).where(Person.city.is_distinct_from(None)).order_by(Person.id)
        lib.out(s.scalars(stmt).all())
        stmt = sa.select(Person.id).where(Person.age.is_not_distinct_from(28)).order_by(Person.id)
        lib.out(s.scalars(stmt).all())

    compare(lambda lib: _run(lib, body))


# -- NULL handling in aggregates and ORDER BY ----------------------------------------------------------


def test_null_in_aggregates(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        row = s.execute(
            sa.select(
                func.count(),
                func.count(Person.age),
                func.count(Person.city),
                func.sum(Person.age),
                func.avg(Person.age),
            ).where(Person.id >= 5)
        ).one()
        lib.out(tuple(row))
        row = s.execute(
            sa.select(func.sum(Person.age), func.max(Person.city), func.avg(Person.age)).where(
                Person.id == 5
            )
        ).one()
        lib.out(tuple(row))
        row = s.execute(
            sa.select(func.sum(Order.amount), func.count(Order.amount)).where(Order.id == 5)
        ).one()
        lib.out(tuple(row))

    compare(lambda lib: _run(lib, body))


def test_null_in_order_by(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        q = sa.select(Person.id)
        lib.out(s.scalars(q.order_by(Person.city, Person.id)).all())
        lib.out(s.scalars(q.order_by(Person.city.desc(), Person.id)).all())
        lib.out(s.scalars(q.order_by(Person.city.nulls_last(), Person.id)).all())
        lib.out(s.scalars(q.order_by(Person.city.desc().nulls_first(), Person.id)).all())
        lib.out(s.scalars(sa.select(Order.amount).order_by(Order.amount)).all())
        lib.out(s.scalars(sa.select(Order.amount).order_by(Order.amount.desc().nulls_last())).all())

    compare(lambda lib: _run(lib, body))


def test_null_group_in_group_by(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        stmt = (
            sa.select(Person.age, func.count(), func.max(Person.name))
            .group_by(Person.age)
            .order_by(Person.age.nulls_last())
        )
        lib.out([tuple(r) for r in s.execute(stmt)])

    compare(lambda lib: _run(lib, body))


# -- empty results -----------------------------------------------------------------------------------


def test_empty_results_select(compare):
    def body(lib, s, Person, Order):
        sa, exc = lib.sa, lib.exc
        stmt = sa.select(Person).where(Person.name == "nobody")
        lib.out(s.scalars(stmt).all(), s.execute(stmt).all())
        lib.out(s.scalars(stmt).first(), s.execute(stmt).first())
        lib.out(s.scalar(stmt), s.execute(stmt).scalar())
        lib.out(s.execute(stmt).scalar_one_or_none(), s.execute(stmt).one_or_none())
        lib.out(s.execute(stmt).mappings().all(), s.execute(stmt).fetchmany(3))
        lib.out(list(s.execute(stmt).partitions(2)), list(s.scalars(stmt)))
        lib.out(s.execute(stmt).scalars().unique().all())
        for method in ("one", "scalar_one"):
            try:
                getattr(s.execute(stmt), method)()
            except exc.NoResultFound as error:
                lib.out(method, type(error).__name__)
        try:
            s.scalars(stmt).one()
        except exc.NoResultFound as error:
            lib.out("scalars.one", type(error).__name__)

    compare(lambda lib: _run(lib, body))


def test_empty_results_query(compare):
    def body(lib, s, Person, Order):
        exc = lib.orm.exc
        q = s.query(Person).filter(Person.age > 100)
        lib.out(q.all(), q.first(), q.one_or_none(), q.scalar(), q.count(), list(q))
        lib.out(s.query(Person.name).filter(Person.id < 0).all())
        lib.out(s.query(s.query(Person).filter(Person.age > 100).exists()).scalar())
        try:
            q.one()
        except exc.NoResultFound as error:
            lib.out(type(error).__name__, isinstance(error, lib.exc.NoResultFound))

    compare(lambda lib: _run(lib, body))


def test_empty_table(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        lib.out(s.scalars(sa.select(Person)).all(), s.query(Person).all())
        lib.out(s.scalar(sa.select(func.count()).select_from(Person)), s.query(Person).count())
        row = s.execute(
            sa.select(func.sum(Order.amount), func.max(Order.amount), func.avg(Order.amount), func.count())
        ).one()
        lib.out(tuple(row))
        lib.out(s.get(Person, 1), s.query(Person).first())
        stmt = sa.select(Person.city, func.count()).group_by(Person.city)
        lib.out(s.execute(stmt).all())

    compare(lambda lib: _run(lib, body, populate=False))
