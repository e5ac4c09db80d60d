"""2.0-style queries: ``select()`` through the Session, Result methods, bulk DML, issue 5.

Every scenario builds the same two tables: ``Person(id, name, age, city)`` with the
seed's Cyrillic names, ASCII names and NULLs, and ``Order(id, person_id, amount,
status)`` joined to it with explicit ON clauses (no relationships).
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

SYNC_MODES = ("auto", "evaluate", "fetch", False)


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


def _p(person):
    """A Person as plain values."""
    return (person.id, person.name, person.age, person.city)


def _ids(people):
    return [p.id for p in people]


def _tuples(rows):
    return [tuple(r) for r in rows]


def _run(lib, body):
    """Scenario body ``body(lib, s, Person, Order)`` on a fresh, populated session."""
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine) as s:
        body(lib, s, Person, Order)


def _db_people(lib, engine, Person):
    with lib.orm.Session(engine) as fresh:
        return [_p(p) for p in fresh.scalars(lib.sa.select(Person).order_by(Person.id))]


# -- select(Model), select(columns), select(func.count()) ------------------------------------------


def test_select_entity_scalars(compare):
    def body(lib, s, Person, Order):
        people = s.scalars(lib.sa.select(Person).order_by(Person.id)).all()
        lib.out(type(people).__name__, [_p(p) for p in people])
        lib.out(all(type(p) is Person for p in people))

    compare(lambda lib: _run(lib, body))


def test_execute_entity_returns_rows(compare):
    def body(lib, s, Person, Order):
        rows = s.execute(lib.sa.select(Person).order_by(Person.id)).all()
        lib.out([(len(r), r[0].id, r.Person.name) for r in rows])
        lib.out(list(rows[0]._fields))
        (first,) = rows[0]
        lib.out(first is rows[0].Person, type(first) is Person)

    compare(lambda lib: _run(lib, body))


def test_select_columns(compare):
    def body(lib, s, Person, Order):
        rows = s.execute(lib.sa.select(Person.name, Person.age).order_by(Person.id)).all()
        lib.out(_tuples(rows))
        lib.out(rows[0].name, rows[0].age, rows[0]._mapping["name"], rows[0]._asdict())
        lib.out(list(rows[0]._fields))
        lib.out(s.scalars(lib.sa.select(Person.name).order_by(Person.id.desc())).all())

    compare(lambda lib: _run(lib, body))


def test_select_entity_and_columns(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person, Person.age + 1, Order.status).join(
            Order, Order.person_id == Person.id
        ).order_by(Order.id)
        rows = s.execute(stmt).all()
        lib.out([(p.id, nxt, st) for p, nxt, st in rows])
        stmt = sa.select(Person, Order).join(Order, Order.person_id == Person.id).order_by(Order.id)
        lib.out([(r.Person.id, r.Order.id, r.Order.amount) for r in s.execute(stmt)])

    compare(lambda lib: _run(lib, body))


def test_select_count_select_from(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        lib.out(s.scalar(sa.select(func.count()).select_from(Person)))
        lib.out(s.scalar(sa.select(func.count()).select_from(Person).where(Person.age > 27)))
        lib.out(s.scalar(sa.select(func.count(Person.age))))
        lib.out(s.scalar(sa.select(func.count()).select_from(Order).where(Order.amount == None)))  # noqa: E711
        lib.out(s.execute(sa.select(func.count()).select_from(Person)).scalar_one())

    compare(lambda lib: _run(lib, body))


# -- where / filter / filter_by, order_by, limit, offset --------------------------------------------


def test_where_filter_filter_by(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        base = sa.select(Person).order_by(Person.id)
        lib.out(_ids(s.scalars(base.where(Person.age == 28))))
        lib.out(_ids(s.scalars(base.where(Person.age >= 28, Person.city != None))))  # noqa: E711
        lib.out(_ids(s.scalars(base.where(Person.age > 20).where(Person.city == "Paris"))))
        lib.out(_ids(s.scalars(base.filter(Person.name.in_(["bob", "Егор"])))))
        lib.out(_ids(s.scalars(base.filter_by(age=28, city=None))))
        lib.out(_ids(s.scalars(base.filter_by(city="Paris").where(Person.age != None))))  # noqa: E711
        lib.out(_ids(s.scalars(base.where(sa.or_(Person.age < 26, Person.city == "Казань")))))

    compare(lambda lib: _run(lib, body))


def test_filter_by_after_join(compare):
    def body(lib, s, Person, Order):
        stmt = (
            lib.sa.select(Person.name, Order.id)
            .join(Order, Order.person_id == Person.id)
            .filter_by(status="new")
            .order_by(Order.id)
        )
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


def test_order_by(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        q = sa.select(Person.id)
        lib.out(s.scalars(q.order_by(Person.name)).all())
        lib.out(s.scalars(q.order_by(Person.name.desc())).all())
        lib.out(s.scalars(q.order_by(Person.age, Person.id.desc())).all())
        lib.out(s.scalars(q.order_by(sa.desc(Person.age), sa.asc(Person.id))).all())
        lib.out(s.scalars(q.order_by(Person.city).order_by(Person.id)).all())
        lib.out(s.scalars(q.order_by(Person.age.nulls_last(), Person.id)).all())
        lib.out(s.scalars(q.order_by(Person.age.desc().nulls_first(), Person.id)).all())
        lib.out(s.scalars(q.order_by(sa.nulls_last(Person.city.asc()), Person.id.desc())).all())
        lib.out(s.scalars(q.order_by(sa.nulls_first(sa.desc(Person.city)), Person.id)).all())

    compare(lambda lib: _run(lib, body))


def test_limit_offset_slice(compare):
    def body(lib, s, Person, Order):
        q = lib.sa.select(Person.id).order_by(Person.id)
        lib.out(s.scalars(q.limit(3)).all())
        lib.out(s.scalars(q.offset(4)).all())
        lib.out(s.scalars(q.limit(2).offset(1)).all())
        lib.out(s.scalars(q.limit(0)).all())
        lib.out(s.scalars(q.slice(1, 3)).all())
        lib.out(s.scalars(q.slice(4, 100)).all())

    compare(lambda lib: _run(lib, body))


def test_distinct_group_by_having(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        lib.out(s.scalars(sa.select(Person.age).distinct().order_by(Person.age)).all())
        stmt = (
            sa.select(Order.status, func.count(), func.sum(Order.amount))
            .group_by(Order.status)
            .order_by(Order.status)
        )
        lib.out(_tuples(s.execute(stmt)))
        stmt = (
            sa.select(Order.person_id, func.count(Order.id).label("n"))
            .group_by(Order.person_id)
            .having(func.count(Order.id) > 1)
            .order_by(Order.person_id)
        )
        lib.out([r._asdict() for r in s.execute(stmt)])
        stmt = sa.select(Person.city).group_by(Person.city).having(func.max(Person.age) >= 30)
        lib.out(s.scalars(stmt.order_by(Person.city)).all())

    compare(lambda lib: _run(lib, body))


# -- joins -----------------------------------------------------------------------------------------


def test_join_and_outerjoin(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = (
            sa.select(Person.name, Order.amount)
            .join(Order, Order.person_id == Person.id)
            .order_by(Order.id)
        )
        lib.out(_tuples(s.execute(stmt)))
        stmt = (
            sa.select(Person.id, Order.id)
            .outerjoin(Order, Order.person_id == Person.id)
            .order_by(Person.id, Order.id)
        )
        lib.out(_tuples(s.execute(stmt)))
        stmt = (
            sa.select(Person.id, Order.id)
            .join(Order, Order.person_id == Person.id, isouter=True)
            .where(Order.id == None)  # noqa: E711
            .order_by(Person.id)
        )
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


def test_join_from_and_select_from(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Order.id, Person.name).join_from(
            Order, Person, Order.person_id == Person.id
        ).order_by(Order.id)
        lib.out(_tuples(s.execute(stmt)))
        stmt = sa.select(Person.name, Order.id).outerjoin_from(
            Person, Order, sa.and_(Order.person_id == Person.id, Order.status == "paid")
        ).order_by(Person.id, Order.id)
        lib.out(_tuples(s.execute(stmt)))
        stmt = (
            sa.select(Order.amount)
            .select_from(Person)
            .join(Order, Order.person_id == Person.id)
            .where(Person.name == "alice")
            .order_by(Order.id)
        )
        lib.out(s.scalars(stmt).all())

    compare(lambda lib: _run(lib, body))


def test_join_returns_duplicate_entities(compare):
    def body(lib, s, Person, Order):
        stmt = (
            lib.sa.select(Person)
            .join(Order, Order.person_id == Person.id)
            .order_by(Person.id, Order.id)
        )
        people = s.scalars(stmt).all()
        lib.out(_ids(people))
        lib.out(people[0] is people[1])

    compare(lambda lib: _run(lib, body))


# -- Result methods ------------------------------------------------------------------------------------


def test_result_scalar_one_and_one_or_none(compare):
    def body(lib, s, Person, Order):
        sa, exc = lib.sa, lib.exc
        lib.out(_p(s.execute(sa.select(Person).where(Person.id == 3)).scalar_one()))
        lib.out(s.execute(sa.select(Person.name).where(Person.id == 3)).scalar_one())
        lib.out(s.execute(sa.select(Person.age).where(Person.id == 5)).scalar_one())
        lib.out(s.execute(sa.select(Person.name).where(Person.id == 2)).scalar_one_or_none())
        lib.out(s.execute(sa.select(Person).where(Person.id == 99)).scalar_one_or_none())
        lib.out(s.scalars(sa.select(Person.name).where(Person.id == 4)).one())
        lib.out(s.scalars(sa.select(Person.name).where(Person.id == 99)).one_or_none())
        for stmt in (sa.select(Person.name), sa.select(Person).where(Person.id == 99)):
            for method in ("scalar_one", "scalar_one_or_none", "one", "one_or_none"):
                try:
                    getattr(s.execute(stmt), method)()
                    lib.out(method, "ok")
                except (exc.NoResultFound, exc.MultipleResultsFound) as error:
                    lib.out(method, type(error).__name__)

    compare(lambda lib: _run(lib, body))


def test_result_first_all_one(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id, Person.name).order_by(Person.id)
        lib.out(tuple(s.execute(stmt).first()))
        lib.out(_tuples(s.execute(stmt).all()))
        lib.out(tuple(s.execute(stmt.where(Person.id == 6)).one()))
        lib.out(s.execute(stmt.where(Person.id == 60)).first())
        lib.out(s.execute(stmt.where(Person.id == 60)).one_or_none())
        lib.out(s.execute(stmt).scalar(), s.execute(stmt.where(Person.id > 60)).scalar())
        lib.out(s.scalars(stmt).first(), s.scalars(stmt).all())

    compare(lambda lib: _run(lib, body))


def test_result_iteration_and_fetch(compare):
    def body(lib, s, Person, Order):
        stmt = lib.sa.select(Person.id, Person.age).order_by(Person.id)
        result = s.execute(stmt)
        lib.out(tuple(result.fetchone()))
        lib.out(_tuples(result.fetchmany(2)))
        lib.out(_tuples(result.fetchmany(2)))
        lib.out(_tuples(result.fetchmany(5)))
        lib.out(_tuples(result.fetchmany(5)), result.fetchone())
        result = s.execute(stmt)
        lib.out(tuple(next(iter(result))))
        lib.out(_tuples(result.fetchall()))
        lib.out(list(s.execute(stmt).keys()))
        lib.out([tuple(r) for r in s.execute(stmt)])
        scalars = s.scalars(lib.sa.select(Person.name).order_by(Person.id))
        lib.out(scalars.fetchmany(4), scalars.fetchmany(4), scalars.fetchmany(4))

    compare(lambda lib: _run(lib, body))


def test_result_unique(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        cities = s.execute(sa.select(Person.city).order_by(Person.id)).scalars().unique().all()
        lib.out(cities)
        lib.out(s.scalars(sa.select(Person.age).order_by(Person.id)).unique().all())
        stmt = sa.select(Person).join(Order, Order.person_id == Person.id).order_by(Order.id)
        lib.out(_ids(s.scalars(stmt).unique().all()))
        rows = s.execute(sa.select(Order.person_id, Order.status).order_by(Order.id)).unique().all()
        lib.out(_tuples(rows))
        lib.out(_ids(s.execute(stmt).unique().scalars().all()))

    compare(lambda lib: _run(lib, body))


def test_result_mappings(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.name, Person.age.label("years")).order_by(Person.id)
        lib.out([dict(m) for m in s.execute(stmt).mappings().all()])
        lib.out(dict(s.execute(stmt).mappings().first()))
        m = s.execute(stmt.where(Person.id == 5)).mappings().one()
        lib.out(m["name"], m["years"], list(m.keys()), sorted(m.items()))
        lib.out(s.execute(stmt.where(Person.id == 99)).mappings().first())
        ents = s.execute(sa.select(Person).order_by(Person.id)).mappings().all()
        lib.out([(list(m.keys()), m["Person"].name) for m in ents[:2]])
        lib.out([dict(m) for m in s.execute(stmt).mappings().fetchmany(2)])

    compare(lambda lib: _run(lib, body))


def test_result_partitions(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id, Person.name).order_by(Person.id)
        lib.out([_tuples(part) for part in s.execute(stmt).partitions(4)])
        lib.out([_tuples(part) for part in s.execute(stmt).partitions(2)])
        lib.out([part for part in s.scalars(sa.select(Person.id).order_by(Person.id)).partitions(5)])
        parts = s.scalars(sa.select(Person).order_by(Person.id)).partitions(3)
        lib.out([_ids(part) for part in parts])
        lib.out([part for part in s.execute(stmt.where(Person.id > 99)).partitions(2)])

    compare(lambda lib: _run(lib, body))


def test_session_scalars_and_scalar(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        lib.out(s.scalars(sa.select(Person.city).where(Person.age == 28).order_by(Person.id)).all())
        lib.out(s.scalar(sa.select(Person.name).where(Person.id == 3)))
        lib.out(s.scalar(sa.select(Person.name).where(Person.id == 99)))
        lib.out(s.scalar(sa.select(Person.name).order_by(Person.id.desc())))
        lib.out(_p(s.scalar(sa.select(Person).where(Person.name == "bob"))))
        lib.out(s.scalar(sa.select(func.sum(Order.amount))))
        lib.out(s.scalar(sa.select(func.max(Order.amount)).where(Order.status == "nothing")))

    compare(lambda lib: _run(lib, body))


def test_session_execute_with_bound_parameters(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id).where(Person.age > sa.bindparam("min_age")).order_by(Person.id)
        lib.out(s.scalars(stmt, {"min_age": 28}).all())
        lib.out(s.scalars(stmt, {"min_age": 30}).all())
        lib.out(s.execute(stmt, {"min_age": 0}).scalars().all())

    compare(lambda lib: _run(lib, body))


# -- bulk INSERT through session.execute ------------------------------------------------------------


def test_bulk_insert_list_of_dicts(compare):
    def scenario(lib):
        sa = lib.sa
        engine, Person, Order = _setup(lib, populate=False)
        with lib.orm.Session(engine) as s:
            s.execute(
                sa.insert(Person),
                [
                    {"name": "Егор", "age": 28, "city": "Москва"},
                    {"name": "Сергей", "age": 28},
                    {"name": "Владимир", "age": 32, "city": None},
                    {"name": "dave"},
                ],
            )
            lib.out(len(s.identity_map))
            people = s.scalars(sa.select(Person).order_by(Person.id)).all()
            lib.out([_p(p) for p in people])
            s.execute(
                sa.insert(Order),
                [
                    {"person_id": 1, "amount": Decimal("1.50"), "status": "new"},
                    {"person_id": 1, "amount": None, "status": "paid"},
                ],
            )
            s.commit()
        with lib.orm.Session(engine) as s:
            lib.out(_tuples(s.execute(sa.select(Order.id, Order.amount, Order.status))))
            lib.out(s.scalar(sa.select(sa.func.count()).select_from(Person)))

    compare(scenario)


def test_insert_values_through_session(compare):
    def scenario(lib):
        sa = lib.sa
        engine, Person, Order = _setup(lib)
        with lib.orm.Session(engine) as s:
            result = s.execute(sa.insert(Person).values(name="eve", age=41))
            lib.out(result.rowcount)
            s.execute(sa.insert(Person).values(id=20, name="frank", city="Oslo"))
            s.commit()
            lib.out([_p(p) for p in s.scalars(sa.select(Person).where(Person.id > 6).order_by(Person.id))])

    compare(scenario)


def test_bulk_insert_then_rollback(compare):
    def scenario(lib):
        sa = lib.sa
        engine, Person, Order = _setup(lib)
        with lib.orm.Session(engine) as s:
            s.execute(sa.insert(Person), [{"name": "tmp1"}, {"name": "tmp2"}])
            lib.out(s.scalar(sa.select(sa.func.count()).select_from(Person)))
            s.rollback()
            lib.out(s.scalar(sa.select(sa.func.count()).select_from(Person)))

    compare(scenario)


# -- UPDATE / DELETE statements with synchronize_session ----------------------------------------------


def _update_stmt(lib, mode):
    sa = lib.sa
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine) as s:
        loaded = s.scalars(sa.select(Person).order_by(Person.id)).all()
        stmt = (
            sa.update(Person)
            .where(Person.age >= 28)
            .values(age=Person.age + 1, city="Омск")
            .execution_options(synchronize_session=mode)
        )
        result = s.execute(stmt)
        lib.out(mode, result.rowcount)
        lib.out([(p.id, p.age, p.city) for p in loaded])
        lib.out(len(s.dirty), all(p in s for p in loaded))
        s.commit()
        lib.out([(p.id, p.age, p.city) for p in loaded])
    lib.out(_db_people(lib, engine, Person))


def test_update_synchronize_auto(compare):
    compare(lambda lib: _update_stmt(lib, "auto"))


def test_update_synchronize_evaluate(compare):
    compare(lambda lib: _update_stmt(lib, "evaluate"))


def test_update_synchronize_fetch(compare):
    compare(lambda lib: _update_stmt(lib, "fetch"))


def test_update_synchronize_false(compare):
    compare(lambda lib: _update_stmt(lib, False))


def test_update_default_synchronize_and_dict_values(compare):
    def scenario(lib):
        sa = lib.sa
        engine, Person, Order = _setup(lib)
        with lib.orm.Session(engine) as s:
            loaded = s.scalars(sa.select(Person).order_by(Person.id)).all()
            s.execute(sa.update(Person).where(Person.city == "Paris").values({"name": Person.name + "?"}))
            s.execute(sa.update(Person).where(Person.id == 6).values({Person.city: "Рим"}))
            lib.out([_p(p) for p in loaded])

    compare(scenario)


def test_update_partial_load_each_mode(compare):
    def scenario(lib):
        sa = lib.sa
        for mode in SYNC_MODES:
            engine, Person, Order = _setup(lib)
            with lib.orm.Session(engine) as s:
                loaded = s.scalars(sa.select(Person).where(Person.id <= 3).order_by(Person.id)).all()
                stmt = (
                    sa.update(Person)
                    .where(Person.name.in_(["Егор", "alice", "bob"]))
                    .values(age=50)
                    .execution_options(synchronize_session=mode)
                )
                lib.out(mode, s.execute(stmt).rowcount, [(p.id, p.age) for p in loaded])
                lib.out(_tuples(s.execute(sa.select(Person.id, Person.age).order_by(Person.id))))
                lib.out([(p.id, p.age) for p in s.scalars(sa.select(Person).order_by(Person.id))])

    compare(scenario)


def test_update_non_evaluable_criterion_each_mode(compare):
    def scenario(lib):
        sa = lib.sa
        for mode in SYNC_MODES:
            engine, Person, Order = _setup(lib)
            with lib.orm.Session(engine) as s:
                loaded = s.scalars(sa.select(Person).order_by(Person.id)).all()
                stmt = (
                    sa.update(Person)
                    .where(sa.func.length(Person.name) == 3)
                    .values(age=1)
                    .execution_options(synchronize_session=mode)
                )
                try:
                    n = s.execute(stmt).rowcount
                except Exception as error:
                    lib.out(mode, "raised", type(error).__name__)
                    continue
                lib.out(mode, n, [p.age for p in loaded])

    compare(scenario)


def _delete_stmt(lib, mode):
    sa = lib.sa
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine) as s:
        s.execute(sa.delete(Order))
        loaded = s.scalars(sa.select(Person).order_by(Person.id)).all()
        ids = _ids(loaded)
        stmt = sa.delete(Person).where(Person.age < 30).execution_options(synchronize_session=mode)
        lib.out(mode, s.execute(stmt).rowcount)
        states = [lib.inspect(p) for p in loaded]
        lib.out([(i, p in s) for i, p in zip(ids, loaded)])
        lib.out([(st.persistent, st.deleted, st.detached) for st in states])
        lib.out(s.scalars(sa.select(Person.id).order_by(Person.id)).all())
        lib.out(_ids(s.scalars(sa.select(Person).order_by(Person.id))))
        lib.out(len(s.identity_map), s.get(Person, 1) is None)
        s.commit()
        lib.out([(st.persistent, st.deleted, st.detached) for st in states])
    lib.out(_db_people(lib, engine, Person))


def test_delete_synchronize_auto(compare):
    compare(lambda lib: _delete_stmt(lib, "auto"))


def test_delete_synchronize_evaluate(compare):
    compare(lambda lib: _delete_stmt(lib, "evaluate"))


def test_delete_synchronize_fetch(compare):
    compare(lambda lib: _delete_stmt(lib, "fetch"))


def test_delete_synchronize_false(compare):
    compare(lambda lib: _delete_stmt(lib, False))


def test_delete_rowcount_and_default_mode(compare):
    def scenario(lib):
        sa = lib.sa
        engine, Person, Order = _setup(lib)
        with lib.orm.Session(engine) as s:
            orders = s.scalars(sa.select(Order).order_by(Order.id)).all()
            lib.out(s.execute(sa.delete(Order).where(Order.status == "nothing")).rowcount)
            lib.out(s.execute(sa.delete(Order).where(Order.amount == None)).rowcount)  # noqa: E711
            lib.out([o in s for o in orders])
            lib.out(s.execute(sa.delete(Order).where(Order.amount > 6)).rowcount)
            lib.out([o in s for o in orders])
            s.commit()
            lib.out(s.scalars(sa.select(Order.id).order_by(Order.id)).all())

    compare(scenario)


# -- exists() --------------------------------------------------------------------------------------


def test_exists(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        has_order = sa.exists().where(Order.person_id == Person.id)
        lib.out(s.scalars(sa.select(Person.id).where(has_order).order_by(Person.id)).all())
        lib.out(s.scalars(sa.select(Person.id).where(~has_order).order_by(Person.id)).all())
        lib.out(s.scalar(sa.select(sa.exists().where(Order.amount > 50))))
        lib.out(s.scalar(sa.select(sa.exists().where(Order.amount > 500))))
        paid = sa.select(Order.id).where(Order.person_id == Person.id, Order.status == "paid")
        lib.out(s.scalars(sa.select(Person.name).where(paid.exists()).order_by(Person.id)).all())
        lib.out(s.scalar(sa.select(sa.select(Person.id).where(Person.age > 40).exists())))

    compare(lambda lib: _run(lib, body))


# -- union / union_all ----------------------------------------------------------------------------------


def test_union_and_union_all(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        young = sa.select(Person.name).where(Person.age < 29)
        paris = sa.select(Person.name).where(Person.city == "Paris")
        named = sa.select(Person.name).where(Person.name.in_(["alice", "Егор"]))
        lib.out(s.scalars(sa.union(young, paris).order_by("name")).all())
        lib.out(s.scalars(sa.union_all(young, paris, named).order_by("name")).all())
        lib.out(sorted(s.scalars(sa.union(young, paris, named)).all()))
        lib.out(s.scalars(young.union_all(named).order_by("name")).all())
        lib.out(s.scalars(young.union(paris).order_by(sa.desc("name"))).all())

    compare(lambda lib: _run(lib, body))


def test_union_of_rows_and_as_subquery(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        a = sa.select(Person.id, Person.name).where(Person.age == 28)
        b = sa.select(Person.id, Person.name).where(Person.id > 4)
        u = sa.union_all(a, b, a).order_by("id")
        lib.out(_tuples(s.execute(u)))
        sub = sa.union_all(a, b, a).subquery()
        stmt = sa.select(sub.c.name, func.count()).group_by(sub.c.name).order_by(sub.c.name)
        lib.out(_tuples(s.execute(stmt)))
        lib.out(_tuples(s.execute(sa.union(a, b).order_by("id").limit(2).offset(1))))

    compare(lambda lib: _run(lib, body))


# -- aliased() -----------------------------------------------------------------------------------------


def test_aliased_self_join(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        Other = lib.orm.aliased(Person)
        stmt = (
            sa.select(Person.name, Other.name)
            .join(Other, sa.and_(Other.city == Person.city, Other.id > Person.id))
            .order_by(Person.id, Other.id)
        )
        lib.out(_tuples(s.execute(stmt)))
        stmt = (
            sa.select(Person.id, Other.id)
            .join(Other, Other.age == Person.age)
            .where(Person.id != Other.id)
            .order_by(Person.id, Other.id)
        )
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


def test_aliased_entity_in_select_and_where(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        P = lib.orm.aliased(Person, name="p2")
        people = s.scalars(sa.select(P).where(P.age > 28).order_by(P.id)).all()
        lib.out([_p(p) for p in people])
        lib.out(all(type(p) is Person for p in people), people[0] is s.get(Person, 3))
        rows = s.execute(
            sa.select(Person, P).join(P, P.age == Person.age).where(P.id > Person.id)
        ).all()
        lib.out([(a.id, b.id) for a, b in rows])
        lib.out(list(rows[0]._fields))
        lib.out(s.scalar(sa.select(sa.func.count(P.id)).where(P.city == "Paris")))

    compare(lambda lib: _run(lib, body))


def test_aliased_with_order_join(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        paid = lib.orm.aliased(Order)
        stmt = (
            sa.select(Person.name, sa.func.count(paid.id))
            .outerjoin(paid, sa.and_(paid.person_id == Person.id, paid.status == "paid"))
            .group_by(Person.id)
            .order_by(Person.id)
        )
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


# -- text() ------------------------------------------------------------------------------------------


def test_text_with_bound_parameters(compare):
    def body(lib, s, Person, Order):
        text = lib.sa.text
        stmt = text("SELECT name, age FROM people WHERE age > :a ORDER BY id")
        lib.out(_tuples(s.execute(stmt, {"a": 28})))
        lib.out(_tuples(s.execute(stmt.bindparams(a=29))))
        lib.out(s.scalars(text("SELECT id FROM people WHERE city = :c ORDER BY id"), {"c": "Paris"}).all())
        lib.out(s.scalar(text("SELECT count(*) FROM orders WHERE status = :s"), {"s": "paid"}))
        rows = s.execute(text("SELECT id, name FROM people WHERE name = :n"), {"n": "Сергей"})
        lib.out([r._asdict() for r in rows])

    compare(lambda lib: _run(lib, body))


def test_text_columns_types(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        raw = sa.text("SELECT id, amount FROM orders ORDER BY id")
        lib.out(_tuples(s.execute(raw)))
        typed = raw.columns(id=sa.Integer, amount=sa.Numeric(10, 2))
        lib.out(_tuples(s.execute(typed)))
        typed = sa.text("SELECT id, amount FROM orders ORDER BY id").columns(Order.id, Order.amount)
        lib.out(_tuples(s.execute(typed)))

    compare(lambda lib: _run(lib, body))


def test_text_columns_as_subquery(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        t = (
            sa.text("SELECT id, name, age FROM people WHERE age >= :a")
            .bindparams(a=28)
            .columns(sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("age", sa.Integer))
            .subquery("t")
        )
        lib.out(_tuples(s.execute(sa.select(t.c.name, t.c.age).where(t.c.id > 1).order_by(t.c.id))))
        stmt = sa.select(Order.id, t.c.name).join(t, t.c.id == Order.person_id).order_by(Order.id)
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


# -- subqueries and CTEs ------------------------------------------------------------------------------


def test_select_from_subquery(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        counts = (
            sa.select(Person.city, func.count().label("n"))
            .group_by(Person.city)
            .subquery()
        )
        lib.out(_tuples(s.execute(sa.select(counts).order_by(counts.c.city))))
        lib.out(s.scalars(sa.select(counts.c.city).where(counts.c.n > 1).order_by(counts.c.city)).all())
        totals = (
            sa.select(Order.person_id, func.sum(Order.amount).label("total"))
            .group_by(Order.person_id)
            .subquery("totals")
        )
        stmt = (
            sa.select(Person.name, totals.c.total)
            .join(totals, totals.c.person_id == Person.id)
            .order_by(totals.c.total.desc())
        )
        lib.out(_tuples(s.execute(stmt)))
        lib.out(s.scalar(sa.select(func.max(totals.c.total))))

    compare(lambda lib: _run(lib, body))


def test_select_entity_joined_to_subquery(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        big = sa.select(Order.person_id).where(Order.amount > 6).distinct().subquery()
        people = s.scalars(
            sa.select(Person).join(big, big.c.person_id == Person.id).order_by(Person.id)
        ).all()
        lib.out(_ids(people))
        inner = sa.select(Person.id, (Person.age * 2).label("double")).subquery()
        lib.out(s.scalar(sa.select(func.sum(inner.c.double))))

    compare(lambda lib: _run(lib, body))


def test_select_from_cte(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        totals = (
            sa.select(Order.person_id, func.sum(Order.amount).label("total"))
            .group_by(Order.person_id)
            .cte("totals")
        )
        stmt = (
            sa.select(Person.name, totals.c.total)
            .join(totals, totals.c.person_id == Person.id)
            .order_by(Person.id)
        )
        lib.out(_tuples(s.execute(stmt)))
        lib.out(_tuples(s.execute(sa.select(totals).order_by(totals.c.person_id))))
        adults = sa.select(Person.id, Person.name).where(Person.age >= 28).cte()
        lib.out(s.scalars(sa.select(adults.c.name).order_by(adults.c.id)).all())

    compare(lambda lib: _run(lib, body))


def test_recursive_cte_counts_to_five(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        counter = sa.select(sa.literal(1).label("n")).cte("counter", recursive=True)
        counter = counter.union_all(sa.select(counter.c.n + 1).where(counter.c.n < 5))
        lib.out(s.scalars(sa.select(counter.c.n).order_by(counter.c.n)).all())
        lib.out(s.scalar(sa.select(sa.func.sum(counter.c.n))))
        people = s.scalars(sa.select(Person.id).where(Person.id.in_(sa.select(counter.c.n)))).all()
        lib.out(sorted(people))

    compare(lambda lib: _run(lib, body))


def test_two_ctes(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        paid = sa.select(Order.person_id, Order.amount).where(Order.status == "paid").cte("paid")
        per_person = (
            sa.select(paid.c.person_id, func.sum(paid.c.amount).label("total"))
            .group_by(paid.c.person_id)
            .cte("per_person")
        )
        stmt = (
            sa.select(Person.name, per_person.c.total)
            .join(per_person, per_person.c.person_id == Person.id)
            .order_by(Person.id)
        )
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


# -- with_only_columns / add_columns on select --------------------------------------------------------


def test_select_with_only_columns_and_add_columns(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person).where(Person.age > 28).order_by(Person.id)
        lib.out(_tuples(s.execute(stmt.with_only_columns(Person.name, Person.age))))
        rows = s.execute(stmt.add_columns(Person.city)).all()
        lib.out([(p.id, city) for p, city in rows])
        lib.out(_tuples(s.execute(sa.select(Person.id).add_columns(Person.name).order_by(Person.id))))

    compare(lambda lib: _run(lib, body))
