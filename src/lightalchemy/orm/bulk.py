"""ORM-enabled insert() / update() / delete() through ``Session.execute``.

The identity map is kept in step with what the statement did: for UPDATE
and DELETE the affected keys are selected first (the 'fetch' strategy, which
gives the same objects as 'evaluate' and 'auto'), then matching objects in
the session are updated in place or marked deleted.
"""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..sql.elements import BindParameter
from ..sql.selectable import Select

_STRATEGIES = ("auto", "evaluate", "fetch", False, None)


def execute_dml(session: Any, statement: Any, params: Any, options: dict) -> Any:
    mapper = statement.entity
    strategy = options.get("synchronize_session", "auto")
    if strategy not in _STRATEGIES:
        raise sa_exc.ArgumentError(
            f"Valid strategies for session synchronization are 'auto', 'evaluate', 'fetch', "
            f"False; got {strategy!r}"
        )
    conn = session._connection()
    if statement.__visit_name__ == "insert":
        return conn.execute(statement, params)
    keys: list = []
    if strategy is not False and statement._where is not None:
        finder = Select(*mapper.primary_key)
        if statement._where:
            finder = finder.where(*statement._where)
        keys = [tuple(row) for row in conn.execute(finder, params)]
    result = conn.execute(statement, params)
    if strategy is False or not keys:
        return result
    imap = session._identity_map
    single = len(mapper._pk_keys) == 1
    if statement.__visit_name__ == "delete":
        for ident in keys:
            state = imap._state_for(mapper, ident[0] if single else ident)
            if state is not None:
                obj = state.obj()
                imap._remove(state)
                state._deleted = True
                session._modified.discard(state)
                session._deleted.pop(state, None)
                session._flushed_deleted.append((state, obj))
        return result
    values = statement._values or {}
    literal = {}
    expire = []
    for column, value in values.items():
        prop = mapper._column_to_prop.get(column)
        if prop is None:
            continue
        if isinstance(value, BindParameter) and value.unique:
            literal[prop.key] = value.effective_value
        else:
            expire.append(prop.key)
    for ident in keys:
        state = imap._state_for(mapper, ident[0] if single else ident)
        if state is None:
            continue
        obj = state.obj()
        if obj is None:
            continue
        d = obj.__dict__
        for key, value in literal.items():
            d[key] = value
            if state.committed_state:
                state.committed_state.pop(key, None)
        for key in expire:
            d.pop(key, None)
    return result
