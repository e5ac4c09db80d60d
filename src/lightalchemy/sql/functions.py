"""``func.<name>(...)``: SQL function calls, with known return types.

Also what wraps a call: ``.over()`` (a window), ``.filter()`` (an aggregate's
FILTER (WHERE ...)) and ``.within_group()`` (an ordered-set aggregate).
"""

from __future__ import annotations

from typing import Any

from .. import exc
from . import types as sqltypes
from .elements import (
    BindParameter,
    ClauseList,
    ColumnElement,
    _bind_for,
    _coerce_column,
    _coerce_order_by,
    _coerce_where,
    and_,
    literal_column,
)
from .selectable import Select

# the functions SQLAlchemy knows the type of; any other returns what the driver gives
_RETURN_TYPES: dict[str, Any] = {
    "count": sqltypes.Integer(),
    "char_length": sqltypes.Integer(),
    "now": sqltypes.DateTime(),
    "current_timestamp": sqltypes.DateTime(),
    "current_date": sqltypes.Date(),
    "current_time": sqltypes.Time(),
    "localtimestamp": sqltypes.DateTime(),
    "random": sqltypes.Float(),
    "concat": sqltypes.String(),
    "rank": sqltypes.Integer(),
    "dense_rank": sqltypes.Integer(),
    "percent_rank": sqltypes.Numeric(),
    "cume_dist": sqltypes.Numeric(),
}
_SAME_AS_ARG = {"max", "min", "sum", "coalesce"}
# ordered-set aggregates: their value is one of the ordered values, so of their type
_TYPE_OF_ORDERED = {"percentile_cont", "percentile_disc", "mode"}
_NO_PARENS = {"current_timestamp", "current_date", "current_time", "localtimestamp",
              "current_user", "localtime"}


class Function(ColumnElement):
    """A call of a named SQL function."""

    __visit_name__ = "function"

    def __init__(self, name: str, *args: Any, type_: Any = None, packagenames: tuple = ()) -> None:
        self.name = name
        self.packagenames = packagenames
        self.clauses = [_bind_for(a, None) if not hasattr(a, "__clause_element__")
                        else _coerce_column(a) for a in args]
        if type_ is not None:
            self.type = sqltypes.to_instance(type_)
        else:
            lower = name.lower()
            found = _RETURN_TYPES.get(lower)
            if found is not None:
                self.type = found
            elif lower in _SAME_AS_ARG and self.clauses:
                self.type = next((c.type for c in self.clauses
                                  if c.type is not sqltypes.NULLTYPE), sqltypes.NULLTYPE)
            else:
                self.type = sqltypes.NULLTYPE
        self.key = name

    def _gen_key(self, binds: list) -> Any:
        return ("fn", self.name, self.packagenames, tuple(c._gen_key(binds) for c in self.clauses),
                self.type._key)

    @property
    def _from_objects(self) -> list:
        return [f for c in self.clauses for f in c._from_objects]

    def _result_name(self) -> str | None:
        return self.name

    def select(self) -> Select:
        return Select(self)

    def scalar_table_valued(self, *a: Any, **kw: Any) -> Any:
        raise NotImplementedError("table-valued functions are not supported by lightalchemy yet")

    def filter(self, *criterion: Any) -> ColumnElement:
        """``count(x) FILTER (WHERE ...)``; no criteria: the call itself, as SQLAlchemy."""
        if not criterion:
            return self
        return FunctionFilter(self, *criterion)

    def over(self, *, partition_by: Any = None, order_by: Any = None, rows: Any = None,
             range_: Any = None, groups: Any = None) -> Over:
        return Over(self, partition_by=partition_by, order_by=order_by, rows=rows,
                    range_=range_, groups=groups)

    def within_group(self, *order_by: Any) -> WithinGroup:
        return WithinGroup(self, *order_by)


class Count(Function):
    def __init__(self, expression: Any = None, **kw: Any) -> None:
        if expression is None:
            expression = literal_column("*")
        super().__init__("count", expression, **kw)


class _FunctionGenerator:
    """``func.lower(x)``, ``func.count()``, ``func.my_schema.fn(x)``."""

    def __init__(self, names: tuple = ()) -> None:
        self.__names = names

    def __getattr__(self, name: str) -> _FunctionGenerator:
        if name.startswith("__"):
            raise AttributeError(name)
        if name.endswith("_"):
            name = name[:-1]
        return _FunctionGenerator((*self.__names, name))

    def __call__(self, *args: Any, **kwargs: Any) -> Function:
        *packages, name = self.__names
        if not packages and name.lower() == "count":
            return Count(*args, **kwargs)
        return Function(name, *args, packagenames=tuple(packages), **kwargs)


func = _FunctionGenerator()


def _by_list(value: Any) -> list:
    """PARTITION BY / ORDER BY items: one expression or a list of them."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [_coerce_order_by(item) for item in items]


def _frame_bound(value: Any) -> Any:
    """One end of a frame: None (UNBOUNDED), 0 (CURRENT ROW) or an offset as a bound
    value, negative meaning PRECEDING, as SQLAlchemy takes them."""
    if value is None:
        return None
    expected = (f"Integer or None expected for range value, got {value!r}; a frame end is "
                "None (unbounded), 0 (current row), negative (preceding) or positive "
                "(following).")
    try:
        number = int(value)
    except ValueError:  # a string that is no number: ArgumentError, as SQLAlchemy
        raise exc.ArgumentError(expected) from None
    except TypeError:  # no number at all: SQLAlchemy lets int()'s TypeError through
        raise TypeError(expected) from None
    if number == 0:
        return 0
    return (number < 0, BindParameter(None, abs(number), sqltypes.Integer(), unique=True))


def _frame(rows: Any, range_: Any, groups: Any) -> tuple | None:
    """``(keyword, lower, upper)`` of the one frame given, or None."""
    given = [(kw, v) for kw, v in (("ROWS", rows), ("RANGE", range_), ("GROUPS", groups))
             if v is not None]
    if not given:
        return None
    if len(given) > 1:
        raise exc.ArgumentError(
            "only one of 'rows', 'range_', or 'groups' may be provided to over(); "
            "a window has one frame."
        )
    keyword, bounds = given[0]
    if not isinstance(bounds, tuple) or len(bounds) != 2:
        raise exc.ArgumentError(
            f"2-tuple expected for range/rows, got {bounds!r}; write e.g. rows=(None, 0) "
            "for ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW."
        )
    return keyword, _frame_bound(bounds[0]), _frame_bound(bounds[1])


def _bound_key(bound: Any, binds: list) -> Any:
    if bound is None or bound == 0:
        return bound
    return (bound[0], bound[1]._gen_key(binds))


class Over(ColumnElement):
    """``fn(...) OVER (PARTITION BY ... ORDER BY ... frame)``: a window function call."""

    __visit_name__ = "over"

    def __init__(self, element: Any, partition_by: Any = None, order_by: Any = None,
                 rows: Any = None, range_: Any = None, groups: Any = None) -> None:
        self.element = _coerce_column(element)
        self._partition_by = _by_list(partition_by)
        self._order_by = _by_list(order_by)
        self.frame = _frame(rows, range_, groups)
        self.type = self.element.type

    @property
    def partition_by(self) -> Any:
        return ClauseList(*self._partition_by) if self._partition_by else None

    @property
    def order_by(self) -> Any:
        return ClauseList(*self._order_by) if self._order_by else None

    def _gen_key(self, binds: list) -> Any:
        frame = self.frame
        frame_key = None if frame is None else (
            frame[0], _bound_key(frame[1], binds), _bound_key(frame[2], binds))
        return ("over", self.element._gen_key(binds),
                tuple(p._gen_key(binds) for p in self._partition_by),
                tuple(o._gen_key(binds) for o in self._order_by), frame_key)

    @property
    def _from_objects(self) -> list:
        return [f for c in (self.element, *self._partition_by, *self._order_by)
                for f in c._from_objects]


class FunctionFilter(ColumnElement):
    """``fn(...) FILTER (WHERE ...)``: an aggregate over the rows that match only."""

    __visit_name__ = "funcfilter"

    def __init__(self, func: Any, *criterion: Any) -> None:
        self.func = func
        self.criterion = and_(*[_coerce_where(c) for c in criterion])
        self.type = func.type

    def filter(self, *criterion: Any) -> FunctionFilter:
        """More criteria, joined with AND to those already given."""
        if not criterion:
            return self
        return FunctionFilter(self.func, self.criterion, *criterion)

    def over(self, *, partition_by: Any = None, order_by: Any = None, rows: Any = None,
             range_: Any = None, groups: Any = None) -> Over:
        return Over(self, partition_by=partition_by, order_by=order_by, rows=rows,
                    range_=range_, groups=groups)

    def _gen_key(self, binds: list) -> Any:
        return ("funcfilter", self.func._gen_key(binds), self.criterion._gen_key(binds))

    @property
    def _from_objects(self) -> list:
        return self.func._from_objects + self.criterion._from_objects


class WithinGroup(ColumnElement):
    """``fn(...) WITHIN GROUP (ORDER BY ...)``: an ordered-set aggregate (PostgreSQL)."""

    __visit_name__ = "withingroup"

    def __init__(self, element: Any, *order_by: Any) -> None:
        self.element = element
        self._order_by = _by_list(list(order_by))
        name = getattr(element, "name", "").lower()
        if name in _TYPE_OF_ORDERED and self._order_by:
            self.type = self._order_by[0].type
        else:
            self.type = element.type

    def over(self, *, partition_by: Any = None, order_by: Any = None, rows: Any = None,
             range_: Any = None, groups: Any = None) -> Over:
        return Over(self, partition_by=partition_by, order_by=order_by, rows=rows,
                    range_=range_, groups=groups)

    def filter(self, *criterion: Any) -> ColumnElement:
        if not criterion:
            return self
        return FunctionFilter(self, *criterion)

    def _gen_key(self, binds: list) -> Any:
        return ("withingroup", self.element._gen_key(binds),
                tuple(o._gen_key(binds) for o in self._order_by))

    @property
    def _from_objects(self) -> list:
        return self.element._from_objects + [
            f for o in self._order_by for f in o._from_objects]


def over(element: Any, partition_by: Any = None, order_by: Any = None, range_: Any = None,
         rows: Any = None, groups: Any = None) -> Over:
    """``over(func.rank(), order_by=...)``: the same as ``func.rank().over(order_by=...)``."""
    return Over(element, partition_by=partition_by, order_by=order_by, rows=rows,
                range_=range_, groups=groups)


def funcfilter(func: Any, *criterion: Any) -> FunctionFilter:
    return FunctionFilter(func, *criterion)


def within_group(element: Any, *order_by: Any) -> WithinGroup:
    return WithinGroup(element, *order_by)


def coalesce(*args: Any) -> Function:
    return func.coalesce(*args)
