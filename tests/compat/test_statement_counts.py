"""The SQL each scenario sends, counted at the driver, compared with SQLAlchemy.

lightalchemy may send fewer statements where it batches (many new objects in
one multi-row INSERT), never more, and the database must end up the same (the
``compare`` fixture checks the recorded results).  Statements are counted with
sqlite3's trace callback on a connection given through ``creator=``, which both
libraries accept; transaction control (BEGIN, COMMIT, SAVEPOINT…) is left out.
"""

import sqlite3

import pytest

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


def _engine(lib, path, counts):
    def creator():
        conn = sqlite3.connect(path, check_same_thread=False)

        def trace(sql):
            if not sql.lstrip().upper().startswith(CONTROL):
                counts.append(sql.split()[0].upper())

        conn.set_trace_callback(trace)
        return conn

    return lib.sa.create_engine("sqlite://", creator=creator, poolclass=lib.pool.StaticPool)


def _model(lib):
    orm = lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str]
        age: orm.Mapped[int]

    return Base, Person


SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__] = fn
    return fn


@scenario
def insert_many(lib, s, Person):
    s.add_all([Person(name=f"p{i}", age=i % 7) for i in range(300)])
    s.commit()
    return [p.id for p in s.scalars(lib.sa.select(Person).order_by(Person.id))][:3]


@scenario
def get_twice_same_key(lib, s, Person):
    a = s.get(Person, 5)
    b = s.get(Person, 5)
    return (a is b, a.name)


@scenario
def update_one_column(lib, s, Person):
    for p in s.scalars(lib.sa.select(Person).where(Person.age == 3)):
        p.age = 30
    s.commit()
    return s.scalar(lib.sa.select(lib.sa.func.count()).where(Person.age == 30))


@scenario
def nothing_changed_commit(lib, s, Person):
    p = s.get(Person, 1)
    p.age = p.age  # same value: no UPDATE
    s.commit()
    return p.age


@scenario
def delete_some(lib, s, Person):
    for p in s.scalars(lib.sa.select(Person).where(Person.id <= 10)):
        s.delete(p)
    s.commit()
    return s.scalar(lib.sa.select(lib.sa.func.count()).select_from(Person))


@scenario
def expired_after_commit_loads_once(lib, s, Person):
    p = s.get(Person, 2)
    p.name = "renamed"
    s.commit()
    return (p.name, p.age)  # one SELECT reloads both attributes


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_statement_count_not_above_sqlalchemy(compare, tmp_path, name):
    counts: dict = {}

    def run(lib):
        path = tmp_path / f"{lib.name}_{name}.db"
        seen: list = []
        engine = _engine(lib, str(path), seen)
        Base, Person = _model(lib)
        Base.metadata.create_all(engine)
        with lib.orm.Session(engine) as s:
            s.add_all([Person(name=f"seed{i}", age=i % 7) for i in range(20)])
            s.commit()
        seen.clear()
        with lib.orm.Session(engine) as s:
            lib.out(SCENARIOS[name](lib, s, Person))
        counts[lib.sa.__name__] = list(seen)

    compare(run)
    if len(counts) < 2:  # the reference-only mode runs SQLAlchemy twice
        return
    ours, theirs = counts["lightalchemy"], counts["sqlalchemy"]
    assert ours and theirs, (name, ours, theirs)
    assert len(ours) <= len(theirs), (name, ours, theirs)
