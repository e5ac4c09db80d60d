"""Declarative dataclass mapping: ``MappedAsDataclass`` and ``registry.mapped_as_dataclass``.

A mapped dataclass is made by Python's own ``dataclasses`` (so ``__init__``,
``__repr__``, ``__eq__``, ordering and hashing are exactly what dataclasses
generate) *before* the class is mapped:

1. each annotated attribute of the class body becomes a ``dataclasses.field()``
   built from the dataclass arguments of its ``mapped_column()`` /
   ``relationship()`` (``init``, ``default``, ``default_factory``, ``repr``,
   ``compare``, ``kw_only``, ``hash``, ``dataclass_metadata``);
2. ``dataclasses.dataclass`` (or the class's ``dataclass_callable``) runs;
3. the ORM constructs are put back and the class is mapped as usual, which
   replaces them with instrumented attributes.

The generated ``__init__`` assigns with ``self.x = value``, i.e. through the
mapped class's ``__setattr__``, so change tracking and ``@validates`` apply as
for any assignment.  Objects loaded from the database are made with
``object.__new__`` and never pass through ``__init__`` (as in SQLAlchemy).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import exc as sa_exc

#: the class arguments of MappedAsDataclass / mapped_as_dataclass, passed to dataclass()
CLASS_ARGS = ("init", "repr", "eq", "order", "unsafe_hash", "match_args", "kw_only")

_OPTIONS = "_la_dataclass_options"


class MappedAsDataclass:
    """Mixin: the mapped subclasses (and this class's declarative base) become dataclasses.

    Usable as ``class Base(MappedAsDataclass, DeclarativeBase)`` or on one model,
    ``class User(MappedAsDataclass, Base)``.  Class arguments (``eq=False``,
    ``unsafe_hash=True``, ``kw_only=True``, ``dataclass_callable=...``, ...) apply to
    the class and its subclasses.
    """

    def __init_subclass__(cls, dataclass_callable: Any = None, **kw: Any) -> None:
        options = {name: kw.pop(name) for name in CLASS_ARGS if name in kw}
        if dataclass_callable is not None:
            options["dataclass_callable"] = dataclass_callable
        inherited = getattr(cls, _OPTIONS, {})
        setattr(cls, _OPTIONS, {**inherited, **options})
        super().__init_subclass__(**kw)
        # a mapped class became a dataclass while being mapped; a declarative base,
        # an __abstract__ class or a mixin becomes one here, so that the mapped
        # subclasses inherit its fields
        make_dataclass(cls)


def dataclass_options(cls: type) -> dict | None:
    """The dataclass arguments of ``cls``, or None if it is not to be a dataclass."""
    return getattr(cls, _OPTIONS, None)


def mark_as_dataclass(cls: type, options: dict) -> None:
    """``registry.mapped_as_dataclass``: map ``cls`` as a dataclass with ``options``."""
    unknown = sorted(set(options) - set(CLASS_ARGS) - {"dataclass_callable"})
    if unknown:
        raise TypeError(
            f"mapped_as_dataclass() got unexpected keyword argument(s) {unknown} for "
            f"{cls.__name__}; valid ones are {', '.join(CLASS_ARGS)}, dataclass_callable"
        )
    setattr(cls, _OPTIONS, {**getattr(cls, _OPTIONS, {}), **options})


def make_dataclass(cls: type, resolve: Any = None) -> None:
    """Run ``dataclasses.dataclass`` on ``cls``, its ORM attributes turned into fields.

    ``resolve(cls, value)`` turns a ``@declared_attr`` into the construct it returns.
    The class body's ORM objects are restored afterwards for the mapper to read.
    Errors from dataclasses (a field without default after one with a default, a
    mutable default) are raised as SQLAlchemy raises them: InvalidRequestError.
    """
    if "__dataclass_fields__" in cls.__dict__:
        return
    options = dict(dataclass_options(cls) or {})
    make = options.pop("dataclass_callable", None) or dataclasses.dataclass
    own = cls.__dict__
    saved: dict[str, Any] = {}
    for name in own.get("__annotations__", {}):
        value = own.get(name, dataclasses.MISSING)
        field = _field_for(resolve(cls, value) if resolve is not None else value)
        if field is None:
            continue
        saved[name] = value
        setattr(cls, name, field)
    try:
        make(cls, **options)
    except (TypeError, ValueError) as error:
        raise sa_exc.InvalidRequestError(
            f"Python dataclasses error encountered when creating dataclass for "
            f"{cls.__name__!r}: {error!r}. Fix the field declarations as dataclasses "
            "require (e.g. give the later fields a default, or use default_factory for "
            "a mutable default)."
        ) from error
    finally:
        for name, value in saved.items():
            if value is dataclasses.MISSING:
                if name in cls.__dict__:
                    delattr(cls, name)
            else:
                setattr(cls, name, value)


def _field_for(value: Any) -> dataclasses.Field | None:
    """The ``dataclasses.field()`` for one class-body value; None: leave it alone."""
    if value is dataclasses.MISSING:
        return None  # annotation only: a field without default, as dataclasses makes it
    args = getattr(value, "_dataclass_args", None)
    if args is None:
        if _is_orm_construct(value):
            # column_property(), synonym(), Column: not constructor arguments
            return dataclasses.field(init=False, repr=False, compare=False)
        return None
    kw: dict[str, Any] = {}
    for name in ("init", "repr", "compare", "kw_only", "hash"):
        if args.get(name) is not None:
            kw[name] = args[name]
    if "default" in args:
        kw["default"] = args["default"]
    if args.get("default_factory") is not None:
        kw["default_factory"] = args["default_factory"]
    if args.get("dataclass_metadata") is not None:
        kw["metadata"] = args["dataclass_metadata"]
    return dataclasses.field(**kw)


def _is_orm_construct(value: Any) -> bool:
    from ..sql.schema import Column
    from .expressions import ColumnPropertyDeclaration, SynonymProperty

    return isinstance(value, Column | ColumnPropertyDeclaration | SynonymProperty)
