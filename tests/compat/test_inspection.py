
"""``inspect(Model)`` mappers, ``inspect(engine)``, and FastAPI-style session setup."""

from typing import Optional


def _models(lib):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"
        id = sa.Column(sa.Integer, primary_key=True, index=True)
        name = sa.Column(sa.String)
        age = sa.Column(sa.Integer)

    class Account(Base):
        __tablename__ = "accounts"
        bank: Mapped[str] = mapped_column(primary_key=True)
        number: Mapped[int] = mapped_column(primary_key=True)
        owner: Mapped[Optional[str]] = mapped_column("owner_name")
        balance: Mapped[int] = mapped_column(default=0)

    return Base, Person, Account


def test_mapper_columns_and_attrs(compare):
    def scenario(lib):
        Base, Person, Account = _models(lib)
        for model in (Person, Account):
            m = lib.inspect(model)
            lib.out(model.__name__)
            lib.out(list(m.columns.keys()))
            lib.out([c.name for c in m.columns])
            lib.out([c.name for c in m.primary_key])
            lib.out(list(m.attrs.keys()), list(m.column_attrs.keys()))
            lib.out(m.class_ is model, m.local_table.name, m.local_table is model.__table__)

    compare(scenario)


def test_mapper_identity(compare):
    def scenario(lib):
        Base, Person, Account = _models(lib)
        m = lib.inspect(Person)
        lib.out(m is Person.__mapper__, m is lib.inspect(Person), isinstance(m, lib.orm.Mapper))
        lib.out(m.persist_selectable is Person.__table__, m.entity is Person)

    compare(scenario)


def test_mapper_attr_column_mapping(compare):
    def scenario(lib):
        Base, Person, Account = _models(lib)
        m = lib.inspect(Account)
        prop = m.attrs["owner"]
        lib.out(prop.key, [c.name for c in prop.columns])
        lib.out(m.columns["owner"].name, m.c.owner.name)
        lib.out(m.get_property("balance").key)
        lib.out(sorted(m.all_orm_descriptors.keys()))

    compare(scenario)


def test_mapper_primary_key_from_identity(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base, Person, Account = _models(lib)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            a = Account(bank="b", number=7, owner="o")
            s.add(a)
            s.flush()
            m = lib.inspect(Account)
            lib.out(m.primary_key_from_instance(a), m.identity_key_from_primary_key(("b", 7))[1])

    compare(scenario)


def test_inspect_unmapped_class_and_instance(compare):
    def scenario(lib):
        class Plain:
            pass

        for target in (Plain, Plain(), 42):
            try:
                lib.inspect(target)
                lib.out("inspected")
            except lib.exc.NoInspectionAvailable as error:
                lib.out(type(error).__name__, isinstance(error, lib.exc.InvalidRequestError))
        lib.out(lib.inspect(Plain, raiseerr=False))

    compare(scenario)


def test_inspect_engine_tables(compare):
    def scenario(lib):
        sa = lib.sa
        Base, Person, Account = _models(lib)
        engine = sa.create_engine(lib.url)
        insp = lib.inspect(engine)
        lib.out(insp.get_table_names(), insp.has_table("people"))
        Base.metadata.create_all(engine)
        insp = lib.inspect(engine)
        lib.out(sorted(insp.get_table_names()), insp.has_table("people"))
        lib.out([c["name"] for c in insp.get_columns("accounts")])
        lib.out(insp.get_pk_constraint("accounts")["constrained_columns"])

    compare(scenario)


def test_fastapi_style_session_factory(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base, Person, Account = _models(lib)
        engine = sa.create_engine(lib.url, connect_args={"check_same_thread": False})
        SessionLocal = orm.sessionmaker(autocommit=False, autoflush=False, bind=engine)
        Base.metadata.create_all(bind=engine)

        def get_db():
            db = SessionLocal()
            try:
                yield db
            finally:
                db.close()

        gen = get_db()
        db = next(gen)
        db.add(Person(name="x", age=1))
        db.commit()
        person = db.query(Person).filter(Person.name == "x").first()
        db.refresh(person)
        lib.out(person.id, person.name, person.age)
        gen.close()
        lib.out(lib.inspect(person).detached)

    compare(scenario, file_db=True)
