"""SQLAlchemy 2.0 tutorial style: Mapped[], select(), enums, decimals, server defaults."""

import datetime
import decimal
import enum
from typing import Optional


def run(sa, orm, exc, url, print):  # noqa: A002 - output goes to the harness
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Status(enum.Enum):
        active = "A"
        banned = "B"

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "user_account"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(30))
        fullname: Mapped[Optional[str]]
        status: Mapped[Status] = mapped_column(default=Status.active)
        balance: Mapped[decimal.Decimal] = mapped_column(sa.Numeric(12, 2), default=decimal.Decimal("0"))
        created: Mapped[datetime.datetime] = mapped_column(server_default=sa.func.now())
        def __repr__(self):
            return f"User(id={self.id!r}, name={self.name!r}, fullname={self.fullname!r})"

    engine = sa.create_engine(url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as session:
        spongebob = User(name="spongebob", fullname="Spongebob Squarepants")
        sandy = User(name="sandy", fullname="Sandy Cheeks", balance=decimal.Decimal("10.50"))
        patrick = User(name="patrick", fullname="Patrick Star", status=Status.banned)
        session.add_all([spongebob, sandy, patrick])
        session.commit()
        print(spongebob, spongebob.status, sandy.balance, type(patrick.created).__name__)
    with orm.Session(engine) as session:
        stmt = sa.select(User).where(User.name.in_(["spongebob", "sandy"]))
        for user in session.scalars(stmt):
            print(user)
        print(session.execute(sa.select(User.name, User.balance).order_by(User.balance.desc(), User.name)).all())
        sandy = session.execute(sa.select(User).filter_by(name="sandy")).scalar_one()
        sandy.fullname = "Sandy Squirrel"
        print(session.dirty and [u.name for u in session.dirty])
        session.flush()
        print(session.scalar(sa.select(sa.func.count()).select_from(User)))
        print(session.execute(sa.select(User.status, sa.func.count(User.id)).group_by(User.status).order_by(User.status)).all())
        session.delete(session.get(User, 3))
        session.commit()
        print(session.query(User).count(), [u.name for u in session.query(User).order_by(User.id)])
        res = session.execute(sa.update(User).where(User.name == "sandy").values(fullname="Sandy X"))
        print(res.rowcount, sandy.fullname)
        print(session.execute(sa.text("select name from user_account where id = :i"), {"i": 1}).scalar())
        row = session.execute(sa.select(User.id, User.name).where(User.id == 1)).one()
        print(row.id, row.name, row._asdict())
        print(session.query(User.name).filter(User.fullname.like("%S%")).order_by(User.name).all())
        print(session.query(User).filter(User.fullname.is_(None)).all())
        session.execute(sa.insert(User), [{"name": "a1", "fullname": None}, {"name": "a2", "fullname": "x"}])
        print([u.name for u in session.scalars(sa.select(User).order_by(User.id.desc()).limit(2))])
        print(session.execute(sa.select(sa.func.max(User.balance), sa.func.sum(User.balance))).one())
