"""Eager loading inside one SELECT: joined loads (and contains_eager).

``EagerSetup`` reads a statement's loader options and each relationship's
``lazy=`` for every entity it selects.  A joined load adds an anonymous alias
of the related table (LEFT OUTER JOIN, or JOIN with ``innerjoin=True``) and
its columns after the statement's own; as rows arrive, each parent gets its
related object or collection from its rows.  Collections of one parent span
several rows, so a 2.0-style result must be made ``unique()`` (as SQLAlchemy
demands); legacy Query does it by itself.  Everything else that loads eagerly
(selectin) runs after each batch (``strategies.run_post_load``).
"""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..sql.selectable import Alias
from .base import NO_VALUE
from .collections import make_collection
from .loading import loader_for
from .relationships import MANYTOMANY, _adapt, loaded_value
from .strategies import check_roots, eager_steps, plan_for, run_post_load

_MISSING = object()


class _JoinedNode:
    """One joined (or contains_eager) relationship: where its columns are in the row."""

    def __init__(self, prop: Any, offset: int, selectable: Any, path: tuple,
                 keys: Any) -> None:
        self.prop = prop
        self.offset = offset
        self.selectable = selectable
        self.path = path
        self.keys = keys
        self.children: list = []
        self.post_steps: list = []
        mapper = prop.mapper
        loaded = list(keys) if keys is not None else list(mapper._attr_keys)
        self.pk_index = [offset + loaded.index(k) for k in mapper._pk_keys]

    def populate(self, parents: list, raw: list, session: Any, dialect: Any, refresh: bool,
                 seen: dict) -> None:
        prop = self.prop
        pk_index = self.pk_index
        rows_at = [i for i, row in enumerate(raw) if parents[i] is not None and
                   all(row[j] is not None for j in pk_index)]
        load = loader_for(prop.mapper, dialect, self.offset, self.keys)
        children = load([raw[i] for i in rows_at], session, refresh) if rows_at else []
        by_row: list = [None] * len(raw)
        for i, child in zip(rows_at, children):
            by_row[i] = child
        key = prop.key
        track = seen.setdefault(id(self), {})
        uselist = prop.uselist
        is_set = prop.collection_class is set
        for i, parent in enumerate(parents):
            if parent is None:
                continue
            pid = id(parent)
            entry = track.get(pid, _MISSING)
            d = parent.__dict__
            if entry is _MISSING:
                if refresh or loaded_value(d, key) is NO_VALUE:
                    if uselist:
                        coll = make_collection(prop, parent)
                        d[key] = coll
                        entry = (coll, set())
                    else:
                        entry = True
                else:
                    entry = None
                track[pid] = entry
            if entry is None:
                continue
            child = by_row[i]
            if uselist:
                coll, ids = entry
                if child is not None and id(child) not in ids:
                    ids.add(id(child))
                    if is_set:
                        set.add(coll, child)
                    else:
                        list.append(coll, child)
            else:
                d[key] = child
        for node in self.children:
            node.populate(by_row, raw, session, dialect, refresh, seen)
        if self.post_steps and children:
            run_post_load(session, children, self.post_steps, self.path, refresh)


class EagerSetup:
    """The eager plan of one statement: per selected entity, its joined nodes and the
    relationships to load after each batch; ``statement`` is the one to run."""

    def __init__(self, statement: Any, with_options: tuple, nested: Any, path: tuple) -> None:
        self.per_entity: dict = {}
        self.changed = False  # the statement to run differs from the one given
        self.joined_collections = False
        self._limited = statement._limit is not None or statement._offset is not None
        self._order_by: list = []
        plans = {}
        raw_columns = list(statement._raw_columns)
        if with_options:
            check_roots([r.mapper for r in raw_columns if getattr(r, "_is_entity", False)],
                        with_options)
        first = True
        for index, raw in enumerate(raw_columns):
            if not getattr(raw, "_is_entity", False):
                continue
            mapper = raw.mapper
            plan = plan_for(mapper, with_options)
            if first and nested is not None:
                plan = nested if plan is None else plan
            first = False
            plans[index] = plan
            keys = _loaded_keys(mapper, plan)
            if keys != raw._keys:  # load_only / defer / deferred columns
                raw_columns[index] = raw._with_keys(keys)
                self.changed = True
        if self.changed:
            statement = statement._generate()
            statement._raw_columns = raw_columns
        self.raw_columns = raw_columns
        self._statement = statement
        self._offset = _column_count(statement)
        for index, plan in plans.items():
            raw = raw_columns[index]
            mapper = raw.mapper
            steps = eager_steps(mapper, plan, path)
            if not steps:
                continue
            post, nodes = self._split(steps, raw.selectable, path)
            if post or nodes:
                self.per_entity[index] = (post, nodes, path)
        if self._order_by:
            self._statement = self._statement.order_by(*self._order_by)
        self.statement = self._statement

    def _split(self, steps: list, parent_sel: Any, path: tuple) -> tuple:
        post = []
        nodes = []
        for prop, strategy, nested, kw in steps:
            if strategy == "joined" and prop.uselist and self._limited:
                strategy = "selectin"  # LIMIT must count parents: load the collection apart
            if strategy == "joined":
                nodes.append(self._join(prop, nested, kw, parent_sel, path + (prop,)))
            elif strategy == "contains_eager":
                nodes.append(self._contains(prop, nested, kw, path + (prop,)))
            else:
                post.append((prop, strategy, nested, kw))
        return post, nodes

    def _node(self, prop: Any, selectable: Any, nested: Any, path: tuple) -> _JoinedNode:
        mapper = prop.mapper
        keys = _loaded_keys(mapper, nested)
        columns = mapper._columns if keys is None else [mapper._props[k].column for k in keys]
        node = _JoinedNode(prop, self._offset, selectable, path, keys)
        self._offset += len(columns)
        self._statement = self._statement.add_columns(*[_adapt(c, selectable) for c in columns])
        if prop.uselist:
            self.joined_collections = True
        self.changed = True
        steps = eager_steps(mapper, nested, path)
        node.post_steps, node.children = self._split(steps, selectable, path)
        return node

    def _join(self, prop: Any, nested: Any, kw: dict, parent_sel: Any,
              path: tuple) -> _JoinedNode:
        alias = Alias(prop.mapper.local_table, None)
        if prop.direction is MANYTOMANY:
            secondary = Alias(prop.secondary, None)
            hops = _m2m_hops(prop, parent_sel, secondary, alias)
        else:
            hops = prop._join_hops(alias, parent_sel)
        innerjoin = kw.get("innerjoin", prop.innerjoin)
        left = parent_sel
        for target, on in hops:
            self._statement = self._statement.join_from(left, target, on,
                                                        isouter=not innerjoin)
            left = target
        if prop.order_by:  # before the nested loads': outer collections order first
            self._order_by += [_adapt_order(o, prop.mapper.local_table, alias)
                               for o in prop.order_by]
        return self._node(prop, alias, nested, path)

    def _contains(self, prop: Any, nested: Any, kw: dict, path: tuple) -> _JoinedNode:
        attr = kw.get("_attr")
        selectable = getattr(attr, "_of_type_selectable", lambda: None)()
        alias = kw.get("alias")
        if alias is not None:
            selectable = getattr(alias, "_selectable", alias)
        if selectable is None:
            selectable = prop.mapper.local_table
        return self._node(prop, selectable, nested, path)

    def wrap(self, index: int, load: Any, session: Any, dialect: Any, refresh: bool) -> Any:
        post, nodes, path = self.per_entity[index]
        seen: dict = {}

        def load_with_eager(raw: list, session: Any, refresh: bool) -> list:
            objects = load(raw, session, refresh)
            for node in nodes:
                node.populate(objects, raw, session, dialect, refresh, seen)
            if post:
                run_post_load(session, objects, post, path, refresh)
            return objects

        return load_with_eager


def _m2m_hops(prop: Any, parent_sel: Any, secondary: Any, target: Any) -> list:
    from ..sql.elements import and_

    first = and_(*[_adapt(lc, parent_sel) == _adapt(sc, secondary)
                   for lc, sc in prop.local_remote_pairs])
    second = and_(*[_adapt(tc, target) == _adapt(sc, secondary)
                    for tc, sc in prop.secondary_pairs])
    return [(secondary, first), (target, second)]


def _adapt_order(clause: Any, table: Any, alias: Any) -> Any:
    """A relationship's order_by (a column, or desc(column)) against the alias."""
    if getattr(clause, "table", None) is table:
        return _adapt(clause, alias)
    element = getattr(clause, "element", None)
    if element is not None and getattr(element, "table", None) is table:
        from ..sql.elements import UnaryExpression

        if isinstance(clause, UnaryExpression):
            adapted = UnaryExpression.__new__(UnaryExpression)
            adapted.__dict__.update(clause.__dict__)
            adapted.element = _adapt(element, alias)
            return adapted
    raise sa_exc.InvalidRequestError(
        f"relationship order_by {clause} cannot be used with joined eager loading by "
        "lightalchemy yet; use selectinload() for this relationship"
    )


def _loaded_keys(mapper: Any, plan: Any) -> Any:
    """The attribute keys an entity loads under ``plan`` (None: every column)."""
    keys = plan.columns if plan is not None and plan.columns is not None else \
        mapper._default_keys
    if keys is not None and len(keys) == len(mapper._attr_keys):
        return None
    return tuple(keys) if keys is not None else None


def _column_count(statement: Any) -> int:
    count = 0
    for raw in statement._raw_columns:
        if getattr(raw, "_is_entity", False):
            count += len(raw._columns)
        else:
            expand = getattr(raw, "_select_columns", None)
            count += len(expand()) if expand is not None else 1
    return count
