"""Rows → objects through loaders generated once per mapper and column layout.

Benchmarks: ``load_all``, ``get_by_pk``, ``filter_query`` (benchmarks/).
A loader probes the identity map with a plain tuple key, builds new objects
without calling ``__init__`` and writes values straight into ``__dict__``.
"""

from __future__ import annotations

from typing import Any

from .._util import gcpause
from .._util.codegen import build
from ..sql.elements import BindParameter
from ..sql.selectable import Select
from . import exc as orm_exc
from .base import STATE_KEY
from .state import InstanceState, _object_gone


def _fill_missing(state: InstanceState, obj: Any, row: Any, start: int, refresh: bool,
                  processors: list, props: list) -> None:
    """Complete an object already in the identity map from a fresh row."""
    d = obj.__dict__
    if refresh and state.committed_state is not None:
        # populate_existing: the row wins, so nothing is pending any more
        state.committed_state = None
        state._strong = None
        if state.session is not None:
            state.session._modified.discard(state)
    for i, prop in enumerate(props):
        key = prop.key
        if key in d and not refresh:
            continue
        value = row[start + i]
        if processors[i] is not None and value is not None:
            value = processors[i](value)
        d[key] = value


def _gc_paused(load: Any) -> Any:
    """The loader, with the garbage collector paused for large batches (see
    ``_util.gcpause``; in ``load_all`` the collector took two thirds of the time)."""

    def load_batch(rows: list, session: Any, refresh: bool) -> list:
        with gcpause.paused(len(rows)):
            return load(rows, session, refresh)

    load_batch.__wrapped__ = load  # type: ignore[attr-defined]
    load_batch.__source__ = load.__source__  # type: ignore[attr-defined]
    return load_batch


def loader_for(mapper: Any, dialect: Any, start: int = 0, keys: Any = None) -> Any:
    """A function ``load(rows, session, refresh) -> [objects]``, cached per mapper.

    ``keys`` names the attributes the rows hold (load_only, deferred columns), in
    mapper order; None means all of them."""
    cache_key = ("loader", dialect.name, start, keys)
    found = mapper._caches.get(cache_key)
    if found is not None:
        return found
    cls = mapper.class_
    props = list(mapper._props.values()) if keys is None else [mapper._props[k] for k in keys]
    processors = [p.column.type._processors(dialect)[1] for p in props]
    pk_index = [start + props.index(mapper._props[k]) for k in mapper._pk_keys]
    if len(pk_index) == 1:
        key_expr = f"row[{pk_index[0]}]"
    else:
        key_expr = "(" + ", ".join(f"row[{i}]" for i in pk_index) + ",)"
    lines = [
        "def load(rows, session, refresh):",
        "    imap = session._identity_map._map_for(mapper)",
        "    imap_get = imap.get",
        "    out = []",
        "    append = out.append",
        "    for row in rows:",
        f"        key = {key_expr}",
        "        state = imap_get(key)",
        "        if state is not None:",
        "            obj = state()",
        "            if obj is not None:",
        "                if refresh or not issubset(obj.__dict__):",
        f"                    fill(state, obj, row, {start}, refresh, processors, props)",
        "                append(obj)",
        "                continue",
        "        obj = new(cls)",
        "        st = State(obj, gone)",
        "        st.mapper = mapper",
        "        st.ident = key",
        "        st.session = session",
        "        st.committed_state = None",
        "        st._deleted = False",
        "        st._strong = None",
        "        d = obj.__dict__",
        f"        d[{STATE_KEY!r}] = st",
    ]
    namespace: dict[str, Any] = {
        "cls": cls, "mapper": mapper, "new": object.__new__,
        "State": InstanceState, "gone": _object_gone,
        "fill": _fill_missing, "issubset": frozenset(p.key for p in props).issubset,
        "processors": processors, "props": props,
    }
    for i, (prop, processor) in enumerate(zip(props, processors)):
        column = f"row[{start + i}]"
        if processor is not None:
            namespace[f"p{i}"] = processor
            lines.append(f"        v = {column}")
            lines.append(f"        d[{prop.key!r}] = p{i}(v) if v is not None else None")
        else:
            lines.append(f"        d[{prop.key!r}] = {column}")
    lines.append("        imap[key] = st")
    if mapper._reconstructor is not None:
        lines.append(f"        obj.{mapper._reconstructor}()")
    lines += ["        append(obj)", "    return out", ""]
    load = _gc_paused(build(f"load_{cls.__name__}", "\n".join(lines).replace(
        "def load(", f"def load_{cls.__name__}("), namespace))
    mapper._caches[cache_key] = load
    return load


def _pk_select(mapper: Any, columns: list) -> Select:
    stmt = Select(*columns)
    for i, col in enumerate(mapper.primary_key):
        stmt = stmt.where(col == BindParameter(f"pk_{i}", None, col.type, required=True))
    return stmt


def _compiled_pk_select(mapper: Any, dialect: Any, columns: tuple) -> Any:
    key = ("pk_select", dialect.name, columns)
    found = mapper._caches.get(key)
    if found is None:
        stmt = _pk_select(mapper, list(columns))
        compiled, binds = stmt._compile_for(dialect)
        if len(compiled.positions) == len(mapper.primary_key):
            pk_processors: Any = [c.type._processors(dialect)[0] for c in mapper.primary_key]
        else:
            # column_property() expressions bind values of their own (' ' in first || ' '
            # || last): the compiler places them among the key's
            pk_processors = _ParamsWithConstants(compiled, binds)
        found = mapper._caches[key] = (compiled.sql, pk_processors)
    return found


class _ParamsWithConstants:
    """Parameters of a primary-key SELECT whose columns carry bound values."""

    def __init__(self, compiled: Any, binds: list) -> None:
        self.compiled = compiled
        self.binds = binds

    def __call__(self, ident: tuple) -> list:
        return self.compiled.construct_params(
            self.binds, {f"pk_{i}": v for i, v in enumerate(ident)})


def _pk_params(processors: Any, ident: tuple) -> list:
    if processors.__class__ is _ParamsWithConstants:
        return processors(ident)
    return [p(v) if p is not None and v is not None else v for p, v in zip(processors, ident)]


def get_by_identity(session: Any, mapper: Any, ident: tuple) -> Any:
    """SELECT one object by primary key; None when there is no such row."""
    conn = session._connection()
    dialect = conn.dialect
    keys = mapper._default_keys
    columns = tuple(mapper._columns) if keys is None else tuple(
        mapper._props[k].column for k in keys)
    sql, processors = _compiled_pk_select(mapper, dialect, columns)
    cursor = conn._run(sql, _pk_params(processors, ident), False, key_read=True)
    rows = cursor.fetchall()
    cursor.close()
    if not rows:
        return None
    return loader_for(mapper, dialect, 0, keys)(rows, session, False)[0]


def load_unloaded(session: Any, state: InstanceState, obj: Any, key: str | None = None) -> None:
    """Load every unloaded column of a persistent object in one SELECT (columns
    deferred by the mapping only when ``key`` is one of them)."""
    mapper = state.mapper
    d = obj.__dict__
    missing = [p for p in mapper._props.values() if p.key not in d]
    if not missing:
        return
    session._autoflush()  # as SQLAlchemy: the load sees pending changes (a DELETE too)
    if state._deleted:
        raise orm_exc.ObjectDeletedError(state)
    missing = [p for p in mapper._props.values() if p.key not in d and (
        not p.deferred or p.key == key or key is None)]
    if not missing:
        return
    conn = session._connection()
    dialect = conn.dialect
    columns = tuple(p.column for p in missing)
    sql, processors = _compiled_pk_select(mapper, dialect, columns)
    cursor = conn._run(sql, _pk_params(processors, state.identity), False,
                       key_read=True)
    row = cursor.fetchone()
    cursor.close()
    if row is None:
        raise orm_exc.ObjectDeletedError(state)
    for prop, value in zip(missing, row):
        processor = prop.column.type._processors(dialect)[1]
        if processor is not None and value is not None:
            value = processor(value)
        d[prop.key] = value


def refresh_state(session: Any, state: InstanceState, obj: Any,
                  attribute_names: list | None = None) -> None:
    """Overwrite the given (or all) attributes with the row's current values."""
    from .. import exc as sa_exc

    mapper = state.mapper
    if attribute_names:
        for name in attribute_names:
            if name not in mapper._attr_key_set:
                raise sa_exc.InvalidRequestError(
                    f"{mapper.class_.__name__} has no attribute {name!r} to refresh; "
                    f"its attributes are {', '.join(mapper._attr_keys)}"
                )
        props = [mapper._props[n] for n in attribute_names]
    else:
        props = list(mapper._props.values())
    conn = session._connection()
    dialect = conn.dialect
    sql, processors = _compiled_pk_select(mapper, dialect, tuple(p.column for p in props))
    cursor = conn._run(sql, _pk_params(processors, state.identity), False,
                       key_read=True)
    row = cursor.fetchone()
    cursor.close()
    if row is None:
        raise sa_exc.InvalidRequestError(
            f"Could not refresh instance '{state._describe()}': its row is gone from the "
            "database."
        )
    d = obj.__dict__
    committed = state.committed_state
    for prop, value in zip(props, row):
        processor = prop.column.type._processors(dialect)[1]
        if processor is not None and value is not None:
            value = processor(value)
        d[prop.key] = value
        if committed:
            committed.pop(prop.key, None)
    if committed is not None and not committed:
        state._commit_all()
        session._modified.discard(state)
