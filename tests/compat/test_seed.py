"""The seed tutorial program (issue 3), run unchanged on both libraries.

The program is the classic "first steps" tutorial: a file database, a ``Person``
model declared with ``Column(...)`` attributes, ``create_all``, a session used as
a context manager, and ``print`` calls.  Each scenario replaces ``print`` with a
function that records the printed line.
"""


def _tutorial_models(lib):
    create_engine = lib.sa.create_engine
    Column, Integer, String = lib.sa.Column, lib.sa.Integer, lib.sa.String
    DeclarativeBase = lib.orm.DeclarativeBase

    engine = create_engine(lib.url)

    class Base(DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"

        id = Column(Integer, primary_key=True, index=True)
        name = Column(String)
        age = Column(Integer)

    return engine, Base, Person


def test_seed_program(compare):
    def scenario(lib):
        def print(*args):
            lib.out(" ".join(str(arg) for arg in args))

        create_engine = lib.sa.create_engine
        Column, Integer, String = lib.sa.Column, lib.sa.Integer, lib.sa.String
        DeclarativeBase, sessionmaker = lib.orm.DeclarativeBase, lib.orm.sessionmaker

        sqlite_database = lib.url
        engine = create_engine(sqlite_database)

        class Base(DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"

            id = Column(Integer, primary_key=True, index=True)
            name = Column(String)
            age = Column(Integer)

        Base.metadata.create_all(bind=engine)

        Session = sessionmaker(autoflush=False, bind=engine)

        with Session(autoflush=False, bind=engine) as db:
            user = Person(name="Егор", age=28)
            db.add(user)
            db.commit()
            print(user.id)

            sergey = Person(name="Сергей", age=28)
            vova = Person(name="Владимир", age=32)
            db.add_all([sergey, vova])
            db.commit()

            people = db.query(Person).all()
            for p in people:
                print(f"{p.id}.{p.name} ({p.age})")

            first = db.get(Person, 1)
            print(f"{first.name} - {first.age}")

            db.refresh(first)
            print(f"{first.id}.{first.name} ({first.age})")

    records = compare(scenario, file_db=True)
    assert records == [
        "1",
        "1.Егор (28)",
        "2.Сергей (28)",
        "3.Владимир (32)",
        "Егор - 28",
        "1.Егор (28)",
    ]


def test_seed_program_second_run_sees_first_run(compare):
    def scenario(lib):
        for run in range(2):
            engine, Base, Person = _tutorial_models(lib)
            Base.metadata.create_all(bind=engine)
            with lib.orm.Session(autoflush=False, bind=engine) as db:
                db.add(Person(name=f"run{run}", age=20 + run))
                db.commit()
                lib.out([(p.id, p.name, p.age) for p in db.query(Person).order_by(Person.id).all()])
            engine.dispose()

    compare(scenario, file_db=True)


def test_seed_update_and_delete(compare):
    def scenario(lib):
        engine, Base, Person = _tutorial_models(lib)
        Base.metadata.create_all(bind=engine)
        Session = lib.orm.sessionmaker(autoflush=False, bind=engine)
        with Session(autoflush=False, bind=engine) as db:
            db.add_all(
                [
                    Person(name="Егор", age=28),
                    Person(name="Сергей", age=28),
                    Person(name="Том", age=38),
                ]
            )
            db.commit()

            tom = db.query(Person).filter(Person.name == "Том").first()
            tom.age = 40
            tom.name = "Tom"
            db.commit()

            bob = db.query(Person).filter(Person.id == 2).first()
            db.delete(bob)
            db.commit()

        with Session() as db:
            for p in db.query(Person).order_by(Person.id).all():
                lib.out(f"{p.id}.{p.name} ({p.age})")

    records = compare(scenario, file_db=True)
    assert records == ["1.Егор (28)", "3.Tom (40)"]


def test_seed_filters(compare):
    def scenario(lib):
        engine, Base, Person = _tutorial_models(lib)
        Base.metadata.create_all(bind=engine)
        with lib.orm.Session(autoflush=False, bind=engine) as db:
            db.add_all(
                [
                    Person(name="Егор", age=28),
                    Person(name="Сергей", age=28),
                    Person(name="Владимир", age=32),
                ]
            )
            db.commit()
            older = db.query(Person).filter(Person.age > 30).all()
            lib.out([p.name for p in older])
            same_age = db.query(Person).filter(Person.age == 28).order_by(Person.name).all()
            lib.out([p.name for p in same_age])
            lib.out(db.query(Person).filter_by(name="Сергей").one().id)
            lib.out(db.get(Person, 42) is None)

    compare(scenario, file_db=True)
