"""Expression nodes: immutable once built, compiled by ``compiler.py``.

Every node can produce a *cache key*: a tuple describing its structure with
bound values replaced by their position in a list.  Two statements with the
same key compile to the same SQL, so the compiled form is reused and only the
values are read from the new statement.
"""

from __future__ import annotations

import decimal
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .. import exc
from . import operators as ops
from . import types as sqltypes

_anon_counter = itertools.count(1)


class ClauseElement:
    """Base of every SQL expression node."""

    __visit_name__ = "clause"
    _is_clause_element = True
    _is_select = False
    _is_dml = False
    _is_text = False
    _is_from_clause = False
    _execution_options: dict = {}

    # -- cache key ------------------------------------------------------
    def _gen_key(self, binds: list) -> Any:
        raise NotImplementedError(type(self).__name__)

    def _cache_key(self) -> tuple[Any, list]:
        binds: list = []
        return self._gen_key(binds), binds

    # -- structure ------------------------------------------------------
    @property
    def _from_objects(self) -> list:
        return []

    def self_group(self, against: ops.Operator | None = None) -> ClauseElement:
        return self

    def get_children(self) -> Iterable[ClauseElement]:
        return ()

    # -- compile and execute --------------------------------------------
    def compile(self, bind: Any = None, dialect: Any = None, **kw: Any) -> Any:
        from .compiler import compile_element

        if dialect is None and bind is not None:
            dialect = bind.dialect
        return compile_element(self, dialect, **kw)

    def __str__(self) -> str:
        return str(self.compile())

    def _execute_on_connection(self, connection: Any, params: Any, options: Any) -> Any:
        if not self._is_executable:
            raise exc.ObjectNotExecutableError(self)
        return connection._execute_clauseelement(self, params, options)

    _is_executable = False

    def _compile_for(self, dialect: Any, column_keys: tuple | None = None) -> Any:
        from .compiler import compile_cached

        return compile_cached(self, dialect, column_keys)

    def __bool__(self) -> bool:
        raise TypeError("Boolean value of this clause is not defined")

    def params(self, *optionaldict: Any, **kwargs: Any) -> ClauseElement:
        raise exc.InvalidRequestError(
            "ClauseElement.params() is not supported by lightalchemy; "
            "pass parameters to execute() instead."
        )


class ColumnElement(ops.ColumnOperators, ClauseElement):
    """An expression that yields a value: a column, a bound value, a function call…"""

    __visit_name__ = "column_element"
    type: sqltypes.TypeEngine = sqltypes.NULLTYPE
    key: str | None = None
    primary_key = False
    foreign_keys: Any = ()
    _label_name: str | None = None

    def __bool__(self) -> bool:
        raise TypeError("Boolean value of this clause is not defined")

    __hash__ = object.__hash__

    # -- operators ------------------------------------------------------
    def operate(self, op: ops.Operator, *other: Any, **kw: Any) -> ColumnElement:
        return _operate(self, op, other, kw)

    def reverse_operate(self, op: ops.Operator, other: Any, **kw: Any) -> ColumnElement:
        left = _bind_for(other, self.type)
        return _arithmetic(left, op, self)

    def label(self, name: str | None) -> Label:
        return Label(name, self, self.type)

    def cast(self, type_: Any) -> Cast:
        return Cast(self, type_)

    def self_group(self, against: ops.Operator | None = None) -> ColumnElement:
        return self

    @property
    def expression(self) -> ColumnElement:
        return self

    @property
    def comparator(self) -> ColumnElement:
        return self

    def _result_name(self) -> str | None:
        """The key a Row uses for this column when selected."""
        return self._label_name



def _bind_for(value: Any, type_: sqltypes.TypeEngine | None, key: str | None = None) -> ColumnElement:
    """Turn a Python value into a bound parameter; expressions pass through."""
    if isinstance(value, ClauseElement):
        return value  # type: ignore[return-value]
    clause = getattr(value, "__clause_element__", None)
    if clause is not None:
        return clause()
    if value is None:
        return Null()
    return BindParameter(key, value, type_, unique=True)


def _type_for_value(value: Any) -> sqltypes.TypeEngine:
    return sqltypes._type_for_python_value(value)


def _binary(left: Any, right: Any, op: ops.Operator, type_: sqltypes.TypeEngine,
            modifiers: dict | None = None) -> BinaryExpression:
    return BinaryExpression(left.self_group(op), right.self_group(op), op, type_, modifiers)


_NEGATE_NONE = {ops.eq: ops.is_, ops.ne: ops.is_not}
_NONE_COMPARISONS = (ops.eq, ops.ne, ops.is_, ops.is_not, ops.is_distinct_from,
                     ops.is_not_distinct_from)


def _operate(self: ColumnElement, op: ops.Operator, other: tuple, kw: dict) -> ColumnElement:
    if op.is_comparison:
        if op is ops.in_ or op is ops.not_in:
            return _in(self, op, other[0])
        if op is ops.between or op is ops.not_between:
            low = _bind_for(other[0], self.type)
            high = _bind_for(other[1], self.type)
            pair = ClauseList(low, high, operator=ops.and_)
            return BinaryExpression(self.self_group(op), pair, op, sqltypes.BOOLEANTYPE)
        value = other[0]
        if isinstance(value, ops._Pattern):
            value = _pattern_expression(value, self.type)
        elif isinstance(value, bool) and (op is ops.is_ or op is ops.is_not):
            value = True_() if value else False_()  # "IS true": no parameter may follow IS
        right = _bind_for(value, self.type, _parameter_base(self))
        if isinstance(right, Null | True_ | False_) and op not in _NONE_COMPARISONS:
            raise exc.ArgumentError(
                "Only '=', '!=', 'is_()', 'is_not()', 'is_distinct_from()', "
                "'is_not_distinct_from()' operators can be used with None/True/False"
            )
        if isinstance(right, Null) and op in _NEGATE_NONE:
            op = _NEGATE_NONE[op]
        modifiers = {"escape": kw["escape"]} if kw.get("escape") else None
        if op is ops.regexp_match or op is ops.not_regexp_match:
            # untyped, as SQLAlchemy's: SQLite's REGEXP function answers 1 or 0
            flags = kw.get("flags")
            return _binary(self, right, op, sqltypes.NullType(),
                           {"flags": _regexp_flags(flags)} if flags else None)
        return _binary(self, right, op, sqltypes.BOOLEANTYPE, modifiers)
    if op is ops.getitem:
        getitem = getattr(self.type, "_getitem", None)
        if getitem is None:
            raise NotImplementedError(
                f"Operator 'getitem' is not supported on this expression (type "
                f"{type(self.type).__name__}); only JSON expressions can be indexed")
        return getitem(self, other[0])
    if op is ops.regexp_replace:
        arguments = ClauseList(_bind_for(other[0], self.type), _bind_for(other[1], self.type))
        flags = kw.get("flags")
        return BinaryExpression(self, arguments, op, self.type,
                                {"flags": _regexp_flags(flags)} if flags else None)
    if op is ops.not_:
        return _negate(self)
    if op is ops.neg:
        return UnaryExpression(self.self_group(op), operator=ops.neg, type_=self.type)
    if op in (ops.asc, ops.desc, ops.nulls_first, ops.nulls_last):
        return UnaryExpression(self, modifier=op, type_=self.type)
    if op is ops.distinct:
        return UnaryExpression(self, operator=ops.distinct, type_=self.type)
    if op is ops.and_ or op is ops.or_:
        return BooleanClauseList._construct(op, [self, other[0]])
    if op is ops.collate:
        return _binary(self, CollationClause(other[0]), op, self.type)
    value = other[0]
    type_ = self.type
    if isinstance(type_, sqltypes.Integer) and isinstance(value, float | decimal.Decimal):
        type_ = _type_for_value(value)  # 2.0 against an Integer column stays a float
    return _arithmetic(self, op, _bind_for(value, type_))


def _parameter_base(element: Any) -> str | None:
    """The name a value compared with ``element`` is printed under: a column's key, as
    SQLAlchemy does (``:name_1``); other expressions leave it anonymous."""
    if getattr(element, "__visit_name__", None) == "column":
        key = getattr(element, "key", None)
        if isinstance(key, str) and key.isidentifier():
            return key
    return None


def _regexp_flags(flags: Any) -> str:
    """Flags are written into the SQL (as SQLAlchemy does), so only letters are taken."""
    if not isinstance(flags, str) or not flags.isascii() or not flags.isalpha():
        raise exc.ArgumentError(
            f"regexp flags are a string of letters such as 'i' or 'gi', not {flags!r}")
    return flags


def _arithmetic(left: ColumnElement, op: ops.Operator, right: ColumnElement) -> ColumnElement:
    """``left op right`` for +, -, *, /, %: string + is ||, int / int is true division."""
    if op is ops.add and (left.type._is_string or right.type._is_string):
        return _binary(left, right, ops.concat, left.type if left.type._is_string else right.type)
    if op is ops.truediv and isinstance(right.type, sqltypes.Integer):
        # SQL divides integers as integers; Python's / does not (SQLAlchemy 2.0 alike)
        right = Grouping(BinaryExpression(right.self_group(ops.add), _FLOAT_ZERO, ops.add,
                                          right.type))
        result_type = sqltypes.Numeric() if isinstance(left.type, sqltypes.Integer) \
            else left.type
        return _binary(left, right, op, result_type)
    return _binary(left, right, op, left.type._result_type(op, right.type))


def _pattern_expression(pattern: ops._Pattern, type_: sqltypes.TypeEngine) -> ColumnElement:
    expr: ColumnElement = _bind_for(pattern.value, type_)
    if pattern.prefix:
        expr = _binary(BindParameter(None, pattern.prefix, sqltypes.STRINGTYPE, unique=True),
                       expr, ops.concat, sqltypes.STRINGTYPE)
    if pattern.suffix:
        expr = _binary(expr, BindParameter(None, pattern.suffix, sqltypes.STRINGTYPE, unique=True),
                       ops.concat, sqltypes.STRINGTYPE)
    return expr


def _in(self: ColumnElement, op: ops.Operator, other: Any) -> ColumnElement:
    clause = getattr(other, "__clause_element__", None)
    if clause is not None:
        other = clause()
    if isinstance(other, ClauseElement):
        if getattr(other, "_is_select", False) or getattr(other, "_is_from_clause", False) \
                or other.__visit_name__ == "scalar_select":
            from .selectable import _as_in_subquery

            return BinaryExpression(self.self_group(op), _as_in_subquery(other), op,
                                    sqltypes.BOOLEANTYPE)
        if isinstance(other, BindParameter):
            if other.type is sqltypes.NULLTYPE:
                other.type = self.type
            return BinaryExpression(self.self_group(op), other, op, sqltypes.BOOLEANTYPE)
        raise exc.ArgumentError(
            f"in_() accepts a list of values, a select() or a subquery, not {type(other).__name__}"
        )
    if isinstance(other, str) or not isinstance(other, Iterable):
        raise exc.ArgumentError(
            f"in_() needs a list or tuple of values, got {other!r}; write col.in_([value])."
        )
    values = list(other)
    if not values:
        return EmptyIn(self, negate=op is ops.not_in)
    items = []
    for value in values:
        if isinstance(value, tuple) and isinstance(self, Tuple):
            # each member parenthesised: (a, b) IN ((?, ?), (?, ?))
            items.append(Grouping(Tuple(*[_bind_for(v, c.type)
                                          for v, c in zip(value, self.clauses)])))
        else:
            items.append(_bind_for(value, self.type))
    return BinaryExpression(self.self_group(op), Grouping(ClauseList(*items)), op,
                            sqltypes.BOOLEANTYPE)


def _negate(element: ClauseElement) -> ColumnElement:
    negate = getattr(element, "_negate", None)
    if negate is not None:
        return negate()
    return UnaryExpression(element.self_group(ops.not_), operator=ops.not_,
                           type_=sqltypes.BOOLEANTYPE)


class BindParameter(ColumnElement):
    """A value sent to the driver as a parameter, never rendered into SQL."""

    __visit_name__ = "bindparam"

    expanding = False

    def __init__(self, key: str | None, value: Any = None, type_: Any = None,
                 unique: bool = False, required: bool | None = None,
                 callable_: Any = None, expanding: bool = False) -> None:
        if expanding:
            self.expanding = True  # a list of values, one placeholder each at execution
        self.value = value
        self.callable = callable_
        if required is None:
            required = value is None and callable_ is None and not unique
        self.required = required
        if type_ is None:
            type_ = _type_for_value(value) if value is not None else sqltypes.NULLTYPE
        else:
            type_ = sqltypes.to_instance(type_)
            if type_ is sqltypes.NULLTYPE and value is not None:
                type_ = _type_for_value(value)
        self.type = type_
        self.unique = unique
        self.key = key or "param"
        #: a unique parameter printed under its key alone (an INSERT / UPDATE value, as
        #: SQLAlchemy prints ``SET name=:name``)
        self._plain_name = False

    def _gen_key(self, binds: list) -> Any:
        binds.append(self)
        if self.unique:
            return ("b", self.type._key, self.expanding)
        return ("bn", self.key, self.type._key, self.expanding)

    def _with_value(self, value: Any) -> BindParameter:
        clone = BindParameter.__new__(BindParameter)
        clone.__dict__.update(self.__dict__)
        clone.value = value
        clone.required = False
        return clone

    @property
    def effective_value(self) -> Any:
        return self.callable() if self.callable is not None else self.value


def bindparam(key: str | None, value: Any = None, type_: Any = None, unique: bool = False,
              required: bool | None = None, callable_: Any = None, expanding: bool = False,
              **kw: Any) -> BindParameter:
    return BindParameter(key, value, type_, unique=unique, required=required,
                         callable_=callable_, expanding=expanding)


def literal(value: Any, type_: Any = None) -> BindParameter:
    return BindParameter(None, value, type_, unique=True)


class EmptyIn(ColumnElement):
    """``x IN ()``: always false (``NOT IN ()`` always true), even for NULL x."""

    __visit_name__ = "empty_in"
    type = sqltypes.BOOLEANTYPE

    def __init__(self, element: ColumnElement, negate: bool) -> None:
        self.element = element
        self.negate = negate

    def _gen_key(self, binds: list) -> Any:
        return ("emptyin", self.element._gen_key(binds), self.negate)

    @property
    def _from_objects(self) -> list:
        return self.element._from_objects

    def _negate(self) -> EmptyIn:
        return EmptyIn(self.element, not self.negate)


class BinaryExpression(ColumnElement):
    __visit_name__ = "binary"

    def __init__(self, left: ClauseElement, right: ClauseElement, operator: ops.Operator,
                 type_: sqltypes.TypeEngine | None = None, modifiers: dict | None = None) -> None:
        self.left = left
        self.right = right
        self.operator = operator
        self.type = type_ or sqltypes.NULLTYPE
        self.modifiers = modifiers

    def _gen_key(self, binds: list) -> Any:
        return ("bin", self.operator.name, self.left._gen_key(binds),
                self.right._gen_key(binds),
                tuple(sorted(self.modifiers.items())) if self.modifiers else None)

    @property
    def _from_objects(self) -> list:
        return self.left._from_objects + self.right._from_objects

    def get_children(self):
        return (self.left, self.right)

    def self_group(self, against: ops.Operator | None = None) -> ColumnElement:
        if against is not None and against.precedence >= self.operator.precedence:
            if not (against is self.operator and against in (ops.add, ops.mul, ops.concat)):
                return Grouping(self)
        return self

    def _negate(self) -> ColumnElement:
        if self.operator.negate:
            return BinaryExpression(self.left, self.right, ops.OPERATORS[self.operator.negate],
                                    self.type, self.modifiers)
        return UnaryExpression(self.self_group(ops.not_), operator=ops.not_, type_=self.type)

    def __bool__(self) -> bool:
        # ``col1 == col2`` in a boolean context compares identity, as SQLAlchemy does
        if self.operator is ops.eq:
            return hash(self.left) == hash(self.right)
        if self.operator is ops.ne:
            return hash(self.left) != hash(self.right)
        raise TypeError("Boolean value of this clause is not defined")


class UnaryExpression(ColumnElement):
    __visit_name__ = "unary"

    def __init__(self, element: ClauseElement, operator: ops.Operator | None = None,
                 modifier: ops.Operator | None = None, type_: Any = None) -> None:
        self.element = element
        self.operator = operator
        self.modifier = modifier
        self.type = type_ or getattr(element, "type", sqltypes.NULLTYPE)

    def _gen_key(self, binds: list) -> Any:
        return ("un", self.operator and self.operator.name, self.modifier and self.modifier.name,
                self.element._gen_key(binds))

    @property
    def _from_objects(self) -> list:
        return self.element._from_objects

    def self_group(self, against: ops.Operator | None = None) -> ColumnElement:
        if self.operator is not None and against is not None and \
                against.precedence > self.operator.precedence:
            return Grouping(self)
        return self

    def _negate(self) -> ColumnElement:
        if self.operator is ops.not_:
            return self.element  # type: ignore[return-value]
        return UnaryExpression(self.self_group(ops.not_), operator=ops.not_,
                               type_=sqltypes.BOOLEANTYPE)

    def _result_name(self) -> str | None:
        if self.modifier is not None or self.operator is ops.distinct:
            return _result_name_of(self.element)
        return None

    @property
    def key(self):  # type: ignore[override]
        return getattr(self.element, "key", None) if self.operator is ops.distinct else None


def _result_name_of(element: Any) -> str | None:
    name = getattr(element, "_result_name", None)
    return name() if name is not None else None


def between(expr: Any, lower_bound: Any, upper_bound: Any,
            symmetric: bool = False) -> ColumnElement:
    return _coerce_column(expr).between(lower_bound, upper_bound, symmetric=symmetric)


def desc(column: Any) -> UnaryExpression:
    return UnaryExpression(_coerce_order_by(column), modifier=ops.desc)


def asc(column: Any) -> UnaryExpression:
    return UnaryExpression(_coerce_order_by(column), modifier=ops.asc)


def nulls_first(column: Any) -> UnaryExpression:
    return UnaryExpression(_coerce_order_by(column), modifier=ops.nulls_first)


def nulls_last(column: Any) -> UnaryExpression:
    return UnaryExpression(_coerce_order_by(column), modifier=ops.nulls_last)


def distinct(expr: Any) -> UnaryExpression:
    element = _coerce_column(expr)
    return UnaryExpression(element, operator=ops.distinct, type_=element.type)


class CollationClause(ColumnElement):
    __visit_name__ = "collation"

    def __init__(self, collation: str) -> None:
        self.collation = collation

    def _gen_key(self, binds: list) -> Any:
        return ("collation", self.collation)


class ClauseList(ClauseElement):
    """A list of clauses joined by an operator (a comma by default)."""

    __visit_name__ = "clauselist"

    def __init__(self, *clauses: Any, operator: ops.Operator = ops.comma) -> None:
        self.operator = operator
        self.clauses = [_coerce_column(c) if not isinstance(c, ClauseElement) else c
                        for c in clauses]

    def _gen_key(self, binds: list) -> Any:
        return ("cl", self.operator.name, tuple(c._gen_key(binds) for c in self.clauses))

    @property
    def _from_objects(self) -> list:
        return [f for c in self.clauses for f in c._from_objects]

    def get_children(self):
        return self.clauses

    def __iter__(self):
        return iter(self.clauses)

    def __len__(self) -> int:
        return len(self.clauses)


class BooleanClauseList(ClauseList, ColumnElement):
    __visit_name__ = "clauselist"
    type = sqltypes.BOOLEANTYPE

    @classmethod
    def _construct(cls, operator: ops.Operator, clauses: Sequence[Any]) -> ColumnElement:
        items: list = []
        for clause in clauses:
            element = _coerce_where(clause)
            if isinstance(element, BooleanClauseList) and element.operator is operator:
                items.extend(element.clauses)
            else:
                items.append(element)
        if len(items) == 1:
            return items[0].self_group(operator)
        self = cls.__new__(cls)
        self.operator = operator
        self.clauses = [c.self_group(operator) for c in items]
        return self

    def self_group(self, against: ops.Operator | None = None) -> ColumnElement:
        if against is not None and against.precedence > self.operator.precedence and self.clauses:
            return Grouping(self)
        return self

    def _negate(self) -> ColumnElement:
        return UnaryExpression(Grouping(self), operator=ops.not_, type_=sqltypes.BOOLEANTYPE)

    __hash__ = object.__hash__


def and_(*clauses: Any) -> ColumnElement:
    if not clauses:
        return BooleanClauseList._empty(ops.and_)
    return BooleanClauseList._construct(ops.and_, clauses)


def or_(*clauses: Any) -> ColumnElement:
    if not clauses:
        return BooleanClauseList._empty(ops.or_)
    return BooleanClauseList._construct(ops.or_, clauses)


def _empty(cls, operator):  # an empty and_()/or_() renders nothing and is skipped in WHERE
    self = cls.__new__(cls)
    self.operator = operator
    self.clauses = []
    return self


BooleanClauseList._empty = classmethod(_empty)  # type: ignore[attr-defined]


def not_(clause: Any) -> ColumnElement:
    return _negate(_coerce_where(clause))


class Tuple(ClauseList, ColumnElement):
    __visit_name__ = "tuple"

    def __init__(self, *clauses: Any, types: Any = None) -> None:
        self.operator = ops.comma
        self.clauses = [_coerce_column(c) if not isinstance(c, ClauseElement) and
                        hasattr(c, "__clause_element__") else
                        (c if isinstance(c, ClauseElement) else BindParameter(None, c, unique=True))
                        for c in clauses]
        self.type = sqltypes.NULLTYPE

    def operate(self, op: ops.Operator, *other: Any, **kw: Any) -> ColumnElement:
        if op.is_comparison and op not in (ops.in_, ops.not_in) and isinstance(other[0], tuple | list):
            other = (Tuple(*[_bind_for(v, c.type) for v, c in zip(other[0], self.clauses)]),)
        return _operate(self, op, other, kw)

    def self_group(self, against=None):
        return Grouping(self)

    __hash__ = object.__hash__


def tuple_(*clauses: Any, types: Any = None) -> Tuple:
    return Tuple(*clauses)


class Grouping(ColumnElement):
    __visit_name__ = "grouping"

    def __init__(self, element: ClauseElement) -> None:
        self.element = element
        self.type = getattr(element, "type", sqltypes.NULLTYPE)

    def _gen_key(self, binds: list) -> Any:
        return ("grp", self.element._gen_key(binds))

    @property
    def _from_objects(self) -> list:
        return self.element._from_objects

    def self_group(self, against=None):
        return self

    def _negate(self) -> ColumnElement:
        inner = getattr(self.element, "_negate", None)
        if inner is not None and not isinstance(self.element, BooleanClauseList):
            return Grouping(inner())
        return UnaryExpression(self, operator=ops.not_, type_=sqltypes.BOOLEANTYPE)

    def _result_name(self) -> str | None:
        return _result_name_of(self.element)


class Label(ColumnElement):
    __visit_name__ = "label"

    def __init__(self, name: str | None, element: Any, type_: Any = None) -> None:
        element = _coerce_column(element)
        if name is None:
            name = f"anon_{next(_anon_counter)}"
            self._anonymous = True
        else:
            self._anonymous = False
        self.name = name
        self.key = name
        self._label_name = name
        self.element = element
        self.type = sqltypes.to_instance(type_) if type_ is not None else element.type

    def _gen_key(self, binds: list) -> Any:
        return ("label", None if self._anonymous else self.name, self.element._gen_key(binds))

    @property
    def _from_objects(self) -> list:
        return self.element._from_objects

    def self_group(self, against=None):
        return self

    def _result_name(self) -> str | None:
        return self.name


class ColumnClause(ColumnElement):
    """A named column not tied to a Table object (``column()``, ``literal_column()``)."""

    __visit_name__ = "column"
    is_literal = False
    table: Any = None

    def __init__(self, text: str, type_: Any = None, is_literal: bool = False,
                 _selectable: Any = None) -> None:
        self.name = self.key = text
        self.type = sqltypes.to_instance(type_)
        self.is_literal = is_literal
        self.table = _selectable

    def _gen_key(self, binds: list) -> Any:
        table = self.table
        return ("colc", self.name, self.is_literal,
                table._gen_key(binds) if table is not None else None)

    @property
    def _from_objects(self) -> list:
        return [self.table] if self.table is not None else []

    def _result_name(self) -> str | None:
        return self.name

    __hash__ = object.__hash__


def column(text: str, type_: Any = None) -> ColumnClause:
    return ColumnClause(text, type_)


def label(name: str, element: Any, type_: Any = None) -> Label:
    """``label("n", expr)``, the function form of ``expr.label("n")``."""
    element = _bind_for(element, sqltypes.to_instance(type_) if type_ is not None else None)
    if type_ is not None:
        element = type_coerce(element, type_)
    return element.label(name)


def collate(expression: Any, collation: str) -> ColumnElement:
    """``collate(expr, "NOCASE")``, the function form of ``expr.collate(...)``."""
    return _bind_for(expression, None).collate(collation)


def literal_column(text: str, type_: Any = None) -> ColumnClause:
    return ColumnClause(text, type_, is_literal=True)


class _Keyword(ColumnElement):
    _sql = ""

    def _gen_key(self, binds: list) -> Any:
        return (self.__visit_name__,)

    def __repr__(self) -> str:
        return self._sql


class Null(_Keyword):
    __visit_name__ = "null"
    _sql = "NULL"


class True_(_Keyword):
    __visit_name__ = "true"
    type = sqltypes.BOOLEANTYPE
    _sql = "true"

    def _negate(self) -> ColumnElement:
        return False_()


class False_(_Keyword):
    __visit_name__ = "false"
    type = sqltypes.BOOLEANTYPE
    _sql = "false"

    def _negate(self) -> ColumnElement:
        return True_()


def null() -> Null:
    return Null()


def true() -> True_:
    return True_()


def false() -> False_:
    return False_()


class Cast(ColumnElement):
    __visit_name__ = "cast"

    def __init__(self, expression: Any, type_: Any) -> None:
        self.type = sqltypes.to_instance(type_)
        self.clause = _bind_for(expression, self.type)

    def _gen_key(self, binds: list) -> Any:
        return ("cast", self.clause._gen_key(binds), self.type._key)

    @property
    def _from_objects(self) -> list:
        return self.clause._from_objects

    def _result_name(self) -> str | None:
        return _result_name_of(self.clause)


def cast(expression: Any, type_: Any) -> Cast:
    return Cast(expression, type_)


class Extract(ColumnElement):
    """``EXTRACT(field FROM expr)``: a part of a date or time, as an integer.  The field
    is SQL text, not a value, so only a bare word is taken."""

    __visit_name__ = "extract"

    def __init__(self, field: str, expression: Any) -> None:
        if not isinstance(field, str) or not field.replace("_", "").isalpha():
            raise exc.ArgumentError(
                f"extract() takes the name of a date part such as 'year' or 'month', "
                f"not {field!r}"
            )
        self.field = field.lower()
        self.expr = _bind_for(expression, None)
        self.type = sqltypes.Integer()

    def _gen_key(self, binds: list) -> Any:
        return ("extract", self.field, self.expr._gen_key(binds))

    @property
    def _from_objects(self) -> list:
        return self.expr._from_objects


def extract(field: str, expr: Any) -> Extract:
    return Extract(field, expr)


def type_coerce(expression: Any, type_: Any) -> ColumnElement:
    element = _bind_for(expression, sqltypes.to_instance(type_))
    if isinstance(element, BindParameter):
        element.type = sqltypes.to_instance(type_)
        return element
    return _TypeCoerce(element, type_)


class _TypeCoerce(ColumnElement):
    __visit_name__ = "type_coerce"

    def __init__(self, element: ColumnElement, type_: Any) -> None:
        self.element = element
        self.type = sqltypes.to_instance(type_)

    def _gen_key(self, binds: list) -> Any:
        return ("tc", self.element._gen_key(binds), self.type._key)

    @property
    def _from_objects(self) -> list:
        return self.element._from_objects

    def _result_name(self) -> str | None:
        return _result_name_of(self.element)


class Case(ColumnElement):
    __visit_name__ = "case"

    def __init__(self, *whens: Any, value: Any = None, else_: Any = None) -> None:
        if len(whens) == 1 and isinstance(whens[0], dict):
            pairs = list(whens[0].items())
        elif len(whens) == 1 and isinstance(whens[0], list):
            pairs = list(whens[0])
        else:
            pairs = list(whens)
        self.value = _coerce_column(value) if value is not None else None
        self.whens = []
        result_type = sqltypes.NULLTYPE
        for condition, result in pairs:
            if self.value is not None:
                condition = _bind_for(condition, self.value.type)
            else:
                condition = _coerce_where(condition)
            result_element = _bind_for(result, None)
            if result_type is sqltypes.NULLTYPE:
                result_type = result_element.type
            self.whens.append((condition, result_element))
        self.else_ = _bind_for(else_, None) if else_ is not None else None
        self.type = result_type

    def _gen_key(self, binds: list) -> Any:
        return ("case", self.value._gen_key(binds) if self.value is not None else None,
                tuple((c._gen_key(binds), r._gen_key(binds)) for c, r in self.whens),
                self.else_._gen_key(binds) if self.else_ is not None else None)

    @property
    def _from_objects(self) -> list:
        froms = list(self.value._from_objects) if self.value is not None else []
        if self.else_ is not None:
            froms += self.else_._from_objects
        for condition, result in self.whens:
            froms += condition._from_objects + result._from_objects
        return froms


def case(*whens: Any, value: Any = None, else_: Any = None) -> Case:
    return Case(*whens, value=value, else_=else_)


_BIND_RE = re.compile(r"(?<![:\w\x5c]):(\w+)(?!:)", re.UNICODE)


class TextClause(ClauseElement):
    """Literal SQL with ``:name`` parameters, bound at execution."""

    __visit_name__ = "textclause"
    _is_text = True
    _is_executable = True
    key = None
    type = sqltypes.NULLTYPE

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise exc.ArgumentError(f"text() expects a string, got {type(text).__name__}")
        self.text = text
        self._bindparams: dict[str, BindParameter] = {}
        for name in _BIND_RE.findall(text):
            self._bindparams.setdefault(name, BindParameter(name, None, required=True))
        self._execution_options = {}

    def _gen_key(self, binds: list) -> Any:
        for bind in self._bindparams.values():
            binds.append(bind)
        return ("text", self.text,
                tuple((b.key, b.type._key) for b in self._bindparams.values()))

    def bindparams(self, *binds: BindParameter, **values: Any) -> TextClause:
        clone = TextClause.__new__(TextClause)
        clone.__dict__.update(self.__dict__)
        clone._bindparams = dict(self._bindparams)
        for bind in binds:
            if bind.key not in clone._bindparams:
                raise exc.ArgumentError(
                    f"This text() construct doesn't define a bound parameter named {bind.key!r}"
                )
            clone._bindparams[bind.key] = bind
        for key, value in values.items():
            if key not in clone._bindparams:
                raise exc.ArgumentError(
                    f"This text() construct doesn't define a bound parameter named {key!r}"
                )
            clone._bindparams[key] = clone._bindparams[key]._with_value(value)
        return clone

    def columns(self, *cols: Any, **types: Any) -> Any:
        from .selectable import TextualSelect

        columns = []
        for col in cols:
            if isinstance(col, ColumnElement):
                columns.append(col)
            else:
                col = _coerce_column(col)
                columns.append(col)
        for name, type_ in types.items():
            columns.append(ColumnClause(name, type_))
        return TextualSelect(self, columns)

    def execution_options(self, **kw: Any) -> TextClause:
        clone = TextClause.__new__(TextClause)
        clone.__dict__.update(self.__dict__)
        clone._execution_options = {**self._execution_options, **kw}
        return clone

    def self_group(self, against=None):
        return Grouping(self) if against is not None and against is not ops.and_ else self

    def label(self, name: str) -> Label:
        return Label(name, self)

    def __and__(self, other):
        return and_(self, other)

    def __or__(self, other):
        return or_(self, other)


def text(text: str) -> TextClause:
    return TextClause(text)


# -- coercion ----------------------------------------------------------------


def _textual_column_error(value: str) -> exc.ArgumentError:
    return exc.ArgumentError(
        f"Textual column expression {value!r} should be explicitly declared with "
        f"text({value!r}), or use column({value!r}) / literal_column({value!r})."
    )


def _coerce_column(value: Any) -> ColumnElement:
    """Coerce to a column expression, accepting ORM attributes and ``text()``."""
    if isinstance(value, ClauseElement):
        return value  # type: ignore[return-value]
    clause = getattr(value, "__clause_element__", None)
    if clause is not None:
        return clause()
    if isinstance(value, str):
        raise _textual_column_error(value)
    if value is None:
        return Null()
    return BindParameter(None, value, unique=True)


def _coerce_where(value: Any) -> ColumnElement:
    if isinstance(value, bool):
        return True_() if value else False_()
    if isinstance(value, ClauseElement):
        return value  # type: ignore[return-value]
    clause = getattr(value, "__clause_element__", None)
    if clause is not None:
        return clause()
    if isinstance(value, str):
        raise exc.ArgumentError(
            f"Textual SQL expression {value!r} should be explicitly declared as text({value!r})"
        )
    raise exc.ArgumentError(
        f"SQL expression for WHERE/HAVING role expected, got {value!r}; "
        "pass a comparison such as Model.column == value."
    )


def _coerce_order_by(value: Any) -> ColumnElement:
    if isinstance(value, str):
        return _LabelReference(value)
    return _coerce_column(value)


class _LabelReference(ColumnElement):
    """``order_by("name")``: refers to a selected column or label by name."""

    __visit_name__ = "label_reference"

    def __init__(self, name: str) -> None:
        self.name = name

    def _gen_key(self, binds: list) -> Any:
        return ("lref", self.name)


_FLOAT_ZERO = ColumnClause("0.0", sqltypes.Float(), is_literal=True)
