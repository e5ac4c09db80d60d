"""``aliased(Model, selectable)``: an ORM entity mapped onto a subquery, a CTE or the
subquery of a UNION (the unified tutorial's "ORM Entity Subqueries/CTEs" and
"Selecting ORM Entities from Unions"), compared with SQLAlchemy.

Each scenario records plain values, row keys and object identities (whether an
object loaded through the alias is the one the Session already holds)."""

import types
from typing import Optional

USERS = [(1, "spongebob"), (2, "sandy"), (3, "patrick"), (4, "squidward")]
ADDRESSES = [
    (1, 1, "spongebob@sqlalchemy.org"),
    (2, 2, "sandy@sqlalchemy.org"),
    (3, 2, "sandy@squirrelpower.org"),
    (4, 3, "pat999@aol.com"),
    (5, 4, "squidward@aol.com"),
    (6, 4, "squidward@gmail.com"),
]


def _tutorial(lib):
    """The tutorial's User 1—n Address, populated; returns a namespace."""
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column, relationship = orm.Mapped, orm.mapped_column, orm.relationship

    class Base(orm.DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "user_account"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(sa.String(30))
        fullname: Mapped[Optional[str]]
        addresses: Mapped[list["Address"]] = relationship(back_populates="user",
                                                          order_by="Address.id")

    class Address(Base):
        __tablename__ = "address"
        id: Mapped[int] = mapped_column(primary_key=True)
        email_address: Mapped[str]
        user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
        user: Mapped["User"] = relationship(back_populates="addresses")

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([User(id=i, name=n, fullname=n.title()) for i, n in USERS])
        s.flush()
        s.add_all([Address(id=i, user_id=u, email_address=e) for i, u, e in ADDRESSES])
        s.commit()
    return types.SimpleNamespace(engine=engine, User=User, Address=Address)


def _not_aol(lib, m):
    return lib.sa.select(m.Address).where(~m.Address.email_address.like("%@aol.com"))


def test_entity_subquery_joined_along_relationship(compare):
    """The tutorial's first example: rows of (User, Address-from-subquery)."""
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        User = m.User
        subq = _not_aol(lib, m).subquery()
        address_subq = orm.aliased(m.Address, subq)
        stmt = (sa.select(User, address_subq).join(address_subq, User.addresses)
                .order_by(User.id, address_subq.id))
        with orm.Session(m.engine) as s:
            rows = s.execute(stmt).all()
            lib.out([(u.name, a.id, a.email_address, a.user_id) for u, a in rows])
            lib.out(list(rows[0]._fields), len(rows[0]))
            lib.out([type(a).__name__ for _, a in rows])
            lib.out(rows[1][1] is s.get(m.Address, 2), rows[1][0] is s.get(User, 2))
            # the alias's objects are the Session's: the user's collection holds them
            lib.out(rows[2][1] in rows[2][0].addresses, rows[2][1].user is rows[2][0])
            again = s.scalars(sa.select(address_subq).order_by(address_subq.id)).all()
            lib.out([a.id for a in again], again[0] is rows[0][1])

    compare(scenario)


def test_entity_cte(compare):
    """The tutorial's CTE form, and an object loaded first directly, then via the CTE."""
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        User = m.User
        cte_obj = _not_aol(lib, m).cte()
        address_cte = orm.aliased(m.Address, cte_obj)
        with orm.Session(m.engine) as s:
            direct = s.get(m.Address, 3)
            direct.email_address = "changed@example.com"  # pending: the load keeps it
            stmt = (sa.select(User, address_cte).join(address_cte, User.addresses)
                    .order_by(User.id, address_cte.id))
            rows = s.execute(stmt).all()
            lib.out([(u.name, a.id, a.email_address) for u, a in rows])
            lib.out([a is direct for _, a in rows])
            named = orm.aliased(m.Address, _not_aol(lib, m).cte("good_addresses"), name="good")
            result = s.execute(sa.select(named).where(named.user_id == 2).order_by(named.id))
            lib.out(list(result.keys()), [a.id for a in result.scalars()])

    compare(scenario)


def test_entities_from_union(compare):
    """The tutorial's union: select(User) twice, UNION ALL, mapped back onto User."""
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        User = m.User
        u = sa.union_all(sa.select(User).where(User.id < 2),
                         sa.select(User).where(User.id == 3)).subquery()
        user_alias = orm.aliased(User, u)
        with orm.Session(m.engine) as s:
            sandy = s.get(User, 3)
            users = s.scalars(sa.select(user_alias).order_by(user_alias.id)).all()
            lib.out([(x.id, x.name, x.fullname) for x in users])
            lib.out(users[1] is sandy, all(type(x) is User for x in users))
            lib.out(s.scalars(sa.select(user_alias.name).where(user_alias.name.like("p%"))
                              ).all())
            # relationships lazy-load from such objects as from any other
            lib.out([[a.email_address for a in x.addresses] for x in users])
            union_subq = sa.union(sa.select(User).where(User.id == 4),
                                  sa.select(User).where(User.id == 4)).subquery()
            lib.out([x.id for x in s.scalars(sa.select(orm.aliased(User, union_subq)))])

    compare(scenario)


def test_joins_both_ways(compare):
    """To the alias (relationship, ON clause, foreign keys, outer) and from it."""
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        User = m.User
        A = orm.aliased(m.Address, _not_aol(lib, m).subquery())
        with orm.Session(m.engine) as s:
            def rows(stmt):
                return [tuple(r) for r in s.execute(stmt)]

            lib.out(rows(sa.select(User.name, A.email_address)
                         .join(A, User.id == A.user_id).order_by(A.id)))
            lib.out(rows(sa.select(User.name, A.id).join(A).order_by(A.id)))
            lib.out(rows(sa.select(User.name, A.id).join_from(User, A).order_by(A.id)))
            lib.out(rows(sa.select(User.name, A.id).outerjoin(A, User.addresses)
                         .order_by(User.id, A.id)))
            lib.out(rows(sa.select(User.name, A.id).join(User.addresses.of_type(A))
                         .where(A.email_address.like("s%")).order_by(A.id)))
            # from the alias: its relationship, an ON clause, the implied foreign key
            lib.out(rows(sa.select(A.email_address, User.name).join(A.user)
                         .order_by(A.id)))
            lib.out(rows(sa.select(A.id, User.name).join(User, User.id == A.user_id)
                         .where(User.name != "sandy").order_by(A.id)))
            lib.out(rows(sa.select(A.id, User.id).select_from(A).join(User)
                         .order_by(A.id)))
            U = orm.aliased(User, sa.select(User).where(User.id > 1).subquery())
            lib.out(rows(sa.select(U.name, m.Address.id).join(U.addresses)
                         .order_by(m.Address.id)))
            lib.out(rows(sa.select(U.name).where(U.addresses.any(
                m.Address.email_address.like("%aol%"))).order_by(U.id)))

    compare(scenario)


def test_aggregates_and_columns_over_the_alias(compare):
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        User = m.User
        A = orm.aliased(m.Address, _not_aol(lib, m).subquery())
        with orm.Session(m.engine) as s:
            lib.out(s.scalar(sa.select(sa.func.count(A.id))))
            stmt = (sa.select(User.name, sa.func.count(A.id).label("n"))
                    .outerjoin(A, User.addresses).group_by(User.id, User.name)
                    .order_by(User.id))
            lib.out([tuple(r) for r in s.execute(stmt)])
            stmt = (sa.select(A.user_id, sa.func.max(A.id)).group_by(A.user_id)
                    .having(sa.func.count(A.id) > 1).order_by(A.user_id))
            lib.out([tuple(r) for r in s.execute(stmt)])
            result = s.execute(sa.select(A.id, A.email_address).order_by(A.id.desc()))
            lib.out(list(result.keys()), [tuple(r) for r in result])
            lib.out([a.id for a in s.scalars(sa.select(A).filter_by(user_id=4))])
            lib.out([a.id for a in s.scalars(sa.select(A).where(A.id.in_([1, 4, 6]))
                                             .order_by(A.id))])

    compare(scenario)


def test_query_style(compare):
    def scenario(lib):
        m = _tutorial(lib)
        orm = lib.orm
        User = m.User
        A = orm.aliased(m.Address, _not_aol(lib, m).subquery())
        with orm.Session(m.engine) as s:
            rows = s.query(User, A).join(A, User.addresses).order_by(User.id, A.id).all()
            lib.out([(u.id, a.id) for u, a in rows])
            lib.out(rows[0][1] is s.get(m.Address, 1))
            lib.out([a.email_address for a in s.query(A).filter(A.user_id == 2)
                     .order_by(A.id)])
            lib.out(s.query(A).count(), s.query(A.id).filter_by(user_id=4).scalar())
            lib.out([(n, e) for n, e in s.query(User.name, A.email_address)
                     .join(A, User.addresses).filter(User.id > 2).order_by(A.id)])

    compare(scenario)


def test_loader_options_and_lazy_loads(compare):
    """Relationships of objects loaded through the alias: lazy, selectin, joined,
    load_only on the alias's attributes."""
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        User = m.User
        U = orm.aliased(User, sa.union_all(sa.select(User).where(User.id <= 2),
                                           sa.select(User).where(User.id == 4)).subquery())
        with orm.Session(m.engine) as s:
            users = s.scalars(sa.select(U).options(orm.selectinload(U.addresses))
                              .order_by(U.id)).all()
            lib.out([("addresses" in x.__dict__, [a.id for a in x.addresses]) for x in users])
        with orm.Session(m.engine) as s:
            users = s.scalars(sa.select(U).options(orm.joinedload(U.addresses))
                              .order_by(U.id)).unique().all()
            lib.out([("addresses" in x.__dict__, [a.id for a in x.addresses]) for x in users])
        with orm.Session(m.engine) as s:
            A = orm.aliased(m.Address, _not_aol(lib, m).subquery())
            found = s.scalars(sa.select(A).options(orm.load_only(A.email_address))
                              .order_by(A.id)).all()
            lib.out([sorted(k for k in a.__dict__ if not k.startswith("_")) for a in found])
            lib.out([(a.user_id, a.user.name) for a in found])

    compare(scenario)


def test_names_partial_subqueries_and_adapt_on_names(compare):
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        Address = m.Address
        with orm.Session(m.engine) as s:
            named = orm.aliased(Address, _not_aol(lib, m).subquery("sq"), name="good")
            rows = s.execute(sa.select(m.User, named).join(named, m.User.addresses)
                             .order_by(named.id)).all()
            lib.out(list(rows[0]._fields), [r.good.id for r in rows])
            unnamed = orm.aliased(Address, _not_aol(lib, m).subquery("sq2"))
            lib.out(list(s.execute(sa.select(unnamed)).keys()))
            # a subquery of some columns: the others load when read
            part = orm.aliased(Address, sa.select(Address.id, Address.email_address)
                               .where(Address.id > 4).subquery())
            found = s.scalars(sa.select(part).order_by(part.id)).all()
            lib.out([sorted(k for k in a.__dict__ if not k.startswith("_")) for a in found])
            lib.out([(a.id, a.email_address, a.user_id) for a in found])
            # labelled columns and a subquery of a subquery still correspond
            inner = sa.select(Address.id, Address.email_address.label("email"),
                              Address.user_id).where(Address.user_id == 2).subquery()
            outer = orm.aliased(Address, sa.select(inner).where(inner.c.id > 2).subquery())
            lib.out([(a.id, a.email_address) for a in s.scalars(sa.select(outer))])
        with orm.Session(m.engine) as s:
            by_name = sa.select(
                (Address.id + 0).label("id"),
                sa.func.upper(Address.email_address).label("email_address"),
                Address.user_id,
            ).where(Address.id < 3).subquery()
            shouting = orm.aliased(Address, by_name, adapt_on_names=True)
            lib.out([(a.id, a.email_address) for a in
                     s.scalars(sa.select(shouting).order_by(shouting.id))])

    compare(scenario)


def test_misuse_raises_as_sqlalchemy(compare):
    def scenario(lib):
        m = _tutorial(lib)
        sa, orm = lib.sa, lib.orm
        Address, User = m.Address, m.User
        with orm.Session(m.engine) as s:
            def attempt(label, build):
                try:
                    result = build()
                except Exception as error:
                    lib.out(label, type(error).__name__)
                else:
                    lib.out(label, "ok", result)

            attempt("select, not a subquery",
                    lambda: s.execute(sa.select(orm.aliased(Address, _not_aol(lib, m)))).all())
            attempt("union, not a subquery", lambda: s.execute(sa.select(orm.aliased(
                User, sa.union_all(sa.select(User), sa.select(User))))).all())
            attempt("not a selectable",
                    lambda: s.execute(sa.select(orm.aliased(Address, 5))).all())
            attempt("no primary key", lambda: s.scalars(sa.select(orm.aliased(
                Address, sa.select(Address.email_address, Address.user_id).subquery()))).all())
            attempt("another class's subquery", lambda: s.execute(sa.select(orm.aliased(
                Address, sa.select(User.id).subquery()))).all())

    compare(scenario)
