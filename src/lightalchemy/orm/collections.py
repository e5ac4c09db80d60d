"""Collections and assignment events of relationships.

A collection attribute holds an ``InstrumentedList`` (or ``InstrumentedSet``):
a real list that tells its owner about each change.  A change does three
things, in Python and before any flush: the owner remembers the collection as
it was (its history, read at flush), the other side of a ``back_populates`` /
``backref`` pair follows, and a new member joins the owner's Session
(``save-update`` cascade).  Changes made *by* the other side carry an
``initiator`` so that the two sides do not echo each other, and do not
cascade (SQLAlchemy 2.0 has no backref cascade).
"""

from __future__ import annotations

import weakref
from typing import Any

from .. import exc as sa_exc
from .attribute_events import OP_APPEND, OP_BULK_REPLACE, OP_REMOVE, OP_REPLACE
from .base import NO_VALUE, STATE_KEY
from .relationships import loaded_value, target_in_identity_map


def _record(prop: Any, obj: Any, old: Any) -> None:
    """Remember the attribute's value before its first change since the last flush."""
    state = obj.__dict__.get(STATE_KEY)
    if state is None or state.ident is None:
        return  # pending or transient: everything it holds is new anyway
    committed = state.committed_state
    if committed is None:
        committed = state._mark_modified(obj)
    if prop.key not in committed:
        committed[prop.key] = old


def _cascade(prop: Any, obj: Any, item: Any) -> None:
    """save-update cascade on a direct change: the new member joins the owner's Session."""
    if item is None or not prop.cascade.save_update:
        return
    state = obj.__dict__.get(STATE_KEY)
    session = state.session if state is not None else None
    if session is None:
        return
    item_state = item.__dict__.get(STATE_KEY)
    # as SQLAlchemy: only an object the Session does not hold (a flushed-deleted one is
    # no longer held, and add() refuses it); one marked for deletion stays so
    if item_state is None or item_state.session is not session or item_state._deleted:
        session._save_or_update(item)


def _check_type(prop: Any, item: Any) -> None:
    """Only mapped objects can be related (the class is checked at flush, as SQLAlchemy
    does); anything else fails here, with the attribute named."""
    if getattr(type(item), "__mapper__", None) is None:
        raise AttributeError(
            f"Relationship {prop} holds {prop.mapper.class_.__name__} objects; got "
            f"{item!r} ({type(item).__name__}), which is not a mapped object."
        )


class _CollectionMixin:
    """What InstrumentedList and InstrumentedSet share: owner, relationship, events."""

    __slots__ = ()
    _owner_ref: Any
    _prop: Any

    def _bind(self, prop: Any, owner: Any) -> None:
        self._prop = prop
        self._owner_ref = weakref.ref(owner)

    def _owner(self) -> Any:
        ref = getattr(self, "_owner_ref", None)
        return ref() if ref is not None else None

    def _before_change(self) -> None:
        owner = self._owner()
        if owner is not None:
            d = owner.__dict__
            key = self._prop.key
            if key not in d:
                # the empty collection a transient/pending object's read returned
                # becomes its value on the first change (as in SQLAlchemy)
                d[key] = self
            _record(self._prop, owner, list(self))

    def _validate(self, item: Any, initiator: Any = None) -> Any:
        """The member to store: what the ``append`` listeners registered early and the
        owner's ``@validates`` method return (attribute_events.AttributeHooks)."""
        hooks = self._prop._hooks
        if hooks is None:
            return item
        owner = self._owner()
        return item if owner is None else hooks.append(owner, item, initiator)

    def _validate_remove(self, item: Any, initiator: Any = None) -> None:
        """Early ``remove`` listeners and ``@validates(..., include_removes=True)`` hear
        of a member leaving, before it goes (so that raising keeps it)."""
        hooks = self._prop._hooks
        if hooks is not None:
            owner = self._owner()
            if owner is not None:
                hooks.remove(owner, item, initiator)

    def _added(self, item: Any, initiator: Any = None) -> None:
        owner = self._owner()
        if owner is None:
            return
        prop = self._prop
        _check_type(prop, item)
        backref_add(prop, owner, item, initiator, OP_APPEND)
        if initiator is None:
            _cascade(prop, owner, item)
        hooks = prop._hooks
        if hooks is not None:  # listeners registered after configuration: after backrefs
            new = hooks.after_append(owner, item, initiator)
            if new is not item:
                self._swap(item, new)

    def _removed(self, item: Any, initiator: Any = None) -> None:
        owner = self._owner()
        if owner is not None:
            backref_remove(self._prop, owner, item, initiator, OP_REMOVE)
            if self._prop.cascade.delete_orphan:
                expunge_pending_orphan(self._prop, owner, item)
            hooks = self._prop._hooks
            if hooks is not None:
                hooks.after_remove(owner, item, initiator)


class InstrumentedList(_CollectionMixin, list):
    """A list-based relationship collection; see the module docstring."""

    __slots__ = ("_owner_ref", "_prop")

    def append(self, item: Any) -> None:
        item = self._validate(item)
        self._before_change()
        list.append(self, item)
        self._added(item)

    def _append_from_backref(self, item: Any, initiator: Any) -> None:
        item = self._validate(item, initiator)
        self._before_change()
        list.append(self, item)
        self._added(item, initiator)

    def _remove_from_backref(self, item: Any, initiator: Any) -> None:
        for i, x in enumerate(self):
            if x is item:
                self._validate_remove(item, initiator)
                self._before_change()
                list.__delitem__(self, i)
                self._removed(item, initiator)
                return

    def insert(self, index: Any, item: Any) -> None:
        item = self._validate(item)
        self._before_change()
        list.insert(self, index, item)
        self._added(item)

    def extend(self, items: Any) -> None:
        for item in list(items):
            self.append(item)

    def __iadd__(self, items: Any) -> InstrumentedList:
        self.extend(items)
        return self

    def remove(self, item: Any) -> None:
        if self._prop._hooks is not None and item in self:
            self._validate_remove(list.__getitem__(self, list.index(self, item)))
        self._before_change()
        list.remove(self, item)
        self._removed(item)

    def pop(self, index: Any = -1) -> Any:
        if self._prop._hooks is not None:
            self._validate_remove(list.__getitem__(self, index))
        self._before_change()
        item = list.pop(self, index)
        self._removed(item)
        return item

    def clear(self) -> None:
        for item in list(self) if self._prop._hooks is not None else ():
            self._validate_remove(item)
        self._before_change()
        items = list(self)
        list.clear(self)
        for item in items:
            self._removed(item)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            value = [self._validate(v) for v in value]
            for item in list.__getitem__(self, index) if self._prop._hooks else ():
                self._validate_remove(item)
        else:
            value = self._validate(value)
            if self._prop._hooks is not None:
                self._validate_remove(list.__getitem__(self, index))
        self._before_change()
        if isinstance(index, slice):
            old = list.__getitem__(self, index)
            value = list(value)
            list.__setitem__(self, index, value)
            for item in old:
                self._removed(item)
            for item in value:
                self._added(item)
            return
        old = list.__getitem__(self, index)
        list.__setitem__(self, index, value)
        if old is not value:
            self._removed(old)
            self._added(value)

    def __delitem__(self, index: Any) -> None:
        if self._prop._hooks is not None:
            old = list.__getitem__(self, index)
            for item in old if isinstance(index, slice) else [old]:
                self._validate_remove(item)
        self._before_change()
        old = list.__getitem__(self, index)
        list.__delitem__(self, index)
        for item in old if isinstance(index, slice) else [old]:
            self._removed(item)

    def _swap(self, old: Any, new: Any) -> None:
        """A late ``append`` listener with ``retval=True`` replaced the member."""
        for i in range(len(self) - 1, -1, -1):
            if list.__getitem__(self, i) is old:
                list.__setitem__(self, i, new)
                return

    def __reduce__(self) -> Any:
        return (list, (list(self),))

    def __repr__(self) -> str:
        return list.__repr__(self)


class InstrumentedSet(_CollectionMixin, set):
    """A set-based relationship collection (``collection_class=set``)."""

    __slots__ = ("_owner_ref", "_prop")

    def add(self, item: Any) -> None:
        item = self._validate(item)
        if item in self:
            return
        self._before_change()
        set.add(self, item)
        self._added(item)

    def _append_from_backref(self, item: Any, initiator: Any) -> None:
        if item in self:
            return
        item = self._validate(item, initiator)
        self._before_change()
        set.add(self, item)
        self._added(item, initiator)

    def _remove_from_backref(self, item: Any, initiator: Any) -> None:
        if item in self:
            self._validate_remove(item, initiator)
            self._before_change()
            set.discard(self, item)
            self._removed(item, initiator)

    def discard(self, item: Any) -> None:
        if item in self:
            self.remove(item)

    def remove(self, item: Any) -> None:
        if item in self:
            self._validate_remove(item)
        self._before_change()
        set.remove(self, item)
        self._removed(item)

    def pop(self) -> Any:
        if self._prop._hooks is not None and self:
            self._validate_remove(next(iter(self)))
        self._before_change()
        item = set.pop(self)
        self._removed(item)
        return item

    def clear(self) -> None:
        for item in list(self) if self._prop._hooks is not None else ():
            self._validate_remove(item)
        self._before_change()
        items = list(self)
        set.clear(self)
        for item in items:
            self._removed(item)

    def update(self, *others: Any) -> None:
        for other in others:
            for item in list(other):
                self.add(item)

    def __ior__(self, other: Any) -> InstrumentedSet:
        self.update(other)
        return self

    def difference_update(self, *others: Any) -> None:
        for other in others:
            for item in list(other):
                self.discard(item)

    def __isub__(self, other: Any) -> InstrumentedSet:
        self.difference_update(other)
        return self

    def intersection_update(self, *others: Any) -> None:
        keep = set(self).intersection(*others)
        for item in list(self):
            if item not in keep:
                self.remove(item)

    def __iand__(self, other: Any) -> InstrumentedSet:
        self.intersection_update(other)
        return self

    def symmetric_difference_update(self, other: Any) -> None:
        for item in list(other):
            if item in self:
                self.remove(item)
            else:
                self.add(item)

    def __ixor__(self, other: Any) -> InstrumentedSet:
        self.symmetric_difference_update(other)
        return self

    def _swap(self, old: Any, new: Any) -> None:
        set.discard(self, old)
        set.add(self, new)

    def __reduce__(self) -> Any:
        return (set, (set(self),))

    def __repr__(self) -> str:
        return set.__repr__(self)


def make_collection(prop: Any, owner: Any, items: Any = ()) -> Any:
    """A new collection of ``prop`` for ``owner`` holding ``items`` (no events)."""
    if prop.collection_class is set:
        coll = InstrumentedSet(items)
    else:
        coll = InstrumentedList(items)
    coll._bind(prop, owner)
    return coll


def _check_collection_class(prop: Any) -> None:
    if prop.collection_class not in (list, set):
        raise sa_exc.InvalidRequestError(
            f"relationship {prop}: collection_class={prop.collection_class!r} is not supported "
            "by lightalchemy yet; use list (the default) or set."
        )


# -- assignment -----------------------------------------------------------------------


def set_relationship(prop: Any, obj: Any, value: Any, initiator: Any) -> None:
    """``obj.<prop> = value``: history, backrefs and cascade, as for collection changes."""
    prop._ensure_configured()
    d = obj.__dict__
    key = prop.key
    old = current_value(prop, obj)
    state = d.get(STATE_KEY)
    if old is NO_VALUE and state is not None and state.ident is not None and \
            state.session is not None and (prop.uselist or prop.direction.name != "MANYTOONE"):
        # replacing a collection (or the "one" side of a one-to-one) needs the old
        # members, whose foreign keys the flush will clear
        from .strategies import load_on_access

        old = load_on_access(prop, obj, NO_VALUE)
        old = loaded_value(d, key)
    if prop.uselist:
        _check_collection_class(prop)
        if value is None:
            raise sa_exc.ArgumentError(
                f"Can't assign None to the collection {prop}; assign an empty "
                f"{prop.collection_class.__name__} to empty it."
            )
        if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
            raise TypeError(
                f"Incompatible collection type: {type(value).__name__} is not list-like "
                f"(assigning to {prop})"
            )
        items = list(value)
        hooks = prop._hooks
        if hooks is not None:
            hooks.bulk_replace(obj, items, initiator)  # listeners and validator
        for item in items:
            _check_type(prop, item)
        if old is not NO_VALUE and old is value:
            return
        _record(prop, obj, list(old) if old is not NO_VALUE else NO_VALUE)
        coll = make_collection(prop, obj, items)
        old_items = list(old) if old is not NO_VALUE else []
        if hooks is not None:
            _replace_with_events(hooks, prop, obj, coll, old_items, initiator)
            d[key] = coll
            return
        d[key] = coll
        old_ids = {id(x) for x in old_items}
        new_ids = {id(x) for x in coll}
        for item in old_items:
            if id(item) not in new_ids:
                backref_remove(prop, obj, item, initiator, OP_BULK_REPLACE)
                if prop.cascade.delete_orphan:
                    expunge_pending_orphan(prop, obj, item)
        for item in coll:
            if id(item) not in old_ids:
                backref_add(prop, obj, item, initiator, OP_BULK_REPLACE)
                if initiator is None:
                    _cascade(prop, obj, item)
        return
    hooks = prop._hooks
    if hooks is not None:
        if old is NO_VALUE and hooks.active_history and state is not None and \
                state.ident is not None and state.session is not None:
            from .strategies import load_on_access

            old = load_on_access(prop, obj, NO_VALUE)
        value = hooks.set(obj, value, old, initiator)
    if value is not None:
        _check_type(prop, value)
    if old is value and old is not NO_VALUE:
        if hooks is not None:
            hooks.after_set(obj, value, old, initiator)
        return
    _record(prop, obj, old)
    d[key] = value
    if old is not NO_VALUE and old is not None:
        backref_remove(prop, obj, old, initiator, OP_REPLACE)
        if prop.cascade.delete_orphan:
            expunge_pending_orphan(prop, obj, old)
    if value is not None:
        backref_add(prop, obj, value, initiator, OP_REPLACE)
        if initiator is None:
            _cascade(prop, obj, value)
    if hooks is not None:  # listeners registered after configuration: after backrefs
        new = hooks.after_set(obj, value, old, initiator)
        if new is not value:
            d[key] = new


def _replace_with_events(hooks: Any, prop: Any, obj: Any, coll: Any, old_items: list,
                         initiator: Any) -> None:
    """Assigning a collection that has listeners, in SQLAlchemy's order (before the new
    collection is stored): for each new member its ``append`` listeners and backref,
    then for each member leaving its ``remove`` listeners (and validator) and backref.
    The events carry this attribute's ``BULK_REPLACE`` token."""
    old_ids = {id(x) for x in old_items}
    for item in list(coll):
        if id(item) in old_ids:
            continue
        new = hooks.append(obj, item, initiator, OP_BULK_REPLACE, validate=False)
        if new is not item:
            coll._swap(item, new)
            item = new
        backref_add(prop, obj, item, initiator, OP_BULK_REPLACE)
        if initiator is None:
            _cascade(prop, obj, item)
        new = hooks.after_append(obj, item, initiator, OP_BULK_REPLACE)
        if new is not item:
            coll._swap(item, new)
    new_ids = {id(x) for x in coll}
    for item in old_items:
        if id(item) in new_ids:
            continue
        hooks.remove(obj, item, initiator, OP_BULK_REPLACE)
        backref_remove(prop, obj, item, initiator, OP_BULK_REPLACE)
        if prop.cascade.delete_orphan:
            expunge_pending_orphan(prop, obj, item)
        hooks.after_remove(obj, item, initiator, OP_BULK_REPLACE)


def expunge_pending_orphan(prop: Any, parent: Any, item: Any) -> None:
    """A pending object that left its delete-orphan parent leaves the Session too
    (SQLAlchemy expunges it; it was never written)."""
    state = item.__dict__.get(STATE_KEY)
    if state is None or state.ident is not None or state.session is None or \
            state not in state.session._new:
        return
    reverse = prop._reverse
    if reverse is not None:
        value = loaded_value(item.__dict__, reverse.key)
        if value is not NO_VALUE and value is not None and (
                any(p is not parent for p in value) if reverse.uselist else
                value is not parent):
            return  # it has another parent now
    state.session.expunge(item)


def backref_add(prop: Any, obj: Any, item: Any, initiator: Any, op: Any = OP_REPLACE) -> None:
    """``item`` joined ``obj.<prop>`` (by ``op``): make ``item.<reverse>`` include
    ``obj``.  The change on that side carries ``(prop, obj, op)`` as its initiator."""
    reverse = prop._reverse
    if reverse is None or (initiator is not None and initiator[0] is reverse and
                           initiator[1] is item):
        return
    dd = item.__dict__
    by = (prop, obj, op)
    if reverse.uselist:
        coll = loaded_value(dd, reverse.key)
        if coll is NO_VALUE:
            item_state = dd.get(STATE_KEY)
            if item_state is not None and item_state.ident is not None:
                # not loaded: remembered, and added when it loads (before any flush
                # writes it, as with autoflush=False)
                session = item_state.session
                if session is not None:
                    if reverse._hooks is not None:  # heard now, as in SQLAlchemy
                        obj = reverse._hooks.append(item, obj, by)
                    session._pending_appends.setdefault(item_state, {}).setdefault(
                        reverse.key, []).append(obj)
                    if item_state.committed_state is None:  # dirty until a flush, as in
                        item_state._mark_modified(item)    # SQLAlchemy
                return
            coll = make_collection(reverse, item)
            dd[reverse.key] = coll
        if not any(x is obj for x in coll):
            coll._append_from_backref(obj, by)
    elif loaded_value(dd, reverse.key) is not obj:
        set_relationship(reverse, item, obj, by)


def backref_remove(prop: Any, obj: Any, item: Any, initiator: Any,
                   op: Any = OP_REPLACE) -> None:
    """``item`` left ``obj.<prop>`` (by ``op``): make ``item.<reverse>`` forget ``obj``."""
    reverse = prop._reverse
    if reverse is None or (initiator is not None and initiator[0] is reverse and
                           initiator[1] is item):
        return
    dd = item.__dict__
    by = (prop, obj, op)
    if reverse.uselist:
        coll = loaded_value(dd, reverse.key)
        if coll is not NO_VALUE:
            coll._remove_from_backref(obj, by)
    else:
        current = current_value(reverse, item)
        if current is obj or (current is NO_VALUE and dd.get(STATE_KEY) is not None):
            # unloaded (and not known to point elsewhere): it pointed at obj
            set_relationship(reverse, item, None, by)


def current_value(prop: Any, obj: Any) -> Any:
    """A scalar relationship's value without SQL: loaded, or (many-to-one by primary
    key) found in the Session's identity map; NO_VALUE when unknown."""
    d = obj.__dict__
    value = loaded_value(d, prop.key)
    if value is not NO_VALUE or prop.uselist:
        return value
    state = d.get(STATE_KEY)
    if state is None or state.ident is None or state.session is None:
        return NO_VALUE
    return target_in_identity_map(state.session, prop, d)
