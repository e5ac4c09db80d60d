"""The legacy Query API (``session.query(...)``), issue 5.

Every scenario builds the same two tables: ``Person(id, name, age, city)`` with the
seed's Cyrillic names, ASCII names and NULLs, and ``Order(id, person_id, amount,
status)`` joined to it with explicit ON clauses (no relationships).
"""

import warnings
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

SYNC_MODES = ("auto", "evaluate", "fetch", False)


def _setup(lib):
    """Engine and the ``Person`` / ``Order`` models, populated."""
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
    with orm.Session(engine) as s:
        s.add_all([Person(id=i, name=n, age=a, city=c) for i, n, a, c in PEOPLE])
        s.flush()
        s.add_all([Order(id=i, person_id=p, amount=m, status=st) for i, p, m, st in ORDERS])
        s.commit()
    return engine, Person, Order


def _p(person):
    """A Person as plain values."""
    return (person.id, person.name, person.age, person.city)


def _ids(people):
    return [p.id for p in people]


def _run(lib, body):
    """Scenario body ``body(lib, s, Person, Order)`` on a fresh, populated session."""
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine) as s:
        body(lib, s, Person, Order)


# -- entities, columns and mixes ---------------------------------------------------------------


def test_query_entity_all(compare):
    def body(lib, s, Person, Order):
        people = s.query(Person).order_by(Person.id).all()
        lib.out(type(people).__name__, len(people))
        lib.out([_p(p) for p in people])
        lib.out(all(type(p) is Person for p in people))

    compare(lambda lib: _run(lib, body))


def test_query_without_order_by_returns_every_row(compare):
    def body(lib, s, Person, Order):
        lib.out(sorted(_ids(s.query(Person).all())))
        lib.out(sorted(o.amount or Decimal(0) for o in s.query(Order)))

    compare(lambda lib: _run(lib, body))


def test_query_columns_returns_rows(compare):
    def body(lib, s, Person, Order):
        rows = s.query(Person.name, Person.age).order_by(Person.id).all()
        lib.out([tuple(r) for r in rows])
        first = rows[0]
        lib.out(first.name, first.age, first[0], first[1])
        lib.out(first._asdict())
        lib.out(list(first._fields))
        name, age = rows[2]
        lib.out(name, age)

    compare(lambda lib: _run(lib, body))


def test_query_single_column(compare):
    def body(lib, s, Person, Order):
        rows = s.query(Person.name).order_by(Person.id).all()
        lib.out([tuple(r) for r in rows])
        lib.out([r.name for r in rows])
        lib.out([r[0] for r in s.query(Order.amount).order_by(Order.id)])

    compare(lambda lib: _run(lib, body))


def test_query_labelled_columns(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person.name.label("who"), (Person.age + 1).label("next_age"))
        rows = q.order_by(Person.id).all()
        lib.out([r._asdict() for r in rows])
        lib.out(rows[0].who, rows[0].next_age)

    compare(lambda lib: _run(lib, body))


def test_query_entity_and_column(compare):
    def body(lib, s, Person, Order):
        rows = s.query(Person, Person.age).order_by(Person.id).all()
        lib.out([(type(p).__name__, p.id, age) for p, age in rows])
        row = rows[0]
        lib.out(row.Person.name, row.age, list(row._fields))

    compare(lambda lib: _run(lib, body))


def test_query_two_entities_joined(compare):
    def body(lib, s, Person, Order):
        rows = (
            s.query(Person, Order)
            .join(Order, Order.person_id == Person.id)
            .order_by(Order.id)
            .all()
        )
        lib.out([(p.name, o.id, o.amount) for p, o in rows])
        lib.out(rows[0].Person is rows[1].Person)

    compare(lambda lib: _run(lib, body))


def test_query_column_and_count_group_by(compare):
    def body(lib, s, Person, Order):
        rows = (
            s.query(Person.city, lib.sa.func.count(Person.id))
            .group_by(Person.city)
            .order_by(Person.city)
            .all()
        )
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


def test_query_entity_and_count_group_by(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        rows = (
            s.query(Person, func.count(Order.id))
            .outerjoin(Order, Order.person_id == Person.id)
            .group_by(Person.id)
            .order_by(Person.id)
            .all()
        )
        lib.out([(p.id, p.name, n) for p, n in rows])
        lib.out(all(type(p) is Person for p, _ in rows))

    compare(lambda lib: _run(lib, body))


def test_query_entity_and_labelled_aggregate(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        rows = (
            s.query(Person, func.sum(Order.amount).label("total"))
            .join(Order, Order.person_id == Person.id)
            .group_by(Person.id)
            .order_by(func.sum(Order.amount).desc())
            .all()
        )
        lib.out([(r.Person.name, r.total) for r in rows])
        lib.out(list(rows[0]._fields))

    compare(lambda lib: _run(lib, body))


# -- filter / filter_by / where -------------------------------------------------------------------


def test_filter_single_criterion(compare):
    def body(lib, s, Person, Order):
        lib.out(_ids(s.query(Person).filter(Person.age == 28).order_by(Person.id)))
        lib.out(_ids(s.query(Person).filter(Person.name == "Сергей")))
        lib.out(_ids(s.query(Person).filter(Person.age > 28).order_by(Person.id)))

    compare(lambda lib: _run(lib, body))


def test_filter_several_criteria(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        q = s.query(Person).order_by(Person.id)
        lib.out(_ids(q.filter(Person.age >= 28, Person.city != None)))  # noqa: E711
        lib.out(_ids(q.filter(Person.age >= 28).filter(Person.city == "Paris")))
        lib.out(_ids(q.filter(sa.or_(Person.age < 26, Person.city == "Казань"))))
        lib.out(_ids(q.filter(sa.and_(Person.age > 20, sa.not_(Person.name.like("%o%"))))))
        lib.out(_ids(q.filter(Person.id > 1, Person.id < 6, Person.age != 30)))

    compare(lambda lib: _run(lib, body))


def test_filter_by(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id)
        lib.out(_ids(q.filter_by(age=28)))
        lib.out(_ids(q.filter_by(age=28, name="Егор")))
        lib.out(_ids(q.filter_by(city="Paris").filter_by(name="bob")))
        lib.out(_ids(q.filter_by(city=None)))
        lib.out(_ids(q.filter_by(age=28).filter(Person.city.is_(None))))

    compare(lambda lib: _run(lib, body))


def test_filter_by_after_join_uses_joined_entity(compare):
    def body(lib, s, Person, Order):
        q = (
            s.query(Person.name, Order.id)
            .join(Order, Order.person_id == Person.id)
            .filter_by(status="paid")
            .order_by(Order.id)
        )
        lib.out([tuple(r) for r in q])

    compare(lambda lib: _run(lib, body))


def test_where_is_filter(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id)
        lib.out(_ids(q.where(Person.age == 28)))
        lib.out(_ids(q.where(Person.age > 20, Person.city == "Paris")))
        lib.out(_ids(q.where(Person.age > 20).filter(Person.name != "alice")))

    compare(lambda lib: _run(lib, body))


def test_filter_with_no_match(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).filter(Person.name == "nobody")
        lib.out(q.all(), q.first(), q.one_or_none(), q.count())

    compare(lambda lib: _run(lib, body))


# -- order_by ----------------------------------------------------------------------------------


def test_order_by_asc_desc(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        lib.out(_ids(s.query(Person).order_by(Person.name)))
        lib.out(_ids(s.query(Person).order_by(Person.name.desc())))
        lib.out(_ids(s.query(Person).order_by(sa.desc(Person.id))))
        lib.out(_ids(s.query(Person).order_by(sa.asc(Person.name))))

    compare(lambda lib: _run(lib, body))


def test_order_by_several_keys(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        lib.out(_ids(s.query(Person).order_by(Person.age, Person.id.desc())))
        lib.out(_ids(s.query(Person).order_by(Person.city.desc(), Person.name)))
        lib.out(_ids(s.query(Person).order_by(Person.age.desc()).order_by(Person.id)))
        lib.out(_ids(s.query(Person).order_by(sa.desc(Person.age), sa.asc(Person.name))))

    compare(lambda lib: _run(lib, body))


def test_order_by_nulls_first_last(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        q = s.query(Person)
        lib.out(_ids(q.order_by(Person.age.asc().nulls_last(), Person.id)))
        lib.out(_ids(q.order_by(Person.age.desc().nulls_first(), Person.id)))
        lib.out(_ids(q.order_by(sa.nulls_first(Person.city), Person.id)))
        lib.out(_ids(q.order_by(sa.nulls_last(Person.city.desc()), Person.id)))
        lib.out(_ids(q.order_by(Person.age.nulls_last(), Person.id)))

    compare(lambda lib: _run(lib, body))


def test_order_by_null_default_placement(compare):
    def body(lib, s, Person, Order):
        lib.out(_ids(s.query(Person).order_by(Person.age, Person.id)))
        lib.out(_ids(s.query(Person).order_by(Person.age.desc(), Person.id)))

    compare(lambda lib: _run(lib, body))


def test_order_by_expression_and_label(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        lib.out(_ids(s.query(Person).order_by(func.length(Person.name), Person.id)))
        q = s.query(Person.name, (Person.age * -1).label("neg")).filter(Person.age != None)  # noqa: E711
        lib.out([tuple(r) for r in q.order_by("neg", Person.id)])

    compare(lambda lib: _run(lib, body))


# -- limit, offset, slicing ----------------------------------------------------------------------


def test_limit_offset(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id)
        lib.out(_ids(q.limit(2)))
        lib.out(_ids(q.offset(4)))
        lib.out(_ids(q.limit(2).offset(3)))
        lib.out(_ids(q.offset(3).limit(2)))
        lib.out(_ids(q.limit(0)))
        lib.out(_ids(q.offset(10)))
        lib.out(_ids(q.limit(100)))

    compare(lambda lib: _run(lib, body))


def test_slicing(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id)
        lib.out(_ids(q[1:3]))
        lib.out(_ids(q[:2]))
        lib.out(_ids(q[4:]))
        lib.out(_ids(q[2:2]))
        lib.out(_ids(q[10:20]))
        lib.out(type(q[1:3]).__name__)

    compare(lambda lib: _run(lib, body))


def test_indexing(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id)
        lib.out(_p(q[3]))
        lib.out(_p(q[0]))
        lib.out(tuple(s.query(Person.name, Person.age).order_by(Person.id)[2]))
        try:
            q[10]
        except IndexError as error:
            lib.out("IndexError", type(error).__name__)

    compare(lambda lib: _run(lib, body))


def test_negative_index_and_slice(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id)
        for make in (lambda: q[-1], lambda: q[-2:], lambda: q[1:-1]):
            try:
                value = make()
            except Exception as error:
                lib.out("raised", type(error).__name__)
            else:
                lib.out(_ids(value) if isinstance(value, list) else _p(value))

    compare(lambda lib: _run(lib, body))


def test_slice_after_limit_offset(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id).offset(1)
        lib.out(_ids(q[1:3]))
        lib.out(_ids(s.query(Person).order_by(Person.id).limit(4)[1:10]))

    compare(lambda lib: _run(lib, body))


# -- first / one / one_or_none / scalar / all / iteration -------------------------------------


def test_first(compare):
    def body(lib, s, Person, Order):
        lib.out(_p(s.query(Person).order_by(Person.id.desc()).first()))
        lib.out(tuple(s.query(Person.name, Person.city).order_by(Person.id).first()))
        lib.out(s.query(Person).filter(Person.age > 100).first())
        row = s.query(Person.name).filter(Person.id == 3).first()
        lib.out(type(row).__name__, tuple(row))

    compare(lambda lib: _run(lib, body))


def test_one(compare):
    def body(lib, s, Person, Order):
        exc = lib.orm.exc
        lib.out(_p(s.query(Person).filter(Person.name == "alice").one()))
        lib.out(tuple(s.query(Person.id, Person.age).filter_by(name="bob").one()))
        for q in (s.query(Person).filter(Person.age == 28), s.query(Person).filter_by(id=99)):
            try:
                q.one()
            except (exc.NoResultFound, exc.MultipleResultsFound) as error:
                lib.out(type(error).__name__)

    compare(lambda lib: _run(lib, body))


def test_one_or_none(compare):
    def body(lib, s, Person, Order):
        exc = lib.orm.exc
        lib.out(_p(s.query(Person).filter_by(id=2).one_or_none()))
        lib.out(s.query(Person).filter_by(id=99).one_or_none())
        try:
            s.query(Person).filter(Person.city == "Paris").one_or_none()
        except exc.MultipleResultsFound as error:
            lib.out(type(error).__name__)

    compare(lambda lib: _run(lib, body))


def test_scalar(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        lib.out(s.query(func.count(Person.id)).scalar())
        lib.out(s.query(Person.name).filter_by(id=3).scalar())
        lib.out(s.query(Person.age).filter_by(id=5).scalar())
        lib.out(s.query(Person.name).filter_by(id=99).scalar())
        lib.out(s.query(func.max(Person.age)).scalar(), s.query(func.sum(Order.amount)).scalar())
        lib.out(s.query(Person.name, Person.age).filter_by(id=1).scalar())
        lib.out(_p(s.query(Person).filter_by(id=1).scalar()))
        try:
            s.query(Person.name).scalar()
        except lib.orm.exc.MultipleResultsFound as error:
            lib.out(type(error).__name__)

    compare(lambda lib: _run(lib, body))


def test_iteration(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).filter(Person.age < 30).order_by(Person.id)
        lib.out([p.name for p in q])
        lib.out([(name, age) for name, age in s.query(Person.name, Person.age).order_by(Person.id)])
        it = iter(s.query(Person.id).order_by(Person.id))
        lib.out(tuple(next(it)), tuple(next(it)))
        lib.out(len(list(it)))

    compare(lambda lib: _run(lib, body))


def test_query_reused_and_generative(compare):
    def body(lib, s, Person, Order):
        base = s.query(Person).order_by(Person.id)
        young = base.filter(Person.age < 30)
        paris = base.filter(Person.city == "Paris")
        lib.out(_ids(base), _ids(young), _ids(paris))
        lib.out(_ids(young.all()), _ids(young.all()))

    compare(lambda lib: _run(lib, body))


# -- count ---------------------------------------------------------------------------------------


def test_count(compare):
    def body(lib, s, Person, Order):
        lib.out(s.query(Person).count())
        lib.out(s.query(Order).count())
        lib.out(s.query(Person).filter(Person.age == 28).count())
        lib.out(s.query(Person).filter(Person.age > 100).count())
        lib.out(s.query(Person).filter_by(city="Paris").filter(Person.age != None).count())  # noqa: E711

    compare(lambda lib: _run(lib, body))


def test_count_columns_and_distinct(compare):
    def body(lib, s, Person, Order):
        lib.out(s.query(Person.city).count())
        lib.out(s.query(Person.city).distinct().count())
        lib.out(s.query(Person.age).distinct().count())
        lib.out(s.query(Person).distinct().count())
        lib.out(s.query(Person.age, Person.city).distinct().count())

    compare(lambda lib: _run(lib, body))


def test_count_group_by(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        lib.out(s.query(Person.city).group_by(Person.city).count())
        lib.out(s.query(Person.age, func.count()).group_by(Person.age).count())
        q = s.query(Order.person_id).group_by(Order.person_id).having(func.count() > 1)
        lib.out(q.count())

    compare(lambda lib: _run(lib, body))


def test_count_with_join_and_limit(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).join(Order, Order.person_id == Person.id)
        lib.out(q.count())
        lib.out(q.filter(Order.status == "paid").count())
        lib.out(q.distinct().count())
        lib.out(s.query(Person).order_by(Person.id).limit(4).count())
        lib.out(s.query(Person).order_by(Person.id).offset(4).count())

    compare(lambda lib: _run(lib, body))


# -- exists -------------------------------------------------------------------------------------------


def test_exists(compare):
    def body(lib, s, Person, Order):
        lib.out(s.query(s.query(Person).filter(Person.name == "Егор").exists()).scalar())
        lib.out(s.query(s.query(Person).filter(Person.name == "nobody").exists()).scalar())
        paid = s.query(Order).filter(Order.status == "paid", Order.person_id == 4)
        lib.out(s.query(paid.exists()).scalar())
        lib.out(s.query(s.query(Order).filter(Order.amount > 1000).exists()).scalar())

    compare(lambda lib: _run(lib, body))


def test_exists_as_filter(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        has_order = sa.exists().where(Order.person_id == Person.id)
        lib.out(_ids(s.query(Person).filter(has_order).order_by(Person.id)))
        lib.out(_ids(s.query(Person).filter(~has_order).order_by(Person.id)))

    compare(lambda lib: _run(lib, body))


# -- distinct, group_by, having ------------------------------------------------------------------


def test_distinct(compare):
    def body(lib, s, Person, Order):
        lib.out([r[0] for r in s.query(Person.age).distinct().order_by(Person.age)])
        lib.out([r[0] for r in s.query(Person.city).distinct().order_by(Person.city.desc())])
        rows = s.query(Order.person_id, Order.status).distinct().order_by(Order.person_id, Order.status)
        lib.out([tuple(r) for r in rows])
        people = s.query(Person).join(Order, Order.person_id == Person.id).distinct()
        lib.out(_ids(people.order_by(Person.id)))

    compare(lambda lib: _run(lib, body))


def test_group_by(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        rows = (
            s.query(Order.status, func.count(Order.id), func.sum(Order.amount))
            .group_by(Order.status)
            .order_by(Order.status)
        )
        lib.out([tuple(r) for r in rows])
        rows = (
            s.query(Person.age, Person.city, func.count())
            .group_by(Person.age, Person.city)
            .order_by(Person.age, Person.city)
        )
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


def test_having(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        rows = (
            s.query(Order.person_id, func.count(Order.id).label("n"))
            .group_by(Order.person_id)
            .having(func.count(Order.id) >= 2)
            .order_by(Order.person_id)
        )
        lib.out([r._asdict() for r in rows])
        rows = (
            s.query(Person.city, func.min(Person.age))
            .group_by(Person.city)
            .having(func.min(Person.age) > 27)
            .having(Person.city != None)  # noqa: E711
            .order_by(Person.city)
        )
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


# -- joins ----------------------------------------------------------------------------------------


def test_join_with_on_clause(compare):
    def body(lib, s, Person, Order):
        rows = (
            s.query(Person.name, Order.amount)
            .join(Order, Order.person_id == Person.id)
            .order_by(Order.id)
        )
        lib.out([tuple(r) for r in rows])
        people = (
            s.query(Person)
            .join(Order, Person.id == Order.person_id)
            .filter(Order.status == "paid")
            .order_by(Person.id, Order.id)
        )
        lib.out(_ids(people))

    compare(lambda lib: _run(lib, body))


def test_join_with_compound_on_clause(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        rows = (
            s.query(Person.name, Order.id)
            .join(Order, sa.and_(Order.person_id == Person.id, Order.status == "paid"))
            .order_by(Order.id)
        )
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


def test_outerjoin_with_on_clause(compare):
    def body(lib, s, Person, Order):
        rows = (
            s.query(Person.id, Order.id, Order.amount)
            .outerjoin(Order, Order.person_id == Person.id)
            .order_by(Person.id, Order.id)
        )
        lib.out([tuple(r) for r in rows])
        lonely = (
            s.query(Person)
            .outerjoin(Order, Order.person_id == Person.id)
            .filter(Order.id == None)  # noqa: E711
            .order_by(Person.id)
        )
        lib.out(_ids(lonely))
        rows = (
            s.query(Person, Order)
            .outerjoin(Order, Order.person_id == Person.id)
            .order_by(Person.id, Order.id)
        )
        lib.out([(p.id, None if o is None else o.id) for p, o in rows])

    compare(lambda lib: _run(lib, body))


def test_join_isouter_flag(compare):
    def body(lib, s, Person, Order):
        rows = (
            s.query(Person.id, Order.id)
            .join(Order, Order.person_id == Person.id, isouter=True)
            .order_by(Person.id, Order.id)
        )
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


def test_select_from(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        lib.out(s.query(func.count()).select_from(Person).scalar())
        lib.out(s.query(func.count()).select_from(Order).filter(Order.status == "new").scalar())
        rows = (
            s.query(Order.id, Person.name)
            .select_from(Person)
            .join(Order, Order.person_id == Person.id)
            .order_by(Order.id)
        )
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


# -- with_entities, add_columns ---------------------------------------------------------------------


def test_with_entities(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        q = s.query(Person).filter(Person.age >= 28).order_by(Person.id)
        lib.out([tuple(r) for r in q.with_entities(Person.name, Person.age)])
        lib.out(q.with_entities(func.count(Person.id)).order_by(None).scalar())
        lib.out(_ids(s.query(Person.name).with_entities(Person).order_by(Person.id)))

    compare(lambda lib: _run(lib, body))


def test_add_columns(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).order_by(Person.id).add_columns(Person.name, (Person.id * 10).label("x"))
        rows = q.all()
        lib.out([(p.id, name, x) for p, name, x in rows])
        lib.out(list(rows[0]._fields))
        q2 = s.query(Person.name).add_columns(Person.city).order_by(Person.id)
        lib.out([tuple(r) for r in q2])

    compare(lambda lib: _run(lib, body))


# -- subquery(), cte() --------------------------------------------------------------------------------


def test_subquery(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        totals = (
            s.query(Order.person_id, func.sum(Order.amount).label("total"))
            .group_by(Order.person_id)
            .subquery()
        )
        rows = (
            s.query(Person.name, totals.c.total)
            .join(totals, totals.c.person_id == Person.id)
            .order_by(Person.id)
        )
        lib.out([tuple(r) for r in rows])
        rows = (
            s.query(Person.name, totals.c.total)
            .outerjoin(totals, totals.c.person_id == Person.id)
            .order_by(Person.id)
        )
        lib.out([tuple(r) for r in rows])

    compare(lambda lib: _run(lib, body))


def test_subquery_in_filter(compare):
    def body(lib, s, Person, Order):
        paid = s.query(Order.person_id).filter(Order.status == "paid").subquery()
        lib.out(_ids(s.query(Person).filter(Person.id.in_(lib.sa.select(paid))).order_by(Person.id)))
        lib.out(_ids(s.query(Person).filter(Person.id.in_(s.query(Order.person_id))).order_by(Person.id)))

    compare(lambda lib: _run(lib, body))


def test_select_from_subquery_columns(compare):
    def body(lib, s, Person, Order):
        sub = s.query(Person.id, Person.name).filter(Person.age >= 28).subquery("adults")
        lib.out([tuple(r) for r in s.query(sub.c.name).order_by(sub.c.id)])
        lib.out(s.query(sub).count())

    compare(lambda lib: _run(lib, body))


def test_cte(compare):
    def body(lib, s, Person, Order):
        func = lib.sa.func
        totals = (
            s.query(Order.person_id, func.count(Order.id).label("n"))
            .group_by(Order.person_id)
            .cte("totals")
        )
        rows = (
            s.query(Person.name, totals.c.n)
            .join(totals, totals.c.person_id == Person.id)
            .order_by(Person.id)
        )
        lib.out([tuple(r) for r in rows])
        lib.out([tuple(r) for r in s.query(totals.c.person_id).filter(totals.c.n > 1)])

    compare(lambda lib: _run(lib, body))


# -- get ---------------------------------------------------------------------------------------------


def test_query_get(compare):
    def body(lib, s, Person, Order):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = s.query(Person).get(3)
            lib.out(_p(p))
            lib.out(s.query(Person).get(99))
            lib.out(s.query(Person).get(3) is p)
        lib.out(s.get(Person, 3) is p)

    compare(lambda lib: _run(lib, body))


# -- bulk update / delete with synchronize_session ---------------------------------------------------


def _db_people(lib, engine, Person):
    with lib.orm.Session(engine) as fresh:
        return [_p(p) for p in fresh.query(Person).order_by(Person.id)]


def _bulk_update(lib, mode):
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine) as s:
        loaded = s.query(Person).order_by(Person.id).all()
        n = (
            s.query(Person)
            .filter(Person.age >= 28)
            .update({"age": Person.age + 1, Person.city: "Омск"}, synchronize_session=mode)
        )
        lib.out(mode, n)
        lib.out([(p.id, p.age, p.city) for p in loaded])
        lib.out([p in s for p in loaded], len(s.dirty))
        s.commit()
        lib.out([(p.id, p.age, p.city) for p in loaded])
    lib.out(_db_people(lib, engine, Person))


def test_bulk_update_synchronize_auto(compare):
    compare(lambda lib: _bulk_update(lib, "auto"))


def test_bulk_update_synchronize_evaluate(compare):
    compare(lambda lib: _bulk_update(lib, "evaluate"))


def test_bulk_update_synchronize_fetch(compare):
    compare(lambda lib: _bulk_update(lib, "fetch"))


def test_bulk_update_synchronize_false(compare):
    compare(lambda lib: _bulk_update(lib, False))


def test_bulk_update_default_mode(compare):
    def scenario(lib):
        engine, Person, Order = _setup(lib)
        with lib.orm.Session(engine) as s:
            loaded = s.query(Person).order_by(Person.id).all()
            n = s.query(Person).filter(Person.city == "Paris").update({"name": Person.name + "!"})
            lib.out(n, [p.name for p in loaded])

    compare(scenario)


def _bulk_update_partial_load(lib, mode):
    """Only some objects are loaded; the statement matches loaded and unloaded rows."""
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine) as s, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = s.query(Person).filter(Person.id <= 3).order_by(Person.id).all()
        n = (
            s.query(Person)
            .filter(Person.name.in_(["Егор", "alice", "bob"]))
            .update({Person.age: 50}, synchronize_session=mode)
        )
        lib.out(mode, n, [(p.id, p.age) for p in loaded])
        lib.out([(p.id, p.age) for p in s.query(Person).order_by(Person.id)])


def test_bulk_update_partial_load_each_mode(compare):
    def scenario(lib):
        for mode in SYNC_MODES:
            _bulk_update_partial_load(lib, mode)

    compare(scenario)


def test_bulk_update_with_non_evaluable_criterion(compare):
    def scenario(lib):
        func = lib.sa.func
        for mode in SYNC_MODES:
            engine, Person, Order = _setup(lib)
            with lib.orm.Session(engine) as s:
                loaded = s.query(Person).order_by(Person.id).all()
                try:
                    n = (
                        s.query(Person)
                        .filter(func.lower(Person.name) == "alice")
                        .update({"age": 77}, synchronize_session=mode)
                    )
                except Exception as error:
                    lib.out(mode, "raised", type(error).__name__)
                    continue
                lib.out(mode, n, [p.age for p in loaded])

    compare(scenario)


def test_bulk_update_pending_changes_on_loaded_object(compare):
    def scenario(lib):
        for mode in SYNC_MODES:
            engine, Person, Order = _setup(lib)
            with lib.orm.Session(engine, autoflush=False) as s:
                egor = s.get(Person, 1)
                egor.city = "Сочи"
                n = s.query(Person).filter(Person.id == 1).update(
                    {"age": 40}, synchronize_session=mode
                )
                lib.out(mode, n, egor.age, egor.city, egor in s.dirty)
                s.commit()
            lib.out(_db_people(lib, engine, Person)[0])

    compare(scenario)


def _bulk_delete(lib, mode):
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine) as s:
        s.query(Order).delete()
        loaded = s.query(Person).order_by(Person.id).all()
        ids = _ids(loaded)
        n = s.query(Person).filter(Person.age < 30).delete(synchronize_session=mode)
        lib.out(mode, n)
        states = [lib.inspect(p) for p in loaded]
        lib.out([(i, p in s) for i, p in zip(ids, loaded)])
        lib.out([(st.persistent, st.deleted, st.detached) for st in states])
        lib.out(sorted(p.id for p in s.query(Person)))
        lib.out(len(s.identity_map))
        s.commit()
        # after the commit the objects are expired; a row deleted behind the
        # session's back (synchronize_session=False) cannot be reloaded, so only
        # the states are recorded here
        lib.out([(i, p in s) for i, p in zip(ids, loaded)])
        lib.out([(st.persistent, st.deleted, st.detached) for st in states])
        try:
            lib.out(loaded[0].name)
        except Exception as error:
            lib.out("raised", type(error).__name__)
    lib.out(_db_people(lib, engine, Person))


def test_bulk_delete_synchronize_auto(compare):
    compare(lambda lib: _bulk_delete(lib, "auto"))


def test_bulk_delete_synchronize_evaluate(compare):
    compare(lambda lib: _bulk_delete(lib, "evaluate"))


def test_bulk_delete_synchronize_fetch(compare):
    compare(lambda lib: _bulk_delete(lib, "fetch"))


def test_bulk_delete_synchronize_false(compare):
    compare(lambda lib: _bulk_delete(lib, False))


def test_bulk_delete_returns_count_and_default_mode(compare):
    def scenario(lib):
        engine, Person, Order = _setup(lib)
        with lib.orm.Session(engine) as s:
            lib.out(s.query(Order).filter(Order.status == "nothing").delete())
            lib.out(s.query(Order).filter(Order.status == "paid").delete())
            lib.out(s.query(Order).count())
            lib.out(s.query(Order).delete())
            s.commit()
            lib.out(s.query(Order).count())

    compare(scenario)


def test_bulk_delete_with_null_comparison(compare):
    def scenario(lib):
        for mode in SYNC_MODES:
            engine, Person, Order = _setup(lib)
            with lib.orm.Session(engine) as s:
                s.query(Order).delete()
                loaded = s.query(Person).order_by(Person.id).all()
                n = s.query(Person).filter(Person.city == None).delete(synchronize_session=mode)  # noqa: E711
                lib.out(mode, n, [p in s for p in loaded])

    compare(scenario)
