"""Declarative mapping: a class body (Column / mapped_column / Mapped[]) → Table + Mapper."""

from __future__ import annotations

import sys
import typing
from typing import Any

from .. import exc as sa_exc
from ..sql import types as sqltypes
from ..sql.schema import Column, MetaData, Table
from .base import STATE_KEY
from .decl_dataclass import dataclass_options, make_dataclass, mark_as_dataclass
from .decl_types import column_for_annotation, unwrap_mapped
from .expressions import ColumnPropertyDeclaration, ExpressionProperty, SynonymProperty
from .mapper import Mapper
from .properties import ColumnProperty, Mapped, MappedColumn
from .relationships import RelationshipProperty


class registry:  # noqa: N801 - SQLAlchemy's name
    """Holds the MetaData and the mappers of one declarative base."""

    def __init__(self, metadata: MetaData | None = None, type_annotation_map: dict | None = None,
                 class_registry: dict | None = None) -> None:
        self.metadata = metadata if metadata is not None else MetaData()
        self.type_annotation_map = dict(type_annotation_map or {})
        self._class_registry: dict[str, type] = class_registry if class_registry is not None \
            else {}
        self.mappers: set = set()

    def generate_base(self, cls: type = object, name: str = "Base", metaclass: type = type,
                      **kw: Any) -> type:
        return _make_base(self, cls, name)

    def map_imperatively(self, class_: type, local_table: Any = None, **kw: Any) -> Mapper:
        props = [ColumnProperty(col.key, col) for col in local_table.columns]
        mapper = Mapper(class_, local_table, props, registry=self)
        mapper._setup_validators()
        self.mappers.add(mapper)
        return mapper

    def mapped(self, cls: type) -> type:
        _map_class(cls, self)
        return cls

    def mapped_as_dataclass(self, cls: type | None = None, /, **options: Any) -> Any:
        """``@reg.mapped_as_dataclass`` or ``@reg.mapped_as_dataclass(eq=False, ...)``:
        make ``cls`` a dataclass (see decl_dataclass.py), then map it."""
        def decorate(target: type) -> type:
            mark_as_dataclass(target, options)
            _map_class(target, self)
            return target

        return decorate if cls is None else decorate(cls)

    def dispose(self) -> None:
        self.mappers.clear()
        self._class_registry.clear()

    def configure(self, cascade: bool = False) -> None:
        pass


def _declarative_constructor(self: Any, **kwargs: Any) -> None:
    """Keyword constructor: unknown names raise TypeError, as in SQLAlchemy.

    Benchmark: ``bulk_create``.  A new object with only mapped names takes them
    straight into ``__dict__`` (nothing to track before it has a Session).
    """
    cls_ = type(self)
    d = self.__dict__
    mapper = getattr(cls_, "__mapper__", None)
    keys = mapper._init_keys if mapper is not None else frozenset()  # minus validated
    if kwargs.keys() <= keys and STATE_KEY not in d:
        d.update(kwargs)
        return
    for key, value in kwargs.items():
        if key in keys and STATE_KEY not in d:
            d[key] = value
        elif hasattr(cls_, key):
            setattr(self, key, value)
        else:
            raise TypeError(f"{key!r} is an invalid keyword argument for {cls_.__name__}")


_declarative_constructor.__name__ = "__init__"


class DeclarativeBase:
    """Subclass once as ``class Base(DeclarativeBase): pass``; subclass Base per model."""

    registry: registry
    metadata: MetaData
    __table__: Any
    __tablename__: Any
    __mapper__: Any

    _la_root = True

    def __init_subclass__(cls, **kw: Any) -> None:
        if cls.__dict__.get("_la_root"):
            pass
        elif any(base.__dict__.get("_la_root") for base in cls.__bases__):
            _setup_base(cls)
        else:
            _map_class(cls, cls.registry)
        super().__init_subclass__(**kw)

    __init__ = _declarative_constructor  # type: ignore[assignment]


class DeclarativeBaseNoMeta(DeclarativeBase):
    _la_root = True


def _setup_base(cls: type) -> None:
    reg = cls.__dict__.get("registry")
    if reg is None:
        metadata = cls.__dict__.get("metadata")
        reg = registry(metadata=metadata,
                       type_annotation_map=cls.__dict__.get("type_annotation_map"))
        cls.registry = reg  # type: ignore[attr-defined]
    cls.metadata = reg.metadata  # type: ignore[attr-defined]
    cls._sa_registry = reg  # type: ignore[attr-defined]
    cls.__abstract__ = True  # type: ignore[attr-defined]


def _make_base(reg: registry, cls: type = object, name: str = "Base") -> type:
    def init_subclass(sub: type, **kw: Any) -> None:
        _map_class(sub, reg)

    bases = (cls,) if isinstance(cls, type) and cls is not object else ()
    namespace = {
        "registry": reg,
        "metadata": reg.metadata,
        "__init_subclass__": classmethod(init_subclass),
        "__abstract__": True,
    }
    if "__init__" not in (cls.__dict__ if cls is not object else {}):
        namespace["__init__"] = _declarative_constructor
    return type(name, bases or (object,), namespace)


def declarative_base(*, metadata: MetaData | None = None, cls: type = object,
                     name: str = "Base", type_annotation_map: dict | None = None,
                     **kw: Any) -> Any:
    reg = registry(metadata=metadata, type_annotation_map=type_annotation_map)
    return _make_base(reg, cls, name)


def as_declarative(**kw: Any) -> Any:
    def decorate(cls: type) -> type:
        return declarative_base(cls=cls, name=cls.__name__, **kw)

    return decorate


def declared_attr(fn: Any) -> Any:
    return _DeclaredAttr(fn)


class _DeclaredAttr:
    def __init__(self, fn: Any) -> None:
        self.fn = fn

    def __get__(self, obj: Any, cls: Any) -> Any:
        return self.fn(cls)

    @classmethod
    def directive(cls, fn: Any) -> Any:
        return _DeclaredAttr(fn)


declared_attr.directive = _DeclaredAttr.directive  # type: ignore[attr-defined]


def _is_abstract(cls: type) -> bool:
    return bool(cls.__dict__.get("__abstract__", False))


def _map_class(cls: type, reg: registry) -> None:
    if _is_abstract(cls):
        return
    if "__mapper__" in cls.__dict__:
        return
    mapped_base = next((b for b in cls.__mro__[1:] if "__mapper__" in b.__dict__), None)
    if mapped_base is not None:
        raise sa_exc.InvalidRequestError(
            f"Class {cls.__name__} inherits from the mapped class {mapped_base.__name__}: "
            "mapped class inheritance (single, joined or concrete table) is not supported "
            "by lightalchemy yet. Map each class on its own (share columns through a "
            "mixin or an __abstract__ base), or relate them with relationship()."
        )
    if dataclass_options(cls) is not None:
        make_dataclass(cls, _resolve_declared_attr)
    mapper_args = _class_value(cls, "__mapper_args__") or {}
    unsupported = sorted(set(mapper_args) & {"polymorphic_on", "polymorphic_identity",
                                             "inherits", "with_polymorphic", "concrete"})
    if unsupported:
        raise sa_exc.InvalidRequestError(
            f"{cls.__name__}.__mapper_args__ {unsupported}: mapped class inheritance is not "
            "supported by lightalchemy yet; map the class without them."
        )
    table = cls.__dict__.get("__table__")
    tablename = _class_value(cls, "__tablename__")
    columns: dict[str, Column] = {}
    relationships: dict[str, tuple] = {}
    deferred: set[str] = set()
    expressions: dict[str, ColumnPropertyDeclaration] = {}
    synonyms: dict[str, SynonymProperty] = {}
    hints = _annotations(cls)
    # walk the MRO from the base down, so subclasses override mixins
    for klass in reversed(cls.__mro__):
        if klass is object or "__mapper__" in klass.__dict__ and klass is not cls:
            continue
        own = klass.__dict__
        annotated = list(klass.__dict__.get("__annotations__", {}))
        ordered = annotated + [n for n in own if n not in annotated]
        for name in ordered:
            if name not in own:
                hint = hints.get(name)
                inner, _ = unwrap_mapped(_resolve(cls, hint))
                if inner is not None and name not in columns:
                    mc, columns[name] = _column_from_mapped(cls, name, MappedColumn(), hint,
                                                            reg, copy=False)
                    if mc.deferred:
                        deferred.add(name)
                continue
            value = own[name]
            if isinstance(value, _DeclaredAttr):
                value = value.__get__(None, cls)
            if isinstance(value, MappedColumn):
                mc, columns[name] = _column_from_mapped(cls, name, value, hints.get(name), reg,
                                                        copy=klass is not cls)
                if mc.deferred:
                    deferred.add(name)
            elif isinstance(value, Column):
                col = value._copy() if klass is not cls else value
                if col.name is None:
                    col.name = name
                if col.key is None or col.key != name:
                    col.key = name
                columns[name] = col
            elif isinstance(value, ColumnPropertyDeclaration):
                first = value.columns[0]
                target = first.column if isinstance(first, MappedColumn) else first
                if isinstance(target, Column) and target.table is None and \
                        (target.name is None or target.name == name):
                    # column_property(Column(...)): a column of the table, as SQLAlchemy
                    if target.name is None:
                        target.name = name
                    target.key = name
                    columns[name] = target
                    if value.deferred:
                        deferred.add(name)
                else:
                    expressions[name] = value
                    columns.pop(name, None)
            elif isinstance(value, SynonymProperty):
                if value.key is None or klass is cls:
                    value.key = name
                synonyms[name] = value
            elif isinstance(value, RelationshipProperty):
                if klass is not cls:
                    if not isinstance(klass.__dict__.get(name), _DeclaredAttr):
                        raise sa_exc.InvalidRequestError(
                            f"relationship() {name!r} of mixin {klass.__name__} must be "
                            "declared with @declared_attr, so that each mapped class gets its "
                            "own copy"
                        )
                relationships[name] = (value, hints.get(name))
                columns.pop(name, None)
    if table is None:
        if tablename is None:
            raise sa_exc.InvalidRequestError(
                f"Class {cls!r} does not have a __table__ or __tablename__ specified and does "
                "not inherit from an existing table-mapped class."
            )
        table_args = _class_value(cls, "__table_args__")
        args: tuple = ()
        kwargs: dict = {}
        if isinstance(table_args, dict):
            kwargs = dict(table_args)
        elif isinstance(table_args, tuple):
            if table_args and isinstance(table_args[-1], dict):
                args, kwargs = table_args[:-1], dict(table_args[-1])
            else:
                args = table_args
        table = Table(tablename, reg.metadata, *columns.values(), *args, **kwargs)
        props = [ColumnProperty(key, col, key in deferred) for key, col in columns.items()]
        props += [ExpressionProperty(key, decl.expression_for(cls.__name__, key), decl.deferred)
                  for key, decl in expressions.items()]
        cls.__table__ = table  # type: ignore[attr-defined]
    else:
        props = []
        by_column = {id(c): k for k, c in columns.items()}
        for col in table.columns:
            key = by_column.get(id(col), col.key)
            props.append(ColumnProperty(key, col))
        props += [ExpressionProperty(key, decl.expression_for(cls.__name__, key), decl.deferred)
                  for key, decl in expressions.items()]
    mapper_args = _class_value(cls, "__mapper_args__") or {}
    mapper = Mapper(cls, table, props, registry=reg,
                    eager_defaults=bool(mapper_args.get("eager_defaults", False)))
    reg.mappers.add(mapper)
    reg._class_registry[cls.__name__] = cls
    for name, syn in synonyms.items():
        syn.parent = mapper
        mapper._synonyms[name] = syn
    for name, (prop, hint) in relationships.items():
        if prop.parent is not None:
            raise sa_exc.ArgumentError(
                f"{cls.__name__}.{name}: this relationship() object already belongs to "
                f"{prop.parent.class_.__name__}.{prop.key}; call relationship() once per "
                "attribute"
            )
        mapper._add_relationship(name, prop, hint)
    mapper._setup_validators()


def _resolve_declared_attr(cls: type, value: Any) -> Any:
    return value.__get__(None, cls) if isinstance(value, _DeclaredAttr) else value


def _class_value(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in klass.__dict__:
            value = klass.__dict__[name]
            if isinstance(value, _DeclaredAttr):
                return value.__get__(None, cls)
            if isinstance(value, classmethod | staticmethod):
                return value.__get__(None, cls)()
            return value
    return None


def _annotations(cls: type) -> dict[str, Any]:
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        hints.update(klass.__dict__.get("__annotations__", {}))
    return hints


def _own_annotations(klass: type, hints: dict) -> dict:
    own = klass.__dict__.get("__annotations__", {})
    return {name: hints[name] for name in own}


def _resolve(cls: type, hint: Any) -> Any:
    if isinstance(hint, str):
        module = sys.modules.get(cls.__module__)
        namespace = dict(vars(module)) if module is not None else {}
        namespace.setdefault("Mapped", Mapped)
        namespace.setdefault("Optional", typing.Optional)
        namespace.update({k: v for k, v in vars(typing).items() if not k.startswith("_")
                          and k not in namespace})
        namespace.setdefault(cls.__name__, cls)
        try:
            return eval(hint, namespace)  # noqa: S307 - annotation text of the user's own class
        except Exception:
            return _parse_mapped_text(hint, namespace)
    return hint


def _parse_mapped_text(hint: str, namespace: dict) -> Any:
    text = hint.strip()
    if text.startswith("Mapped[") and text.endswith("]"):
        inner = text[len("Mapped["):-1]
        optional = False
        parts = [p.strip() for p in inner.split("|")]
        if "None" in parts:
            optional = True
            parts.remove("None")
        if len(parts) == 1:
            target = parts[0]
            if target.startswith("Optional[") and target.endswith("]"):
                target = target[len("Optional["):-1]
                optional = True
            try:
                value = eval(target, namespace)  # noqa: S307
            except Exception:
                return Mapped[Any]
            return Mapped[typing.Optional[value]] if optional else Mapped[value]
    return None


def _column_from_mapped(cls: type, name: str, mc: MappedColumn, hint: Any, reg: registry,
                        copy: bool) -> tuple[MappedColumn, Column]:
    """The attribute's MappedColumn (merged with an ``Annotated`` one) and its Column.

    ``copy``: the MappedColumn belongs to a mixin, so each class gets its own Column.
    """
    if copy:
        mc = mc._copy()
    resolved = _resolve(cls, hint) if hint is not None else None
    if unwrap_mapped(resolved)[0] is not None:
        mc, col = column_for_annotation(cls, name, mc, resolved, reg)
    else:
        col = mc.column
        if isinstance(col.type, sqltypes.NullType) and not col.foreign_keys:
            # a foreign key column takes its type from the referenced column later
            raise sa_exc.ArgumentError(
                f"Python typing annotation is required for attribute '{cls.__name__}.{name}' "
                "when primary argument(s) for 'MappedColumn' construct are None or not present"
            )
    if col.name is None:
        col.name = name
    col.key = name
    return mc, col
