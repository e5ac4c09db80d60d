"""relationship(): how two mapped classes refer to each other.

A RelationshipProperty is declared in a class body and configured on first
use, when every class of its registry exists: the target class is resolved
(names given as strings too), the foreign-key column pairs are found, the
direction is decided and the backref, if any, is made.  What happens to the
related objects at flush lives in ``dependency``; how they load, in
``strategies``; collections and backref events, in ``collections``.
"""

from __future__ import annotations

import enum
import sys
import typing
from typing import Any

from .. import exc as sa_exc
from ..sql import operators as ops
from ..sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ClauseElement,
    ColumnElement,
    and_,
    not_,
)
from ..sql.schema import Column, Table
from ..sql.selectable import Alias, Exists
from .attributes import QueryableAttribute
from .base import NO_VALUE
from .properties import pop_dataclass_args


class RelationshipDirection(enum.Enum):
    ONETOMANY = 1
    MANYTOONE = 2
    MANYTOMANY = 3


ONETOMANY = RelationshipDirection.ONETOMANY
MANYTOONE = RelationshipDirection.MANYTOONE
MANYTOMANY = RelationshipDirection.MANYTOMANY

_CASCADES = ("save-update", "merge", "refresh-expire", "expunge", "delete", "delete-orphan")
_ALL = frozenset(("save-update", "merge", "refresh-expire", "expunge", "delete"))


class CascadeOptions(frozenset):
    """The parsed ``cascade=`` string: ``"all, delete-orphan"`` → flags."""

    def __new__(cls, spec: Any) -> CascadeOptions:
        if isinstance(spec, str):
            names = {n.strip() for n in spec.split(",") if n.strip()}
        else:
            names = set(spec or ())
        unknown = names - set(_CASCADES) - {"all", "none"}
        if unknown:
            raise sa_exc.ArgumentError(
                f"Invalid cascade option(s): {', '.join(sorted(map(repr, unknown)))}; valid "
                f"options are {', '.join(repr(c) for c in (*_CASCADES, 'all', 'none'))}"
            )
        if "all" in names:
            names |= _ALL
        names -= {"all", "none"}
        self = super().__new__(cls, names)
        self.save_update = "save-update" in names
        self.delete = "delete" in names
        self.delete_orphan = "delete-orphan" in names
        self.merge = "merge" in names
        self.expunge = "expunge" in names
        self.refresh_expire = "refresh-expire" in names
        return self

    def __repr__(self) -> str:
        return f"CascadeOptions({','.join(sorted(self))!r})"


_LAZY = {
    "select": "select", True: "select", "selectin": "selectin", "joined": "joined",
    False: "joined", "raise": "raise", "raise_on_sql": "raise_on_sql", "noload": "noload",
    None: "noload", "subquery": "selectin", "immediate": "selectin",
}


class _Annotated(ColumnElement):
    """``foreign(col)`` / ``remote(col)`` inside a primaryjoin: the column, marked."""

    __visit_name__ = "annotated_column"

    def __init__(self, element: Any, role: str) -> None:
        self.element = element.element if isinstance(element, _Annotated) else element
        self.roles = (element.roles if isinstance(element, _Annotated) else frozenset()) | {role}
        self.type = self.element.type
        self.key = getattr(self.element, "key", None)
        self.table = getattr(self.element, "table", None)

    def _gen_key(self, binds: list) -> Any:
        return self.element._gen_key(binds)

    @property
    def _from_objects(self) -> list:
        return self.element._from_objects

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.element, name)


def _column_of(value: Any) -> Any:
    if isinstance(value, QueryableAttribute):
        return value.prop.column if not isinstance(value, RelationshipAttribute) else value
    if hasattr(value, "column") and type(value).__name__ == "MappedColumn":
        return value.column
    if not isinstance(value, ClauseElement) and hasattr(value, "__clause_element__"):
        return value.__clause_element__()
    return value


def foreign(expr: Any) -> _Annotated:
    """Mark the foreign (referencing) side of a custom ``primaryjoin``."""
    return _Annotated(_column_of(expr), "foreign")


def remote(expr: Any) -> _Annotated:
    """Mark the remote side of a custom ``primaryjoin``."""
    return _Annotated(_column_of(expr), "remote")


def _plain(col: Any) -> Any:
    return col.element if isinstance(col, _Annotated) else col


class RelationshipProperty:
    """One ``relationship()``: configuration read by flush, loading and queries."""

    is_relationship = True
    strategy_wildcard_key = "relationship"
    #: the attribute's @validates method and event listeners
    #: (attribute_events.AttributeHooks), if it has any
    _hooks: Any = None

    def __init__(self, argument: Any = None, secondary: Any = None, *,
                 uselist: bool | None = None, collection_class: Any = None,
                 primaryjoin: Any = None, secondaryjoin: Any = None,
                 back_populates: str | None = None, backref: Any = None,
                 foreign_keys: Any = None, remote_side: Any = None, order_by: Any = False,
                 lazy: Any = "select", cascade: Any = "save-update, merge",
                 viewonly: bool = False, post_update: bool = False,
                 passive_deletes: Any = False, passive_updates: bool = True,
                 single_parent: bool = False, innerjoin: bool = False,
                 join_depth: int | None = None, overlaps: str | None = None,
                 info: dict | None = None, doc: str | None = None, **kw: Any) -> None:
        for name in ("sync_backref", "cascade_backrefs", "active_history", "enable_typechecks",
                     "omit_join", "distinct_target_key", "load_on_pending", "bake_queries",
                     "comparator_factory", "query_class", "_local_remote_pairs"):
            kw.pop(name, None)
        #: the dataclass field arguments (used when the class is a mapped dataclass)
        self._dataclass_args = pop_dataclass_args(kw)
        if "default" in kw:
            self._dataclass_args["default"] = kw.pop("default")
        if kw:
            raise TypeError(f"relationship() got unexpected keyword argument(s) {sorted(kw)}")
        if lazy in ("dynamic", "write_only"):
            raise sa_exc.InvalidRequestError(
                f"relationship(lazy={lazy!r}) is not supported by lightalchemy; use the default "
                "lazy='select' collection, or query the related class with select()."
            )
        if lazy not in _LAZY:
            raise sa_exc.ArgumentError(
                f"relationship(lazy={lazy!r}): unknown loader strategy; use 'select', "
                "'selectin', 'joined', 'subquery', 'raise', 'raise_on_sql' or 'noload'"
            )
        self.argument = argument
        self.secondary = secondary
        self.uselist = uselist
        self.collection_class = collection_class
        self.primaryjoin = primaryjoin
        self.secondaryjoin = secondaryjoin
        self.back_populates = back_populates
        self.backref = backref
        self._foreign_keys_arg = foreign_keys
        self._remote_side_arg = remote_side
        self.order_by = order_by
        self.lazy = _LAZY[lazy]
        self.viewonly = viewonly
        self.cascade = CascadeOptions(() if viewonly else cascade)
        self.post_update = post_update
        self.passive_deletes = passive_deletes
        self.passive_updates = passive_updates
        self.single_parent = single_parent
        self.innerjoin = innerjoin
        self.join_depth = join_depth
        self.overlaps = overlaps
        self.info = info or {}
        self.doc = doc
        self.key: str = ""
        self.parent: Any = None  # the Mapper declaring it
        self.mapper: Any = None  # the target Mapper, once configured
        self.class_attribute: Any = None
        self._annotation: Any = None
        self._configured = False
        self._configuring = False
        self._reverse: RelationshipProperty | None = None
        self._mirror_of: RelationshipProperty | None = None

    # -- declaration ----------------------------------------------------------------
    def _attach(self, mapper: Any, key: str, annotation: Any = None) -> None:
        self.parent = mapper
        self.key = key
        self._annotation = annotation
        attr = RelationshipAttribute(mapper.class_, key, self)
        attr.parent = mapper
        self.class_attribute = attr
        setattr(mapper.class_, key, attr)

    def __repr__(self) -> str:
        owner = self.parent.class_.__name__ if self.parent is not None else "?"
        return f"<Relationship {owner}.{self.key}>"

    def __str__(self) -> str:
        owner = self.parent.class_.__name__ if self.parent is not None else "?"
        return f"{owner}.{self.key}"

    @property
    def entity(self) -> Any:
        self._ensure_configured()
        return self.mapper

    @property
    def target(self) -> Any:
        self._ensure_configured()
        return self.mapper.local_table

    @property
    def class_(self) -> Any:
        return self.parent.class_

    @property
    def columns(self) -> list:
        return []

    # -- configuration ------------------------------------------------------------
    _CONFIGURED_ATTRIBUTES = frozenset((
        "direction", "local_remote_pairs", "secondary_pairs", "sync_pairs", "_use_get",
        "_ident_index", "_parent_keys", "_target_keys", "_extra_criteria", "_foreign_cols",
        "_remote_cols"))

    def __getattr__(self, name: str) -> Any:
        # what configuration computes (direction, join columns) is there on first read
        if name in RelationshipProperty._CONFIGURED_ATTRIBUTES and \
                not self.__dict__.get("_configured"):
            self._ensure_configured()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _ensure_configured(self) -> None:
        if not self._configured:
            error = self.__dict__.get("_config_error")
            if error is not None:
                raise error
            from .mapper import configure_mappers

            configure_mappers()
            if not self._configured:
                self._configure()

    def _configure(self) -> None:
        if self._configured or self._configuring:
            return
        self._configuring = True
        try:
            self._resolve_arguments()
            self._determine_pairs()
            self._configured = True
        finally:
            self._configuring = False
        self._setup_reverse()

    def _namespace(self) -> dict:
        registry = self.parent.registry
        module = sys.modules.get(self.parent.class_.__module__)
        return _Resolver(registry, module)

    def _eval(self, value: Any, what: str) -> Any:
        if callable(value) and not isinstance(value, type) and not isinstance(
                value, ClauseElement | Table | QueryableAttribute) and \
                not hasattr(value, "__clause_element__"):
            value = value()
        if isinstance(value, str):
            try:
                return eval(value, {"__builtins__": {}}, self._namespace())  # noqa: S307
            except NameError as error:
                name = getattr(error, "name", None) or str(error)
                raise sa_exc.InvalidRequestError(
                    f"When initializing mapper {self.parent}, expression {value!r} of "
                    f"relationship {self} ({what}) failed to locate a name ({name!r}). If this "
                    "is a class name, check its spelling and that the class is declared on the "
                    "same declarative base before the first query or Session use."
                ) from None
        return value

    def _resolve_arguments(self) -> None:
        argument = self.argument
        if argument is None:
            argument = self._target_from_annotation()
            if argument is None:
                raise sa_exc.ArgumentError(
                    f"relationship {self} needs its target class: relationship('Target') or "
                    "an annotation such as Mapped[list['Target']]"
                )
        target = self._eval(argument, "argument")
        from ..inspection import inspect

        mapper = inspect(target, raiseerr=False)
        mapper = getattr(mapper, "mapper", None)
        if mapper is None or not hasattr(mapper, "_props"):
            raise sa_exc.ArgumentError(
                f"relationship {self} expects a mapped class as its target, got {target!r}"
            )
        self.mapper = mapper
        secondary = self.secondary
        if secondary is not None:
            if isinstance(secondary, str):
                table = self.parent.local_table.metadata.tables.get(secondary)
                secondary = table if table is not None else self._eval(secondary, "secondary")
            elif callable(secondary) and not isinstance(secondary, Table):
                secondary = secondary()
            self.secondary = secondary
        if self.primaryjoin is not None:
            self.primaryjoin = self._eval(self.primaryjoin, "primaryjoin")
        if self.secondaryjoin is not None:
            self.secondaryjoin = self._eval(self.secondaryjoin, "secondaryjoin")
        self._foreign_cols = self._column_set(self._foreign_keys_arg, "foreign_keys")
        self._remote_cols = self._column_set(self._remote_side_arg, "remote_side")
        order_by = self.order_by
        if order_by is False or order_by is None:
            self.order_by = ()
        else:
            order_by = self._eval(order_by, "order_by")
            if not isinstance(order_by, list | tuple):
                order_by = [order_by]
            self.order_by = tuple(_column_of(o) for o in order_by)
        if self.uselist is None:
            self.uselist = self._uselist_from_annotation()
        if self.collection_class is None:
            self.collection_class = self._collection_from_annotation() or list
        elif isinstance(self.collection_class, str):
            self.collection_class = self._eval(self.collection_class, "collection_class")

    def _column_set(self, value: Any, what: str) -> set:
        if value is None:
            return set()
        value = self._eval(value, what)
        if not isinstance(value, list | tuple | set | frozenset):
            value = [value]
        return {_plain(_column_of(v)) for v in value}

    # annotations: Mapped[list["X"]], Mapped["X"], Mapped[Optional["X"]], "Mapped[X | None]"
    def _annotation_parts(self) -> tuple[Any, Any]:
        """(collection type or None, target) from the attribute's annotation."""
        hint = self._annotation
        if hint is None:
            return None, None
        if isinstance(hint, str):
            text = hint.strip()
            if text.startswith("Mapped[") and text.endswith("]"):
                inner = text[len("Mapped["):-1].strip()
            else:
                return None, None
            return _parse_annotation_text(inner)
        args = typing.get_args(hint)
        if not args:
            return None, None
        return _parse_annotation_object(args[0])

    def _target_from_annotation(self) -> Any:
        return self._annotation_parts()[1]

    def _uselist_from_annotation(self) -> bool | None:
        collection, target = self._annotation_parts()
        if target is not None:
            return collection is not None
        return None

    def _collection_from_annotation(self) -> Any:
        collection, _ = self._annotation_parts()
        if collection in ("set", set, typing.Set):  # noqa: UP006
            return set
        return None

    def _determine_pairs(self) -> None:
        parent_table = self.parent.local_table
        target_table = self.mapper.local_table
        self._extra_criteria: list = []
        if self.secondary is not None:
            self.direction = MANYTOMANY
            self.local_remote_pairs = self._secondary_pairs(
                self.primaryjoin, parent_table, "primaryjoin")
            self.secondary_pairs = self._secondary_pairs(
                self.secondaryjoin, target_table, "secondaryjoin")
            if self.uselist is None:
                self.uselist = True
        elif self.primaryjoin is not None:
            self._pairs_from_primaryjoin(parent_table, target_table)
        else:
            self._pairs_from_foreign_keys(parent_table, target_table)
        if self.uselist is None:
            self.uselist = self.direction is not MANYTOONE
        prop_of = self.parent._column_to_prop
        target_prop_of = self.mapper._column_to_prop

        def key_of(props: dict, col: Any) -> str:
            prop = props.get(col)
            if prop is None:
                raise sa_exc.ArgumentError(
                    f"relationship {self}: column '{col}' is not mapped by its class; map it "
                    "(it takes part in the join)"
                )
            return prop.key

        if self.direction is MANYTOMANY:
            self._parent_keys = [key_of(prop_of, lc) for lc, _ in self.local_remote_pairs]
            self._target_keys = [key_of(target_prop_of, tc) for tc, _ in self.secondary_pairs]
        elif self.direction is ONETOMANY:
            # (source key on the parent, destination key on each child)
            self.sync_pairs = [(key_of(prop_of, lc), key_of(target_prop_of, rc))
                               for lc, rc in self.local_remote_pairs]
        else:
            # (source key on the target, destination key on the parent)
            self.sync_pairs = [(key_of(target_prop_of, rc), key_of(prop_of, lc))
                               for lc, rc in self.local_remote_pairs]
            target_pk = list(self.mapper.primary_key)
            remote = [rc for _, rc in self.local_remote_pairs]
            self._use_get = not self._extra_criteria and len(remote) == len(target_pk) and \
                all(any(r is c for r in remote) for c in target_pk)
            # where each of the target's key columns is among the pairs' values
            self._ident_index = [next(i for i, (_, rc) in enumerate(self.local_remote_pairs)
                                      if rc is c) for c in target_pk] if self._use_get else []

    def _secondary_pairs(self, join: Any, side_table: Any, what: str) -> list:
        """(column of ``side_table``, column of the secondary) pairs."""
        secondary = self.secondary
        pairs = []
        if join is None:
            for fk in secondary.foreign_keys:
                if self._foreign_cols and fk.parent not in self._foreign_cols:
                    continue
                if fk.column.table is side_table:
                    pairs.append((fk.column, fk.parent))
            if self.parent.local_table is self.mapper.local_table and pairs:
                raise sa_exc.AmbiguousForeignKeysError(
                    f"Could not determine join condition between parent/child tables on "
                    f"relationship {self}: the secondary table refers to '{side_table.name}' "
                    "more than once; give primaryjoin= and secondaryjoin=."
                )
        else:
            for left, right in _equalities(join):
                if getattr(left, "table", None) is secondary:
                    left, right = right, left
                if getattr(right, "table", None) is secondary and \
                        getattr(left, "table", None) is side_table:
                    pairs.append((left, right))
                else:
                    raise sa_exc.ArgumentError(
                        f"relationship {self}: {what} must compare columns of "
                        f"'{side_table.name}' with columns of '{secondary.name}'"
                    )
        if not pairs:
            raise sa_exc.NoForeignKeysError(
                f"Could not determine join condition between parent/child tables on "
                f"relationship {self}: no foreign key of '{secondary.name}' refers to "
                f"'{side_table.name}'; add a ForeignKey or give {what}=."
            )
        return pairs

    def _pairs_from_foreign_keys(self, parent_table: Any, target_table: Any) -> None:
        def fks(table: Any, referring_to: Any) -> list:
            found = [fk for fk in table.foreign_keys if fk.column.table is referring_to]
            if self._foreign_cols:
                found = [fk for fk in found if fk.parent in self._foreign_cols]
            return found

        to_target = fks(parent_table, target_table)
        to_parent = fks(target_table, parent_table) if target_table is not parent_table else []
        if parent_table is target_table:
            if not to_target:
                self._no_fk_error(parent_table, target_table)
            self._check_single_path(to_target)
            referencing = {fk.parent for fk in to_target}
            if self._remote_cols and not (self._remote_cols & referencing):
                self.direction = MANYTOONE  # remote_side=[id]: this row points at the remote
                self.local_remote_pairs = [(fk.parent, fk.column) for fk in to_target]
            else:
                self.direction = ONETOMANY
                self.local_remote_pairs = [(fk.column, fk.parent) for fk in to_target]
            return
        if to_target and to_parent:
            raise sa_exc.AmbiguousForeignKeysError(
                f"Could not determine join condition between parent/child tables on "
                f"relationship {self} - there are foreign keys in both directions between "
                f"'{parent_table.name}' and '{target_table.name}'. Specify the 'foreign_keys' "
                "argument, providing a list of those columns which should be counted as "
                "containing a foreign key reference to the parent table."
            )
        if to_target:
            self._check_single_path(to_target)
            self.direction = MANYTOONE
            self.local_remote_pairs = [(fk.parent, fk.column) for fk in to_target]
        elif to_parent:
            self._check_single_path(to_parent)
            self.direction = ONETOMANY
            self.local_remote_pairs = [(fk.column, fk.parent) for fk in to_parent]
        else:
            self._no_fk_error(parent_table, target_table)

    def _no_fk_error(self, parent_table: Any, target_table: Any) -> None:
        raise sa_exc.NoForeignKeysError(
            f"Could not determine join condition between parent/child tables on relationship "
            f"{self} - there are no foreign keys linking these tables ('{parent_table.name}', "
            f"'{target_table.name}'). Ensure that referencing columns are associated with a "
            "ForeignKey or ForeignKeyConstraint, or specify a 'primaryjoin' expression."
        )

    def _check_single_path(self, fks: list) -> None:
        constraints = {id(fk.constraint) if fk.constraint is not None else id(fk) for fk in fks}
        if len(constraints) > 1:
            raise sa_exc.AmbiguousForeignKeysError(
                f"Could not determine join condition between parent/child tables on "
                f"relationship {self} - there are multiple foreign key paths linking the "
                f"tables ({', '.join(str(fk.parent) for fk in fks)}). Specify the "
                "'foreign_keys' argument, providing a list of those columns which should be "
                "counted as containing a foreign key reference to the parent table."
            )

    def _pairs_from_primaryjoin(self, parent_table: Any, target_table: Any) -> None:
        pairs = []  # (foreign column, referenced column, remote marked?)
        for left, right in _equalities(self.primaryjoin, self._extra_criteria):
            fl = _is_foreign(left, right, self._foreign_cols)
            fr = _is_foreign(right, left, self._foreign_cols)
            if fl and not fr:
                pairs.append((left, right))
            elif fr and not fl:
                pairs.append((right, left))
            else:
                raise sa_exc.ArgumentError(
                    f"Could not locate any relevant foreign key columns for primary join "
                    f"condition '{self.primaryjoin}' on relationship {self}. Ensure that "
                    "referencing columns are associated with a ForeignKey, or are annotated "
                    "in the join condition with the foreign() annotation, or pass foreign_keys=."
                )
        if not pairs:
            raise sa_exc.ArgumentError(
                f"relationship {self}: primaryjoin must equate columns of the two tables"
            )
        remote = set(self._remote_cols)
        for left, right in _equalities(self.primaryjoin, []):
            for col in (left, right):
                if isinstance(col, _Annotated) and "remote" in col.roles:
                    remote.add(col.element)
        plain = [(_plain(f), _plain(r)) for f, r in pairs]
        if parent_table is target_table:
            foreign_is_remote = any(f in remote for f, _ in plain) if remote else True
            many_to_one = not foreign_is_remote
        else:
            many_to_one = all(f.table is parent_table for f, _ in plain)
            if not many_to_one and not all(f.table is target_table for f, _ in plain):
                raise sa_exc.ArgumentError(
                    f"relationship {self}: the foreign columns of its primaryjoin must all be "
                    "on one side"
                )
        if many_to_one:
            self.direction = MANYTOONE
            self.local_remote_pairs = [(f, r) for f, r in plain]
        else:
            self.direction = ONETOMANY
            self.local_remote_pairs = [(r, f) for f, r in plain]

    # -- the reverse side -------------------------------------------------------------
    def _setup_reverse(self) -> None:
        if self.backref is not None and self._mirror_of is None:
            name, kw = (self.backref, {}) if isinstance(self.backref, str) else self.backref
            kw = dict(kw)
            target = self.mapper
            if name in target._props or name in target._relationships:
                raise sa_exc.ArgumentError(
                    f"Error creating backref '{name}' on relationship {self}: property of that "
                    f"name exists on mapper '{target}'"
                )
            if self.direction is MANYTOMANY:
                kw.setdefault("primaryjoin", self.secondaryjoin)
                kw.setdefault("secondaryjoin", self.primaryjoin)
            elif self.primaryjoin is not None:
                kw.setdefault("primaryjoin", self.primaryjoin)
            if self._foreign_keys_arg is not None:
                kw.setdefault("foreign_keys", self._foreign_keys_arg)
            if self.parent.local_table is target.local_table and self.direction is ONETOMANY:
                kw.setdefault("remote_side", [lc for lc, _ in self.local_remote_pairs])
            if self.direction is MANYTOMANY:
                kw.setdefault("uselist", True)
            elif self.direction is ONETOMANY:
                kw.setdefault("uselist", False)
            reverse = RelationshipProperty(self.parent.class_, self.secondary,
                                           back_populates=self.key, **kw)
            reverse._mirror_of = self
            target._add_relationship(name, reverse)
            self.back_populates = name
            reverse._reverse = self
            self._reverse = reverse
            reverse._configure()
        elif self.back_populates:
            other = self.mapper._relationships.get(self.back_populates)
            if other is None:
                raise sa_exc.InvalidRequestError(
                    f"Mapper '{self.mapper}' has no property '{self.back_populates}'. If this "
                    f"property was indicated from other mappers or configure events, ensure "
                    f"registry.configure() has been called. (back_populates of {self})"
                )
            self._reverse = other
            other._configure()
            if other.back_populates and other.back_populates != self.key:
                raise sa_exc.ArgumentError(
                    f"relationship {other} back_populates '{other.back_populates}', but "
                    f"{self} back_populates it; the two must name each other"
                )
            other._reverse = self

    # -- expressions --------------------------------------------------------------
    def _join_condition(self, parent_sel: Any = None, target_sel: Any = None) -> Any:
        """ON clause from the parent (or its alias) to the target (or its alias)."""
        parent_sel = parent_sel if parent_sel is not None else self.parent.local_table
        target_sel = target_sel if target_sel is not None else self.mapper.local_table
        if self.direction is MANYTOMANY:
            raise AssertionError("many-to-many joins go through _join_hops")
        clauses = [_adapt(lc, parent_sel) == _adapt(rc, target_sel)
                   for lc, rc in self.local_remote_pairs]
        clauses += [_adapt_to(c, self.mapper.local_table, target_sel)
                    for c in self._extra_criteria]
        return and_(*clauses)

    def _join_hops(self, target_sel: Any = None, parent_sel: Any = None,
                   extra: Any = None) -> list:
        """[(FROM to join, ON clause), ...] from the parent to the target."""
        target_sel = target_sel if target_sel is not None else self.mapper.local_table
        if self.direction is MANYTOMANY:
            parent_sel = parent_sel if parent_sel is not None else self.parent.local_table
            secondary = self.secondary
            first = and_(*[_adapt(lc, parent_sel) == sc for lc, sc in self.local_remote_pairs])
            second = [_adapt(tc, target_sel) == sc for tc, sc in self.secondary_pairs]
            if extra is not None:
                second.append(extra)
            return [(secondary, first), (target_sel, and_(*second))]
        on = self._join_condition(parent_sel, target_sel)
        if extra is not None:
            on = and_(on, extra)
        return [(target_sel, on)]


def _adapt(col: Any, selectable: Any) -> Any:
    """``col`` as a column of ``selectable`` (an alias or a subquery of its table)."""
    if selectable is None or selectable is col.table:
        return col
    if not hasattr(selectable, "c"):
        return col
    found = selectable.c.get(col.key)
    if found is not None and getattr(found, "element", None) is col:  # an alias of the table
        return found
    derived = selectable.corresponding_column(col)  # a subquery, CTE or union of it
    if derived is not None:
        return derived
    return found if found is not None else col


def _adapt_to(clause: Any, table: Any, selectable: Any) -> Any:
    if selectable is table:
        return clause
    raise sa_exc.InvalidRequestError(
        "A relationship whose primaryjoin carries extra criteria cannot be joined through an "
        "alias by lightalchemy yet; join the class itself."
    )


def _equalities(join: Any, extra: list | None = None) -> list:
    """(left, right) column pairs of the ``a == b`` parts of an AND; other parts go to
    ``extra`` (or are refused when ``extra`` is None)."""
    parts = join.clauses if isinstance(join, BooleanClauseList) and join.operator is ops.and_ \
        else [join]
    out = []
    for part in parts:
        part = getattr(part, "element", part) if type(part).__name__ == "Grouping" else part
        if isinstance(part, BinaryExpression) and part.operator is ops.eq and \
                _is_column(part.left) and _is_column(part.right):
            out.append((part.left, part.right))
        elif extra is not None:
            extra.append(part)
        else:
            raise sa_exc.ArgumentError(
                f"join condition part {part} is not a column equality; lightalchemy supports "
                "column = column conditions (joined with and_()) here"
            )
    return out


def _is_column(value: Any) -> bool:
    return isinstance(_plain(value), Column)


def _is_foreign(col: Any, other: Any, foreign_cols: set) -> bool:
    if isinstance(col, _Annotated):
        return "foreign" in col.roles
    if isinstance(other, _Annotated) and "foreign" in other.roles:
        return False
    col, other = _plain(col), _plain(other)
    if foreign_cols:
        return col in foreign_cols
    return any(fk.column is other for fk in col.foreign_keys)


def _parse_annotation_text(inner: str) -> tuple[Any, Any]:
    inner = inner.strip().strip("'\"")
    for prefix, kind in (("list[", "list"), ("List[", "list"), ("typing.List[", "list"),
                         ("set[", "set"), ("Set[", "set"), ("typing.Set[", "set")):
        if inner.startswith(prefix) and inner.endswith("]"):
            return kind, inner[len(prefix):-1].strip().strip("'\"")
    if inner.startswith("Optional[") and inner.endswith("]"):
        inner = inner[len("Optional["):-1]
    parts = [p.strip().strip("'\"") for p in inner.split("|") if p.strip() != "None"]
    return None, parts[0] if parts else None


def _parse_annotation_object(tp: Any) -> tuple[Any, Any]:
    if isinstance(tp, str):
        return _parse_annotation_text(tp)
    if isinstance(tp, typing.ForwardRef):
        return _parse_annotation_text(tp.__forward_arg__)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, set) and args:
        _, target = _parse_annotation_object(args[0])
        return ("list" if origin is list else "set"), target
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return _parse_annotation_object(rest[0]) if len(rest) == 1 else (None, None)
    if isinstance(tp, type):
        return None, tp
    return None, None


class _Resolver(dict):
    """Names a relationship() string may use: the registry's classes and tables, the
    module's globals, and the expression helpers."""

    def __init__(self, registry: Any, module: Any) -> None:
        super().__init__()
        self._registry = registry
        self._module = module

    def __missing__(self, name: str) -> Any:
        classes = getattr(self._registry, "_class_registry", {})
        if name in classes:
            return classes[name]
        tables = self._registry.metadata.tables if self._registry is not None else {}
        if name in tables:
            return tables[name]
        if self._module is not None and name in vars(self._module):
            return vars(self._module)[name]
        from .. import sql

        helpers = {"foreign": foreign, "remote": remote, "and_": and_, "or_": sql.or_,
                   "not_": not_, "desc": sql.desc, "asc": sql.asc, "func": sql.func,
                   "text": sql.text, "literal_column": sql.literal_column, "null": sql.null,
                   "true": sql.true, "false": sql.false}
        if name in helpers:
            return helpers[name]
        raise NameError(name, name=name)


# -- the class attribute --------------------------------------------------------------


class RelationshipAttribute(QueryableAttribute):
    """``User.addresses``: the descriptor on instances, and joins/criteria in queries.

    A data descriptor: unlike columns, reading a relationship always passes through
    here, so that an unloaded one loads (or raises) on first access.
    """

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__.get(self.key, NO_VALUE)
        if value is NO_VALUE or value.__class__ is _Marker:
            from .strategies import load_on_access

            return load_on_access(self.prop, obj, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        from .collections import set_relationship

        set_relationship(self.prop, obj, value, None)

    def __delete__(self, obj: Any) -> None:
        from .collections import set_relationship

        prop = self.prop
        prop._ensure_configured()
        set_relationship(prop, obj, [] if prop.uselist else None, None)

    # -- expressions ----------------------------------------------------------------
    def __clause_element__(self) -> Any:
        prop = self.prop
        prop._ensure_configured()
        if prop.direction is MANYTOMANY:
            raise sa_exc.InvalidRequestError(
                f"{prop} is a many-to-many relationship; it has no single SQL expression"
            )
        return prop._join_condition(getattr(self, "_parent_selectable", None))

    @property
    def expression(self) -> Any:
        return self.__clause_element__()

    @property
    def type(self) -> Any:
        return None

    @property
    def entity(self) -> Any:
        self.prop._ensure_configured()
        return self.prop.mapper

    @property
    def mapper(self) -> Any:
        return self.entity

    @property
    def _from_objects(self) -> list:
        return [self._join_left()]

    def _join_target_and_onclause(self, target: Any = None) -> list:
        """For ``select(A).join(A.bs)`` / ``join(alias, A.bs)``: the [(FROM, ON), ...]
        hops from the parent to the target (two for many-to-many); see the compiler."""
        prop = self.prop
        prop._ensure_configured()
        target_sel = None
        if target is not None:
            target_sel = getattr(target, "_selectable", None)
            if target_sel is None and getattr(target, "_is_from_clause", False):
                target_sel = target
        if target_sel is None:
            target_sel = self._of_type_selectable()
        parent_sel = getattr(self, "_parent_selectable", None)
        return prop._join_hops(target_sel, parent_sel, getattr(self, "_and_criteria", None))

    def _join_left(self) -> Any:
        """Where ``join(A.bs)`` starts: A's table (or the alias it was taken from)."""
        selectable = getattr(self, "_parent_selectable", None)
        return selectable if selectable is not None else self.prop.parent.local_table

    def _join_key(self, binds: list) -> tuple:
        """Cache key of ``join(A.bs)``: the relationship, its of_type() and and_()."""
        of_type = self._of_type_selectable()
        criteria = getattr(self, "_and_criteria", None)
        parent = getattr(self, "_parent_selectable", None)  # taken from an aliased() class
        return ("relationship", id(self.prop),
                of_type._gen_key(binds) if of_type is not None else None,
                criteria._gen_key(binds) if criteria is not None else None,
                parent._gen_key(binds) if parent is not None else None)

    def _of_type_selectable(self) -> Any:
        return getattr(self, "_of_type", None)

    def of_type(self, entity: Any) -> RelationshipAttribute:
        clone = self._clone()
        selectable = getattr(entity, "_selectable", None)
        clone._of_type = selectable
        clone._of_type_entity = entity
        return clone

    def and_(self, *criteria: Any) -> RelationshipAttribute:
        clone = self._clone()
        existing = getattr(self, "_and_criteria", None)
        items = ([existing] if existing is not None else []) + list(criteria)
        clone._and_criteria = and_(*items)
        return clone

    def _clone(self) -> RelationshipAttribute:
        clone = RelationshipAttribute.__new__(RelationshipAttribute)
        clone.__dict__.update(self.__dict__)
        return clone

    def _column_for_key(self, key: str) -> Any:
        """filter_by() after join(A.bs) looks names up on the target."""
        entity = self.prop.entity.__clause_element__()
        selectable = self._of_type_selectable()
        aliased_entity = getattr(getattr(self, "_of_type_entity", None), "_entity", None)
        if aliased_entity is not None:  # of_type(aliased(...)): its columns, by key
            return aliased_entity._column_for_key(key)
        if selectable is not None:
            return selectable.c.get(entity._by_key[key].key) if key in entity._by_key else None
        return entity._column_for_key(key)

    def operate(self, op: Any, *other: Any, **kw: Any) -> Any:
        prop = self.prop
        prop._ensure_configured()
        if op is ops.eq or op is ops.ne:
            return self._compare(other[0], negate=op is ops.ne)
        raise NotImplementedError(
            f"Operator {op.name!r} is not supported on relationship {prop}; compare with == / "
            "!= an object or None, or use any(), has(), contains()"
        )

    def _compare(self, other: Any, negate: bool = False) -> Any:
        prop = self.prop
        if isinstance(other, RelationshipAttribute | ClauseElement):
            raise sa_exc.InvalidRequestError(
                f"Can't compare relationship {prop} to a SQL expression; compare to an object "
                "or None"
            )
        if prop.uselist:
            if other is None:
                clause = self.any()
                return clause if negate else not_(clause)
            raise sa_exc.InvalidRequestError(
                f"Can't compare a collection to an object or collection; use contains() to "
                f"test for membership (relationship {prop})"
            )
        if prop.direction is MANYTOONE:
            parent = getattr(self, "_parent_selectable", None)
            local = [_adapt(lc, parent) for lc, _ in prop.local_remote_pairs]
            if other is None:
                clauses = [lc.is_(None) if not negate else lc.isnot(None) for lc in local]
                return and_(*clauses) if not negate else _or(clauses)
            values = _values_for(prop.mapper, other, [rc for _, rc in prop.local_remote_pairs])
            clauses = [lc == BindParameter(None, v, lc.type, unique=True)
                       for lc, v in zip(local, values)]
            if negate:
                return _or([(lc != BindParameter(None, v, lc.type, unique=True)) | lc.is_(None)
                            for lc, v in zip(local, values)])
            return and_(*clauses)
        # one-to-one from the "one" side: EXISTS on the child
        clause = self.has() if other is None else self._target_is(other)
        return not_(clause) if (other is None) != negate else clause

    def _target_is(self, other: Any) -> Any:
        prop = self.prop
        values = _values_for(prop.mapper, other, [rc for _, rc in prop.local_remote_pairs])
        parent = getattr(self, "_parent_selectable", None)
        return and_(*[_adapt(lc, parent) == BindParameter(None, v, lc.type, unique=True)
                      for (lc, _), v in zip(prop.local_remote_pairs, values)])

    def contains(self, other: Any, **kw: Any) -> Any:
        prop = self.prop
        prop._ensure_configured()
        if not prop.uselist:
            raise sa_exc.InvalidRequestError(
                f"'contains' not implemented for scalar attributes; use == (relationship {prop})"
            )
        if prop.direction is MANYTOMANY:
            values = _values_for(prop.mapper, other, [tc for tc, _ in prop.secondary_pairs])
            inner = [sc == BindParameter(None, v, sc.type, unique=True)
                     for (_, sc), v in zip(prop.secondary_pairs, values)]
            inner += [lc == sc for lc, sc in prop.local_remote_pairs]
            return Exists().select_from(prop.secondary).where(*inner)
        return self._target_is(other)

    def any(self, criterion: Any = None, **kwargs: Any) -> Any:
        return self._exists(criterion, kwargs, "any")

    def has(self, criterion: Any = None, **kwargs: Any) -> Any:
        return self._exists(criterion, kwargs, "has")

    def _exists(self, criterion: Any, kwargs: dict, name: str) -> Any:
        prop = self.prop
        prop._ensure_configured()
        if name == "any" and not prop.uselist:
            raise sa_exc.InvalidRequestError(
                f"'any()' not implemented for scalar attributes. Use has(). ({prop})"
            )
        if name == "has" and prop.uselist:
            raise sa_exc.InvalidRequestError(
                f"'has()' not implemented for collections. Use any(). ({prop})"
            )
        target = prop.mapper.local_table
        parent = self._parent_selectable if getattr(self, "_parent_selectable", None) \
            is not None else prop.parent.local_table
        if target is parent:
            target = Alias(target, None)
            if criterion is not None or kwargs:
                raise sa_exc.InvalidRequestError(
                    f"{name}() with criteria on the self-referential relationship {prop} is not "
                    "supported by lightalchemy yet; join an aliased() class instead"
                )
        criteria = []
        if prop.direction is MANYTOMANY:
            froms = [prop.secondary, target]
            criteria += [_adapt(lc, parent) == sc for lc, sc in prop.local_remote_pairs]
            criteria += [_adapt(tc, target) == sc for tc, sc in prop.secondary_pairs]
        else:
            froms = [target]
            criteria.append(prop._join_condition(parent, target))
        if criterion is not None:
            criteria.append(criterion)
        for key, value in kwargs.items():
            criteria.append(getattr(prop.mapper.class_, key) == value)
        exists = Exists().select_from(*froms).where(*criteria)
        return exists

    def __repr__(self) -> str:
        return f"{self.class_.__name__}.{self.key}"

    __hash__ = object.__hash__


def _or(clauses: list) -> Any:
    from ..sql.elements import or_

    return or_(*clauses)


def _values_for(mapper: Any, obj: Any, columns: list) -> list:
    from .state import instance_state

    if getattr(type(obj), "__mapper__", None) is None:
        raise sa_exc.ArgumentError(
            f"Expected a {mapper.class_.__name__} instance to compare with, got {obj!r}"
        )
    state = instance_state(obj)
    d = obj.__dict__
    out = []
    for col in columns:
        key = mapper._column_to_prop[col].key
        value = d.get(key, NO_VALUE)
        if value is NO_VALUE and state.ident is not None:
            value = getattr(obj, key)
        out.append(None if value is NO_VALUE else value)
    return out


class _Marker:
    """A relationship value that is deliberately absent: loading it raises
    (``raiseload``).  Kept in ``obj.__dict__``, recognised by the descriptor."""

    __slots__ = ("strategy",)

    def __init__(self, strategy: str) -> None:
        self.strategy = strategy

    def __repr__(self) -> str:
        return f"<unloaded: {self.strategy}>"


RAISE = _Marker("raise")
RAISE_ON_SQL = _Marker("raise_on_sql")


def loaded_value(d: dict, key: str) -> Any:
    """The relationship's value in ``d``, or NO_VALUE when it is not loaded."""
    value = d.get(key, NO_VALUE)
    return NO_VALUE if value.__class__ is _Marker else value


def held_target(session: Any, prop: Any, values: Any) -> Any:
    """The state of the many-to-one target the Session holds for the key ``values``
    (in ``sync_pairs`` order), or None; needs ``prop._use_get``."""
    ident = [values[i] for i in prop._ident_index]
    state = session._identity_map._state_for(prop.mapper,
                                             ident[0] if len(ident) == 1 else tuple(ident))
    return state if state is not None and state() is not None else None


def target_in_identity_map(session: Any, prop: Any, d: dict) -> Any:
    """A many-to-one's target found without SQL, from the foreign key in ``d``: the
    object, None for a NULL key, NO_VALUE when it cannot be told."""
    if prop.direction is not MANYTOONE or not prop._use_get:
        return NO_VALUE
    values = [d.get(dest, NO_VALUE) for _, dest in prop.sync_pairs]
    if any(v is NO_VALUE for v in values):
        return NO_VALUE
    if any(v is None for v in values):
        return None
    state = held_target(session, prop, values)
    return state() if state is not None else NO_VALUE


def relationship(argument: Any = None, secondary: Any = None, **kw: Any) -> RelationshipProperty:
    """Link two mapped classes; see the README for what lightalchemy supports."""
    return RelationshipProperty(argument, secondary, **kw)


def backref(name: str, **kwargs: Any) -> tuple:
    return (name, kwargs)


def with_parent(instance: Any, prop: Any, from_entity: Any = None) -> Any:
    """Criterion selecting the objects related to ``instance`` through ``prop``."""
    attr = prop
    prop = getattr(attr, "prop", attr)
    prop._ensure_configured()
    if prop.direction is MANYTOMANY:
        values = _values_for(prop.parent, instance, [lc for lc, _ in prop.local_remote_pairs])
        inner = [sc == BindParameter(None, v, sc.type, unique=True)
                 for (_, sc), v in zip(prop.local_remote_pairs, values)]
        inner += [tc == sc for tc, sc in prop.secondary_pairs]
        return Exists().select_from(prop.secondary).where(*inner)
    target_sel = getattr(from_entity, "_selectable", None)
    local = [lc for lc, _ in prop.local_remote_pairs]
    values = _values_for(prop.parent, instance, local)
    return and_(*[_adapt(rc, target_sel) == BindParameter(None, v, rc.type, unique=True)
                  for (_, rc), v in zip(prop.local_remote_pairs, values)])

