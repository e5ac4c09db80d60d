"""Attribute events (``set``, ``append``, ``remove``, ``bulk_replace``) against SQLAlchemy.

Each scenario records the events in the order they fire, with their arguments'
values and the initiator's key and operation, then what was stored.  Listeners are
registered right after the classes are declared (before the mappers are configured:
they run before validators and backrefs) or after ``configure_mappers()`` (after
them), the two orders SQLAlchemy has.
"""

import importlib
from typing import Optional


def _libs(lib):
    lib.event = importlib.import_module(f"{lib.name}.event")
    lib.attributes = importlib.import_module(f"{lib.name}.orm.attributes")


def _value(lib, value):
    """A listener argument as a plain record: objects by class and label."""
    if value is lib.attributes.NO_VALUE:
        return "NO_VALUE"
    if hasattr(value, "__table__"):
        return (type(value).__name__, getattr(value, "label", None))
    if isinstance(value, list):
        return [_value(lib, v) for v in value]
    return value


def _token(initiator):
    return (initiator.key, repr(initiator.op))


def _models(lib, calls=None):
    sa, orm = lib.sa, lib.orm
    Mapped, mapped_column = orm.Mapped, orm.mapped_column

    class Base(orm.DeclarativeBase):
        pass

    class Parent(Base):
        __tablename__ = "parent"
        id: Mapped[int] = mapped_column(primary_key=True)
        label: Mapped[Optional[str]]
        note: Mapped[Optional[str]]
        children = orm.relationship("Child", back_populates="parent", order_by="Child.id")
        if calls is not None:
            @orm.validates("label", "children")
            def _check(self, key, value):
                calls.append(("validate", key, _value(lib, value)))
                return value.upper() if isinstance(value, str) else value

    class Child(Base):
        __tablename__ = "child"
        id: Mapped[int] = mapped_column(primary_key=True)
        parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("parent.id"))
        label: Mapped[Optional[str]]
        parent = orm.relationship("Parent", back_populates="children")

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    return engine, Parent, Child


def _record_all(lib, log, Parent, Child, **kw):
    def on_set(target, value, oldvalue, initiator):
        log.append(("set", type(target).__name__, _value(lib, value), _value(lib, oldvalue),
                    _token(initiator)))

    def on_append(target, value, initiator):
        log.append(("append", type(target).__name__, _value(lib, value), _token(initiator)))

    def on_remove(target, value, initiator):
        log.append(("remove", type(target).__name__, _value(lib, value), _token(initiator)))

    listen = lib.event.listen
    listen(Parent.label, "set", on_set, **kw)
    listen(Parent.note, "set", on_set, **kw)
    listen(Child.parent, "set", on_set, **kw)
    listen(Parent.children, "append", on_append, **kw)
    listen(Parent.children, "remove", on_remove, **kw)
    return on_set, on_append, on_remove


def test_set_fires_for_assignment_and_constructor_not_for_loading(compare):
    def scenario(lib):
        _libs(lib)
        log = []
        engine, Parent, Child = _models(lib)
        _record_all(lib, log, Parent, Child)
        p = Parent(label="a", note=None)
        lib.out("ctor", log[:])
        del log[:]
        p.label = "b"
        p.label = "b"
        lib.out("assign", log[:])
        del log[:]
        with lib.orm.Session(engine) as s:
            s.add(p)
            s.commit()  # expires p
            lib.out("commit", log[:])
            p.label = "c"  # expired: the old value is not loaded
            lib.out("expired", log[:])
            del log[:]
            s.commit()
            lib.out(p.label)
            p.note = "n"  # loaded: its old value is known
            lib.out("loaded", log[:])
            del log[:]
            s.commit()
            s.expunge_all()
            got = s.scalars(lib.sa.select(Parent)).one()
            lib.out(got.note)
            s.get(Parent, got.id)
            lib.out("load", log[:], got.label, got.note)

    compare(scenario)


def test_set_retval_stores_the_listeners_value(compare):
    def scenario(lib):
        _libs(lib)
        log = []
        engine, Parent, Child = _models(lib)

        @lib.event.listens_for(Parent.label, "set", retval=True)
        def shout(target, value, oldvalue, initiator):
            log.append(("first", value, _value(lib, oldvalue)))
            return value.upper() if value is not None else value

        @lib.event.listens_for(Parent.label, "set", retval=True)
        def exclaim(target, value, oldvalue, initiator):
            log.append(("second", value, _value(lib, oldvalue)))
            return f"{value}!" if value is not None else value

        @lib.event.listens_for(Parent.note, "set")
        def ignored(target, value, oldvalue, initiator):
            return "never stored"  # without retval=True the result is ignored

        p = Parent(label="a", note="x")
        p.label = "b"
        lib.out(p.label, p.note, log)
        with lib.orm.Session(engine) as s:
            s.add(p)
            s.commit()
            lib.out(s.execute(lib.sa.text("SELECT label, note FROM parent")).all()[0][:])

    compare(scenario)


def test_active_history_loads_the_old_value(compare):
    def scenario(lib):
        _libs(lib)
        log = []
        engine, Parent, Child = _models(lib)

        @lib.event.listens_for(Parent.label, "set", active_history=True)
        def on_set(target, value, oldvalue, initiator):
            log.append((value, _value(lib, oldvalue)))

        @lib.event.listens_for(Parent.note, "set")
        def on_note(target, value, oldvalue, initiator):
            log.append(("note", value, _value(lib, oldvalue)))

        p = Parent(note="n")
        p.label = "new"
        with lib.orm.Session(engine) as s:
            s.add(p)
            s.commit()
            p.label = "changed"  # expired: loaded first because of active_history
            p.note = "m"         # loaded by the line above: its old value is known
            s.commit()
            s.expire(p, ["note"])
            p.note = "o"         # expired, no active_history: NO_VALUE
        lib.out(log)

    compare(scenario)


def test_relationship_events_through_backrefs(compare):
    def scenario(lib):
        _libs(lib)
        log = []
        engine, Parent, Child = _models(lib)
        _record_all(lib, log, Parent, Child)
        p1, p2 = Parent(label="p1"), Parent(label="p2")
        c1, c2 = Child(label="c1"), Child(label="c2")
        del log[:]
        p1.children.append(c1)
        lib.out("append", log[:])
        del log[:]
        c2.parent = p1
        lib.out("many-to-one", log[:])
        del log[:]
        c1.parent = p2
        lib.out("move", log[:])
        del log[:]
        p1.children.remove(c2)
        lib.out("remove", log[:])
        del log[:]
        c1.parent = None
        lib.out("none", log[:])
        del log[:]
        p3 = Parent(label="p3", children=[c1, c2])
        lib.out("ctor", log[:], [c.label for c in p3.children], c1.parent is p3)

    compare(scenario)


def test_listeners_registered_after_configuration_run_after_backrefs(compare):
    def scenario(lib):
        _libs(lib)
        log = []
        engine, Parent, Child = _models(lib)
        lib.orm.configure_mappers()
        _record_all(lib, log, Parent, Child)
        p1, p2 = Parent(label="p1"), Parent(label="p2")
        c1 = Child(label="c1")
        del log[:]
        p1.children.append(c1)
        lib.out("append", log[:])
        del log[:]
        c1.parent = p2
        lib.out("move", log[:])
        del log[:]
        p2.children.remove(c1)
        lib.out("remove", log[:])
        del log[:]
        p2.children = [c1]
        lib.out("assign", log[:])

    compare(scenario)


def test_validators_and_listeners_together(compare):
    def scenario(lib):
        _libs(lib)
        log = []
        engine, Parent, Child = _models(lib, calls=log)
        _record_all(lib, log, Parent, Child)  # before configuration: before validators
        p = Parent(label="a")
        c = Child(label="c")
        p.children.append(c)
        lib.out("early", log[:], p.label)
        del log[:]
        lib.orm.configure_mappers()

        def late(target, value, oldvalue, initiator):
            log.append(("late", value, _value(lib, oldvalue)))
            return value + "?"

        lib.event.listen(Parent.label, "set", late, retval=True)
        p.label = "b"
        lib.out("late", log[:], p.label)

    compare(scenario)


def test_append_retval_and_bulk_replace(compare):
    def scenario(lib):
        _libs(lib)
        log = []
        engine, Parent, Child = _models(lib)
        spare = []

        @lib.event.listens_for(Parent.children, "append", retval=True)
        def swap(target, value, initiator):
            log.append(("append", value.label, _token(initiator)))
            return spare[0] if value.label == "swap me" else value

        @lib.event.listens_for(Parent.children, "bulk_replace")
        def bulk(target, values, initiator):
            log.append(("bulk_replace", [v.label for v in values], _token(initiator)))

        p = Parent(label="p")
        spare.append(Child(label="spare"))
        p.children.append(Child(label="swap me"))
        lib.out([c.label for c in p.children], spare[0].parent is p, log[:])
        del log[:]
        p.children = [Child(label="x"), Child(label="y")]
        lib.out([c.label for c in p.children], log[:])

    compare(scenario)


def test_remove_contains_once_named_raw(compare):
    def scenario(lib):
        _libs(lib)
        event = lib.event
        log = []
        engine, Parent, Child = _models(lib)

        def a(target, value, oldvalue, initiator):
            log.append(("a", value))

        def b(target, value, oldvalue, initiator):
            log.append(("b", value))

        def first(target, value, oldvalue, initiator):
            log.append(("first", value))

        def named(**kw):
            log.append(("named", sorted(kw), kw["value"]))

        def raw(state, value, oldvalue, initiator):
            log.append(("raw", type(state).__name__, state.obj().note))

        event.listen(Parent.label, "set", a)
        event.listen(Parent.label, "set", b, once=True)
        try:
            event.listen(Parent.label, "set", first, insert=True)
        except TypeError:
            lib.out("insert refused")
        event.listen(Parent.label, "set", named, named=True)
        event.listen(Parent.label, "set", raw, raw=True, propagate=True)
        lib.out(event.contains(Parent.label, "set", a), event.contains(Parent.note, "set", a))
        p = Parent(note="n")
        p.label = "1"
        p.label = "2"
        event.remove(Parent.label, "set", a)
        lib.out(event.contains(Parent.label, "set", a))
        p.label = "3"
        lib.out(log)
        try:
            event.remove(Parent.label, "set", a)
        except Exception as error:
            lib.out(type(error).__name__)
        for bad in ("no_such_event",):
            try:
                event.listen(Parent.label, bad, a)
            except Exception as error:
                lib.out(type(error).__name__, bad in str(error), "Parent.label" in str(error))
        try:
            event.listen(Parent.label, "set", a, unknown_option=True)
        except Exception as error:
            lib.out(type(error).__name__)
        lib.out(lib.attributes.NO_VALUE is lib.attributes.NEVER_SET)

    compare(scenario)
