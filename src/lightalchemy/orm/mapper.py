"""Mapper: a class ↔ a table, its attributes, keys, and per-mapper caches."""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..inspection import _inspects
from ..sql.selectable import ColumnCollection, table_namespace_lookups
from .attributes import QueryableAttribute, _tracked_delattr, _tracked_setattr
from .properties import ColumnProperty

_mapper_registry: list = []


class Mapper:
    """Everything the ORM knows about one mapped class, computed once."""

    is_mapper = True
    inherits = None
    single = False
    concrete = False
    non_primary = False
    polymorphic_on = None
    with_polymorphic = None

    def __init__(self, class_: type, local_table: Any, properties: list[ColumnProperty],
                 registry: Any = None, eager_defaults: bool = False) -> None:
        self.class_ = class_
        self.local_table = local_table
        self.persist_selectable = local_table
        self.mapped_table = local_table
        self.registry = registry
        self.eager_defaults = eager_defaults
        self._props: dict[str, ColumnProperty] = {}
        for prop in properties:
            prop.parent = self
            self._props[prop.key] = prop
        self._attr_keys = tuple(self._props)
        self._attr_key_set = frozenset(self._attr_keys)
        self._attr_order = {key: i for i, key in enumerate(self._attr_keys)}
        self._column_to_prop = {prop.column: prop for prop in properties}
        #: the properties the flush writes: all but column_property() expressions
        expressions = [p.key for p in properties if p.is_expression]
        self._expr_keys = frozenset(expressions)
        self._table_props = self._props if not expressions else {
            k: p for k, p in self._props.items() if not p.is_expression}
        self._synonyms: dict = {}
        pk_cols = list(local_table.primary_key.columns)
        if not pk_cols:
            raise sa_exc.ArgumentError(
                f"Mapper Mapper[{class_.__name__}({local_table.name})] could not assemble any "
                f"primary key columns for mapped table '{local_table.name}'; declare a column "
                "with primary_key=True."
            )
        self.primary_key = tuple(pk_cols)
        missing = [c for c in pk_cols if c not in self._column_to_prop]
        if missing:
            raise sa_exc.ArgumentError(
                f"Mapper for {class_.__name__} does not map primary key column(s) "
                f"{', '.join(c.name for c in missing)}"
            )
        self._pk_keys = tuple(self._column_to_prop[c].key for c in pk_cols)
        self._pk_key_set = frozenset(self._pk_keys)
        # loaded column order: the table's order, restricted to mapped columns
        self._columns = [prop.column for prop in properties]
        self._caches: dict = {}
        self._relationships: dict = {}
        #: attribute keys a query loads by default: all but deferred columns (None: all)
        self._default_keys = tuple(p.key for p in properties if not p.deferred) \
            if any(p.deferred for p in properties) else None
        #: whether a query of this class needs the eager-loading planner at all
        self._eager_hint = self._default_keys is not None
        #: keys a commit expires: the columns, then the relationships
        self._expire_keys = self._attr_keys
        #: @validates methods by attribute key (see validators.py)
        self._validators: dict = {}
        #: columns with a validator or attribute listeners (attribute_events.py); the
        #: constructor takes the names in _init_keys straight into __dict__, the others
        #: through setattr
        self._column_hooks: dict = {}
        self._init_keys = self._attr_key_set
        #: the @reconstructor method's name: loaded objects run it (they skip __init__)
        self._reconstructor = next(
            (name for klass in class_.__mro__ for name, value in vars(klass).items()
             if getattr(value, "__sa_reconstructor__", False)), None)
        self._install()
        #: position in _mapper_registry; below _configured_count once configured
        self._registry_index = len(_mapper_registry)
        _mapper_registry.append(self)

    def _add_relationship(self, key: str, prop: Any, annotation: Any = None) -> None:
        self._relationships[key] = prop
        self._eager_hint = True
        self._expire_keys = self._attr_keys + tuple(self._relationships)
        prop._attach(self, key, annotation)
        self._caches.clear()
        _unconfigured.append(prop)
        global _relationships_declared
        _relationships_declared = True

    def _setup_validators(self) -> None:
        """Find the class's ``@validates`` methods, once its relationships are known.

        Each becomes part of its attribute's hooks, which attribute listeners share."""
        from .attribute_events import hooks_of
        from .validators import collect_validators

        found = collect_validators(self.class_, set(self._props) | set(self._relationships))
        if not found:
            return
        self._validators = found
        for key, validator in found.items():
            prop = self._relationships.get(key) or self._props[key]
            hooks = hooks_of(prop, create=True)
            assert hooks is not None
            hooks.validator = validator

    def _set_column_hooks(self, key: str, hooks: Any) -> None:
        """Give column ``key`` its hooks (None: none any more).  A class with some
        assigns through ``hooked_setattr``; its constructor sets those names through
        setattr too, so that constructor keywords are validated and heard."""
        from .validators import hooked_setattr

        if hooks is None:
            self._column_hooks.pop(key, None)
        else:
            self._column_hooks[key] = hooks
        self._init_keys = self._attr_key_set - frozenset(self._column_hooks)
        cls = self.class_
        if self._column_hooks and cls.__dict__.get("__setattr__") is _tracked_setattr:
            cls.__setattr__ = hooked_setattr  # type: ignore[assignment]
        elif not self._column_hooks and cls.__dict__.get("__setattr__") is hooked_setattr:
            cls.__setattr__ = _tracked_setattr  # the last hook went: the plain path again

    @property
    def validators(self) -> dict:
        """``{key: (method, options)}``, as SQLAlchemy's ``Mapper.validators``."""
        return {key: (v.method, {"include_removes": v.include_removes,
                                 "include_backrefs": v.include_backrefs})
                for key, v in self._validators.items()}

    # -- class instrumentation ---------------------------------------------------
    def _install(self) -> None:
        cls = self.class_
        for key, prop in self._props.items():
            if prop.is_expression:
                from .expressions import ExpressionAttribute

                attr = ExpressionAttribute(cls, key, prop)
            else:
                attr = QueryableAttribute(cls, key, prop)
            attr.parent = self
            prop.class_attribute = attr
            setattr(cls, key, attr)
        if "__setattr__" not in cls.__dict__ and not _has_tracked_setattr(cls):
            cls.__setattr__ = _tracked_setattr  # type: ignore[assignment]
            cls.__delattr__ = _tracked_delattr  # type: ignore[assignment]
        cls.__mapper__ = self  # type: ignore[attr-defined]

    def _default_for_unset(self, key: str) -> Any:
        return None

    # -- public inspection API ------------------------------------------------------
    @property
    def mapper(self) -> Mapper:
        return self

    @property
    def entity(self) -> type:
        return self.class_

    @property
    def base_mapper(self) -> Mapper:
        return self

    @property
    def tables(self) -> list:
        return [self.local_table]

    @property
    def columns(self) -> ColumnCollection:
        collection = ColumnCollection()
        for key, prop in self._props.items():
            collection._add(prop.column, key)
        return collection

    c = columns

    @property
    def attrs(self) -> _Props:
        return _Props({**self._relationships, **self._props, **self._synonyms})  # SQLAlchemy's order

    all_orm_descriptors = attrs

    @property
    def column_attrs(self) -> _Props:
        return _Props(self._props)

    @property
    def relationships(self) -> _Props:
        configure_mappers()
        return _Props(self._relationships)

    @property
    def synonyms(self) -> _Props:
        return _Props(self._synonyms)

    @property
    def composites(self) -> _Props:
        return _Props({})

    @property
    def selectable(self) -> Any:
        return self.local_table

    @property
    def self_and_descendants(self) -> list:
        return [self]

    def iterate_properties(self) -> Any:
        return iter([*self._props.values(), *self._relationships.values()])

    def get_property(self, key: str) -> Any:
        if key in self._relationships:
            configure_mappers()
            return self._relationships[key]
        try:
            return self._props[key]
        except KeyError:
            raise sa_exc.InvalidRequestError(
                f"Mapper 'Mapper[{self.class_.__name__}({self.local_table.name})]' has no "
                f"property '{key}'; its properties are: {', '.join(self._attr_keys)}"
            ) from None

    def get_property_by_column(self, column: Any) -> ColumnProperty:
        return self._column_to_prop[column]

    def has_property(self, key: str) -> bool:
        return key in self._props or key in self._relationships or key in self._synonyms

    def identity_key_from_primary_key(self, pk: Any, identity_token: Any = None) -> tuple:
        return (self.class_, tuple(pk), identity_token)

    def identity_key_from_instance(self, obj: Any) -> tuple:
        d = obj.__dict__
        return (self.class_, tuple(d.get(k) for k in self._pk_keys), None)

    def primary_key_from_instance(self, obj: Any) -> tuple:
        return tuple(getattr(obj, k) for k in self._pk_keys)

    def __clause_element__(self) -> Any:
        entity = self._caches.get("entity")
        if entity is None:
            from .context import EntityElement

            entity = self._caches["entity"] = EntityElement(self)
        return entity

    def isa(self, other: Mapper) -> bool:
        return other is self

    def common_parent(self, other: Mapper) -> bool:
        return other is self

    def __repr__(self) -> str:
        return f"<Mapper at {hex(id(self))}; {self.class_.__name__}>"

    def __str__(self) -> str:
        return f"Mapper[{self.class_.__name__}({self.local_table.name})]"


def _has_tracked_setattr(cls: type) -> bool:
    for base in cls.__mro__:
        if "__setattr__" in base.__dict__:
            return base.__dict__["__setattr__"] is _tracked_setattr
    return False


class _Props:
    """Mapper properties by key, readable as attributes or items."""

    def __init__(self, props: dict) -> None:
        self._props = props

    def __getattr__(self, key: str) -> Any:
        try:
            return self._props[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str) -> Any:
        return self._props[key]

    def __iter__(self):
        return iter(self._props.values())

    def __len__(self) -> int:
        return len(self._props)

    def __contains__(self, key: str) -> bool:
        return key in self._props

    def keys(self) -> list:
        return list(self._props)

    def values(self) -> list:
        return list(self._props.values())

    def items(self) -> list:
        return list(self._props.items())

    def get(self, key: str, default: Any = None) -> Any:
        return self._props.get(key, default)


@_inspects(type)
def _inspect_class(cls: type) -> Any:
    return cls.__dict__.get("__mapper__") or _mapper_of_subclass(cls)


def _mapper_of_subclass(cls: type) -> Any:
    mapper = getattr(cls, "__mapper__", None)
    if mapper is not None and mapper.class_ is cls:
        return mapper
    return None


@_inspects(Mapper)
def _inspect_mapper(mapper: Mapper) -> Mapper:
    return mapper


@_inspects(object)
def _inspect_instance(obj: Any) -> Any:
    if isinstance(obj, type):
        return None
    mapper = getattr(type(obj), "__mapper__", None)
    if mapper is None:
        return None
    from .state import instance_state

    return instance_state(obj)


def _class_expression_for_table(table: Any, key: str) -> Any:
    """``select(Person.id).filter_by(full=...)``: ``key`` of the (latest) class mapping
    ``table`` — a hybrid or synonym the table itself does not know."""
    for mapper in reversed(_mapper_registry):
        if mapper.local_table is table:
            return mapper.__clause_element__()._column_for_key(key)
    return None


table_namespace_lookups.append(_class_expression_for_table)


def class_mapper(cls: type, configure: bool = True) -> Mapper:
    mapper = getattr(cls, "__mapper__", None) if isinstance(cls, type) else None
    if mapper is None:
        from .exc import UnmappedClassError

        raise UnmappedClassError(cls)
    return mapper


def object_mapper(obj: Any) -> Mapper:
    mapper = getattr(type(obj), "__mapper__", None)
    if mapper is None:
        from .exc import UnmappedInstanceError

        raise UnmappedInstanceError(obj)
    return mapper


#: relationships declared but not configured yet
_unconfigured: list = []
#: whether any class has a relationship (until then flush takes its simplest path)
_relationships_declared = False


def configure_mappers() -> None:
    """Configure every relationship declared so far: resolve target classes named by
    string, find the join columns, make backrefs.  Runs on first use of the ORM after
    a class with relationships is declared (cheap once done).

    A relationship that fails keeps its error and raises it again whenever it is
    used; the others stay usable."""
    while _unconfigured:
        prop = _unconfigured.pop(0)
        if prop._configured:
            continue
        try:
            prop._configure()
        except Exception as error:
            prop._config_error = error
            raise
    global _configured_count
    _configured_count = len(_mapper_registry)


#: mappers declared before the last configure_mappers() count as configured
_configured_count = 0


def is_configured(mapper: Mapper) -> bool:
    """Whether ``configure_mappers()`` ran since ``mapper`` was declared: attribute
    listeners registered from then on run after its validators and backrefs, as in
    SQLAlchemy."""
    return mapper._registry_index < _configured_count


def reconstructor(fn: Any) -> Any:
    """Marks the method an object loaded from the database runs once its columns are
    in: loaded objects are made without ``__init__``, so this is where they set up
    what ``__init__`` would have (SQLAlchemy's ``@reconstructor``)."""
    fn.__sa_reconstructor__ = True
    return fn
