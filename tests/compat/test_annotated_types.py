"""Annotated type aliases in Mapped[] and the registry's type_annotation_map."""

import datetime
from typing import Annotated, Optional


def _columns(lib, table):
    """DDL facts of each column: key, name, type, nullable, primary key, FK targets."""
    for c in table.columns:
        lib.out(c.key, c.name, str(c.type), c.nullable, c.primary_key,
                sorted(fk.target_fullname for fk in c.foreign_keys))


def _extras(lib, table):
    """Defaults, index, unique and comment of each column."""
    for c in table.columns:
        lib.out(c.key, c.default.arg if c.default is not None else None,
                c.server_default is not None, c.index, c.unique, c.comment)


def test_annotated_mapped_column_supplies_arguments(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column
        intpk = Annotated[int, mapped_column(primary_key=True)]
        str30 = Annotated[str, mapped_column(sa.String(30), nullable=True)]
        owner_fk = Annotated[int, mapped_column(sa.ForeignKey("owner.id"))]

        class Base(orm.DeclarativeBase):
            pass

        class Owner(Base):
            __tablename__ = "owner"
            id: Mapped[intpk]
            name: Mapped[str30]
            nick: Mapped[str30] = mapped_column(nullable=False)
            short: Mapped[str30] = mapped_column(sa.String(10))

        class Pet(Base):
            __tablename__ = "pet"
            id: Mapped[intpk]
            owner_id: Mapped[owner_fk]
            other_id: Mapped[Optional[owner_fk]]
            keyed: Mapped[intpk] = mapped_column(sa.ForeignKey("owner.id"))

        _columns(lib, Owner.__table__)
        _columns(lib, Pet.__table__)
        lib.out(Owner.__table__.c.id is Pet.__table__.c.id)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(Owner(id=1, name=None, nick="n", short="s"))
            s.flush()
            s.add(Pet(id=1, owner_id=1, keyed=1))
            s.commit()
            pet = s.scalars(sa.select(Pet)).one()
            lib.out(pet.id, pet.owner_id, pet.other_id, pet.keyed)
            owner = s.get(Owner, 1)
            lib.out(owner.name, owner.nick, owner.short)

    compare(scenario)


def test_annotated_merge_of_defaults_and_flags(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column
        counted = Annotated[int, mapped_column(default=5, index=True, comment="how many")]
        stamped = Annotated[datetime.datetime,
                            mapped_column(server_default=sa.func.current_timestamp())]

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "item"
            id: Mapped[int] = mapped_column(primary_key=True)
            a: Mapped[counted]
            # the attribute's default= gives way to the Annotated one (SQLAlchemy's rule);
            # an explicit insert_default= or index= wins
            b: Mapped[counted] = mapped_column(default=7, index=False)
            c: Mapped[counted] = mapped_column(insert_default=9, unique=True)
            d: Mapped[Optional[counted]]
            at: Mapped[stamped]

        _columns(lib, Item.__table__)
        _extras(lib, Item.__table__)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(Item(id=1))
            s.commit()
            item = s.get(Item, 1)
            lib.out(item.a, item.b, item.c, item.d, item.at is not None)

    compare(scenario)


def test_type_annotation_map_on_base(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column
        str50 = Annotated[str, 50]
        intpk = Annotated[int, mapped_column(primary_key=True)]

        class Base(orm.DeclarativeBase):
            type_annotation_map = {
                str50: sa.String(50),
                int: sa.BigInteger,
                dict: sa.JSON,
                datetime.datetime: sa.DateTime(timezone=True),
            }

        class Doc(Base):
            __tablename__ = "doc"
            id: Mapped[intpk]
            title: Mapped[str50]
            subtitle: Mapped[Optional[str50]]
            tag: Mapped[str50 | None] = mapped_column(nullable=False)
            body: Mapped[str]
            meta: Mapped[dict]
            count: Mapped[Optional[int]]
            small: Mapped[int] = mapped_column(sa.SmallInteger)
            created: Mapped[datetime.datetime]

        _columns(lib, Doc.__table__)
        lib.out(Doc.__table__.c.created.type.timezone)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        when = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)
        with orm.Session(engine) as s:
            s.add(Doc(id=1, title="t", tag="x", body="b", meta={"k": [1, 2]}, small=3,
                      created=when))
            s.commit()
            doc = s.get(Doc, 1)
            lib.out(doc.title, doc.subtitle, doc.tag, doc.meta, doc.count, doc.small)

    compare(scenario)


def test_type_annotation_map_on_registry(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column
        str77 = Annotated[str, 77]
        reg = orm.registry(type_annotation_map={str77: sa.String(77), float: sa.Numeric(10, 2)})

        @reg.mapped
        class Row:
            __tablename__ = "row"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str77]
            price: Mapped[Optional[float]]

        base = orm.declarative_base(type_annotation_map={str77: sa.String(12)})

        class Other(base):
            __tablename__ = "other"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str77]

        _columns(lib, Row.__table__)
        _columns(lib, Other.__table__)

    compare(scenario)


def test_optional_primary_key_and_unknown_annotated_type(compare):
    def scenario(lib):
        orm = lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Thing(Base):
            __tablename__ = "thing"
            id: Mapped[Optional[int]] = mapped_column(primary_key=True)

        _columns(lib, Thing.__table__)

        class Unknown:
            pass

        try:
            class Bad(Base):
                __tablename__ = "bad"
                id: Mapped[int] = mapped_column(primary_key=True)
                what: Mapped[Annotated[Unknown, 1]]
        except lib.exc.ArgumentError as error:
            lib.out("ArgumentError", "Unknown" in str(error))

    compare(scenario)
