"""``@validates``: methods that check (and may replace) values given to attributes.

A validator runs when a value is assigned (in the constructor too) or a member is
appended to a relationship collection; what it returns is stored, and an exception
it raises leaves the attribute as it was.  Validators are collected per mapper, and
only classes that have some pay for them: such a class gets a ``__setattr__`` that
looks its validators up, and its constructor leaves the direct ``__dict__`` path for
the validated names.  Relationship validators hang on the relationship itself, where
collections and backrefs already pass (so a backref's change is validated too, unless
``include_backrefs=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import exc as sa_exc
from .attributes import _tracked_setattr


def validates(*names: str, include_removes: bool = False,
              include_backrefs: bool = True) -> Callable[[Any], Any]:
    """Mark a method ``fn(self, key, value)`` as the validator of ``names``.

    With ``include_removes=True`` it takes a fourth argument, ``is_remove``, and is
    also called (its result ignored) when a member leaves a collection."""

    def wrap(fn: Any) -> Any:
        fn.__sa_validators__ = names
        fn.__sa_validation_opts__ = {"include_removes": include_removes,
                                     "include_backrefs": include_backrefs}
        return fn

    return wrap


class Validator:
    """One attribute's validator, with its options, called by the attribute's events."""

    __slots__ = ("key", "method", "include_removes", "include_backrefs")

    def __init__(self, key: str, method: Any, include_removes: bool,
                 include_backrefs: bool) -> None:
        self.key = key
        self.method = method
        self.include_removes = include_removes
        self.include_backrefs = include_backrefs

    def set(self, obj: Any, value: Any, initiator: Any = None) -> Any:
        """The value to store in place of ``value``."""
        if initiator is not None and not self.include_backrefs:
            return value
        if self.include_removes:
            return self.method(obj, self.key, value, False)
        return self.method(obj, self.key, value)

    def remove(self, obj: Any, value: Any, initiator: Any = None) -> None:
        if not self.include_removes or initiator is not None and not self.include_backrefs:
            return
        self.method(obj, self.key, value, True)


def collect_validators(cls: type, mapped_keys: set) -> dict[str, Validator]:
    """The validators declared in ``cls`` and its bases, by attribute key.

    A name that is not a mapped attribute is ignored, as SQLAlchemy does; two
    validators of one attribute are refused."""
    found: dict[str, Validator] = {}
    seen: set[str] = set()
    for klass in cls.__mro__:
        for name, fn in klass.__dict__.items():
            names = getattr(fn, "__sa_validators__", None)
            if names is None or name in seen or not callable(fn):
                continue
            seen.add(name)
            opts = fn.__sa_validation_opts__
            for key in names:
                if key not in mapped_keys:
                    continue
                if key in found:
                    raise sa_exc.InvalidRequestError(
                        f"A validation function for mapped attribute {key!r} on mapper "
                        f"Mapper[{cls.__name__}({cls.__dict__.get('__tablename__', '')})] "
                        f"already exists ({found[key].method.__name__} and {name}); "
                        "validate the attribute in one method.")
                found[key] = Validator(key, fn, opts["include_removes"],
                                       opts["include_backrefs"])
    return found


def hooked_setattr(self: Any, key: str, value: Any) -> None:
    """``__setattr__`` of a mapped class with column validators or attribute listeners:
    run them (attribute_events.AttributeHooks), then track the change.

    Relationships are not handled here; the relationship's own assignment does."""
    hooks = type(self).__mapper__._column_hooks.get(key)
    if hooks is not None:
        value = hooks.set_column(self, value)
    _tracked_setattr(self, key, value)
