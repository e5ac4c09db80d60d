"""Hostile values and names: every value is a bound parameter, every name is quoted.

On SQLite and on PostgreSQL, values must come back byte-exact (read back through the
raw driver, too) through every path a user has: add and add_all, get, filter,
filter_by, the legacy Query, in_, like with an explicit escape, startswith /
endswith / contains with autoescape, text() binds, ORM changes, bulk update and
delete.  PostgreSQL refuses NUL in text: that must be a clear
``lightalchemy.exc.DataError`` on every path, after which ``rollback()`` makes the
Session usable and nothing committed is lost; NUL in ``LargeBinary`` round-trips
on both.  Random Unicode strings (Hypothesis) go through the same paths;
``LIGHTALCHEMY_HOSTILE_EXAMPLES`` sets how many.  Tables and columns with awkward
names must work from CREATE to DROP, through Core and the ORM.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import env_int, is_sqlite, raw_connect, rows

from lightalchemy import (
    Column,
    Integer,
    LargeBinary,
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
from lightalchemy.exc import DataError
from lightalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

HOSTILE = [
    "O'Brien", 'say "hi"', "back\\slash", "semi; DROP TABLE people; --", "nul\x00byte",
    "tab\tnew\nline\rreturn", "ctrl\x01\x02\x1f\x7f", "?", "%s", "%(x)s", ":x", "$1", "%", "_",
    "100% _match_", "/escape/", "\u202eRTL\u202c", "zero\u200bwidth\ufeff", "emoji 😀🎉👨‍👩‍👧",
    "Егор", "", " ", "x" * (1 << 20), "{}", "{0}", "\\x00", "E'\\\\'", "$$ $tag$", "--",
    "/* c */", "\u0000", "NULL", "\U0010ffff", "é (e + \u0301)", "ǅ İ ß",
]
HOSTILE_BYTES = [b"\x00", b"a\x00b", bytes(range(256)), b"", b"'", b"\\", b"\xff\xfe\x00\x00",
                 b"%s?:x$1", os.urandom(1 << 20)]
EXAMPLES = env_int("LIGHTALCHEMY_HOSTILE_EXAMPLES", 100)
SQLITE_LIKE_LIMIT = 50_000  # SQLite refuses longer LIKE patterns (a limit of its own)


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class Blob(Base):
    __tablename__ = "blob"
    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


def text_values(url: str) -> list[str]:
    """The hostile strings a backend can store (PostgreSQL's text refuses NUL)."""
    return HOSTILE if is_sqlite(url) else [v for v in HOSTILE if "\x00" not in v]


def like_escaped(value: str) -> str:
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


def check_every_read_path(s: Session, url: str, i: int, value: str) -> None:
    """Row ``i`` holds ``value`` (other rows may hold it too): every path finds it."""
    assert s.get(Note, i).body == value
    assert i in s.scalars(select(Note.id).where(Note.body == value)).all()
    assert i in s.scalars(select(Note.id).filter_by(body=value)).all()
    assert i in [n.id for n in s.query(Note).filter(Note.body == value)]
    assert i in s.scalars(select(Note.id).where(Note.body.in_([value, "zz"]))).all()
    assert i in s.scalars(select(Note.id).where(Note.body.not_in(["zz"]))).all()
    found = s.execute(text("SELECT id, body FROM note WHERE body = :b"), {"b": value}).all()
    assert (i, value) in [tuple(r) for r in found]
    assert value in s.scalars(text("SELECT body FROM note WHERE id = :i").bindparams(i=i)).all()
    if is_sqlite(url) and len(value) * 2 > SQLITE_LIKE_LIMIT:
        return
    exact = s.scalars(select(Note.id).where(Note.body.like(like_escaped(value), escape="/")))
    assert i in exact.all()
    for method in ("startswith", "endswith", "contains"):
        found = s.scalars(select(Note.id).where(getattr(Note.body, method)(value,
                                                                          autoescape=True)))
        assert i in found.all(), method
    if not any(c in value for c in "%_\\"):  # no wildcard and no default escape: LIKE is =
        assert i in s.scalars(select(Note.id).where(Note.body.like(value))).all()


def raw_bodies(url: str) -> dict[int, str]:
    raw = raw_connect(url)
    try:
        return dict(rows(raw, "SELECT id, body FROM note"))
    finally:
        raw.close()


def test_hostile_values_round_trip_through_every_path(db_url):
    values = text_values(db_url)
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        half = len(values) // 2
        notes = [Note(body=v) for v in values]
        for note in notes[:half]:
            s.add(note)
        s.add_all(notes[half:])
        s.add(Note(id=100_000, body=values[0]))
        s.commit()
        ids = [n.id for n in notes]
        s.execute(insert(Note), [{"id": 200_000 + k, "body": v} for k, v in enumerate(values)])
        s.commit()
    expected = dict(zip(ids, values)) | {100_000: values[0]} | {
        200_000 + k: v for k, v in enumerate(values)}
    assert raw_bodies(db_url) == expected

    with Session(engine) as s:
        for i, value in zip(ids, values):
            check_every_read_path(s, db_url, i, value)
            check_every_read_path(s, db_url, 200_000 + ids.index(i), value)
        like = s.scalars(select(Note.body).where(Note.body.like("100/% /_%", escape="/")))
        assert set(like.all()) == {"100% _match_"}

    # ORM changes: each row takes the reversed value of the next one
    changed = {i: values[(k + 1) % len(values)][::-1] for k, i in enumerate(ids)}
    with Session(engine) as s:
        for i, value in changed.items():
            s.get(Note, i).body = value
        s.commit()
    expected |= changed
    assert raw_bodies(db_url) == expected
    with Session(engine) as s:
        for i, value in changed.items():
            check_every_read_path(s, db_url, i, value)

    # bulk update and delete by value: the 200_000 copies
    with Session(engine) as s:
        for k, value in enumerate(values):
            s.execute(update(Note).where(Note.id == 200_000 + k, Note.body == value)
                      .values(body=value + "\u2028" + value[:3]))
        s.commit()
        for k, value in enumerate(values):
            if k % 2:
                s.execute(delete(Note).where(Note.body == value + "\u2028" + value[:3],
                                             Note.id >= 200_000))
            else:
                s.delete(s.get(Note, 200_000 + k))
        s.commit()
    remaining = raw_bodies(db_url)
    assert remaining == {i: v for i, v in expected.items() if i < 200_000}
    engine.dispose()


def test_hostile_bytes_round_trip(db_url):
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        blobs = [Blob(data=b) for b in HOSTILE_BYTES]
        s.add_all(blobs)
        s.commit()
        ids = [b.id for b in blobs]
    with Session(engine) as s:
        for i, value in zip(ids, HOSTILE_BYTES):
            assert s.get(Blob, i).data == value
            assert i in s.scalars(select(Blob.id).where(Blob.data == value)).all()
            assert i in s.scalars(select(Blob.id).where(Blob.data.in_([value, b"zz"]))).all()
    raw = raw_connect(db_url)
    try:
        assert {i: bytes(d) for i, d in rows(raw, "SELECT id, data FROM blob")} == dict(
            zip(ids, HOSTILE_BYTES))
    finally:
        raw.close()
    engine.dispose()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_nul_in_text_is_a_clear_data_error_on_postgresql(backend, db_url):
    """PostgreSQL's text cannot hold NUL: every path says so with DataError, and the
    Session is usable again after rollback(), with what was committed intact."""
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Note(id=1, body="kept"))
        s.commit()
    attempts = {
        "add": lambda s: (s.add(Note(body="a\x00b")), s.flush()),
        "add_all": lambda s: (s.add_all([Note(body="x"), Note(body="\x00"), Note(body="y")]),
                              s.commit()),
        "change": lambda s: (setattr(s.get(Note, 1), "body", "k\x00"), s.commit()),
        "filter": lambda s: s.scalars(select(Note).where(Note.body == "a\x00")).all(),
        "filter_by": lambda s: s.scalars(select(Note).filter_by(body="a\x00")).all(),
        "in_": lambda s: s.scalars(select(Note).where(Note.body.in_(["\x00"]))).all(),
        "like": lambda s: s.scalars(select(Note).where(Note.body.contains("\x00",
                                                                          autoescape=True))).all(),
        "text": lambda s: s.execute(text("SELECT :x"), {"x": "\x00"}).all(),
        "update": lambda s: s.execute(update(Note).values(body="\x00")),
        "insert": lambda s: s.execute(insert(Note), [{"body": "a"}, {"body": "\x00"}]),
    }
    with Session(engine) as s:
        for path, attempt in attempts.items():
            with pytest.raises(DataError) as raised:
                attempt(s)
            message = str(raised.value)
            assert "NUL" in message and "text" in message, (path, message)
            s.rollback()
            assert s.scalars(select(Note.body).order_by(Note.id)).all() == ["kept"], path
        s.add(Note(body="after"))
        s.commit()
    assert sorted(raw_bodies(db_url).values()) == ["after", "kept"]
    engine.dispose()


@pytest.fixture
def random_text_engine(db_url):
    engine = create_engine(db_url)
    Base.metadata.create_all(engine)
    yield db_url, engine
    engine.dispose()


_unicode = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
_hostile_parts = st.sampled_from(["'", '"', "\\", "%", "_", "?", ":x", "$1", "%s", "%(x)s",
                                  "/", "\x00", "\n", "\u202e", "\u200b", "😀", "--", ";"])


def test_random_strings_round_trip(random_text_engine):
    """Random Unicode (no lone surrogates: neither database stores them) mixed with the
    hostile pieces above, one row at a time through every read path and back out."""
    url, engine = random_text_engine
    tried = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow,
                                     HealthCheck.function_scoped_fixture])
    @given(st.lists(_unicode | _hostile_parts, max_size=8).map("".join))
    def round_trip(value):
        if not is_sqlite(url):
            value = value.replace("\x00", "")
        tried.append(value)
        with Session(engine) as s:
            note = Note(body=value)
            s.add(note)
            s.commit()
            i = note.id
            check_every_read_path(s, url, i, value)
            assert raw_bodies(url)[i] == value
            s.execute(delete(Note).where(Note.body == value, Note.id == i))
            s.commit()
            assert s.get(Note, i) is None

    round_trip()
    assert len(tried) >= min(EXAMPLES, 10)
    print(f"\n{len(tried)} random strings round-tripped on {url.split(':')[0]}")


AWKWARD = ["order", "select", "my table", 'quote"d', "per%cent", "co:lon", "ques?tion",
           "Таблица", "MixedCase", "group by", "back\\slash", "it's", "%(x)s", "$1", "user"]


@pytest.mark.parametrize("name", AWKWARD)
def test_awkward_names_from_create_to_drop(db_url, name):
    engine = create_engine(db_url)
    md = MetaData()
    t = Table(name, md, Column("id", Integer, primary_key=True),
              Column(name, String(20)), Column(f"{name} 2", Integer))
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), [{name: "a", f"{name} 2": 1}, {name: "b", f"{name} 2": 2}])
        conn.execute(update(t).where(t.c[name] == "a").values({f"{name} 2": 10}))
        conn.execute(delete(t).where(t.c[f"{name} 2"] == 2))
        found = conn.execute(select(t.c[name], t.c[f"{name} 2"]).order_by(t.c.id)).all()
        assert [tuple(r) for r in found] == [("a", 10)]
    assert inspect(engine).has_table(name)
    assert [c["name"] for c in inspect(engine).get_columns(name)] == ["id", name, f"{name} 2"]

    class Awkward(DeclarativeBase):  # the ORM on the same table
        pass

    class Row(Awkward):
        __table__ = t

    with Session(engine) as s:
        s.add(Row(**{name: "c", f"{name} 2": 3}))
        s.commit()
        got = s.scalars(select(Row).filter_by(**{name: "c"})).one()
        setattr(got, f"{name} 2", 30)
        s.commit()
        assert getattr(s.get(Row, got.id), f"{name} 2") == 30
        s.delete(got)
        s.commit()
        assert [getattr(r, name) for r in s.scalars(select(Row))] == ["a"]
    md.drop_all(engine)
    assert not inspect(engine).has_table(name)
    engine.dispose()
