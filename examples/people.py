"""The "first steps" tutorial program, unchanged except for its imports.

Replace ``lightalchemy`` with ``sqlalchemy`` below and it runs on SQLAlchemy 2.x.
Run it with ``python examples/people.py``; it creates ``people.db`` in the
current directory, and running it again adds three more rows.
"""

from lightalchemy import Column, Integer, String, create_engine
from lightalchemy.orm import DeclarativeBase, sessionmaker

sqlite_database = "sqlite:///people.db"
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
    # CREATE: add one object, commit, and read back the id the database assigned
    user = Person(name="Егор", age=28)
    db.add(user)
    db.commit()
    db.refresh(user)  # reload the committed (expired) object
    print(user.id)

    # CREATE: several objects, one commit
    user1 = Person(name="Сергей", age=28)
    user2 = Person(name="Владимир", age=32)
    db.add_all([user1, user2])
    db.commit()

    # READ: all rows, then one by primary key
    people = db.query(Person).all()
    for p in people:
        print(f"{p.id}.{p.name} ({p.age})")

    first_person = db.get(Person, 1)
    print(f"{first_person.name} - {first_person.age}")
