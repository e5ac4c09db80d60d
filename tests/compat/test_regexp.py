"""``regexp_match`` / ``regexp_replace``: PostgreSQL's operators, and on SQLite the
REGEXP function the connection installs (as SQLAlchemy's pysqlite dialect does).
The compat suite runs again on PostgreSQL, where the same scenarios compare there."""


def _words(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class Word(Base):
        __tablename__ = "word"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        text: orm.Mapped[str | None] = orm.mapped_column(sa.String(30))

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    session = orm.Session(engine)
    session.add_all([Word(text=t) for t in ("apple", "Apricot", "banana", "a.b", None, "x1y2")])
    session.commit()
    return engine, session, Word


def _tried(lib, action):
    try:
        return ("ok", action())
    except Exception as error:
        return ("raised", type(error).__name__)


def test_regexp_match_filters_and_selects(compare):
    def scenario(lib):
        sa = lib.sa
        engine, session, Word = _words(lib)
        for pattern in ("^a", "an+a", r"\.", "[0-9]", "^A"):
            lib.out(pattern, sorted(session.scalars(
                sa.select(Word.id).where(Word.text.regexp_match(pattern)))))
            lib.out(sorted(session.scalars(
                sa.select(Word.id).where(~Word.text.regexp_match(pattern)))))
        lib.out(session.execute(sa.select(Word.id, Word.text.regexp_match("p{2}"))
                                .order_by(Word.id)).all())
        lib.out(sorted(session.query(Word.id).filter(Word.text.regexp_match("a$")).all()))
        session.close()
        engine.dispose()

    compare(scenario)


def test_regexp_flags_and_replace(compare):
    def scenario(lib):
        sa = lib.sa
        engine, session, Word = _words(lib)
        lib.out(sorted(session.scalars(
            sa.select(Word.id).where(Word.text.regexp_match("^a", flags="i")))))
        lib.out(_tried(lib, lambda: session.scalars(sa.select(
            Word.text.regexp_replace("a", "_")).order_by(Word.id)).all()))
        session.rollback()
        lib.out(_tried(lib, lambda: session.scalars(sa.select(
            Word.text.regexp_replace("a", "_", flags="gi")).order_by(Word.id)).all()))
        session.close()
        engine.dispose()

    compare(scenario)
