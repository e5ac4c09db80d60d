"""Large results and the identity map, issue 5.

``yield_per`` (on Query and as an execution option) and ``Result.partitions()``
must give the same rows, in the same order, as ``all()``; the objects they yield
are identity-mapped.  The identity map keeps one object per row across queries,
does not overwrite pending changes, and ``populate_existing`` does overwrite.

The models are the same as in the other query files: ``Person(id, name, age, city)``
(here with a few hundred generated rows besides the seed's) and ``Order``.
"""

from decimal import Decimal
from typing import Optional

SEED = [
    (1, "Егор", 28, "Москва"),
    (2, "Сергей", 28, None),
    (3, "Владимир", 32, "Казань"),
]
CITIES = ("Paris", None, "Москва", "Oslo", None)
N_PEOPLE = 257  # not a multiple of any batch size used below


def _people():
    rows = list(SEED)
    for i in range(len(SEED) + 1, N_PEOPLE + 1):
        age = None if i % 7 == 0 else 18 + i % 50
        rows.append((i, f"person{i:03d}", age, CITIES[i % len(CITIES)]))
    return rows


PEOPLE = _people()


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
        s.add_all(
            [
                Order(id=i, person_id=1 + i % 40, amount=Decimal(i) / 4, status="paid")
                for i in range(1, 101)
            ]
        )
        s.commit()
    return engine, Person, Order


def _p(person):
    return (person.id, person.name, person.age, person.city)


def _run(lib, body, **session_kw):
    """Scenario body ``body(lib, s, Person, Order)`` on a fresh, populated session."""
    engine, Person, Order = _setup(lib)
    with lib.orm.Session(engine, **session_kw) as s:
        body(lib, s, Person, Order)


# -- Query.yield_per ----------------------------------------------------------------------------------


def test_query_yield_per_matches_all(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person).filter(Person.age > 30).order_by(Person.age.desc(), Person.id)
        expected = [_p(p) for p in q.all()]
        for n in (1, 10, 64, 1000):
            streamed = [_p(p) for p in q.yield_per(n)]
            lib.out(n, len(streamed), streamed == expected)
        lib.out(expected[:5])

    compare(lambda lib: _run(lib, body))


def test_query_yield_per_all_and_columns(compare):
    def body(lib, s, Person, Order):
        q = s.query(Person.id, Person.name, Person.city).order_by(Person.id)
        rows = [tuple(r) for r in q.yield_per(25)]
        lib.out(len(rows), rows == [tuple(r) for r in q.all()], rows[-3:])
        lib.out(len(s.query(Person).order_by(Person.id).yield_per(30).all()))

    compare(lambda lib: _run(lib, body))


def test_query_yield_per_objects_are_identity_mapped(compare):
    def body(lib, s, Person, Order):
        before = s.get(Person, 100)
        people = list(s.query(Person).order_by(Person.id).yield_per(16))
        lib.out(len(people), people[99] is before)
        lib.out(all(s.get(Person, p.id) is p for p in people))
        lib.out(len(s.identity_map))
        again = s.query(Person).order_by(Person.id).all()
        lib.out(all(a is b for a, b in zip(people, again)))

    compare(lambda lib: _run(lib, body))


# -- execution_options(yield_per=n) -----------------------------------------------------------------


def test_execution_option_yield_per_scalars(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person).where(Person.city != None).order_by(Person.name)  # noqa: E711
        expected = [p.id for p in s.scalars(stmt).all()]
        streamed = [p.id for p in s.scalars(stmt.execution_options(yield_per=20))]
        lib.out(len(expected), streamed == expected, expected[:4], expected[-2:])

    compare(lambda lib: _run(lib, body))


def test_execution_option_yield_per_rows(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id, Person.age).order_by(Person.age.nulls_last(), Person.id)
        expected = [tuple(r) for r in s.execute(stmt).all()]
        result = s.execute(stmt.execution_options(yield_per=50))
        streamed = [tuple(r) for r in result]
        lib.out(len(streamed), streamed == expected, streamed[:3], streamed[-3:])
        streamed = [tuple(r) for r in s.execute(stmt, execution_options={"yield_per": 7})]
        lib.out(streamed == expected)

    compare(lambda lib: _run(lib, body))


def test_execution_option_yield_per_fetchmany(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id).order_by(Person.id).execution_options(yield_per=40)
        result = s.execute(stmt)
        sizes = []
        while True:
            chunk = result.fetchmany(60)
            if not chunk:
                break
            sizes.append((len(chunk), chunk[0][0], chunk[-1][0]))
        lib.out(sizes)

    compare(lambda lib: _run(lib, body))


def test_execution_option_yield_per_objects_are_identity_mapped(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        held = [s.get(Person, 5), s.get(Person, 200)]
        stmt = sa.select(Person).order_by(Person.id).execution_options(yield_per=32)
        people = list(s.scalars(stmt))
        lib.out(people[4] is held[0], people[199] is held[1])
        lib.out(len({id(p) for p in people}), len(s.identity_map))
        rows = s.execute(sa.select(Person).order_by(Person.id.desc()).execution_options(yield_per=9))
        lib.out(all(r[0] is people[r[0].id - 1] for r in rows))

    compare(lambda lib: _run(lib, body))


def test_result_yield_per_method(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id).order_by(Person.id)
        ids = [r[0] for r in s.execute(stmt).yield_per(45)]
        lib.out(len(ids), ids == list(range(1, N_PEOPLE + 1)))

    compare(lambda lib: _run(lib, body))


# -- Result.partitions() --------------------------------------------------------------------------------


def test_partitions_with_size(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id, Person.name).order_by(Person.id)
        expected = [tuple(r) for r in s.execute(stmt).all()]
        for size in (1, 50, 256, 257, 300):
            parts = list(s.execute(stmt).partitions(size))
            flat = [tuple(r) for part in parts for r in part]
            lib.out(size, [len(part) for part in parts][-3:], len(parts), flat == expected)

    compare(lambda lib: _run(lib, body))


def test_partitions_with_yield_per(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person).order_by(Person.id).execution_options(yield_per=60)
        parts = list(s.execute(stmt).partitions())
        lib.out([len(part) for part in parts])
        lib.out([part[0][0].id for part in parts])
        parts = list(s.scalars(stmt).partitions())
        lib.out([len(part) for part in parts], [part[-1].id for part in parts])
        parts = list(s.execute(stmt).partitions(100))
        lib.out([len(part) for part in parts])

    compare(lambda lib: _run(lib, body))


def test_partitions_of_scalars_and_mappings(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        stmt = sa.select(Person.id).where(Person.age == None).order_by(Person.id)  # noqa: E711
        parts = list(s.scalars(stmt).partitions(10))
        lib.out(parts)
        stmt = sa.select(Person.id, Person.city).where(Person.id <= 12).order_by(Person.id)
        parts = list(s.execute(stmt).mappings().partitions(5))
        lib.out([[dict(m) for m in part] for part in parts])

    compare(lambda lib: _run(lib, body))


def test_partitions_objects_are_identity_mapped(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        egor = s.get(Person, 1)
        stmt = sa.select(Person).order_by(Person.id)
        parts = list(s.scalars(stmt).partitions(100))
        flat = [p for part in parts for p in part]
        lib.out(flat[0] is egor, len(flat), len(s.identity_map))
        lib.out(all(a is b for a, b in zip(flat, s.scalars(stmt).all())))

    compare(lambda lib: _run(lib, body))


def test_large_join_streamed(compare):
    def body(lib, s, Person, Order):
        sa, func = lib.sa, lib.sa.func
        stmt = (
            sa.select(Person.id, func.count(Order.id), func.sum(Order.amount))
            .outerjoin(Order, Order.person_id == Person.id)
            .group_by(Person.id)
            .order_by(Person.id)
        )
        expected = [tuple(r) for r in s.execute(stmt).all()]
        streamed = [tuple(r) for r in s.execute(stmt.execution_options(yield_per=13))]
        lib.out(len(expected), streamed == expected, expected[:3], expected[38:42])

    compare(lambda lib: _run(lib, body))


# -- the identity map -----------------------------------------------------------------------------------


def test_same_row_same_object_across_queries(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        a = s.query(Person).filter_by(id=2).one()
        b = s.scalars(sa.select(Person).where(Person.id == 2)).one()
        c = s.get(Person, 2)
        d = s.execute(sa.select(Person).where(Person.name == "Сергей")).scalar_one()
        e = s.query(Person).order_by(Person.id).all()[1]
        f = s.execute(sa.select(Person, Person.age).where(Person.id == 2)).one()[0]
        lib.out(a is b, b is c, c is d, d is e, e is f)
        lib.out(len(s.identity_map))

    compare(lambda lib: _run(lib, body))


def test_identity_map_across_joins_and_aliases(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        rows = s.execute(
            sa.select(Person, Order)
            .join(Order, Order.person_id == Person.id)
            .where(Person.id == 2)
            .order_by(Order.id)
        ).all()
        lib.out(len(rows), all(r[0] is rows[0][0] for r in rows))
        lib.out(rows[0][0] is s.get(Person, 2))
        order = s.get(Order, rows[0][1].id)
        lib.out(order is rows[0][1])

    compare(lambda lib: _run(lib, body))


def test_pending_changes_not_overwritten_by_query(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        egor = s.get(Person, 1)
        egor.name = "Егор Петрович"
        s.execute(sa.text("UPDATE people SET age = 99, city = 'Тверь' WHERE id = 1"))
        again = s.scalars(sa.select(Person).where(Person.id == 1)).one()
        lib.out(again is egor, egor.name, egor.age, egor.city)
        lib.out(lib.inspect(egor).modified, egor in s.dirty)
        q_again = s.query(Person).filter(Person.id == 1).one()
        lib.out(q_again is egor, egor.name, egor.age)
        lib.out(
            s.execute(sa.select(Person.name, Person.age).where(Person.id == 1)).one()._asdict()
        )

    compare(lambda lib: _run(lib, body, autoflush=False))


def test_loaded_object_not_refreshed_by_later_query(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        people = s.scalars(sa.select(Person).where(Person.id <= 3).order_by(Person.id)).all()
        s.execute(sa.text("UPDATE people SET age = age + 100"))
        again = s.scalars(sa.select(Person).where(Person.id <= 3).order_by(Person.id)).all()
        lib.out([a is b for a, b in zip(people, again)])
        lib.out([p.age for p in again])
        lib.out(s.scalars(sa.select(Person.age).where(Person.id <= 3).order_by(Person.id)).all())

    compare(lambda lib: _run(lib, body))


def test_autoflush_makes_pending_change_visible(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        egor = s.get(Person, 1)
        egor.age = 4100
        lib.out(s.scalars(sa.select(Person.id).where(Person.age == 4100)).all())
        again = s.query(Person).filter(Person.age == 4100).one()
        lib.out(again is egor, egor.age, egor in s.dirty)

    compare(lambda lib: _run(lib, body))


def test_populate_existing_query(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        egor = s.get(Person, 1)
        sergey = s.get(Person, 2)
        egor.name = "changed"
        s.execute(sa.text("UPDATE people SET age = 99 WHERE id IN (1, 2)"))
        lib.out(egor.age, sergey.age)
        result = (
            s.query(Person).filter(Person.id <= 2).order_by(Person.id).populate_existing().all()
        )
        lib.out(result[0] is egor, result[1] is sergey)
        lib.out(egor.name, egor.age, sergey.age)
        lib.out(lib.inspect(egor).modified, egor in s.dirty)

    compare(lambda lib: _run(lib, body, autoflush=False))


def test_populate_existing_execution_option(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        people = s.scalars(sa.select(Person).where(Person.id <= 3).order_by(Person.id)).all()
        people[0].city = "pending"
        s.execute(sa.text("UPDATE people SET name = name || '*', age = 7 WHERE id <= 3"))
        lib.out([(p.name, p.age, p.city) for p in people])
        stmt = (
            sa.select(Person)
            .where(Person.id <= 3)
            .order_by(Person.id)
            .execution_options(populate_existing=True)
        )
        again = s.scalars(stmt).all()
        lib.out([a is b for a, b in zip(people, again)])
        lib.out([(p.name, p.age, p.city) for p in people])
        lib.out(len(s.dirty))

    compare(lambda lib: _run(lib, body, autoflush=False))


def test_populate_existing_with_yield_per(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        loaded = s.scalars(sa.select(Person).order_by(Person.id)).all()
        s.execute(sa.text("UPDATE people SET age = -1"))
        stmt = (
            sa.select(Person)
            .order_by(Person.id)
            .execution_options(populate_existing=True, yield_per=50)
        )
        again = list(s.scalars(stmt))
        lib.out(all(a is b for a, b in zip(loaded, again)), len(again))
        lib.out(sorted({p.age for p in loaded}))

    compare(lambda lib: _run(lib, body))


def test_populate_existing_via_session_execute_option(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        egor = s.get(Person, 1)
        s.execute(sa.text("UPDATE people SET city = 'Сочи' WHERE id = 1"))
        lib.out(egor.city)
        s.execute(
            sa.select(Person).where(Person.id == 1),
            execution_options={"populate_existing": True},
        ).all()
        lib.out(egor.city)
        lib.out(s.get(Person, 1, populate_existing=True) is egor, egor.city)

    compare(lambda lib: _run(lib, body))


def test_expired_object_reloaded_by_query(compare):
    def body(lib, s, Person, Order):
        sa = lib.sa
        egor = s.get(Person, 1)
        s.execute(sa.text("UPDATE people SET age = 55 WHERE id = 1"))
        lib.out(egor.age)
        s.expire(egor)
        again = s.scalars(sa.select(Person).where(Person.id == 1)).one()
        lib.out(again is egor, "age" in lib.inspect(egor).unloaded, egor.age)

    compare(lambda lib: _run(lib, body))


def test_identity_map_after_commit_and_new_session(compare):
    def scenario(lib):
        sa = lib.sa
        engine, Person, Order = _setup(lib)
        with lib.orm.Session(engine) as s:
            first = s.get(Person, 3)
            s.commit()
            second = s.scalars(sa.select(Person).where(Person.id == 3)).one()
            lib.out(first is second, first.name)
        with lib.orm.Session(engine) as other:
            third = other.get(Person, 3)
            lib.out(third is first, third.name)

    compare(scenario)
