"""Relationships on SQLAlchemy and lightalchemy, compared: declaration styles,
collections and backrefs in Python, the flush of object graphs, cascades,
loading strategies, joins and criteria along relationships.

Each scenario records the objects and collections it sees and the database's
rows after each commit (read with Core, ordered), so both the ORM's view and
what was written are compared.
"""

import types
import warnings
from typing import Optional

import pytest


def _rows(lib, s, *tables):
    out = []
    for table in tables:
        cols = list(table.c)
        out.append(s.execute(lib.sa.select(*cols).order_by(*cols)).all())
    return [list(map(tuple, rows)) for rows in out]


def _blog(lib, *, user_cascade="save-update, merge", address_lazy="select",
          order_addresses=False, passive=False, set_collection=False):
    """User 1—n Address (back_populates), User n—m Tag through user_tags, Node tree."""
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

    class Base(orm.DeclarativeBase):
        pass

    user_tags = sa.Table(
        "user_tags", Base.metadata,
        sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("tag_id", sa.ForeignKey("tags.id"), primary_key=True),
    )

    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]
        addresses: Mapped[list["Address"]] = relationship(
            back_populates="user", cascade=user_cascade, lazy=address_lazy,
            order_by="Address.email" if order_addresses else None,
            passive_deletes=passive,
            collection_class=set if set_collection else None)
        tags: Mapped[list["Tag"]] = relationship(secondary=user_tags, back_populates="users",
                                                 order_by="Tag.name")

    class Address(Base):
        __tablename__ = "addresses"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str]
        user_id: Mapped[Optional[int]] = mapped_column(
            sa.ForeignKey("users.id", ondelete="CASCADE" if passive else None))
        user: Mapped[Optional["User"]] = relationship(back_populates="addresses")

    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]
        users: Mapped[list["User"]] = relationship(secondary=user_tags, back_populates="tags",
                                                   order_by="User.name")

    engine = sa.create_engine(lib.url)
    if passive:
        @sa.event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, record):
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
    Base.metadata.create_all(engine)
    return types.SimpleNamespace(Base=Base, User=User, Address=Address, Tag=Tag,
                                 user_tags=user_tags, engine=engine)


def _emails(user):
    return sorted(a.email for a in user.addresses)


# -- declaration ---------------------------------------------------------------------


def test_classic_style_with_backref(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base = orm.declarative_base()

        class Parent(Base):
            __tablename__ = "parent"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String(20))
            children = orm.relationship("Child", backref="parent", order_by="Child.id")

        class Child(Base):
            __tablename__ = "child"
            id = sa.Column(sa.Integer, primary_key=True)
            parent_id = sa.Column(sa.Integer, sa.ForeignKey("parent.id"))
            name = sa.Column(sa.String(20))

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            p = Parent(name="p")
            c1, c2 = Child(name="a"), Child(name="b")
            p.children.append(c1)
            lib.out(c1.parent is p)
            c2.parent = p
            lib.out([c.name for c in p.children])
            s.add(p)
            s.commit()
            lib.out(_rows(lib, s, Parent.__table__, Child.__table__))
            lib.out([c.name for c in p.children], c2.parent.name)
            mapper = lib.inspect(Parent)
            prop = mapper.relationships["children"]
            lib.out(prop.direction.name, prop.uselist, prop.mapper.class_ is Child)
            lib.out(sorted(mapper.relationships.keys()), sorted(lib.inspect(Child).relationships.keys()))

    compare(scenario)


def test_annotated_styles_resolve_late(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        class A(Base):
            __tablename__ = "a"
            id: Mapped[int] = mapped_column(primary_key=True)
            bs: Mapped[list["B"]] = relationship(back_populates="a")
            one: Mapped[Optional["C"]] = relationship(back_populates="a")

        class B(Base):
            __tablename__ = "b"
            id: Mapped[int] = mapped_column(primary_key=True)
            a_id: Mapped[int] = mapped_column(sa.ForeignKey("a.id"))
            a: Mapped["A"] = relationship(back_populates="bs")

        class C(Base):
            __tablename__ = "c"
            id: Mapped[int] = mapped_column(primary_key=True)
            a_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("a.id"), unique=True)
            a: Mapped[Optional[A]] = relationship(back_populates="one")

        for cls, key in ((A, "bs"), (A, "one"), (B, "a"), (C, "a")):
            prop = lib.inspect(cls).relationships[key]
            lib.out(key, prop.direction.name, prop.uselist)
        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            a = A()
            c = C()
            a.one = c
            lib.out(c.a is a)
            a.bs = [B(), B()]
            s.add(a)
            s.commit()
            lib.out(_rows(lib, s, A.__table__, B.__table__, C.__table__))
            c2 = C()
            a.one = c2
            s.commit()
            lib.out(_rows(lib, s, C.__table__))

    compare(scenario)


def test_unknown_target_name_is_reported(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm

        class Base(orm.DeclarativeBase):
            pass

        class A(Base):
            __tablename__ = "a"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            bs: orm.Mapped[list["Bee"]] = orm.relationship()  # noqa: F821

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add(A())

    records = compare(scenario)
    assert records == [("raised", "InvalidRequestError")]


def test_ambiguous_foreign_keys_need_foreign_keys_argument(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        class Address(Base):
            __tablename__ = "address"
            id: Mapped[int] = mapped_column(primary_key=True)
            street: Mapped[str]

        class Customer(Base):
            __tablename__ = "customer"
            id: Mapped[int] = mapped_column(primary_key=True)
            billing_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("address.id"))
            shipping_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("address.id"))
            billing: Mapped[Optional[Address]] = relationship(foreign_keys=[billing_id])
            shipping: Mapped[Optional[Address]] = relationship(foreign_keys="Customer.shipping_id")

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            c = Customer(billing=Address(street="b"), shipping=Address(street="s"))
            s.add(c)
            s.commit()
            lib.out(c.billing.street, c.shipping.street, c.billing_id, c.shipping_id)

    compare(scenario)


def test_ambiguous_foreign_keys_are_reported(compare):
    # SQLAlchemy then refuses every mapper of the process ("One or more mappers failed
    # to initialize"); lightalchemy refuses only the broken relationship (README)
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Address(Base):
            __tablename__ = "address"
            id: Mapped[int] = mapped_column(primary_key=True)

        class Broken(Base):
            __tablename__ = "broken"
            id: Mapped[int] = mapped_column(primary_key=True)
            a_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("address.id"))
            b_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("address.id"))
            address: Mapped[Optional[Address]] = orm.relationship()

        lib.out(lib.inspect(Broken).relationships["address"].direction)

    records = compare(scenario)
    assert records == [("raised", "AmbiguousForeignKeysError")]


def test_primaryjoin_with_foreign_annotation(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        class Owner(Base):
            __tablename__ = "owner"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]
            pets: Mapped[list["Pet"]] = relationship(
                primaryjoin="Owner.id == foreign(Pet.owner_id)", order_by="Pet.id")

        class Pet(Base):
            __tablename__ = "pet"
            id: Mapped[int] = mapped_column(primary_key=True)
            owner_id: Mapped[Optional[int]]  # no ForeignKey in the schema
            name: Mapped[str]

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            o = Owner(name="o", pets=[Pet(name="rex"), Pet(name="tom")])
            s.add(o)
            s.commit()
            lib.out(_rows(lib, s, Pet.__table__))
        with orm.Session(engine) as s:
            o = s.scalars(sa.select(Owner)).one()
            lib.out([p.name for p in o.pets])
            lib.out(s.scalars(sa.select(Owner.name).join(Owner.pets).where(Pet.name == "tom")).all())

    compare(scenario)


# -- collections and backrefs in Python ------------------------------------------------


def test_collection_operations_keep_both_sides_in_step(compare):
    def scenario(lib):
        m = _blog(lib)
        User, Address = m.User, m.Address
        u1, u2 = User(name="u1"), User(name="u2")
        a, b, c, d = (Address(email=e) for e in "abcd")
        u1.addresses.append(a)
        u1.addresses.extend([b, c])
        lib.out([x.email for x in u1.addresses], a.user is u1, c.user is u1)
        u1.addresses.remove(b)
        lib.out([x.email for x in u1.addresses], b.user)
        u1.addresses[0] = d
        lib.out([x.email for x in u1.addresses], a.user, d.user is u1)
        c.user = u2
        lib.out([x.email for x in u1.addresses], [x.email for x in u2.addresses])
        u2.addresses = [a, b]
        lib.out([x.email for x in u2.addresses], c.user, a.user is u2)
        popped = u2.addresses.pop()
        lib.out(popped.email, popped.user)
        u1.addresses.clear()
        lib.out(d.user, len(u1.addresses))
        u1.addresses += [c]
        lib.out(c.user is u1, [x.email for x in u2.addresses])
        del u1.addresses[0]
        lib.out(c.user, len(u1.addresses))
        u1.addresses.insert(0, b)
        lib.out(b.user is u1)
        tag = m.Tag(name="t")
        u1.tags.append(tag)
        lib.out([x.name for x in tag.users])
        tag.users.remove(u1)
        lib.out(len(u1.tags))

    compare(scenario)


def test_set_collection(compare):
    def scenario(lib):
        m = _blog(lib, set_collection=True)
        User, Address = m.User, m.Address
        with lib.orm.Session(m.engine) as s:
            u = User(name="u")
            a, b = Address(email="a"), Address(email="b")
            u.addresses.add(a)
            u.addresses.add(b)
            u.addresses.add(a)
            lib.out(type(u.addresses).__name__ in ("InstrumentedSet", "set"),
                    isinstance(u.addresses, set), len(u.addresses), a.user is u)
            s.add(u)
            s.commit()
            u.addresses.discard(a)
            s.commit()  # rows without ids: a set's insert order is arbitrary
            lib.out(s.execute(lib.sa.select(Address.email, Address.user_id)
                              .order_by(Address.email)).all())
            lib.out(sorted(x.email for x in u.addresses))

    compare(scenario)


# -- flush of object graphs -------------------------------------------------------------


def test_flush_orders_parents_first_and_copies_keys(compare):
    def scenario(lib):
        m = _blog(lib)
        User, Address = m.User, m.Address
        with lib.orm.Session(m.engine) as s:
            # children added first: the flush must still insert users before addresses
            a1 = Address(email="a1", user=User(name="x"))
            a2 = Address(email="a2", user=User(name="y"))
            s.add_all([a1, a2])
            s.flush()
            lib.out(a1.user_id == a1.user.id, a2.user_id == a2.user.id)
            users = [User(name=f"bulk{i}", addresses=[Address(email=f"{i}-{j}") for j in range(3)])
                     for i in range(50)]
            s.add_all(users)
            s.commit()
            lib.out(len(_rows(lib, s, Address.__table__)[0]))
            lib.out(all(a.user_id == u.id for u in users for a in u.addresses))
            # move an address between users; a persistent child of a new parent
            a1.user = users[0]
            u3 = User(name="z")
            a2.user = u3
            s.commit()
            lib.out(_rows(lib, s, User.__table__)[0][-1], a1.user_id, a2.user_id == u3.id)
            lib.out(len(users[0].addresses))

    compare(scenario)


def test_remove_without_delete_orphan_nulls_foreign_key(compare):
    def scenario(lib):
        m = _blog(lib)
        User, Address = m.User, m.Address
        with lib.orm.Session(m.engine) as s:
            u = User(name="u", addresses=[Address(email="a"), Address(email="b")])
            s.add(u)
            s.commit()
            u.addresses.remove(u.addresses[0])
            lib.out(len(s.dirty))
            s.commit()
            lib.out(_rows(lib, s, Address.__table__))
            u.addresses = []
            s.commit()
            lib.out(_rows(lib, s, Address.__table__))
            s.delete(u)
            s.commit()
            lib.out(_rows(lib, s, User.__table__, Address.__table__))

    compare(scenario)


def test_delete_parent_without_cascade_nulls_children(compare):
    def scenario(lib):
        m = _blog(lib)
        User, Address = m.User, m.Address
        with lib.orm.Session(m.engine) as s:
            s.add(User(name="u", addresses=[Address(email="a"), Address(email="b")]))
            s.commit()
        with lib.orm.Session(m.engine) as s:
            u = s.scalars(lib.sa.select(User)).one()
            s.delete(u)  # addresses not loaded: the flush loads them to clear their keys
            s.commit()
            lib.out(_rows(lib, s, User.__table__, Address.__table__))

    compare(scenario)


@pytest.mark.parametrize("cascade", ["all, delete-orphan", "all", "save-update, delete",
                                     "delete, delete-orphan, save-update"])
def test_cascades(compare, cascade):
    def scenario(lib):
        m = _blog(lib, user_cascade=cascade)
        User, Address = m.User, m.Address
        with lib.orm.Session(m.engine) as s:
            u = User(name="u", addresses=[Address(email=e) for e in "abc"])
            s.add(u)
            s.commit()
            gone = u.addresses[0]
            u.addresses.remove(gone)
            s.commit()
            lib.out(_rows(lib, s, Address.__table__), lib.inspect(gone).deleted,
                    lib.inspect(gone).detached)
            s.delete(u)
            lib.out(len(s.deleted))
            s.commit()
            lib.out(_rows(lib, s, User.__table__, Address.__table__))

    compare(scenario)


def test_delete_orphan_on_many_to_one_set_to_none(compare):
    def scenario(lib):
        m = _blog(lib, user_cascade="all, delete-orphan")
        User, Address = m.User, m.Address
        with lib.orm.Session(m.engine) as s:
            u = User(name="u", addresses=[Address(email="a"), Address(email="b")])
            s.add(u)
            s.commit()
            a = u.addresses[0]
            a.user = None
            lib.out(len(u.addresses))
            s.commit()
            lib.out(_rows(lib, s, Address.__table__))
            # moving a child to another parent is not an orphan
            u2 = User(name="u2")
            s.add(u2)
            u.addresses[0].user = u2
            s.commit()
            lib.out(_rows(lib, s, Address.__table__))

    compare(scenario)


def test_passive_deletes_leave_children_to_the_database(compare, tmp_path):
    def scenario(lib):
        m = _blog(lib, user_cascade="all, delete-orphan", passive=True)
        User, Address = m.User, m.Address
        with lib.orm.Session(m.engine) as s:
            s.add(User(name="u", addresses=[Address(email="a"), Address(email="b")]))
            s.commit()
        with lib.orm.Session(m.engine) as s:
            u = s.scalars(lib.sa.select(User)).one()
            s.delete(u)
            s.commit()
            lib.out(_rows(lib, s, User.__table__, Address.__table__))

    compare(scenario, file_db=True)


def test_many_to_many_association_rows(compare):
    def scenario(lib):
        m = _blog(lib)
        User, Tag = m.User, m.Tag
        with lib.orm.Session(m.engine) as s:
            red, blue, green = Tag(name="red"), Tag(name="blue"), Tag(name="green")
            ann = User(name="ann", tags=[red, blue])
            bob = User(name="bob")
            bob.tags.append(red)
            green.users.append(bob)
            s.add_all([ann, bob])
            s.commit()
            lib.out(_rows(lib, s, m.user_tags))
            ann.tags.remove(red)
            red.users.append(ann)  # removed and added again: the row stays
            bob.tags = [blue]
            s.commit()
            lib.out(_rows(lib, s, m.user_tags))
            lib.out([t.name for t in ann.tags], [u.name for u in blue.users])
            s.delete(blue)  # its association rows go with it
            s.commit()
            lib.out(_rows(lib, s, m.user_tags, Tag.__table__))
            lib.out([t.name for t in ann.tags])

    compare(scenario)


def test_self_referential_tree(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        class Node(Base):
            __tablename__ = "node"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]
            parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("node.id"))
            parent: Mapped[Optional["Node"]] = relationship(back_populates="children",
                                                            remote_side=[id])
            children: Mapped[list["Node"]] = relationship(back_populates="parent",
                                                          cascade="all, delete-orphan",
                                                          order_by="Node.id")

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        lib.out(lib.inspect(Node).relationships["parent"].direction.name,
                lib.inspect(Node).relationships["children"].direction.name)
        with orm.Session(engine) as s:
            root = Node(name="root")
            a = Node(name="a", parent=root)
            Node(name="a1", parent=a)
            Node(name="a2", parent=a)
            Node(name="b", parent=root)
            s.add(root)
            s.commit()
            lib.out(_rows(lib, s, Node.__table__))
            lib.out([c.name for c in root.children], [c.name for c in a.children])
            lib.out(a.children[0].parent.parent.name)
            s.delete(a)
            s.commit()
            lib.out(_rows(lib, s, Node.__table__))
        with orm.Session(engine) as s:
            root = s.scalars(sa.select(Node).where(Node.parent_id.is_(None))).one()
            lib.out([c.name for c in root.children])
            s.delete(root)
            s.commit()
            lib.out(_rows(lib, s, Node.__table__))

    compare(scenario)


def test_post_update_breaks_a_cycle(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        class Author(Base):
            __tablename__ = "author"
            id: Mapped[int] = mapped_column(primary_key=True)
            favourite_id: Mapped[Optional[int]] = mapped_column(
                sa.ForeignKey("book.id", use_alter=True, name="fk_fav"))
            books: Mapped[list["Book"]] = relationship(
                back_populates="author", foreign_keys="Book.author_id")
            favourite: Mapped[Optional["Book"]] = relationship(
                foreign_keys=[favourite_id], post_update=True)

        class Book(Base):
            __tablename__ = "book"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]
            author_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("author.id"))
            author: Mapped[Optional[Author]] = relationship(
                back_populates="books", foreign_keys=[author_id])

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            a = Author()
            b = Book(title="t", author=a)
            a.favourite = b
            s.add(a)
            s.commit()
            lib.out(_rows(lib, s, Author.__table__, Book.__table__))
            s.delete(b)
            s.delete(a)
            s.commit()
            lib.out(_rows(lib, s, Author.__table__, Book.__table__))

    compare(scenario)


def test_viewonly_relationship_is_not_written(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        m = _blog(lib)
        User, Address = m.User, m.Address

        class Extra(m.Base):
            __tablename__ = "extra"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            user_id: orm.Mapped[Optional[int]] = orm.mapped_column(sa.ForeignKey("users.id"))
            user: orm.Mapped[Optional[User]] = orm.relationship(viewonly=True)

        m.Base.metadata.create_all(m.engine)
        with orm.Session(m.engine) as s:
            u = User(name="u")
            s.add(u)
            s.commit()
            e = Extra(user_id=u.id)
            s.add(e)
            s.commit()
            lib.out(e.user.name)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                e.user = User(name="v")
                s.commit()
            lib.out(_rows(lib, s, Extra.__table__, User.__table__))
            _ = Address

    compare(scenario)


# -- loading -------------------------------------------------------------------------------


def _seed(lib, m, users=3, per_user=2):
    with lib.orm.Session(m.engine) as s:
        tags = [m.Tag(name=f"t{i}") for i in range(3)]
        for i in range(users):
            u = m.User(name=f"u{i}", addresses=[m.Address(email=f"{i}-{j}")
                                                for j in range(per_user)])
            u.tags = tags[: i + 1]
            s.add(u)
        s.add(m.User(name="lonely"))
        s.commit()


@pytest.mark.parametrize("option", ["selectinload", "joinedload", "subqueryload", "lazyload",
                                    "immediateload"])
def test_loader_options_on_select(compare, option):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        User, Address = m.User, m.Address
        opt = getattr(orm, option)
        with orm.Session(m.engine) as s:
            result = s.scalars(sa.select(User).options(opt(User.addresses), opt(User.tags))
                               .order_by(User.id))
            users = result.unique().all()
            lib.out([(u.name, _emails(u), [t.name for t in u.tags]) for u in users])
            addresses = s.scalars(sa.select(Address).options(opt(Address.user))
                                  .order_by(Address.id)).all()
            lib.out([(a.email, a.user.name) for a in addresses])

    compare(scenario)


@pytest.mark.parametrize("option", ["selectinload", "joinedload"])
def test_chained_loader_options(compare, option):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        User, Address, Tag = m.User, m.Address, m.Tag
        opt = getattr(orm, option)
        with orm.Session(m.engine) as s:
            addresses = s.scalars(sa.select(Address).options(
                opt(Address.user).selectinload(User.tags)).order_by(Address.id)).unique().all()
            lib.out([(a.email, a.user.name, [t.name for t in a.user.tags]) for a in addresses])
            tags = s.scalars(sa.select(Tag).options(
                opt(Tag.users).options(orm.selectinload(User.addresses))).order_by(Tag.id)
            ).unique().all()
            lib.out([(t.name, [(u.name, _emails(u)) for u in t.users]) for t in tags])

    compare(scenario)


def test_options_on_legacy_query(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        orm = lib.orm
        User = m.User
        with orm.Session(m.engine) as s:
            users = s.query(User).options(orm.joinedload(User.addresses)).order_by(User.id).all()
            lib.out([(u.name, _emails(u)) for u in users])
            first = s.query(User).options(orm.joinedload(User.addresses)).order_by(User.id).first()
            lib.out(first.name, _emails(first))
            u = s.query(User).options(orm.selectinload(User.tags)).filter_by(name="u2").one()
            lib.out([t.name for t in u.tags])

    compare(scenario)


def test_joined_collections_need_unique_in_2_0_style(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            try:
                s.scalars(sa.select(m.User).options(orm.joinedload(m.User.addresses))).all()
            except Exception as error:
                lib.out(type(error).__name__)
            rows = s.execute(sa.select(m.User).options(orm.joinedload(m.User.addresses))
                             .order_by(m.User.id)).unique().all()
            lib.out([(r[0].name, _emails(r[0])) for r in rows])

    compare(scenario)


@pytest.mark.parametrize("lazy", ["selectin", "joined", "raise", "noload", "subquery"])
def test_lazy_argument_strategies(compare, lazy):
    def scenario(lib):
        m = _blog(lib, address_lazy=lazy)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            users = s.scalars(sa.select(m.User).order_by(m.User.id)).unique().all()
            try:
                lib.out([(u.name, _emails(u)) for u in users])
            except Exception as error:
                lib.out(type(error).__name__)
            u = s.get(m.User, 1)
            lib.out(u.name)
            users = s.scalars(sa.select(m.User).options(orm.selectinload(m.User.addresses))
                              .order_by(m.User.id)).all()
            lib.out([(u.name, _emails(u)) for u in users])

    compare(scenario)


def test_raiseload_and_noload_options(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            u = s.scalars(sa.select(m.User).options(orm.raiseload(m.User.addresses))
                          .where(m.User.name == "u0")).one()
            try:
                lib.out(len(u.addresses))
            except Exception as error:
                lib.out(type(error).__name__)
            lib.out([t.name for t in u.tags])
        with orm.Session(m.engine) as s:
            u = s.scalars(sa.select(m.User).options(orm.noload(m.User.addresses))
                          .where(m.User.name == "u0")).one()
            lib.out(list(u.addresses))

    compare(scenario)


def test_contains_eager_after_explicit_join(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        User, Address = m.User, m.Address
        with orm.Session(m.engine) as s:
            stmt = (sa.select(User).join(User.addresses).where(Address.email.like("%-1"))
                    .options(orm.contains_eager(User.addresses)).order_by(User.id))
            users = s.scalars(stmt).unique().all()
            lib.out([(u.name, _emails(u)) for u in users])

    compare(scenario)


def test_detached_lazy_load_raises(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            u = s.scalars(sa.select(m.User).where(m.User.name == "u1")).one()
            eager = s.scalars(sa.select(m.User).options(orm.selectinload(m.User.tags))
                              .where(m.User.name == "u2")).one()
        try:
            lib.out(len(u.addresses))
        except Exception as error:
            lib.out(type(error).__name__)
        lib.out([t.name for t in eager.tags])
        with orm.Session(m.engine, expire_on_commit=False) as s:
            u = s.scalars(sa.select(m.User).where(m.User.name == "u1")).one()
            lib.out(_emails(u))
            s.commit()
        lib.out(_emails(u))
        with orm.Session(m.engine) as s:
            u = s.scalars(sa.select(m.User).where(m.User.name == "u1")).one()
            lib.out(_emails(u))
            s.commit()
        try:
            lib.out(len(u.addresses))
        except Exception as error:
            lib.out(type(error).__name__)

    compare(scenario)


def test_order_by_on_relationship_and_refresh(compare):
    def scenario(lib):
        m = _blog(lib, order_addresses=True)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            u = m.User(name="u", addresses=[m.Address(email=e) for e in ("c", "a", "b")])
            s.add(u)
            s.commit()
            lib.out([a.email for a in u.addresses])
            s.execute(sa.update(m.Address).where(m.Address.email == "a").values(email="z"))
            lib.out([a.email for a in u.addresses])
            s.refresh(u, ["addresses"])
            lib.out([a.email for a in u.addresses])
            s.expire(u)
            lib.out([a.email for a in u.addresses])
            users = s.scalars(sa.select(m.User).options(orm.joinedload(m.User.addresses))
                              .execution_options(populate_existing=True)).unique().all()
            lib.out([a.email for a in users[0].addresses])

    compare(scenario)


# -- joins and criteria along relationships --------------------------------------------


def test_joins_along_relationships(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        User, Address, Tag = m.User, m.Address, m.Tag
        with orm.Session(m.engine) as s:
            lib.out(s.scalars(sa.select(User.name).join(User.addresses)
                              .where(Address.email == "1-1")).all())
            lib.out(s.query(User.name).join(Address).filter(Address.email == "2-0").all())
            lib.out(s.query(User.name).join(User.addresses).filter_by(email="0-1").all())
            lib.out(s.scalars(sa.select(User.name).join(User.addresses.and_(
                Address.email.like("%-0"))).order_by(User.name)).all())
            lib.out(s.scalars(sa.select(User.name).join(User.tags).where(Tag.name == "t2")
                              .order_by(User.name)).all())
            lib.out(s.scalars(sa.select(Tag.name).join(Tag.users).where(User.name == "u0")).all())
            A = orm.aliased(Address)
            lib.out(s.execute(sa.select(User.name, A.email).join(A, User.addresses)
                              .where(A.email.like("2-%")).order_by(A.email)).all())
            lib.out(s.execute(sa.select(User.name, A.email).join(User.addresses.of_type(A))
                              .where(A.email.like("0-%")).order_by(A.email)).all())
            lib.out(s.execute(sa.select(Address.email, User.name).join(Address.user)
                              .order_by(Address.email)).all())
            lib.out(s.scalars(sa.select(User.name).outerjoin(User.addresses)
                              .where(Address.id.is_(None))).all())

    compare(scenario)


def test_any_has_contains_and_comparisons(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        User, Address, Tag = m.User, m.Address, m.Tag
        with orm.Session(m.engine) as s:
            def names(*criteria):
                return s.scalars(sa.select(User.name).where(*criteria).order_by(User.name)).all()

            lib.out(names(User.addresses.any()))
            lib.out(names(~User.addresses.any()))
            lib.out(names(User.addresses.any(Address.email == "1-0")))
            lib.out(names(User.addresses.any(email="2-1")))
            lib.out(names(User.tags.any(Tag.name == "t1")))
            lib.out(s.scalars(sa.select(Address.email).where(Address.user.has(User.name == "u2"))
                              .order_by(Address.email)).all())
            lib.out(s.scalars(sa.select(Address.email).where(Address.user.has(name="u0"))
                              .order_by(Address.email)).all())
            u1 = s.scalars(sa.select(User).where(User.name == "u1")).one()
            a = s.scalars(sa.select(Address).where(Address.email == "0-0")).one()
            t = s.scalars(sa.select(Tag).where(Tag.name == "t0")).one()
            lib.out(s.scalars(sa.select(Address.email).where(Address.user == u1)
                              .order_by(Address.email)).all())
            lib.out(s.scalars(sa.select(Address.email).where(Address.user != u1)
                              .order_by(Address.email)).all())
            lib.out(s.scalars(sa.select(Address.email).where(Address.user == None)).all())  # noqa: E711
            lib.out(names(User.addresses.contains(a)))
            lib.out(names(User.tags.contains(t)))
            lib.out(s.scalars(sa.select(Address.email).where(orm.with_parent(u1, User.addresses))
                              .order_by(Address.email)).all())
            lib.out(s.scalars(sa.select(Tag.name).where(orm.with_parent(u1, User.tags))
                              .order_by(Tag.name)).all())
            lib.out(s.query(Address.email).filter(Address.user == u1).order_by(Address.email).all())

    compare(scenario)


def test_autoflush_before_lazy_load(compare):
    def scenario(lib):
        m = _blog(lib)
        orm = lib.orm
        with orm.Session(m.engine) as s:
            u = m.User(name="u")
            s.add(u)
            s.commit()
            s.add(m.Address(email="late", user_id=u.id))
            lib.out(_emails(u))
        with orm.Session(m.engine, autoflush=False) as s:
            u = s.get(m.User, 1)
            s.add(m.Address(email="later", user_id=u.id))
            lib.out(_emails(u))

    compare(scenario)


def test_rollback_restores_relationships(compare):
    def scenario(lib):
        m = _blog(lib)
        orm = lib.orm
        with orm.Session(m.engine) as s:
            u = m.User(name="u", addresses=[m.Address(email="a")])
            s.add(u)
            s.commit()
            u.addresses.append(m.Address(email="b"))
            s.flush()
            s.rollback()
            lib.out(_emails(u))
            lib.out(_rows(lib, s, m.Address.__table__))
            u.addresses[0].email = "changed"
            s.commit()
            lib.out(_rows(lib, s, m.Address.__table__))

    compare(scenario)


# -- column loading options ---------------------------------------------------------------


def test_load_only_defer_undefer(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column = orm.Mapped, orm.mapped_column

        class Base(orm.DeclarativeBase):
            pass

        class Doc(Base):
            __tablename__ = "doc"
            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str]
            body: Mapped[str] = mapped_column(deferred=True)
            notes: Mapped[Optional[str]]

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            s.add_all([Doc(title=f"t{i}", body="b" * i, notes=f"n{i}") for i in range(3)])
            s.commit()

        def loaded(doc):
            return sorted(lib.inspect(doc).unloaded)

        with orm.Session(engine) as s:
            d = s.scalars(sa.select(Doc).order_by(Doc.id)).first()
            lib.out(loaded(d), d.body, loaded(d))
        with orm.Session(engine) as s:
            d = s.scalars(sa.select(Doc).options(orm.load_only(Doc.title)).order_by(Doc.id)).first()
            lib.out(loaded(d), d.title, d.notes, loaded(d))
        with orm.Session(engine) as s:
            d = s.scalars(sa.select(Doc).options(orm.defer(Doc.notes)).where(Doc.id == 2)).one()
            lib.out(loaded(d), d.notes)
        with orm.Session(engine) as s:
            d = s.scalars(sa.select(Doc).options(orm.undefer(Doc.body)).where(Doc.id == 3)).one()
            lib.out(loaded(d), d.body)
            d.title = "changed"
            s.commit()
            lib.out(s.execute(sa.select(Doc.title, Doc.body).order_by(Doc.id)).all())
        with orm.Session(engine) as s:
            docs = s.query(Doc).options(orm.load_only(Doc.id)).order_by(Doc.id).all()
            lib.out([loaded(x) for x in docs], [x.title for x in docs])

    compare(scenario)


def test_load_only_on_related_objects(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            users = s.scalars(sa.select(m.User).options(
                orm.selectinload(m.User.addresses).load_only(m.Address.email),
                orm.load_only(m.User.name)).order_by(m.User.id)).all()
            first = users[0].addresses[0]
            lib.out(sorted(lib.inspect(users[0]).unloaded), sorted(lib.inspect(first).unloaded))
            lib.out([(u.name, _emails(u)) for u in users], first.user_id)
        with orm.Session(m.engine) as s:
            users = s.scalars(sa.select(m.User).options(
                orm.joinedload(m.User.addresses).load_only(m.Address.email))
                .order_by(m.User.id)).unique().all()
            first = users[0].addresses[0]
            lib.out(sorted(lib.inspect(first).unloaded), [(u.name, _emails(u)) for u in users])

    compare(scenario)


def test_relationship_inspection_and_history(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        with lib.orm.Session(m.engine) as s:
            u = s.get(m.User, 1)
            st = lib.inspect(u)
            lib.out(sorted(st.unloaded), sorted(st.expired_attributes), st.expired)
            lib.out([a.email for a in u.addresses], sorted(st.unloaded), sorted(st.attrs.keys()))
            h = st.attrs.addresses.history
            lib.out(h.added, [a.email for a in h.unchanged], h.deleted)
            new = m.Address(email="q")
            u.addresses.append(new)
            removed = u.addresses[0]
            u.addresses.remove(removed)
            h = st.attrs.addresses.history
            lib.out([a.email for a in h.added], [a.email for a in h.unchanged],
                    [a.email for a in h.deleted], s.is_modified(u), u in s.dirty)
            lib.out(lib.orm.attributes.get_history(new, "user").added[0] is u)
            s.expire(u)
            lib.out(sorted(st.unloaded), sorted(st.expired_attributes), st.expired)
            s.rollback()

    compare(scenario)


def test_merge_expunge_and_expire_cascades(compare):
    def scenario(lib):
        m = _blog(lib, user_cascade="all, delete-orphan")
        _seed(lib, m)
        orm = lib.orm
        with orm.Session(m.engine) as s:
            u = m.User(id=1, name="merged", addresses=[m.Address(id=1, email="m1"),
                                                       m.Address(email="new")])
            merged = s.merge(u)
            lib.out(merged is u, merged.name, [a.email for a in merged.addresses],
                    [a in s for a in merged.addresses])
            s.commit()
            lib.out(_rows(lib, s, m.Address.__table__))
        with orm.Session(m.engine) as s:
            u = s.get(m.User, 2)
            addresses = list(u.addresses)
            s.expunge(u)
            lib.out([a in s for a in addresses], u in s)
        with orm.Session(m.engine) as s:
            u = s.get(m.User, 2)
            addresses = list(u.addresses)
            lib.out(addresses[0].email)
            s.expire(u)
            lib.out(sorted(lib.inspect(addresses[0]).unloaded))
            s.refresh(u)
            lib.out(sorted(lib.inspect(u).unloaded), addresses[0].email)

    compare(scenario)


def test_get_with_options_and_eager_defaults(compare):
    def scenario(lib):
        m = _blog(lib, address_lazy="joined")
        _seed(lib, m)
        orm = lib.orm
        with orm.Session(m.engine) as s:
            u = s.get(m.User, 2, options=[orm.selectinload(m.User.tags)])
            lib.out(sorted(lib.inspect(u).unloaded), _emails(u), [t.name for t in u.tags])
            lib.out(s.get(m.User, 99, options=[orm.selectinload(m.User.tags)]))

    compare(scenario)


# -- more shapes ---------------------------------------------------------------------------


def test_association_object_pattern(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        class Order(Base):
            __tablename__ = "orders"
            id: Mapped[int] = mapped_column(primary_key=True)
            lines: Mapped[list["Line"]] = relationship(back_populates="order",
                                                       cascade="all, delete-orphan")

        class Item(Base):
            __tablename__ = "items"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]
            lines: Mapped[list["Line"]] = relationship(back_populates="item")

        class Line(Base):
            __tablename__ = "lines"
            order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), primary_key=True)
            item_id: Mapped[int] = mapped_column(sa.ForeignKey("items.id"), primary_key=True)
            qty: Mapped[int]
            order: Mapped[Order] = relationship(back_populates="lines")
            item: Mapped[Item] = relationship(back_populates="lines")

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            pen, ink = Item(name="pen"), Item(name="ink")
            o = Order(lines=[Line(item=pen, qty=2), Line(item=ink, qty=5)])
            s.add(o)
            s.commit()
            lib.out(_rows(lib, s, Line.__table__), [(ln.item.name, ln.qty) for ln in o.lines])
            o.lines[0].qty = 3
            o.lines.remove(o.lines[1])
            s.commit()
            lib.out(_rows(lib, s, Line.__table__), [ln.order.id for ln in pen.lines])
        with orm.Session(engine) as s:
            o = s.scalars(sa.select(Order).options(
                orm.selectinload(Order.lines).joinedload(Line.item))).one()
            lib.out([(ln.item.name, ln.qty) for ln in o.lines])

    compare(scenario)


def test_one_to_one_classic_backref_and_string_order_by(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Base = orm.declarative_base()

        class Person(Base):
            __tablename__ = "person"
            id = sa.Column(sa.Integer, primary_key=True)
            name = sa.Column(sa.String(20))
            passport = orm.relationship("Passport", uselist=False,
                                        backref=orm.backref("holder", lazy="joined"))
            notes = orm.relationship("Note", order_by="desc(Note.text)", lazy="selectin")

        class Passport(Base):
            __tablename__ = "passport"
            id = sa.Column(sa.Integer, primary_key=True)
            person_id = sa.Column(sa.ForeignKey("person.id"), unique=True)
            number = sa.Column(sa.String(10))

        class Note(Base):
            __tablename__ = "note"
            id = sa.Column(sa.Integer, primary_key=True)
            person_id = sa.Column(sa.ForeignKey("person.id"))
            text = sa.Column(sa.String(10))

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            p = Person(name="p", passport=Passport(number="X1"),
                       notes=[Note(text=t) for t in ("b", "c", "a")])
            s.add(p)
            s.commit()
        with orm.Session(engine) as s:
            passport = s.scalars(sa.select(Passport)).first()
            lib.out(passport.holder.name, [n.text for n in passport.holder.notes])
            p = s.get(Person, 1)
            lib.out(p.passport.number, p.passport is passport)
            p.passport = Passport(number="X2")
            s.commit()
            lib.out(_rows(lib, s, Passport.__table__))

    compare(scenario)


def test_composite_foreign_key(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        class Shelf(Base):
            __tablename__ = "shelf"
            room: Mapped[str] = mapped_column(primary_key=True)
            number: Mapped[int] = mapped_column(primary_key=True)
            books: Mapped[list["Book"]] = relationship(back_populates="shelf",
                                                       order_by="Book.id")

        class Book(Base):
            __tablename__ = "book"
            __table_args__ = (sa.ForeignKeyConstraint(["room", "shelf_no"],
                                                      ["shelf.room", "shelf.number"]),)
            id: Mapped[int] = mapped_column(primary_key=True)
            room: Mapped[Optional[str]]
            shelf_no: Mapped[Optional[int]]
            shelf: Mapped[Optional[Shelf]] = relationship(back_populates="books")

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            a, b = Shelf(room="r", number=1), Shelf(room="r", number=2)
            s.add_all([a, b])
            a.books = [Book(), Book()]
            s.commit()
            lib.out(_rows(lib, s, Book.__table__))
            a.books[0].shelf = b
            s.commit()
            lib.out(_rows(lib, s, Book.__table__), [x.id for x in b.books])
        with orm.Session(engine) as s:
            shelves = s.scalars(sa.select(Shelf).options(orm.selectinload(Shelf.books))
                                .order_by(Shelf.number)).all()
            lib.out([[x.id for x in sh.books] for sh in shelves])
            lib.out(s.scalars(sa.select(Book.id).join(Book.shelf).where(Shelf.number == 2)).all())

    compare(scenario)


def test_relationships_with_savepoints(compare):
    def scenario(lib):
        m = _blog(lib)
        orm = lib.orm
        with orm.Session(m.engine) as s:
            u = m.User(name="u", addresses=[m.Address(email="a")])
            s.add(u)
            s.commit()
            with s.begin_nested():
                u.addresses.append(m.Address(email="kept"))
            nested = s.begin_nested()
            u.addresses.append(m.Address(email="dropped"))
            s.flush()
            nested.rollback()
            lib.out(_emails(u))
            s.commit()
            lib.out(_rows(lib, s, m.Address.__table__))

    compare(scenario)


def test_deleting_a_child_and_collections_in_flight(compare):
    def scenario(lib):
        m = _blog(lib)
        orm = lib.orm
        with orm.Session(m.engine) as s:
            u = m.User(name="u", addresses=[m.Address(email=e) for e in "abc"])
            u2 = m.User(name="v")
            s.add_all([u, u2])
            s.commit()
            s.delete(u.addresses[0])
            s.flush()
            lib.out(_emails(u))
            s.commit()
            lib.out(_emails(u))
            # both collections loaded: moving a child updates both, then one UPDATE
            lib.out(_emails(u2))
            moving = u.addresses[0]
            u2.addresses.append(moving)
            lib.out(_emails(u), _emails(u2), moving.user is u2)
            s.commit()
            lib.out(_rows(lib, s, m.Address.__table__))
            # replacing an unloaded collection of a persistent object
            s.expire(u2)
            u2.addresses = [m.Address(email="fresh")]
            s.commit()
            lib.out(_rows(lib, s, m.Address.__table__))
            # a pending child of a deleted parent (delete cascade) is expunged
            with orm.Session(m.engine) as s2:
                m2 = s2.get(m.User, 1)
                _ = m2

    compare(scenario)


def test_many_to_one_cascade_and_pending_parents(compare):
    def scenario(lib):
        m = _blog(lib)
        orm = lib.orm
        with orm.Session(m.engine) as s:
            a = m.Address(email="a", user=m.User(name="new parent"))
            s.add(a)  # the parent comes along (save-update cascade along Address.user)
            lib.out(len(s.new))
            s.flush()
            lib.out(a.user_id == a.user.id)
            s.rollback()
            lib.out(lib.inspect(a).transient, lib.inspect(a.user).transient, a.user_id)
            s.add(a)
            s.commit()
            lib.out(_rows(lib, s, m.User.__table__, m.Address.__table__))

    compare(scenario)


def test_many_parents_selectin_batches_and_innerjoin(compare):
    def scenario(lib):
        m = _blog(lib)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            s.add_all([m.User(name=f"u{i:04}", addresses=[m.Address(email=f"{i}")])
                       for i in range(1200)])
            s.add(m.User(name="zzz"))
            s.commit()
        with orm.Session(m.engine) as s:
            users = s.scalars(sa.select(m.User).options(orm.selectinload(m.User.addresses))
                              .order_by(m.User.id)).all()
            lib.out(len(users), sum(len(u.addresses) for u in users), _emails(users[1199]))
            inner = s.scalars(sa.select(m.User).options(
                orm.joinedload(m.User.addresses, innerjoin=True))).unique().all()
            lib.out(len(inner))
            lib.out(len(s.query(m.User).options(orm.joinedload(m.User.addresses))
                        .limit(10).all()))

    compare(scenario)


def test_backref_to_unloaded_collection_without_autoflush(compare):
    # the seed's sessions run with autoflush=False: a collection loaded later still
    # shows the objects a backref added to it
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        with lib.orm.Session(m.engine, autoflush=False) as s:
            u = s.get(m.User, 1)
            s.add(m.Address(email="pending", user=u))
            lib.out(_emails(u))
            moved = s.get(m.Address, 3)
            moved.user = u
            lib.out(_emails(u))
            u2 = s.get(m.User, 2)
            s.get(m.Address, 1).user = u2
            lib.out(_emails(u), _emails(u2))
            s.commit()
            lib.out(_emails(u), _emails(u2))

    compare(scenario)


def test_raise_on_sql_and_wildcard_raiseload(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            s.get(m.User, 1)  # in the identity map: a many-to-one to it needs no SQL
            addresses = s.scalars(sa.select(m.Address).options(
                orm.raiseload(m.Address.user, sql_only=True)).order_by(m.Address.id)).all()
            lib.out(addresses[0].user.name)
            try:
                lib.out(addresses[2].user.name)
            except Exception as error:
                lib.out(type(error).__name__)
        with orm.Session(m.engine) as s:
            u = s.scalars(sa.select(m.User).options(orm.raiseload("*"))
                          .where(m.User.name == "u0")).one()
            for key in ("addresses", "tags"):
                try:
                    lib.out(len(getattr(u, key)))
                except Exception as error:
                    lib.out(key, type(error).__name__)
            u = s.query(m.User).options(orm.selectinload(m.User.tags)).populate_existing() \
                .filter_by(name="u0").one()
            lib.out([t.name for t in u.tags])

    compare(scenario)


def test_self_referential_many_to_many_and_nested_joined(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

        class Base(orm.DeclarativeBase):
            pass

        friendship = sa.Table(
            "friendship", Base.metadata,
            sa.Column("a_id", sa.ForeignKey("person.id"), primary_key=True),
            sa.Column("b_id", sa.ForeignKey("person.id"), primary_key=True),
        )

        class Person(Base):
            __tablename__ = "person"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str]
            friends: Mapped[list["Person"]] = relationship(
                secondary=friendship, primaryjoin="Person.id == friendship.c.a_id",
                secondaryjoin="Person.id == friendship.c.b_id", order_by="Person.name")

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as s:
            ann, bob, cid = Person(name="ann"), Person(name="bob"), Person(name="cid")
            ann.friends = [bob, cid]
            bob.friends.append(cid)
            s.add(ann)
            s.commit()
            lib.out(_rows(lib, s, friendship), [f.name for f in ann.friends])
        with orm.Session(engine) as s:
            people = s.scalars(sa.select(Person).options(
                orm.joinedload(Person.friends).joinedload(Person.friends, innerjoin=False))
                .order_by(Person.name)).unique().all()
            lib.out([(p.name, [(f.name, [g.name for g in f.friends]) for f in p.friends])
                     for p in people])
            lib.out(s.scalars(sa.select(Person.name).where(Person.friends.any())
                              .order_by(Person.name)).all())

    compare(scenario)


def test_nested_joined_loads(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        with orm.Session(m.engine) as s:
            addresses = s.scalars(sa.select(m.Address).options(
                orm.joinedload(m.Address.user).joinedload(m.User.tags))
                .order_by(m.Address.id)).unique().all()
            lib.out([(a.email, a.user.name, [t.name for t in a.user.tags]) for a in addresses])
            tags = s.scalars(sa.select(m.Tag).options(
                orm.joinedload(m.Tag.users).joinedload(m.User.addresses))
                .order_by(m.Tag.name)).unique().all()
            lib.out([(t.name, [(u.name, _emails(u)) for u in t.users]) for t in tags])

    compare(scenario)


def test_relationship_misuse_raises_as_sqlalchemy(compare):
    def scenario(lib):
        m = _blog(lib)
        _seed(lib, m)
        sa, orm = lib.sa, lib.orm
        User, Address = m.User, m.Address
        attempts = [
            lambda s: setattr(User(name="x"), "addresses", Address(email="q")),
            lambda s: setattr(Address(email="x"), "user", "bob"),
            lambda s: s.scalars(sa.select(User).options(orm.joinedload(Address.user))).all(),
            lambda s: s.scalars(sa.select(User).options(orm.selectinload(User.name))).all(),
            lambda s: s.scalars(sa.select(User).where(User.addresses == Address())).all(),
            lambda s: s.scalars(sa.select(Address).where(Address.user.any())).all(),
            lambda s: s.scalars(sa.select(User).where(User.addresses.has())).all(),
            lambda s: s.scalars(sa.select(Address).where(Address.user.contains(User()))).all(),
            lambda s: s.scalars(sa.select(Address).where(Address.user.like("x"))).all(),
            lambda s: len(s.scalars(sa.select(m.Tag).join(User.addresses)).all()),
        ]
        for attempt in attempts:
            with orm.Session(m.engine) as s:
                try:
                    lib.out(("ok", attempt(s)))
                except Exception as error:
                    lib.out(type(error).__name__)
                s.rollback()
                lib.out(s.scalar(sa.select(sa.func.count()).select_from(Address)))

    compare(scenario)


def test_many_to_many_link_between_expired_objects(compare):
    def scenario(lib):
        m = _blog(lib)
        with lib.orm.Session(m.engine) as s:
            tag, user = m.Tag(name="t"), m.User(name="u")
            s.add(user)
            s.flush()
            user.tags.append(tag)
            s.flush()
            user.tags.remove(tag)
            s.flush()
            s.commit()  # both expire: the new link must load their keys
            user.tags.append(tag)
            s.commit()
            lib.out(_rows(lib, s, m.user_tags), [u.name for u in tag.users])

    compare(scenario)


def test_deleting_both_sides_of_a_link_one_flush_apart(compare):
    def scenario(lib):
        m = _blog(lib)
        with lib.orm.Session(m.engine) as s:
            tag, user = m.Tag(name="t"), m.User(name="u", addresses=[m.Address(email="a")])
            user.tags.append(tag)
            s.add(user)
            s.flush()
            s.delete(user)
            s.flush()  # the link goes with the user
            s.delete(tag)  # tag.users still shows the deleted user
            s.commit()
            lib.out(_rows(lib, s, m.user_tags, m.Tag.__table__, m.Address.__table__))

    compare(scenario)
