"""The ORM workloads, one source for both ``sqlalchemy-orm`` and ``lightalchemy``.

lightalchemy's promise is that SQLAlchemy 2.x ORM code runs unchanged with the
imports swapped, so both contenders must run literally the same code.  The
package to import is taken from the ``BENCH_ORM`` environment variable
(``sqlalchemy`` or ``lightalchemy``, set by the driver per contender); the
block below is the only place the two differ, and it stands in for
``from sqlalchemy import ...`` / ``from sqlalchemy.orm import ...``.  The rest
is idiomatic SQLAlchemy 2.x: DeclarativeBase, Mapped / mapped_column, Session.

Every workload function takes the context made by :func:`setup` (the Engine)
and the input from ``workloads.make_input``, and returns what the checker needs.
"""

import importlib
import os

ORM = os.environ.get("BENCH_ORM", "sqlalchemy")
if ORM not in ("sqlalchemy", "lightalchemy"):
    raise SystemExit(f"BENCH_ORM must be sqlalchemy or lightalchemy, not {ORM!r}")

# --- the imports: `from <ORM> import ...` and `from <ORM>.orm import ...` ---
_core = importlib.import_module(ORM)
_orm = importlib.import_module(f"{ORM}.orm")
String = _core.String
create_engine = _core.create_engine
select = _core.select
text = _core.text
DeclarativeBase = _orm.DeclarativeBase
Mapped = _orm.Mapped
Session = _orm.Session
configure_mappers = _orm.configure_mappers
mapped_column = _orm.mapped_column
# --- end of imports: everything below is plain SQLAlchemy 2.x code ---


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String)
    age: Mapped[int]


def setup(target):
    """An Engine with mappers configured and one connection made (not timed)."""
    engine = create_engine(target.url())
    configure_mappers()
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return engine


def teardown(engine):
    engine.dispose()


def bulk_create(engine, rows):
    with Session(engine) as session:
        session.add_all([Person(name=name, age=age) for name, age in rows])
        session.commit()


def load_all(engine, _):
    with Session(engine) as session:
        people = session.scalars(select(Person)).all()
        for person in people:
            person.name  # noqa: B018 - reading the attribute is part of the workload
    return people


def get_by_pk(engine, keys):
    with Session(engine) as session:
        return [session.get(Person, key) for key in keys]


def single_insert_commit(engine, rows):
    ids = []
    for name, age in rows:
        with Session(engine) as session:
            person = Person(name=name, age=age)
            session.add(person)
            session.commit()
            ids.append(person.id)
    return ids


def update_dirty(engine, count):
    with Session(engine) as session:
        for person in session.scalars(select(Person).where(Person.id <= count)).all():
            person.age = person.age + 1
        session.commit()


def filter_query(engine, ages):
    with Session(engine) as session:
        return [
            session.scalars(select(Person).where(Person.age == age).limit(10)).all()
            for age in ages
        ]


def delete(engine, count):
    with Session(engine) as session:
        for person in session.scalars(select(Person).where(Person.id <= count)).all():
            session.delete(person)
        session.commit()


def stream(engine, _):
    rows = chars = 0
    with Session(engine) as session:
        result = session.execute(select(Person).execution_options(yield_per=1000)).scalars()
        for person in result:
            rows += 1
            chars += len(person.name)
    return rows, chars
