"""Declarative mapping: DeclarativeBase, declarative_base(), Column and Mapped styles."""

import datetime
from decimal import Decimal
from typing import Optional


def _not_null_check(lib, engine, model, **values):
    """Try to insert ``model(**values)``; record the exception class name or 'ok'."""
    with lib.orm.Session(engine) as s:
        s.add(model(**values))
        try:
            s.commit()
            lib.out("ok")
        except lib.exc.IntegrityError as error:
            lib.out(type(error).__name__)


def test_declarative_base_subclass(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String(30))

        lib.out(isinstance(Base.metadata, sa.MetaData))
        lib.out(sorted(Base.metadata.tables), Person.__tablename__)
        lib.out(Person.__table__.name, Person.__table__ is Base.metadata.tables["people"])
        lib.out([c.name for c in Person.__table__.columns])
        lib.out([c.name for c in Person.__table__.primary_key])
        lib.out(issubclass(Person, Base))

    compare(scenario)


def test_declarative_base_function(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base = orm.declarative_base()

        class Person(Base):
            __tablename__ = "people"
            id = sa.Column(sa.Integer, primary_key=True, index=True)
            name = sa.Column(sa.String)
            age = sa.Column(sa.Integer)

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(bind=engine)
        with orm.Session(engine) as s:
            s.add(Person(name="Ann", age=3))
            s.commit()
            p = s.query(Person).one()
            lib.out(p.id, p.name, p.age)
        lib.out(sorted(Base.metadata.tables), [c.name for c in Person.__table__.c])

    compare(scenario)


def test_declarative_base_with_shared_metadata(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        md = sa.MetaData()
        Base = orm.declarative_base(metadata=md)

        class A(Base):
            __tablename__ = "a"
            id = sa.Column(sa.Integer, primary_key=True)

        sa.Table("core_table", md, sa.Column("x", sa.Integer))
        lib.out(Base.metadata is md, sorted(md.tables))
        lib.out(A.__table__.metadata is md)

    compare(scenario)


def test_mapped_column_style(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "users"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(sa.String(40))
            nickname: Mapped[Optional[str]]
            score: Mapped[float] = mapped_column(default=0.0)

        t = User.__table__
        lib.out([c.name for c in t.columns], [c.name for c in t.primary_key])
        lib.out([(c.name, c.nullable) for c in t.columns])
        lib.out([type(c.type).__name__ for c in t.columns], t.c.name.type.length)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            u = User(name="x")
            s.add(u)
            s.commit()
            lib.out(u.id, u.name, u.nickname, u.score)

    compare(scenario)


def test_annotation_types_map_to_column_types(compare):
    def scenario(lib):
        import enum
        import uuid

        orm = lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Mood(enum.Enum):
            happy = "h"
            sad = "s"

        class Base(orm.DeclarativeBase):
            pass

        class Thing(Base):
            __tablename__ = "things"
            id: Mapped[int] = mapped_column(primary_key=True)
            a: Mapped[str]
            b: Mapped[bool]
            c: Mapped[float]
            d: Mapped[Decimal]
            e: Mapped[datetime.datetime]
            f: Mapped[datetime.date]
            g: Mapped[datetime.time]
            h: Mapped[bytes]
            i: Mapped[uuid.UUID]
            j: Mapped[Mood]

        lib.out([(c.name, type(c.type).__name__) for c in Thing.__table__.columns])
        lib.out(Thing.__table__.c.j.type.enums)

    compare(scenario)


def test_nullability_from_annotations(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Row(Base):
            __tablename__ = "rows"
            id: Mapped[int] = mapped_column(primary_key=True)
            required: Mapped[str]
            optional_union: Mapped[str | None]
            optional_typing: Mapped[Optional[datetime.datetime]]
            forced_nullable: Mapped[str] = mapped_column(nullable=True)
            forced_not_null: Mapped[Optional[str]] = mapped_column(nullable=False)
            money: Mapped[Decimal]

        lib.out([(c.name, c.nullable) for c in Row.__table__.columns])
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        good = {"required": "r", "forced_not_null": "f", "money": Decimal("1.5")}
        _not_null_check(lib, engine, Row, **good)
        for name in (
            "required",
            "optional_union",
            "optional_typing",
            "forced_nullable",
            "forced_not_null",
            "money",
        ):
            lib.out(name)
            _not_null_check(lib, engine, Row, **{**good, name: None})
        _not_null_check(lib, engine, Row, required="only")  # others left unset
        with orm.Session(engine) as s:
            lib.out(s.scalar(sa.select(sa.func.count()).select_from(Row)))

    compare(scenario)


def test_explicit_none_for_column_with_default(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Row(Base):
            __tablename__ = "rows"
            id: Mapped[int] = mapped_column(primary_key=True)
            status: Mapped[str] = mapped_column(default="new")
            note: Mapped[Optional[str]] = mapped_column(default="note")
            level: Mapped[Optional[int]] = mapped_column(server_default=sa.text("7"))

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(Row(id=1))
            s.add(Row(id=2, status=None, note=None, level=None))
            try:
                s.commit()
                lib.out("ok")
            except lib.exc.IntegrityError as error:
                lib.out(type(error).__name__)
                s.rollback()
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, status, note, level FROM rows ORDER BY id"))
            lib.out([tuple(r) for r in rows])

    compare(scenario)


def test_mapped_optional_datetime_and_decimal_values(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Invoice(Base):
            __tablename__ = "invoices"
            id: Mapped[int] = mapped_column(primary_key=True)
            paid_at: Mapped[Optional[datetime.datetime]]
            amount: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all(
                [
                    Invoice(amount=Decimal("10.50")),
                    Invoice(paid_at=datetime.datetime(2023, 3, 4, 5, 6, 7), amount=Decimal("3")),
                ]
            )
            s.commit()
        with orm.Session(engine) as s:
            for inv in s.scalars(sa.select(Invoice).order_by(Invoice.id)):
                lib.out(inv.id, inv.paid_at, type(inv.amount).__name__, inv.amount)

    compare(scenario)


def test_table_args_tuple_with_constraints_and_dict(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Slot(Base):
            __tablename__ = "slots"
            __table_args__ = (
                sa.UniqueConstraint("room", "hour", name="uq_room_hour"),
                sa.CheckConstraint("hour BETWEEN 0 AND 23", name="ck_hour"),
                sa.Index("ix_slots_room", "room"),
                {"sqlite_autoincrement": True, "info": {"owner": "tests"}},
            )
            id: Mapped[int] = mapped_column(primary_key=True)
            room: Mapped[str]
            hour: Mapped[int]

        t = Slot.__table__
        lib.out(sorted(c.name for c in t.constraints if c.name), sorted(i.name for i in t.indexes))
        lib.out(t.info)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Slot(room="a", hour=1), Slot(room="a", hour=2), Slot(room="b", hour=1)])
            s.commit()
            s.delete(s.get(Slot, 3))
            s.commit()
            s.add(Slot(room="c", hour=5))
            s.commit()
            lib.out(s.scalars(sa.select(Slot.id).order_by(Slot.id)).all())
            for values in ({"room": "a", "hour": 1}, {"room": "z", "hour": 24}):
                s.add(Slot(**values))
                try:
                    s.commit()
                except lib.exc.IntegrityError as error:
                    lib.out(type(error).__name__)
                    s.rollback()

    compare(scenario)


def test_table_args_dict_only(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Log(Base):
            __tablename__ = "log"
            __table_args__ = {"sqlite_autoincrement": True}
            id = sa.Column(sa.Integer, primary_key=True)
            msg = sa.Column(sa.String)

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Log(msg="a"), Log(msg="b")])
            s.commit()
            s.query(Log).filter(Log.id == 2).delete()
            s.commit()
            s.add(Log(msg="c"))
            s.commit()
            lib.out(s.scalars(sa.select(Log.id).order_by(Log.id)).all())

    compare(scenario)


def test_model_table_introspection(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Membership(Base):
            __tablename__ = "memberships"
            user_id: Mapped[int] = mapped_column(primary_key=True)
            group_id: Mapped[int] = mapped_column(primary_key=True)
            role: Mapped[str] = mapped_column(sa.String(10), default="member")

        t = Membership.__table__
        lib.out(t.name, list(t.columns.keys()), [c.name for c in t.primary_key.columns])
        lib.out(t.c.role.default.arg, t.c.user_id.autoincrement, t.c.role.type.length)
        lib.out(Membership.__table__ is Base.metadata.tables["memberships"])
        lib.out(Membership.__mapper__ is lib.inspect(Membership))

    compare(scenario)


def test_column_name_differs_from_attribute(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "items"
            id: Mapped[int] = mapped_column("item_id", primary_key=True)
            title: Mapped[str] = mapped_column("item_title")
            legacy = sa.Column("old_name", sa.String)

        lib.out([c.name for c in Item.__table__.columns])
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(Item(title="t", legacy="l"))
            s.commit()
            item = s.scalars(sa.select(Item).where(Item.title == "t")).one()
            lib.out(item.id, item.title, item.legacy)
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT item_id, item_title, old_name FROM items")).one()
            lib.out(tuple(row))

    compare(scenario)


def test_keyword_constructor(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String)
            age = sa.Column(sa.Integer)

        p = Person(name="Tom", age=38)
        lib.out(p.name, p.age, p.id)
        empty = Person()
        lib.out(empty.name, empty.age)
        for make in (lambda: Person(nmae="typo"), lambda: Person("positional")):
            try:
                make()
            except TypeError as error:
                lib.out(type(error).__name__)
        p.extra = "plain attribute"  # non-mapped attributes may still be set afterwards
        lib.out(p.extra)

    compare(scenario)


def test_constructor_accepts_non_column_class_attribute(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String)
            kind = "human"

        p = Person(name="x", kind="robot")
        lib.out(p.kind, Person.kind)

    compare(scenario)


def test_user_defined_init(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"
            id: Mapped[int] = mapped_column(primary_key=True)
            first: Mapped[str]
            last: Mapped[str]
            full: Mapped[str]

            def __init__(self, first, last):
                self.first = first
                self.last = last
                self.full = f"{first} {last}"

            def greeting(self):
                return f"Hello, {self.full}"

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(Person("Ada", "Lovelace"))
            s.commit()
        with orm.Session(engine) as s:
            p = s.scalars(sa.select(Person)).one()  # loading does not call __init__
            lib.out(p.full, p.greeting())
        try:
            Person(first="a", last="b", full="c")
        except TypeError as error:
            lib.out(type(error).__name__)

    compare(scenario)


def test_class_attributes_in_expressions(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Person(Base):
            __tablename__ = "people"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]
            age: Mapped[int]

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Person(name=n, age=a) for n, a in [("a", 25), ("b", 31), ("c", 40)]])
            s.commit()
            lib.out([p.name for p in s.query(Person).filter(Person.age > 30).order_by(Person.id)])
            stmt = sa.select(Person.name).where(Person.age > 30, Person.name != "c")
            lib.out(s.scalars(stmt).all())
            stmt = sa.select(Person.name).where(sa.or_(Person.age < 30, Person.name.like("c%")))
            lib.out(sorted(s.scalars(stmt).all()))
            stmt = sa.select(sa.func.max(Person.age), sa.func.count(Person.id))
            lib.out(tuple(s.execute(stmt).one()))
            stmt = (
                sa.select(Person.name).where(Person.age.in_([25, 40])).order_by(Person.age.desc())
            )
            lib.out(s.scalars(stmt).all())
            lib.out(s.query(Person).filter(Person.age.between(26, 40)).count())

    compare(scenario)


def test_mixin_columns(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class IdMixin:
            id: Mapped[int] = mapped_column(primary_key=True)

        class Thing(IdMixin, Base):
            __tablename__ = "things"
            name: Mapped[str]

        class Other(IdMixin, Base):
            __tablename__ = "others"
            value: Mapped[int]

        lib.out(sorted(c.name for c in Thing.__table__.columns))
        lib.out(sorted(c.name for c in Other.__table__.columns))
        lib.out(Thing.__table__.c.id is not Other.__table__.c.id)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Thing(name="t"), Other(value=1), Other(value=2)])
            s.commit()
            lib.out(s.scalars(sa.select(Other.id).order_by(Other.id)).all())

    compare(scenario)


def test_type_annotation_map(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            type_annotation_map = {str: sa.String(30)}

        class Tag(Base):
            __tablename__ = "tags"
            id: Mapped[int] = mapped_column(primary_key=True)
            label: Mapped[str]

        lib.out(type(Tag.__table__.c.label.type).__name__, Tag.__table__.c.label.type.length)

    compare(scenario)


def test_defaults_applied_at_flush_not_construction(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Task(Base):
            __tablename__ = "tasks"
            id: Mapped[int] = mapped_column(primary_key=True)
            status: Mapped[str] = mapped_column(default="todo")
            priority: Mapped[int] = mapped_column(server_default=sa.text("3"))

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            t = Task()
            lib.out(t.id, t.status, t.priority)
            s.add(t)
            s.flush()
            lib.out(t.id, t.status, t.priority)
            s.commit()
            lib.out(t.status, t.priority)

    compare(scenario)


def test_multiple_models_on_one_base(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Author(Base):
            __tablename__ = "authors"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]

        class Book(Base):
            __tablename__ = "books"
            id: Mapped[int] = mapped_column(primary_key=True)
            author_id: Mapped[int] = mapped_column(sa.ForeignKey("authors.id"))
            title: Mapped[str]

        lib.out([t.name for t in Base.metadata.sorted_tables])
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            a = Author(name="A")
            s.add(a)
            s.flush()
            s.add_all([Book(author_id=a.id, title="B1"), Book(author_id=a.id, title="B2")])
            s.commit()
            stmt = (
                sa.select(Author.name, Book.title)
                .join(Book, Book.author_id == Author.id)
                .order_by(Book.title)
            )
            lib.out([tuple(r) for r in s.execute(stmt)])
        Base.metadata.drop_all(engine)
        with engine.connect() as conn:
            lib.out(conn.execute(sa.text("SELECT count(*) FROM sqlite_master")).scalar())

    compare(scenario)


def test_filter_by_after_join_uses_the_joined_class(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class Owner(Base):
            __tablename__ = "owners"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String)

        class Pet(Base):
            __tablename__ = "pets"
            id = sa.Column(sa.Integer, primary_key=True)
            owner_id = sa.Column(sa.ForeignKey("owners.id"))
            name = sa.Column(sa.String)

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Owner(id=1, name="ann"), Owner(id=2, name="bob")])
            s.add_all([Pet(owner_id=1, name="rex"), Pet(owner_id=2, name="tom")])
            s.commit()
            stmt = sa.select(Owner.name).join(Pet).filter_by(name="tom")
            lib.out(s.scalars(stmt).all())
            lib.out([o.name for o in s.query(Owner).join(Pet).filter_by(name="rex")])

    compare(scenario)
