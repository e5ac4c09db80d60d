"""Random sequences of relationship operations, on SQLAlchemy and lightalchemy side by side.

Users own addresses (one-to-many with a many-to-one back) and carry tags
(many-to-many).  Each run draws the cascade of ``User.addresses`` and the
Session's autoflush; the steps create, link, move, unlink and delete objects,
flush, commit, roll back and expire.  After every step both sides must agree on
the exception a step raised (its class), on what the database holds (read
through the Session, so autoflush runs alike), on each object's state and on the
collections and references the objects show.  SQLAlchemy's behaviour is the
specification.  ``LIGHTALCHEMY_STATEFUL_EXAMPLES`` raises the number of runs.
"""

import os
import tempfile
import warnings

import sqlalchemy
import sqlalchemy.orm
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import lightalchemy
import lightalchemy.orm

EXAMPLES = int(os.environ.get("LIGHTALCHEMY_STATEFUL_EXAMPLES", "25"))
CASCADES = ["save-update, merge", "all, delete-orphan", "all", "save-update, delete"]


def _side(sa, orm, path, cascade, autoflush):
    class Base(orm.DeclarativeBase):
        pass

    user_tags = sa.Table(
        "user_tags", Base.metadata,
        sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("tag_id", sa.ForeignKey("tags.id"), primary_key=True),
    )

    class User(Base):
        __tablename__ = "users"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(20))
        addresses = orm.relationship("Address", back_populates="user", cascade=cascade,
                                     order_by="Address.id")
        tags = orm.relationship("Tag", secondary=user_tags, back_populates="users",
                                order_by="Tag.id")

    class Address(Base):
        __tablename__ = "addresses"
        id = sa.Column(sa.Integer, primary_key=True)
        email = sa.Column(sa.String(20))
        user_id = sa.Column(sa.ForeignKey("users.id"))
        user = orm.relationship("User", back_populates="addresses")

    class Tag(Base):
        __tablename__ = "tags"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(20))
        users = orm.relationship("User", secondary=user_tags, back_populates="tags",
                                 order_by="User.id")

    engine = sa.create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    session = orm.Session(engine, autoflush=autoflush)
    return sa, (User, Address, Tag), user_tags, session


def _outcome(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ("ok", fn())
    except Exception as error:  # the exception class is the behaviour compared
        return ("raised", type(error).__name__)


class RelationshipMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp()
        self.sides = None
        self.objects: dict = {"user": [], "address": [], "tag": []}  # [(sa obj, la obj)]
        self.steps: list = []
        self.counter = 0

    @rule(cascade=st.sampled_from(CASCADES), autoflush=st.booleans())
    @precondition(lambda self: self.sides is None)
    def start(self, cascade, autoflush):
        self.steps.append(f"start({cascade!r}, autoflush={autoflush})")
        self.cascade = cascade
        self.sides = [
            _side(sqlalchemy, sqlalchemy.orm, os.path.join(self.dir, "sa.db"), cascade,
                  autoflush),
            _side(lightalchemy, lightalchemy.orm, os.path.join(self.dir, "la.db"), cascade,
                  autoflush),
        ]

    def _both(self, action, step):
        self.steps.append(step)
        results = [_outcome(lambda side=side, i=i: action(side, i))
                   for i, side in enumerate(self.sides)]
        assert results[0] == results[1], (results, self.steps)
        if results[0][0] == "raised":
            self._both_quiet(lambda side, i: side[3].rollback())
        if results[0][0] == "raised" or step == "rollback()":
            self._forget_rolled_back()
        return results[0]

    def _forget_rolled_back(self):
        """Objects whose INSERT was rolled back are transient again but keep their primary
        key; SQLAlchemy's save-update cascade also follows the objects a relationship
        *used to* hold, so it may insert such an object again under a key that another
        row took (an IntegrityError lightalchemy does not reproduce).  The machine stops
        using them; tests/compat covers rollback of relationships."""
        for pool in self.objects.values():
            pool[:] = [pair for pair in pool
                       if not (sqlalchemy.inspect(pair[0]).transient and
                               pair[0].__dict__.get("id") is not None)]

    def _both_quiet(self, action):
        for i, side in enumerate(self.sides):
            _outcome(lambda side=side, i=i: action(side, i))

    def _pick(self, kind, index):
        pool = self.objects[kind]
        return pool[index % len(pool)] if pool else None

    def _pick_attached(self, kind, index):
        """An object in the Session (pending or persistent) on the SQLAlchemy side.

        Links are made between such objects only: linking transient objects that a
        rollback left behind runs into SQLAlchemy's cascade along *past* values of
        relationships (it re-adds objects the relationship no longer holds), which
        lightalchemy does not follow."""
        pool = [pair for pair in self.objects[kind]
                if sqlalchemy.inspect(pair[0]).pending or sqlalchemy.inspect(pair[0]).persistent]
        return pool[index % len(pool)] if pool else None

    def _moves_pending_orphan(self, address, user):
        """Moving a *pending* address to another user under delete-orphan: SQLAlchemy
        expunges it (the removal from the first user's collection makes it an orphan,
        though it has a new parent), so it is never inserted; lightalchemy keeps and
        inserts it (README, deliberate differences).  Left out here."""
        sa_address = address[0]
        owner = sa_address.__dict__.get("user")
        return ("delete-orphan" in self.cascade and sqlalchemy.inspect(sa_address).pending
                and owner is not None and owner is not user[0])

    # -- creating -----------------------------------------------------------------
    @rule()
    @precondition(lambda self: self.sides is not None and len(self.objects["user"]) < 6)
    def new_user(self):
        self.counter += 1
        name = f"u{self.counter}"
        made = []

        def make(side, i):
            user = side[1][0](name=name)
            side[3].add(user)
            made.append(user)

        self._both(make, f"new_user({name})")
        self.objects["user"].append(tuple(made))

    @rule(owner=st.integers(0, 10) | st.none())
    @precondition(lambda self: self.sides is not None and len(self.objects["address"]) < 10)
    def new_address(self, owner):
        self.counter += 1
        email = f"a{self.counter}"
        pair = self._pick_attached("user", owner) if owner is not None else None
        made = []

        def make(side, i):
            address = side[1][1](email=email)
            if pair is not None:
                address.user = pair[i]
            else:
                side[3].add(address)
            made.append(address)

        self._both(make, f"new_address({email}, owner={owner})")
        if len(made) == 2:
            self.objects["address"].append(tuple(made))

    @rule()
    @precondition(lambda self: self.sides is not None and len(self.objects["tag"]) < 4)
    def new_tag(self):
        self.counter += 1
        name = f"t{self.counter}"
        made = []
        self._both(lambda side, i: made.append(side[1][2](name=name)), f"new_tag({name})")
        self.objects["tag"].append(tuple(made))

    # -- linking ---------------------------------------------------------------------
    @rule(u=st.integers(0, 10), a=st.integers(0, 10))
    @precondition(lambda self: self.sides is not None and self.objects["user"]
                  and self.objects["address"])
    def append_address(self, u, a):
        user, address = self._pick_attached("user", u), self._pick_attached("address", a)
        if user is None or address is None or self._moves_pending_orphan(address, user):
            return

        def act(side, i):
            if address[i] not in user[i].addresses:
                user[i].addresses.append(address[i])

        self._both(act, f"user[{u}].addresses.append(address[{a}])")

    @rule(u=st.integers(0, 10))
    @precondition(lambda self: self.sides is not None and self.objects["user"])
    def remove_first_address(self, u):
        user = self._pick("user", u)

        def act(side, i):
            if user[i].addresses:
                user[i].addresses.remove(user[i].addresses[0])

        self._both(act, f"user[{u}].addresses.remove(first)")

    @rule(a=st.integers(0, 10), u=st.integers(0, 10) | st.none())
    @precondition(lambda self: self.sides is not None and self.objects["address"])
    def set_user(self, a, u):
        address = self._pick_attached("address", a)
        user = self._pick_attached("user", u) if u is not None else None
        if address is None or (u is not None and user is None) or (
                user is not None and self._moves_pending_orphan(address, user)):
            return

        def act(side, i):
            address[i].user = user[i] if user is not None else None

        self._both(act, f"address[{a}].user = user[{u}]")

    @rule(u=st.integers(0, 10))
    @precondition(lambda self: self.sides is not None and self.objects["user"])
    def clear_addresses(self, u):
        user = self._pick("user", u)
        self._both(lambda side, i: setattr(user[i], "addresses", []),
                   f"user[{u}].addresses = []")

    @rule(u=st.integers(0, 10), t=st.integers(0, 10))
    @precondition(lambda self: self.sides is not None and self.objects["user"]
                  and self.objects["tag"])
    def toggle_tag(self, u, t):
        user, tag = self._pick_attached("user", u), self._pick("tag", t)
        if user is None or (sqlalchemy.inspect(tag[0]).transient and
                            tag[0].__dict__.get("users")):
            return

        def act(side, i):
            if tag[i] in user[i].tags:
                user[i].tags.remove(tag[i])
            else:
                user[i].tags.append(tag[i])

        self._both(act, f"toggle user[{u}].tags / tag[{t}]")

    # -- session ---------------------------------------------------------------------
    @rule(kind=st.sampled_from(["user", "address", "tag"]), index=st.integers(0, 10))
    @precondition(lambda self: self.sides is not None)
    def delete(self, kind, index):
        pair = self._pick(kind, index)
        if pair is None or sqlalchemy.inspect(pair[0]).was_deleted:
            # a second delete() of a deleted object is a documented difference (README;
            # tests/reliability/test_session_stateful.py)
            return
        self._both(lambda side, i: side[3].delete(pair[i]), f"delete({kind}[{index}])")

    @rule(method=st.sampled_from(["flush", "commit", "rollback", "expire_all"]))
    @precondition(lambda self: self.sides is not None)
    def session_call(self, method):
        self._both(lambda side, i: getattr(side[3], method)(), f"{method}()")

    # -- what both must agree on ----------------------------------------------------
    @invariant()
    def same_view(self):
        if self.sides is None:
            return

        def view(side, i):
            sa, (User, Address, Tag), user_tags, session = side
            inspect = sa.inspect
            out = []
            for kind in ("user", "address", "tag"):
                for pair in self.objects[kind]:
                    state = inspect(pair[i])
                    flags = (state.transient, state.pending, state.persistent, state.deleted,
                             state.detached)
                    out.append((kind, flags))
            for pair in self.objects["user"]:
                user = pair[i]
                if inspect(user).persistent or inspect(user).pending:
                    out.append(("emails", sorted(a.email for a in user.addresses),
                                sorted(t.name for t in user.tags)))
            for pair in self.objects["address"]:
                address = pair[i]
                if inspect(address).persistent or inspect(address).pending:
                    owner = address.user
                    out.append(("owner", owner.name if owner is not None else None))
            rows = session.execute(sa.select(Address.email, User.name).outerjoin(
                User, Address.user_id == User.id).order_by(Address.email)).all()
            links = session.execute(sa.select(User.name, Tag.name).select_from(user_tags)
                                    .join(User, User.id == user_tags.c.user_id)
                                    .join(Tag, Tag.id == user_tags.c.tag_id)
                                    .order_by(User.name, Tag.name)).all()
            out.append(("rows", [tuple(r) for r in rows], [tuple(r) for r in links]))
            return out

        self._both(view, "check")


RelationshipMachine.TestCase.settings = settings(
    max_examples=EXAMPLES, stateful_step_count=30, deadline=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)
TestRelationshipsAgainstSQLAlchemy = RelationshipMachine.TestCase
