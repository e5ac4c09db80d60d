"""ORM-enabled SELECT: mapped classes in select(), executed into objects."""

from __future__ import annotations

from typing import Any

from ..engine.result import Result, _Source, _WholeSource, row_class
from ..sql.compiler import result_key
from ..sql.elements import ClauseElement
from .loading import loader_for


class EntityElement(ClauseElement):
    """A mapped class inside ``select()``: expands to its columns, loads as objects."""

    __visit_name__ = "entity"
    _is_entity = True

    def __init__(self, mapper: Any, selectable: Any = None, keys: Any = None) -> None:
        self.mapper = mapper
        # the table, or an alias of it (aliased()): same columns, another name in SQL
        self.selectable = selectable if selectable is not None else mapper.local_table
        if selectable is not None and mapper._expr_keys:
            # column_property() expressions name the table, not the alias: an aliased
            # entity leaves them to load on access
            keys = [k for k in (keys if keys is not None else mapper._attr_keys)
                    if k not in mapper._expr_keys and (keys is not None or
                                                       not mapper._props[k].deferred)]
        # the attribute keys loaded (load_only/defer, deferred columns); None: all
        self._keys = tuple(keys) if keys is not None else None
        props = mapper._props
        loaded = [props[k].column for k in keys] if keys is not None else mapper._columns
        if selectable is None:
            self._columns = list(loaded)
            self._by_key = {key: prop.column for key, prop in props.items()}
        else:
            self._columns = [selectable.c[c.key] for c in loaded]
            self._by_key = {key: selectable.c[prop.column.key]
                            for key, prop in props.items() if not prop.is_expression}

    def _with_keys(self, keys: Any) -> EntityElement:
        """The same entity loading only ``keys`` (in mapper order)."""
        selectable = None if self.selectable is self.mapper.local_table else self.selectable
        return EntityElement(self.mapper, selectable, keys)

    @property
    def key(self) -> str:
        """Its key in result rows: the class name, or the name given to ``aliased()``."""
        selectable = self.selectable
        if selectable is not self.mapper.local_table and not selectable._anonymous:
            return selectable.name
        return self.mapper.class_.__name__

    def _gen_key(self, binds: list) -> Any:
        if self.selectable is self.mapper.local_table:
            return ("entity", self.mapper, self._keys)
        return ("entity", self.mapper, self.selectable._gen_key(binds), self._keys)

    def _select_columns(self) -> list:
        return list(self._columns)

    @property
    def _from_objects(self) -> list:
        return [self.selectable]

    def _column_for_key(self, key: str) -> Any:
        found = self._by_key.get(key)
        if found is None and self.selectable is self.mapper.local_table:
            # filter_by() of a hybrid or synonym: what the class attribute stands for
            descriptor = _class_descriptor(self.mapper.class_, key)
            if getattr(descriptor, "is_attribute", False) and hasattr(descriptor, "__get__"):
                return descriptor.__get__(None, self.mapper.class_)
        return found

    @property
    def entity_namespace(self) -> Any:
        return self.mapper.class_

    def __repr__(self) -> str:
        return f"<entity {self.mapper.class_.__name__}>"


def _class_descriptor(cls: type, key: str) -> Any:
    """The object stored under ``key`` in the class or its bases (not its ``__get__``)."""
    for klass in cls.__mro__:
        if key in klass.__dict__:
            return klass.__dict__[key]
    return None


def is_orm_select(statement: Any) -> bool:
    return any(getattr(raw, "_is_entity", False)
               for raw in getattr(statement, "_raw_columns", ()))


def execute_select(session: Any, statement: Any, params: Any, options: dict) -> Result:
    """Run a select() whose columns include mapped classes; rows hold objects.

    Relationships that load eagerly (options, or ``lazy=`` on the relationship)
    are planned per entity: joined ones add a LEFT OUTER JOIN and columns to the
    statement, selectin ones run after each batch of rows (``strategies``)."""
    conn = session._connection()
    dialect = conn.dialect
    refresh = bool(options.get("populate_existing"))
    eager = _eager_setup(statement, options)
    if eager is not None and eager.changed:
        statement = eager.statement
    compiled, binds = statement._compile_for(dialect)
    values = compiled.construct_params(binds, params if isinstance(params, dict) else None)
    cursor = conn._run(compiled.sql, values, False, conn._streams(options))
    # one entry per raw column: ("entity", loader, start) or ("column", index, processor)
    plan = []
    keys = []
    offset = 0
    raw_columns = eager.raw_columns if eager is not None else statement._raw_columns
    for index, raw in enumerate(raw_columns):
        if getattr(raw, "_is_entity", False):
            load = loader_for(raw.mapper, dialect, offset, raw._keys)
            if eager is not None and eager.per_entity.get(index):
                load = eager.wrap(index, load, session, dialect, refresh)
            plan.append(("entity", load))
            keys.append(raw.key)
            offset += len(raw._columns)
        else:
            expand = getattr(raw, "_select_columns", None)
            cols = expand() if expand is not None else [raw]
            for col in cols:
                _name, type_, _col = compiled.result_columns[offset]
                plan.append(("column", offset, type_._processors(dialect)[1]))
                keys.append(result_key(col, keys))  # entity columns are not keys
                offset += 1
    cls = row_class(tuple(keys))
    if len(plan) == 1 and plan[0][0] == "entity":
        load = plan[0][1]

        def make_scalars(raw: list, index: int) -> list:
            return load(raw, session, refresh)

        def make_rows(raw: list) -> list:
            return [cls((obj,)) for obj in load(raw, session, refresh)]
    else:
        def make_rows(raw: list) -> list:
            columns = []
            for kind, what, *rest in plan:
                if kind == "entity":
                    columns.append(what(raw, session, refresh))
                else:
                    processor = rest[0]
                    if processor is None:
                        columns.append([r[what] for r in raw])
                    else:
                        columns.append([processor(r[what]) if r[what] is not None else None
                                        for r in raw])
            return [cls(values) for values in zip(*columns)]

        make_scalars = None
    whole = eager is not None and eager.joined_collections
    source = _WholeSource(cursor) if whole else _Source(cursor)
    result = Result(source, keys, make_rows, make_scalars, compiled=compiled)
    if whole:
        result._require_unique = True
    yield_per = options.get("yield_per") or conn._execution_options.get("yield_per")
    if yield_per:
        result._yield_per = yield_per
    return result


def _eager_setup(statement: Any, options: dict) -> Any:
    """The eager-loading plan of a statement, or None when nothing loads eagerly."""
    with_options = statement._with_options
    nested = options.get("_la_plan")
    if not with_options and nested is None and not _needs_planning(statement):
        return None
    from .eager import EagerSetup

    setup = EagerSetup(statement, with_options, nested, options.get("_la_path", ()))
    return setup if setup.per_entity or setup.changed else None


def _needs_planning(statement: Any) -> bool:
    """Whether an entity selected has relationships or deferred columns."""
    for raw in statement._raw_columns:  # a loop: this runs for every ORM query
        if raw.__class__ is EntityElement and raw.mapper._eager_hint:
            return True
    return False
