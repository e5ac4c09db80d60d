"""``lightalchemy.ext.hybrid``: hybrid_property and hybrid_method, on instances and in
queries."""

from typing import Optional


def _model(lib):
    sa, orm, hybrid = lib.sa, lib.orm, lib.ext_hybrid

    class Base(orm.DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        first: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        last: orm.Mapped[str] = orm.mapped_column(sa.String(30))
        score: orm.Mapped[Optional[int]]

        @hybrid.hybrid_property
        def full(self):
            return self.first + " " + self.last

        @full.setter
        def full(self, value):
            self.first, self.last = value.split(" ", 1)

        @hybrid.hybrid_property
        def double(self):
            return self.score * 2

        @hybrid.hybrid_property
        def initial_length(self):
            return len(self.first)

        @initial_length.inplace.expression
        @classmethod
        def _initial_length_expression(cls):
            return sa.func.length(cls.first)

        @hybrid.hybrid_property
        def abs_score(self):
            return abs(self.score)

        @abs_score.expression
        def abs_score(cls):
            return sa.case((cls.score < 0, -cls.score), else_=cls.score)

        @hybrid.hybrid_method
        def scored_over(self, n):
            return self.score > n

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([Person(first="Ada", last="Lovelace", score=-7),
                   Person(first="Al", last="Turing", score=3),
                   Person(first="Grace", last="Hopper", score=5)])
        s.commit()
    return engine, Person


def test_hybrid_property_on_instances(compare):
    def scenario(lib):
        engine, Person = _model(lib)
        p = Person(first="Edsger", last="Dijkstra", score=-2)
        lib.out(p.full, p.double, p.initial_length, p.abs_score, p.scored_over(-3),
                p.scored_over(0))
        p.full = "Barbara Liskov"
        lib.out(p.first, p.last, p.full)
        with lib.orm.Session(engine) as s:
            loaded = s.scalars(lib.sa.select(Person).order_by(Person.id)).all()
            lib.out([(x.full, x.abs_score) for x in loaded])
            loaded[0].full = "Ada King"
            lib.out(s.is_modified(loaded[0]), sorted(
                lib.inspect(loaded[0]).attrs[k].history.deleted[0]
                for k in ("first", "last") if lib.inspect(loaded[0]).attrs[k].history.deleted))
            s.commit()
            lib.out(s.scalar(lib.sa.select(Person.last).where(Person.id == 1)))

    compare(scenario)


def test_hybrid_property_in_select_where_order_by(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, Person = _model(lib)
        with orm.Session(engine) as s:
            rows = s.execute(sa.select(Person.full, Person.initial_length, Person.abs_score)
                             .order_by(Person.id)).all()
            lib.out([tuple(r) for r in rows], list(rows[0]._fields))
            lib.out(s.scalars(sa.select(Person.id).where(Person.full == "Al Turing")).all())
            lib.out(s.scalars(sa.select(Person.first).order_by(Person.abs_score.desc())).all())
            lib.out(s.scalars(sa.select(Person.first).where(Person.double > 0)
                              .order_by(Person.initial_length, Person.id)).all())
            lib.out(s.scalars(sa.select(Person.id).where(Person.full.startswith("Gr"))).all())
            lib.out(s.execute(sa.select(Person.full.label("name")).where(Person.id == 2))
                    .mappings().all())
            lib.out(s.scalars(sa.select(Person.first).where(Person.scored_over(0))
                              .order_by(Person.id)).all())

    compare(scenario)


def test_hybrid_in_legacy_query_and_filter_by(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        engine, Person = _model(lib)
        with orm.Session(engine) as s:
            lib.out(s.query(Person).filter_by(full="Grace Hopper").one().id)
            lib.out(s.query(Person.id).filter(Person.scored_over(-1))
                    .order_by(Person.double).all())
            lib.out(s.query(Person.double).order_by(Person.id).all())
            lib.out(s.scalars(sa.select(Person.id).filter_by(initial_length=2)).all())
            alias = orm.aliased(Person)
            lib.out(s.scalars(sa.select(alias.full).where(alias.scored_over(4))).all())

    compare(scenario)


def test_hybrid_misuse_errors(compare):
    def scenario(lib):
        engine, Person = _model(lib)
        p = Person(first="A", last="B", score=1)
        for action in (lambda: setattr(p, "double", 3), lambda: delattr(p, "full")):
            try:
                action()
                lib.out("no error")
            except AttributeError as error:
                lib.out(type(error).__name__)
        lib.out(type(Person.__dict__["full"]).__name__,
                Person.__dict__["full"] is Person.__dict__["full"])

    compare(scenario)


def test_hybrid_in_update_values(compare):
    def scenario(lib):
        sa, orm, hy = lib.sa, lib.orm, lib.ext_hybrid

        class Base(orm.DeclarativeBase):
            pass

        class P(Base):
            __tablename__ = "p"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            first: orm.Mapped[str] = orm.mapped_column(sa.String(10))
            last: orm.Mapped[str] = orm.mapped_column(sa.String(10))

            @hy.hybrid_property
            def full(self):
                return self.first + " " + self.last

            @full.update_expression
            def full(cls, value):
                first, last = value.split(" ")
                return [(cls.first, first), (cls.last, last)]

            @hy.hybrid_property
            def given(self):
                return self.first

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add(P(id=1, first="a", last="b"))
            session.commit()
            session.execute(sa.update(P).where(P.id == 1).values({P.full: "x y"}))
            lib.out(session.execute(sa.select(P.first, P.last)).all())
            session.execute(sa.update(P).values({P.given: "z"}))
            lib.out(session.execute(sa.select(P.first, P.last)).all())
        engine.dispose()

    compare(scenario)
