"""``func.<name>(...)``: SQL function calls, with known return types."""

from __future__ import annotations

from typing import Any

from . import types as sqltypes
from .elements import ColumnElement, _bind_for, _coerce_column, literal_column
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
}
_SAME_AS_ARG = {"max", "min", "sum", "coalesce"}
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

    def filter(self, *criterion: Any) -> Any:
        raise NotImplementedError("FILTER (WHERE ...) is not supported by lightalchemy yet")

    def over(self, **kw: Any) -> Any:
        raise NotImplementedError("window functions (over()) are not supported by lightalchemy yet")

    def within_group(self, *order_by: Any) -> Any:
        raise NotImplementedError("WITHIN GROUP is not supported by lightalchemy yet")


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


def coalesce(*args: Any) -> Function:
    return func.coalesce(*args)
