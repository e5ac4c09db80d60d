"""Hostile values and names: every value is a bound parameter, every name is quoted.

Values must come back byte-exact through every path a user has (add/get, filter,
filter_by, in_, like with and without escaping, text() binds, bulk update and delete);
tables and columns with awkward names must work from CREATE to DROP.
"""

import pytest

from lightalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    inspect,
    select,
    text,
    update,
)
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

HOSTILE = [
    "O'Brien", 'say "hi"', "back\\slash", "semi; DROP TABLE people; --", "nul\x00byte",
    "tab\tnew\nline\rreturn", "ctrl\x01\x02\x1f", "?", "%s", "%(x)s", ":x", "$1", "%", "_",
    "100% _match_", "/escape/", "\u202eRTL\u202c", "zero\u200bwidth", "emoji 😀🎉",
    "Егор", "", " ", "x" * (1 << 20),
]


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'hostile.db'}")
    Base.metadata.create_all(engine)
    return engine


def test_hostile_values_round_trip_through_every_path(engine):
    with Session(engine) as s:
        notes = [Note(body=v) for v in HOSTILE]
        s.add_all(notes)
        s.add(Note(id=1000, body=HOSTILE[0]))
        s.commit()
        ids = [n.id for n in notes]
    with Session(engine) as s:
        for i, value in zip(ids, HOSTILE):
            assert s.get(Note, i).body == value
            assert s.scalars(select(Note.id).where(Note.body == value)).all()[0] in (i, 1000)
            assert i in s.scalars(select(Note.id).filter_by(body=value)).all()
            assert i in s.scalars(select(Note.id).where(Note.body.in_([value, "zz"]))).all()
            found = s.execute(text("SELECT id FROM note WHERE body = :b"), {"b": value})
            assert i in [r[0] for r in found]
            if len(value) > 50_000:  # SQLite refuses LIKE patterns this long (a limit of its own)
                continue
            # startswith with autoescape finds the value itself among the rows
            starts = s.scalars(select(Note.id).where(Note.body.startswith(value,
                                                                          autoescape=True)))
            assert i in starts.all()
        like = s.scalars(select(Note.body).where(Note.body.like("100/% /_%", escape="/")))
        assert like.all() == ["100% _match_"]
        s.execute(update(Note).where(Note.body == "%").values(body="?\x00%s"))
        s.execute(delete(Note).where(Note.body.in_(["$1", ":x"])))
        s.commit()
    with Session(engine) as s:
        bodies = s.scalars(select(Note.body).order_by(Note.id)).all()
    expected = [v for v in HOSTILE if v not in ("$1", ":x")] + [HOSTILE[0]]
    expected = ["?\x00%s" if v == "%" else v for v in expected]
    assert bodies == expected


AWKWARD = ["order", "select", "my table", 'quote"d', "per%cent", "co:lon", "ques?tion",
           "Таблица", "MixedCase", "group by"]


@pytest.mark.parametrize("name", AWKWARD)
def test_awkward_names_from_create_to_drop(tmp_path, name):
    engine = create_engine(f"sqlite:///{tmp_path / 'names.db'}")
    md = MetaData()
    t = Table(name, md, Column("id", Integer, primary_key=True),
              Column(name, String(20)), Column(f"{name} 2", Integer))
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), [{name: "a", f"{name} 2": 1}, {name: "b", f"{name} 2": 2}])
        conn.execute(update(t).where(t.c[name] == "a").values({f"{name} 2": 10}))
        conn.execute(delete(t).where(t.c[f"{name} 2"] == 2))
        rows = conn.execute(select(t.c[name], t.c[f"{name} 2"]).order_by(t.c.id)).all()
        assert [tuple(r) for r in rows] == [("a", 10)]
    assert inspect(engine).has_table(name)
    assert [c["name"] for c in inspect(engine).get_columns(name)] == ["id", name, f"{name} 2"]
    md.drop_all(engine)
    assert not inspect(engine).has_table(name)
