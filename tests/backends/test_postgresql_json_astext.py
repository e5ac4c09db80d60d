"""``col["k"].astext`` on PostgreSQL's JSON / JSONB, and its refusal elsewhere."""


def test_astext_reads_elements_as_text(pg_compare):
    def scenario(lib):
        sa, orm, pg = lib.sa, lib.orm, lib.pg

        class Base(orm.DeclarativeBase):
            pass

        class Doc(Base):
            __tablename__ = "doc"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            data = orm.mapped_column(pg.JSONB)
            plain = orm.mapped_column(pg.JSON)
            generic = orm.mapped_column(sa.JSON)

        engine = lib.engine()
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            session.add_all([Doc(data={"k": "x", "n": 1}, plain={"k": "y"}, generic={"k": 1}),
                             Doc(data={"k": "z", "n": 2}, plain={"k": "x"}, generic={})])
            session.commit()
            lib.out(session.scalars(sa.select(Doc.id).where(Doc.data["k"].astext == "x")).all())
            lib.out(session.scalars(sa.select(Doc.plain["k"].astext).order_by(Doc.id)).all())
            lib.out(session.scalars(sa.select(Doc.id).order_by(Doc.data["n"].astext.desc()))
                    .all())
            try:
                Doc.generic["k"].astext  # noqa: B018 - the access is what raises
            except AttributeError:
                lib.out("AttributeError")
        engine.dispose()

    pg_compare(scenario)
