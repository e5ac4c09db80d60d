"""ORM-enabled SELECT: mapped classes in select(), executed into objects."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from .. import exc as sa_exc
from ..engine.result import Result, _Source, _WholeSource, row_class
from ..sql.compiler import result_key
from ..sql.elements import ClauseElement
from .loading import loader_for


class EntityElement(ClauseElement):
    """A mapped class inside ``select()``: expands to its columns, loads as objects."""

    __visit_name__ = "entity"
    _is_entity = True

    #: aliased(cls, subquery): attribute key -> the subquery's column for it (None for
    #: the table and its plain aliases, whose columns go by the same keys)
    _adapted: dict | None = None
    #: aliased(cls, subquery) whose subquery lacks a primary key column: that column
    _missing_pk: Any = None

    def __init__(self, mapper: Any, selectable: Any = None, keys: Any = None,
                 adapted: dict | None = None, name: str | None = None) -> None:
        self.mapper = mapper
        # the table, or an alias of it (aliased()): same columns, another name in SQL
        self.selectable = selectable if selectable is not None else mapper.local_table
        if adapted is not None:
            self._init_adapted(mapper, selectable, keys, adapted, name)
            return
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

    def _init_adapted(self, mapper: Any, selectable: Any, keys: Any, adapted: dict,
                      name: str | None) -> None:
        """A class mapped onto a subquery: it loads the attributes the subquery has
        (a column it lacks loads on access, as with from_statement()); without its
        primary key no object can be identified, which execution reports."""
        self._adapted = adapted
        self._name = name
        self._by_key = dict(adapted)
        props = mapper._props
        if keys is None:
            keys = [k for k in mapper._attr_keys if not props[k].deferred]
        loaded = tuple(k for k in keys if k in adapted)
        self._keys = None if loaded == mapper._attr_keys else loaded
        self._columns = [adapted[k] for k in loaded]
        missing = [k for k in mapper._pk_keys if k not in adapted]
        if missing:
            self._missing_pk = props[missing[0]].column

    def _with_keys(self, keys: Any) -> EntityElement:
        """The same entity loading only ``keys`` (in mapper order)."""
        if self._adapted is not None:
            return EntityElement(self.mapper, self.selectable, keys, self._adapted, self._name)
        selectable = None if self.selectable is self.mapper.local_table else self.selectable
        return EntityElement(self.mapper, selectable, keys)

    @property
    def key(self) -> str | None:
        """Its key in result rows: the class name, or the name given to ``aliased()``
        (a class mapped onto a subquery has none unless named, as in SQLAlchemy)."""
        if self._adapted is not None:
            return self._name
        selectable = self.selectable
        if selectable is not self.mapper.local_table:
            # aliased(User) without name= has no key, as in SQLAlchemy
            return None if selectable._anonymous else selectable.name
        return self.mapper.class_.__name__

    def _gen_key(self, binds: list) -> Any:
        if self.selectable is self.mapper.local_table:
            return ("entity", self.mapper, self._keys)
        if self._adapted is not None:  # which subquery columns (adapt_on_names may differ)
            return ("entity", self.mapper, self.selectable._gen_key(binds), self._keys,
                    tuple(id(c) for c in self._columns))
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


_ALIASED_SUBQUERY_FIX = ("the subquery given to aliased() must select the primary key "
                         "(e.g. select(Model) or add the column to its select()).")


def is_orm_select(statement: Any) -> bool:
    return any(getattr(raw, "_is_entity", False)
               for raw in getattr(statement, "_raw_columns", ())) or \
        getattr(statement, "_is_from_statement", False)


def execute_select(session: Any, statement: Any, params: Any, options: dict) -> Result:
    """Run a select() whose columns include mapped classes; rows hold objects.

    Relationships that load eagerly (options, or ``lazy=`` on the relationship)
    are planned per entity: joined ones add a LEFT OUTER JOIN and columns to the
    statement, selectin ones run after each batch of rows (``strategies``)."""
    if getattr(statement, "_is_from_statement", False):
        return _execute_from_statement(session, statement, params, options)
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
            if raw._missing_pk is not None:
                cursor.close()
                raise _no_such_column(raw._missing_pk, _ALIASED_SUBQUERY_FIX)
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
    whole = eager is not None and eager.joined_collections
    return _orm_result(session, conn, cursor, compiled, plan, keys, options, refresh, whole)


def _orm_result(session: Any, conn: Any, cursor: Any, compiled: Any, plan: list, keys: list,
                options: dict, refresh: bool, whole: bool) -> Result:
    """The Result of an ORM query: ``plan`` says what each row position becomes."""
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


# -- from_statement(): entities loaded from a statement written elsewhere --------------------


def _execute_from_statement(session: Any, statement: Any, params: Any, options: dict) -> Result:
    """Run the statement as it is, then load the entities from its rows.

    Each row is first rearranged into the layout the loaders read (entity columns
    in mapper order, then plain columns), so objects go through the identity map
    exactly as in any other load.  Eager loading options do not apply here."""
    conn = session._connection()
    dialect = conn.dialect
    compiled, binds = statement._compile_for(dialect)
    values = compiled.construct_params(binds, params if isinstance(params, dict) else None)
    cursor = conn._run(compiled.sql, values, False, conn._streams(options))
    try:
        locate = _column_locator(statement.element,
                                 [d[0] for d in cursor.description or ()])
        positions, plan, keys = _from_statement_plan(statement._raw_columns, locate, dialect)
    except BaseException:
        cursor.close()
        raise
    refresh = bool(options.get("populate_existing"))
    return _orm_result(session, conn, _Rearranged(cursor, positions), compiled, plan, keys,
                       options, refresh, False)


def _from_statement_plan(raw_columns: list, locate: Any, dialect: Any) -> tuple:
    """(row positions to read, in loader order; the load plan; the row keys)."""
    positions: list = []
    plan: list = []
    keys: list = []
    for raw in raw_columns:
        if getattr(raw, "_is_entity", False):
            mapper = raw.mapper
            wanted = raw._keys if raw._keys is not None else tuple(mapper._props)
            found = []
            for key in wanted:
                index = locate(raw._by_key[key])
                if index is None and key in mapper._pk_keys:
                    raise _no_such_column(raw._by_key[key])
                if index is not None:  # a column the statement lacks stays unloaded
                    found.append(key)
                    positions.append(index)
            loaded = None if raw._keys is None and len(found) == len(wanted) else tuple(found)
            plan.append(("entity", loader_for(mapper, dialect, len(positions) - len(found),
                                              loaded)))
            keys.append(raw.key)
        else:
            index = locate(raw)
            if index is None:
                raise _no_such_column(raw)
            plan.append(("column", len(positions), raw.type._processors(dialect)[1]))
            positions.append(index)
            keys.append(result_key(raw, keys))
    return positions, plan, keys


def _column_locator(element: Any, names: list) -> Any:
    """``locate(column) -> row position or None``.  A select() or text().columns()
    says which column each position is; plain text only names them, so by name (as
    the database spells it, else ignoring case)."""
    selected = element._result_columns() if hasattr(element, "_result_columns") else []
    exact: dict = {}
    folded: dict = {}
    for index, name in enumerate(names):
        exact.setdefault(name, index)
        folded.setdefault(name.lower(), index)

    def locate(column: Any) -> int | None:
        for index, candidate in enumerate(selected):
            if candidate is column and index < len(names):
                return index
        name = getattr(column, "name", None)
        if name is None:
            return None
        found = exact.get(name)
        return found if found is not None else folded.get(name.lower())

    return locate


_FROM_STATEMENT_FIX = "the statement given to from_statement() must select it (under that name)."


def _no_such_column(column: Any, fix: str = _FROM_STATEMENT_FIX) -> Exception:
    table = getattr(getattr(column, "table", None), "name", None)
    described = f"{table}.{column.name}" if table else str(column.name)
    return sa_exc.NoSuchColumnError(
        f"Could not locate column in row for column '{described}'; {fix}"
    )


class _Rearranged:
    """A cursor whose rows come out holding only ``positions``, in that order."""

    __slots__ = ("cursor", "pick", "description", "rowcount")

    def __init__(self, cursor: Any, positions: list) -> None:
        self.cursor = cursor
        getter = itemgetter(*positions) if positions else (lambda row: ())
        self.pick = getter if len(positions) != 1 else (lambda row: (getter(row),))
        self.description = cursor.description
        self.rowcount = cursor.rowcount

    def fetchall(self) -> list:
        return list(map(self.pick, self.cursor.fetchall()))

    def fetchmany(self, size: int) -> list:
        return list(map(self.pick, self.cursor.fetchmany(size)))

    def fetchone(self) -> Any:
        row = self.cursor.fetchone()
        return None if row is None else self.pick(row)

    def close(self) -> None:
        self.cursor.close()
