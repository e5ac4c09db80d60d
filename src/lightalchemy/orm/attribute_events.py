"""Attribute events: ``set``, ``append``, ``remove``, ``bulk_replace`` on ``User.name``.

The ``@validates`` machinery already intercepts every assignment and collection change
of the attributes that have a validator (validators.py); attribute listeners ride on
the same interception.  Each such attribute has one ``AttributeHooks``: its validator
and its listeners.  An attribute without either has none, so classes without
listeners keep their plain ``__setattr__``, the constructor's direct ``__dict__``
path and the loader's direct writes (loading never fires events, as in SQLAlchemy).

Order, as SQLAlchemy's: it adds the validator and the backref handling as listeners
of their own when the mappers are configured, so a listener registered before that
runs before them, and one registered after runs after them (and after the other
side of the relationship heard of the change).  Here "configured" means
``configure_mappers()`` ran after the class was declared (any Session query, flush or
``configure_mappers()`` call does it while relationships wait for it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import exc as sa_exc
from .base import NO_VALUE, STATE_KEY
from .events import Registration

#: the attribute events lightalchemy fires
ATTRIBUTE_EVENTS = ("set", "append", "remove", "bulk_replace")
#: SQLAlchemy attribute events that lightalchemy refuses by name
REFUSED_EVENTS = ("append_wo_mutation", "init_scalar", "init_collection",
                  "dispose_collection", "modified")
#: as SQLAlchemy, ``insert`` is not an option of attribute events
_OPTIONS = frozenset({"propagate", "once", "raw", "retval", "named", "active_history"})
_ARG_NAMES = {
    "set": ("target", "value", "oldvalue", "initiator"),
    "append": ("target", "value", "initiator"),
    "remove": ("target", "value", "initiator"),
    "bulk_replace": ("target", "values", "initiator"),
}


class _Op:
    """An operation symbol (``attributes.OP_APPEND`` ...), printed as SQLAlchemy's."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"symbol({self.name!r})"


OP_APPEND = _Op("APPEND")
OP_REMOVE = _Op("REMOVE")
OP_REPLACE = _Op("REPLACE")
OP_BULK_REPLACE = _Op("BULK_REPLACE")
_DIRECT_OP = {"set": OP_REPLACE, "append": OP_APPEND, "remove": OP_REMOVE,
              "bulk_replace": OP_BULK_REPLACE}


class AttributeEventToken:
    """The ``initiator`` a listener receives: which attribute's change (``key``) of
    which kind (``op``) started this event; a change the other side of a backref made
    carries that side's token, which is how listeners tell echoes apart."""

    __slots__ = ("key", "op", "parent_token")

    def __init__(self, prop: Any, op: _Op) -> None:
        self.key = prop.key
        self.op = op
        self.parent_token = prop

    @property
    def impl(self) -> Any:
        """What SQLAlchemy calls the attribute's implementation; here the mapped
        property, which has the same ``key``."""
        return self.parent_token

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AttributeEventToken) and \
            other.parent_token is self.parent_token and other.op is self.op

    def __hash__(self) -> int:
        return hash((id(self.parent_token), self.op.name))

    def __repr__(self) -> str:
        return f"<AttributeEventToken {self.key} {self.op!r}>"


def _token(prop: Any, identifier: str, initiator: Any, op: Any = None) -> AttributeEventToken:
    """The token for a change of ``prop``: its own (of kind ``op``, by default the
    event's), or the one of the backref change (``(prop, obj, op)``, as collections.py
    passes it) that caused it."""
    if initiator is None:
        return AttributeEventToken(prop, op or _DIRECT_OP[identifier])
    return AttributeEventToken(initiator[0], initiator[2] if len(initiator) > 2
                               else OP_REPLACE)


def _state(obj: Any) -> Any:
    """What ``raw=True`` listeners receive: the object's InstanceState."""
    from .state import instance_state

    return instance_state(obj)


class AttributeRegistration(Registration):
    """A ``listen()`` on an attribute: Registration plus ``retval`` and whether it runs
    before the validator / backrefs (registered before the mappers were configured)."""

    __slots__ = ("retval", "early", "active_history")

    def __init__(self, target: Any, identifier: str, fn: Callable, kw: dict,
                 early: bool) -> None:
        super().__init__(target, identifier, fn, kw)
        self.retval = bool(kw.get("retval", False))
        self.active_history = bool(kw.get("active_history", False))
        self.early = early


class AttributeHooks:
    """One attribute's validator and listeners, called where the attribute changes.

    ``set`` / ``append`` / ``remove`` run the early listeners and the validator and
    return the value to store; ``after_*`` run the late listeners, after backrefs."""

    __slots__ = ("prop", "validator", "early", "late", "active_history")

    def __init__(self, prop: Any) -> None:
        self.prop = prop
        self.validator: Any = None
        self.early: dict[str, list[AttributeRegistration]] = {}
        self.late: dict[str, list[AttributeRegistration]] = {}
        self.active_history = False

    def has_listeners(self) -> bool:
        return any(self.early.values()) or any(self.late.values())

    # -- firing -------------------------------------------------------------------------
    def _fire(self, regs: list, identifier: str, obj: Any, value: Any, extra: tuple,
              initiator: Any, op: Any = None) -> Any:
        token = _token(self.prop, identifier, initiator, op)
        names = _ARG_NAMES[identifier]
        for reg in list(regs):
            if reg.once and reg.fired:
                continue
            target = _state(obj) if reg.raw else obj
            result = reg.call(names, (target, value, *extra, token))
            if reg.retval:
                value = result
        return value

    def set(self, obj: Any, value: Any, old: Any, initiator: Any = None) -> Any:
        regs = self.early.get("set")
        if regs:
            value = self._fire(regs, "set", obj, value, (old,), initiator)
        if self.validator is not None:
            value = self.validator.set(obj, value, initiator)
        return value

    def after_set(self, obj: Any, value: Any, old: Any, initiator: Any = None) -> Any:
        regs = self.late.get("set")
        return self._fire(regs, "set", obj, value, (old,), initiator) if regs else value

    def set_column(self, obj: Any, value: Any) -> Any:
        """A column assignment: the value to store, with every listener run."""
        if self.early.get("set") or self.late.get("set"):
            key = self.prop.key
            old = obj.__dict__.get(key, NO_VALUE)
            if old is NO_VALUE and self.active_history:
                state = obj.__dict__.get(STATE_KEY)
                if state is not None and state.ident is not None:
                    old = state._load_unloaded(obj, key)
            value = self.set(obj, value, old)
            return self.after_set(obj, value, old)
        return self.validator.set(obj, value) if self.validator is not None else value

    def append(self, obj: Any, value: Any, initiator: Any = None, op: Any = None,
               validate: bool = True) -> Any:
        """Early ``append`` listeners, then the validator (not for the members of an
        assigned collection: ``bulk_replace`` validated those)."""
        regs = self.early.get("append")
        if regs:
            value = self._fire(regs, "append", obj, value, (), initiator, op)
        if validate and self.validator is not None:
            value = self.validator.set(obj, value, initiator)
        return value

    def after_append(self, obj: Any, value: Any, initiator: Any = None,
                     op: Any = None) -> Any:
        regs = self.late.get("append")
        return self._fire(regs, "append", obj, value, (), initiator, op) if regs else value

    def remove(self, obj: Any, value: Any, initiator: Any = None, op: Any = None) -> None:
        regs = self.early.get("remove")
        if regs:
            self._fire(regs, "remove", obj, value, (), initiator, op)
        if self.validator is not None:
            self.validator.remove(obj, value, initiator)

    def after_remove(self, obj: Any, value: Any, initiator: Any = None,
                     op: Any = None) -> None:
        regs = self.late.get("remove")
        if regs:
            self._fire(regs, "remove", obj, value, (), initiator, op)

    def bulk_replace(self, obj: Any, values: list, initiator: Any = None) -> None:
        """``bulk_replace(target, values, initiator)`` before the members are stored:
        listeners may change ``values`` in place; the validator replaces each."""
        self._fire_bulk(self.early.get("bulk_replace"), obj, values, initiator)
        if self.validator is not None:
            values[:] = [self.validator.set(obj, v, initiator) for v in values]
        self._fire_bulk(self.late.get("bulk_replace"), obj, values, initiator)

    def _fire_bulk(self, regs: list | None, obj: Any, values: list, initiator: Any) -> None:
        if not regs:
            return
        token = _token(self.prop, "bulk_replace", initiator)
        for reg in list(regs):
            if not (reg.once and reg.fired):
                target = _state(obj) if reg.raw else obj
                reg.call(_ARG_NAMES["bulk_replace"], (target, values, token))


# -- targets and registration -------------------------------------------------------------


def is_attribute(target: Any) -> bool:
    from .attributes import QueryableAttribute

    return isinstance(target, QueryableAttribute)


def _prop_of(attr: Any) -> Any:
    from .properties import ColumnProperty
    from .relationships import RelationshipProperty

    prop = getattr(attr, "prop", None)
    mapper = getattr(attr.class_, "__mapper__", None)
    if isinstance(prop, RelationshipProperty) or (
            isinstance(prop, ColumnProperty) and not prop.is_expression and mapper is not None
            and mapper._props.get(prop.key) is prop):
        return prop
    raise sa_exc.InvalidRequestError(
        f"Attribute events on {attr!r} are not supported by lightalchemy: it is not a "
        "column or a relationship of its class (a column_property() expression, synonym "
        "or hybrid); listen on the underlying column attribute instead."
    )


def _check(attr: Any, identifier: str, kw: dict) -> None:
    unknown = sorted(set(kw) - _OPTIONS)
    if unknown:
        raise TypeError(f"event.listen() got unexpected keyword argument(s) {unknown} for "
                        f"attribute event {identifier!r} on {attr!r}; it accepts "
                        f"{sorted(_OPTIONS)}")
    if identifier in ATTRIBUTE_EVENTS:
        return
    if identifier in REFUSED_EVENTS:
        raise sa_exc.InvalidRequestError(
            f"Attribute event {identifier!r} on {attr!r} is not supported by lightalchemy "
            f"yet; it supports {', '.join(ATTRIBUTE_EVENTS)} on attributes (see README, "
            "'Events')."
        )
    raise sa_exc.InvalidRequestError(
        f"No such event {identifier!r} for target '{attr!r}'; lightalchemy supports "
        f"{', '.join(ATTRIBUTE_EVENTS)} on attributes (see README, 'Events')."
    )


def hooks_of(prop: Any, create: bool) -> AttributeHooks | None:
    """The attribute's hooks (made on first need when ``create``)."""
    from .relationships import RelationshipProperty

    if isinstance(prop, RelationshipProperty):
        hooks = prop._hooks
        if hooks is None and create:
            hooks = prop._hooks = AttributeHooks(prop)
        return hooks
    mapper = prop.parent
    hooks = mapper._column_hooks.get(prop.key)
    if hooks is None and create:
        hooks = AttributeHooks(prop)
        mapper._set_column_hooks(prop.key, hooks)
    return hooks


def listen(attr: Any, identifier: str, fn: Callable, kw: dict) -> None:
    _check(attr, identifier, kw)
    prop = _prop_of(attr)
    from .mapper import is_configured

    early = not is_configured(prop.parent)
    reg = AttributeRegistration(attr, identifier, fn, kw, early)
    hooks = hooks_of(prop, create=True)
    assert hooks is not None
    (hooks.early if early else hooks.late).setdefault(identifier, []).append(reg)
    if reg.active_history:
        hooks.active_history = True


def _find(attr: Any, identifier: str, fn: Callable) -> tuple[list, AttributeRegistration] | None:
    _check(attr, identifier, {})
    hooks = hooks_of(_prop_of(attr), create=False)
    if hooks is None:
        return None
    for group in (hooks.early, hooks.late):
        for reg in group.get(identifier, ()):
            if reg.fn is fn:
                return group[identifier], reg
    return None


def remove(attr: Any, identifier: str, fn: Callable) -> None:
    found = _find(attr, identifier, fn)
    if found is None:
        raise sa_exc.InvalidRequestError(
            f"No listeners found for event {attr!r} / {identifier!r} / {fn!r}; it was never "
            "passed to event.listen() with this target, or was removed already."
        )
    regs, reg = found
    regs.remove(reg)
    prop = _prop_of(attr)
    hooks = hooks_of(prop, create=False)
    assert hooks is not None
    hooks.active_history = any(r.active_history for group in (hooks.early, hooks.late)
                               for rs in group.values() for r in rs)
    if not hooks.has_listeners() and hooks.validator is None:
        from .relationships import RelationshipProperty

        if isinstance(prop, RelationshipProperty):
            prop._hooks = None
        else:
            prop.parent._set_column_hooks(prop.key, None)


def contains(attr: Any, identifier: str, fn: Callable) -> bool:
    return _find(attr, identifier, fn) is not None
