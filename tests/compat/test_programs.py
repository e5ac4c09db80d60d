"""Whole user programs in the SQLAlchemy 2.0 tutorial style, run on both libraries."""

import datetime
import decimal
import enum
from typing import Optional


def test_tutorial_style_program(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        def out(*values):
            lib.out(repr(values))

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

        engine = sa.create_engine("sqlite://")
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            spongebob = User(name="spongebob", fullname="Spongebob Squarepants")
            sandy = User(name="sandy", fullname="Sandy Cheeks", balance=decimal.Decimal("10.50"))
            patrick = User(name="patrick", fullname="Patrick Star", status=Status.banned)
            session.add_all([spongebob, sandy, patrick])
            session.commit()
            out(spongebob, spongebob.status, sandy.balance, type(patrick.created).__name__)
        with orm.Session(engine) as session:
            stmt = sa.select(User).where(User.name.in_(["spongebob", "sandy"]))
            for user in session.scalars(stmt):
                out(user)
            out(session.execute(sa.select(User.name, User.balance).order_by(User.balance.desc(), User.name)).all())
            sandy = session.execute(sa.select(User).filter_by(name="sandy")).scalar_one()
            sandy.fullname = "Sandy Squirrel"
            out(session.dirty and [u.name for u in session.dirty])
            session.flush()
            out(session.scalar(sa.select(sa.func.count()).select_from(User)))
            out(session.execute(sa.select(User.status, sa.func.count(User.id)).group_by(User.status).order_by(User.status)).all())
            session.delete(session.get(User, 3))
            session.commit()
            out(session.query(User).count(), [u.name for u in session.query(User).order_by(User.id)])
            res = session.execute(sa.update(User).where(User.name == "sandy").values(fullname="Sandy X"))
            out(res.rowcount, sandy.fullname)
            out(session.execute(sa.text("select name from user_account where id = :i"), {"i": 1}).scalar())
            row = session.execute(sa.select(User.id, User.name).where(User.id == 1)).one()
            out(row.id, row.name, row._asdict())
            out(session.query(User.name).filter(User.fullname.like("%S%")).order_by(User.name).all())
            out(session.query(User).filter(User.fullname.is_(None)).all())
            session.execute(sa.insert(User), [{"name": "a1", "fullname": None}, {"name": "a2", "fullname": "x"}])
            out([u.name for u in session.scalars(sa.select(User).order_by(User.id.desc()).limit(2))])
            out(session.execute(sa.select(sa.func.max(User.balance), sa.func.sum(User.balance))).one())

    compare(scenario)
