"""How relationships load: on access (lazy), or eagerly with the query that loads
their parents (selectin: one more SELECT per relationship and batch; joined:
a LEFT OUTER JOIN in the same SELECT), and the loader options that choose.

Eager loading keeps the N+1 away: loading N parents and their collections
costs 2 statements with ``selectinload`` (per 500 parents) and 1 with
``joinedload``, against N+1 with lazy loading (tests/compat/test_relationship_counts.py).
"""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..sql.elements import BindParameter, and_, tuple_
from ..sql.selectable import Join, Select
from . import exc as orm_exc
from .base import NO_VALUE, STATE_KEY
from .collections import make_collection
from .relationships import (
    MANYTOMANY,
    MANYTOONE,
    RAISE,
    RAISE_ON_SQL,
    RelationshipAttribute,
    held_target,
    loaded_value,
    target_in_identity_map,
)

SELECTIN_BATCH = 500


# -- access ------------------------------------------------------------------------------


def load_on_access(prop: Any, obj: Any, current: Any) -> Any:
    """The value of an unloaded relationship: loaded now, or empty, or an error."""
    prop._ensure_configured()
    d = obj.__dict__
    key = prop.key
    if current is not NO_VALUE and current is RAISE:
        raise sa_exc.InvalidRequestError(
            f"'{prop}' is not available due to lazy='raise' (set by a raiseload() option); "
            "load it with selectinload()/joinedload() in the query that loads the object."
        )
    state = d.get(STATE_KEY)
    if state is None or state.ident is None:
        # transient or pending: nothing in the database yet; an empty collection is
        # stored only once it changes (so a flush that follows may still load it)
        return make_collection(prop, obj) if prop.uselist else None
    session = state.session
    if session is None:
        raise orm_exc.DetachedInstanceError(
            f"Parent instance {state._describe()} is not bound to a Session; lazy load "
            f"operation of attribute '{key}' cannot proceed: '{prop}' was not loaded before "
            "the object left its Session. Load it eagerly (selectinload()/joinedload() in "
            "the query), read it while the Session is open, or use expire_on_commit=False "
            "if the commit expired it. (Background on this error at: "
            "https://sqlalche.me/e/20/bhk3)"
        )
    strategy = prop.lazy
    if strategy == "raise_on_sql" or current is RAISE_ON_SQL:
        found = target_in_identity_map(session, prop, d)
        if found is not NO_VALUE:
            d[key] = found
            return found
        strategy = "raise"
    if strategy == "raise":
        raise sa_exc.InvalidRequestError(
            f"'{prop}' is not available due to lazy='raise'; load it with selectinload() or "
            "joinedload() in the query that loads the object."
        )
    if strategy == "noload":
        value = make_collection(prop, obj) if prop.uselist else None
        d[key] = value
        return value
    value = lazy_load(session, prop, state, obj)
    current = loaded_value(d, key)
    if current is not NO_VALUE:  # loading flushed, and the flush (or a backref) set it
        return current
    if prop.uselist:
        pending = session._pending_appends.get(state)
        extra = pending.pop(key, None) if pending else None
        if extra:  # backrefs set while it was not loaded (no flush since)
            value = list(value)
            value += [x for x in extra if all(x is not y for y in value)]
        value = make_collection(prop, obj, value)
    d[key] = value
    return value


def _parent_values(obj: Any, keys: list) -> list:
    return [getattr(obj, k) for k in keys]


def lazy_load(session: Any, prop: Any, state: Any, obj: Any) -> Any:
    """SELECT the related object(s) of one parent: a list, or an object or None."""
    if prop.direction is MANYTOONE:
        values = _parent_values(obj, [dest for _, dest in prop.sync_pairs])
        if any(v is None for v in values):
            return None
        if prop._use_get:
            found = held_target(session, prop, values)
            if found is not None:
                return None if found._deleted else found()
        result = session.execute(_lazy_statement(prop), _lazy_params(values))
        return result.scalars().first()
    if prop.direction is MANYTOMANY:
        values = _parent_values(obj, prop._parent_keys)
    else:
        values = _parent_values(obj, [src for src, _ in prop.sync_pairs])
    if any(v is None for v in values):
        return [] if prop.uselist else None
    found = session.execute(_lazy_statement(prop), _lazy_params(values)).scalars().all()
    if prop.uselist:
        return found
    return found[0] if found else None


def _lazy_params(values: list) -> dict:
    return {f"lazy_{i}": v for i, v in enumerate(values)}


def _lazy_statement(prop: Any) -> Select:
    """SELECT target WHERE <the join with the parent's values bound>, made once."""
    stmt = prop.__dict__.get("_lazy_stmt")
    if stmt is not None:
        return stmt
    target = prop.mapper
    stmt = Select(target.class_)
    if prop.direction is MANYTOMANY:
        secondary = prop.secondary
        on = and_(*[tc == sc for tc, sc in prop.secondary_pairs])
        stmt = stmt.select_from(Join(target.local_table, secondary, on))
        criteria = [sc == BindParameter(f"lazy_{i}", None, sc.type, required=True)
                    for i, (_, sc) in enumerate(prop.local_remote_pairs)]
    else:  # the remote columns equal the parent's values (its key, or its foreign key)
        criteria = [rc == BindParameter(f"lazy_{i}", None, rc.type, required=True)
                    for i, (_, rc) in enumerate(prop.local_remote_pairs)]
    stmt = stmt.where(*criteria, *prop._extra_criteria)
    if prop.order_by:
        stmt = stmt.order_by(*prop.order_by)
    prop.__dict__["_lazy_stmt"] = stmt
    return stmt


# -- loader options -------------------------------------------------------------------


class Load:
    """A loader option: which relationships of the loaded objects load how.

    ``selectinload(User.posts).selectinload(Post.tags)`` is one option holding
    two entries; each entry is (path of relationships, strategy, arguments).
    """

    _is_loader_option = True

    def __init__(self, entries: tuple = (), path: tuple = ()) -> None:
        self._entries = entries
        self._path = path

    def _add(self, strategy: str, attrs: tuple, **kw: Any) -> Load:
        entries = list(self._entries)
        path = self._path
        if strategy in ("load_only", "defer", "undefer"):
            entries.append((path, strategy, attrs, kw))
            return Load(tuple(entries), path)
        for attr in attrs:
            if isinstance(attr, str) and attr == "*":
                entries.append((path, strategy, "*", kw))
                continue
            if not isinstance(attr, RelationshipAttribute):
                raise orm_exc.LoaderStrategyException(
                    f"Can't apply the {strategy!r} loader strategy to {attr!r}, which is not a "
                    "relationship; column attributes take defer(), undefer() or load_only()."
                )
            new_path = path + (attr,)
            entries.append((new_path, strategy, attr, kw))
            path = new_path
        return Load(tuple(entries), path)

    def selectinload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("selectin", attrs, **kw)

    def subqueryload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("selectin", attrs, **kw)

    def immediateload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("selectin", attrs, **kw)

    def joinedload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("joined", attrs, **kw)

    def lazyload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("select", attrs, **kw)

    def raiseload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("raise", attrs, **kw)

    def noload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("noload", attrs, **kw)

    def contains_eager(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("contains_eager", attrs, **kw)

    def defaultload(self, *attrs: Any, **kw: Any) -> Load:
        return self._add("default", attrs, **kw)

    def load_only(self, *attrs: Any, raiseload: bool = False) -> Load:
        return self._add("load_only", attrs)

    def defer(self, *attrs: Any, raiseload: bool = False) -> Load:
        return self._add("defer", attrs)

    def undefer(self, *attrs: Any) -> Load:
        return self._add("undefer", attrs)

    def options(self, *options: Any) -> Load:
        entries = list(self._entries)
        for option in options:
            for path, strategy, attr, kw in option._entries:
                entries.append((self._path + path, strategy, attr, kw))
        return Load(tuple(entries), self._path)

    def __repr__(self) -> str:
        return f"<Load {[(tuple(map(repr, p)), s) for p, s, _, _ in self._entries]}>"


def _start(strategy: str, attrs: tuple, kw: dict) -> Load:
    return Load()._add(strategy, attrs, **kw)


def selectinload(*attrs: Any, **kw: Any) -> Load:
    return _start("selectin", attrs, kw)


def subqueryload(*attrs: Any, **kw: Any) -> Load:
    return _start("selectin", attrs, kw)


def immediateload(*attrs: Any, **kw: Any) -> Load:
    return _start("selectin", attrs, kw)


def joinedload(*attrs: Any, **kw: Any) -> Load:
    return _start("joined", attrs, kw)


def lazyload(*attrs: Any, **kw: Any) -> Load:
    return _start("select", attrs, kw)


def raiseload(*attrs: Any, **kw: Any) -> Load:
    return _start("raise", attrs, kw)


def noload(*attrs: Any, **kw: Any) -> Load:
    return _start("noload", attrs, kw)


def contains_eager(*attrs: Any, **kw: Any) -> Load:
    return _start("contains_eager", attrs, kw)


def defaultload(*attrs: Any, **kw: Any) -> Load:
    return _start("default", attrs, kw)


def load_only(*attrs: Any, raiseload: bool = False) -> Load:
    return _start("load_only", attrs, {})


def defer(*attrs: Any, raiseload: bool = False) -> Load:
    return _start("defer", attrs, {})


def undefer(*attrs: Any) -> Load:
    return _start("undefer", attrs, {})


# -- planning: which relationships of a loaded entity load eagerly -------------------


class LoadPlan:
    """For one entity of a query: per relationship (strategy, nested plan), and the
    column keys to load (None: all)."""

    __slots__ = ("mapper", "relationships", "columns", "wildcard")

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        self.relationships: dict = {}  # prop -> [strategy, LoadPlan or None, kw]
        self.columns: Any = None
        self.wildcard: str | None = None

    def child(self, prop: Any) -> LoadPlan:
        entry = self.relationships.get(prop)
        if entry is None:
            entry = self.relationships[prop] = ["default", None, {}]
        if entry[1] is None:
            entry[1] = LoadPlan(prop.mapper)
        return entry[1]


def check_roots(entities: list, options: tuple) -> None:
    """Every loader option must start at an entity the statement selects."""
    classes = {m.class_ for m in entities}
    for option in options:
        for path, _strategy, attr, _kw in getattr(option, "_entries", ()):
            root = _root_mapper(path, attr)
            if root is None or root is _ANY or root.class_ in classes:
                continue
            raise sa_exc.ArgumentError(
                f"Mapped class {root} does not apply to any of the root entities in this "
                f"query ({', '.join(str(m) for m in entities)}); start the option at a "
                "class the statement selects, e.g. selectinload(Parent.children)"
                ".selectinload(Child.more)."
            )


def plan_for(mapper: Any, options: tuple) -> LoadPlan | None:
    """The options of a statement that concern entity ``mapper``; None when none do."""
    plan = None
    for option in options:
        for path, strategy, attr, kw in getattr(option, "_entries", ()):
            root = _root_mapper(path, attr)
            if root is None or root is not mapper and not _same_class(root, mapper):
                continue
            if plan is None:
                plan = LoadPlan(mapper)
            node = plan
            if strategy in ("load_only", "defer", "undefer"):
                for step in path:
                    node = node.child(step.prop)
                _apply_columns(node, strategy, attr)
                continue
            if isinstance(attr, str) and attr == "*":
                for step in path:
                    node = node.child(step.prop)
                node.wildcard = strategy
                continue
            for step in path[:-1]:
                node = node.child(step.prop)
            prop = path[-1].prop
            prop._ensure_configured()
            entry = node.relationships.get(prop)
            if entry is None:
                node.relationships[prop] = [strategy, None, dict(kw, _attr=path[-1])]
            elif strategy != "default":
                entry[0] = strategy
                entry[2] = dict(kw, _attr=path[-1])
    return plan


def _same_class(a: Any, b: Any) -> bool:
    return a is _ANY or a.class_ is b.class_


_ANY = object()  # the root of raiseload("*"): every entity of the statement


def _root_mapper(path: tuple, attr: Any) -> Any:
    if path:
        return path[0].prop.parent
    if isinstance(attr, str) and attr == "*":
        return _ANY
    if isinstance(attr, tuple) and attr:
        first = attr[0]
        mapper = getattr(first, "parent", None)
        # an aliased() class's attribute: its parent is the alias, the option the mapper's
        return getattr(mapper, "_aliased_mapper", mapper)
    return None


def _apply_columns(node: LoadPlan, strategy: str, attrs: Any) -> None:
    mapper = node.mapper
    keys = []
    for attr in attrs:
        key = getattr(attr, "key", attr)
        if key not in mapper._props:
            if key in mapper._relationships:
                continue
            raise sa_exc.ArgumentError(
                f"{strategy}() names {attr!r}, which is not a column attribute of "
                f"{mapper.class_.__name__}"
            )
        keys.append(key)
    if strategy == "load_only":
        wanted = set(keys) | set(mapper._pk_keys)
        node.columns = [k for k in mapper._attr_keys if k in wanted]
    elif strategy == "defer":
        current = node.columns if node.columns is not None else _default_columns(mapper)
        deferred = set(keys) - set(mapper._pk_keys)
        node.columns = [k for k in current if k not in deferred]
    else:  # undefer
        current = node.columns if node.columns is not None else _default_columns(mapper)
        node.columns = [k for k in mapper._attr_keys if k in set(current) | set(keys)]


def _default_columns(mapper: Any) -> list:
    return [k for k, p in mapper._props.items() if not p.deferred]


def eager_steps(mapper: Any, plan: LoadPlan | None, path: tuple) -> list:
    """[(prop, strategy, nested plan, kw)] of the relationships that load with the
    entity's objects: from the options, else from each relationship's ``lazy=``."""
    steps = []
    chosen = plan.relationships if plan is not None else {}
    wildcard = plan.wildcard if plan is not None else None
    for prop in mapper._relationships.values():
        entry = chosen.get(prop)
        if entry is not None and entry[0] != "default":
            strategy, nested, kw = entry
        else:
            nested = entry[1] if entry is not None else None
            kw = {}
            strategy = wildcard or prop.lazy
            if strategy in ("selectin", "joined") and prop in path and prop.join_depth is None:
                continue  # a default eager load does not follow itself round a cycle
            if prop.join_depth is not None and path.count(prop) >= prop.join_depth:
                continue
        if strategy in ("selectin", "joined", "raise", "noload", "contains_eager"):
            steps.append((prop, strategy, nested, kw))
        elif nested is not None and (nested.relationships or nested.columns is not None):
            steps.append((prop, "nested", nested, kw))
    return steps


# -- running eager loads on a batch of loaded objects ------------------------------


def run_post_load(session: Any, objects: list, steps: list, path: tuple, refresh: bool) -> None:
    """After a batch of ``objects`` (one entity) loaded: selectin loads, raise/noload
    markers, and nested plans of relationships already loaded."""
    if not objects:
        return
    unique = list({id(o): o for o in objects if o is not None}.values())
    for prop, strategy, nested, _kw in steps:
        if strategy == "selectin":
            _selectin(session, prop, unique, nested, path + (prop,), refresh)
        elif strategy in ("raise", "noload"):
            key = prop.key
            for obj in unique:
                d = obj.__dict__
                if key not in d or refresh:
                    if strategy == "raise":
                        d[key] = RAISE_ON_SQL if _kw.get("sql_only") else RAISE
                    else:
                        d[key] = make_collection(prop, obj) if prop.uselist else None


def _selectin(session: Any, prop: Any, parents: list, nested: LoadPlan | None, path: tuple,
              refresh: bool) -> None:
    key = prop.key
    todo = [p for p in parents if refresh or loaded_value(p.__dict__, key) is NO_VALUE]
    if not todo:
        return
    options = {"_la_plan": nested, "_la_path": path}  # for the children's own loads
    if prop.direction is MANYTOONE:
        _selectin_many_to_one(session, prop, todo, options)
        return
    if prop.direction is MANYTOMANY:
        parent_keys = prop._parent_keys
    else:
        parent_keys = [src for src, _ in prop.sync_pairs]
    by_key: dict = {}
    for parent in todo:
        values = tuple(getattr(parent, k) for k in parent_keys)
        if None in values:
            continue
        by_key.setdefault(values if len(values) > 1 else values[0], []).append(parent)
    found: dict = {k: [] for k in by_key}
    keys = list(by_key)
    for start in range(0, len(keys), SELECTIN_BATCH):
        chunk = keys[start:start + SELECTIN_BATCH]
        if prop.direction is MANYTOMANY:
            secondary_cols = [sc for _, sc in prop.local_remote_pairs]
            stmt = Select(*secondary_cols, prop.mapper.class_).select_from(
                Join(prop.mapper.local_table, prop.secondary,
                     and_(*[tc == sc for tc, sc in prop.secondary_pairs])))
            stmt = stmt.where(_in(secondary_cols, chunk))
            if prop.order_by:
                stmt = stmt.order_by(*prop.order_by)
            rows = session.execute(stmt, execution_options=options).all()
            n = len(secondary_cols)
            for row in rows:
                k = tuple(row[:n]) if n > 1 else row[0]
                if k in found:
                    found[k].append(row[n])
        else:
            # the children's keys come as columns of their own: load_only() may leave
            # them out of the objects
            remote = [rc for _, rc in prop.local_remote_pairs]
            stmt = Select(*remote, prop.mapper.class_).where(_in(remote, chunk),
                                                              *prop._extra_criteria)
            if prop.order_by:
                stmt = stmt.order_by(*prop.order_by)
            n = len(remote)
            for row in session.execute(stmt, execution_options=options).all():
                k = tuple(row[:n]) if n > 1 else row[0]
                if k in found:
                    found[k].append(row[n])
    for k, owners in by_key.items():
        members = found.get(k, [])
        for parent in owners:
            d = parent.__dict__
            if not refresh and loaded_value(d, key) is not NO_VALUE:
                continue
            if prop.uselist:
                d[key] = make_collection(prop, parent, members)
            else:
                d[key] = members[0] if members else None
    for parent in todo:  # parents with a NULL key hold nothing
        d = parent.__dict__
        if loaded_value(d, key) is NO_VALUE:
            d[key] = make_collection(prop, parent) if prop.uselist else None


def _selectin_many_to_one(session: Any, prop: Any, parents: list, options: dict) -> None:
    key = prop.key
    local_keys = [dest for _, dest in prop.sync_pairs]
    target = prop.mapper
    wanted: dict = {}
    for parent in parents:
        values = tuple(getattr(parent, k) for k in local_keys)
        wanted.setdefault(values, []).append(parent)
    resolved: dict = {}
    missing = []
    remote_keys = [src for src, _ in prop.sync_pairs]
    for values in wanted:
        if None in values:
            resolved[values] = None
            continue
        if prop._use_get:
            state = held_target(session, prop, values)
            if state is not None and not state._deleted:
                resolved[values] = state()
                continue
        missing.append(values)
    remote = [rc for _, rc in prop.local_remote_pairs]
    for start in range(0, len(missing), SELECTIN_BATCH):
        chunk = missing[start:start + SELECTIN_BATCH]
        keys = [v if len(v) > 1 else v[0] for v in chunk]
        stmt = Select(target.class_).where(_in(remote, keys), *prop._extra_criteria)
        for obj in session.execute(stmt, execution_options=options).scalars().all():
            d = obj.__dict__
            resolved[tuple(d.get(k) for k in remote_keys)] = obj
    for values, owners in wanted.items():
        value = resolved.get(values)
        for parent in owners:
            parent.__dict__[key] = value


def _in(columns: list, keys: list) -> Any:
    if len(columns) == 1:
        return columns[0].in_(keys)
    return tuple_(*columns).in_(keys)
