"""Operators as data (SQL text and precedence) and the comparison mixin."""

from __future__ import annotations

from typing import Any


class Operator:
    """One SQL operator; ``precedence`` decides where parentheses go."""

    __slots__ = ("name", "sql", "precedence", "negate", "is_comparison")

    def __init__(
        self, name: str, sql: str, precedence: int, negate: str | None = None,
        is_comparison: bool = False,
    ) -> None:
        self.name = name
        self.sql = sql
        self.precedence = precedence
        self.negate = negate
        self.is_comparison = is_comparison

    def __repr__(self) -> str:
        return f"<operator {self.name}>"

    def __reduce__(self):
        return _lookup, (self.name,)


def _lookup(name: str) -> Operator:
    return OPERATORS[name]


OPERATORS: dict[str, Operator] = {}


def _op(name: str, sql: str, precedence: int, negate: str | None = None,
        is_comparison: bool = False) -> Operator:
    operator = Operator(name, sql, precedence, negate, is_comparison)
    OPERATORS[name] = operator
    return operator


# Higher binds tighter.  Values follow the usual SQL grammar.
eq = _op("eq", " = ", 5, "ne", True)
ne = _op("ne", " != ", 5, "eq", True)
lt = _op("lt", " < ", 5, "ge", True)
le = _op("le", " <= ", 5, "gt", True)
gt = _op("gt", " > ", 5, "le", True)
ge = _op("ge", " >= ", 5, "lt", True)
is_ = _op("is_", " IS ", 5, "is_not", True)
is_not = _op("is_not", " IS NOT ", 5, "is_", True)
is_distinct_from = _op("is_distinct_from", " IS NOT ", 5, "is_not_distinct_from", True)
is_not_distinct_from = _op("is_not_distinct_from", " IS ", 5, "is_distinct_from", True)
like = _op("like", " LIKE ", 5, "not_like", True)
not_like = _op("not_like", " NOT LIKE ", 5, "like", True)
# startswith / endswith / contains render as LIKE, but stay themselves so that
# synchronize_session="evaluate" can tell them apart from a user's LIKE (as SQLAlchemy does)
startswith_op = _op("startswith", " LIKE ", 5, "not_startswith", True)
not_startswith_op = _op("not_startswith", " NOT LIKE ", 5, "startswith", True)
endswith_op = _op("endswith", " LIKE ", 5, "not_endswith", True)
not_endswith_op = _op("not_endswith", " NOT LIKE ", 5, "endswith", True)
contains_op = _op("contains", " LIKE ", 5, "not_contains", True)
not_contains_op = _op("not_contains", " NOT LIKE ", 5, "contains", True)
# regular expressions: each dialect spells them its own way (visit_regexp_match)
regexp_match = _op("regexp_match", " REGEXP ", 5, "not_regexp_match", True)
not_regexp_match = _op("not_regexp_match", " NOT REGEXP ", 5, "regexp_match", True)
regexp_replace = _op("regexp_replace", "REGEXP_REPLACE", 10)
ilike = _op("ilike", " LIKE ", 5, "not_ilike", True)  # compiled with lower() by default
not_ilike = _op("not_ilike", " NOT LIKE ", 5, "ilike", True)
in_ = _op("in_", " IN ", 5, "not_in", True)
not_in = _op("not_in", " NOT IN ", 5, "in_", True)
between = _op("between", " BETWEEN ", 5, "not_between", True)
not_between = _op("not_between", " NOT BETWEEN ", 5, "between", True)
concat = _op("concat", " || ", 8)
add = _op("add", " + ", 7)
sub = _op("sub", " - ", 7)
mul = _op("mul", " * ", 8)
truediv = _op("truediv", " / ", 8)
floordiv = _op("floordiv", " / ", 8)
mod = _op("mod", " % ", 8)
neg = _op("neg", "-", 9)
and_ = _op("and_", " AND ", 3)
or_ = _op("or_", " OR ", 2)
not_ = _op("not_", "NOT ", 4)
comma = _op("comma", ", ", -1)
asc = _op("asc", " ASC", 0)
desc = _op("desc", " DESC", 0)
nulls_first = _op("nulls_first", " NULLS FIRST", 0)
nulls_last = _op("nulls_last", " NULLS LAST", 0)
distinct = _op("distinct", "DISTINCT ", 6)
exists = _op("exists", "EXISTS ", 6)
bitwise_and = _op("bitwise_and", " & ", 7)
bitwise_or = _op("bitwise_or", " | ", 7)
collate = _op("collate", " COLLATE ", 6)
as_ = _op("as_", " AS ", 0)
getitem = _op("getitem", "[]", 10)  # ``col[index]``: JSON element access


class ColumnOperators:
    """Python operators on column-like objects, each turned into ``operate()``.

    Subclasses implement ``operate(op, *other, **kw)`` and
    ``reverse_operate(op, other)``.
    """

    __slots__ = ()

    def operate(self, op: Operator, *other: Any, **kw: Any) -> Any:
        raise NotImplementedError

    def reverse_operate(self, op: Operator, other: Any, **kw: Any) -> Any:
        raise NotImplementedError

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.operate(eq, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.operate(ne, other)

    def __lt__(self, other: Any) -> Any:
        return self.operate(lt, other)

    def __le__(self, other: Any) -> Any:
        return self.operate(le, other)

    def __gt__(self, other: Any) -> Any:
        return self.operate(gt, other)

    def __ge__(self, other: Any) -> Any:
        return self.operate(ge, other)

    def __add__(self, other: Any) -> Any:
        return self.operate(add, other)

    def __radd__(self, other: Any) -> Any:
        return self.reverse_operate(add, other)

    def __sub__(self, other: Any) -> Any:
        return self.operate(sub, other)

    def __rsub__(self, other: Any) -> Any:
        return self.reverse_operate(sub, other)

    def __mul__(self, other: Any) -> Any:
        return self.operate(mul, other)

    def __rmul__(self, other: Any) -> Any:
        return self.reverse_operate(mul, other)

    def __truediv__(self, other: Any) -> Any:
        return self.operate(truediv, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self.reverse_operate(truediv, other)

    def __floordiv__(self, other: Any) -> Any:
        return self.operate(floordiv, other)

    def __mod__(self, other: Any) -> Any:
        return self.operate(mod, other)

    def __rmod__(self, other: Any) -> Any:
        return self.reverse_operate(mod, other)

    def __neg__(self) -> Any:
        return self.operate(neg)

    def __and__(self, other: Any) -> Any:
        return self.operate(and_, other)

    def __or__(self, other: Any) -> Any:
        return self.operate(or_, other)

    def __invert__(self) -> Any:
        return self.operate(not_)

    def __getitem__(self, index: Any) -> Any:
        return self.operate(getitem, index)

    def concat(self, other: Any) -> Any:
        return self.operate(concat, other)

    def like(self, other: Any, escape: str | None = None) -> Any:
        return self.operate(like, other, escape=escape)

    def not_like(self, other: Any, escape: str | None = None) -> Any:
        return self.operate(not_like, other, escape=escape)

    notlike = not_like

    def ilike(self, other: Any, escape: str | None = None) -> Any:
        return self.operate(ilike, other, escape=escape)

    def not_ilike(self, other: Any, escape: str | None = None) -> Any:
        return self.operate(not_ilike, other, escape=escape)

    notilike = not_ilike

    def regexp_match(self, pattern: Any, flags: str | None = None) -> Any:
        return self.operate(regexp_match, pattern, flags=flags)

    def regexp_replace(self, pattern: Any, replacement: Any, flags: str | None = None) -> Any:
        return self.operate(regexp_replace, pattern, replacement, flags=flags)

    def in_(self, other: Any) -> Any:
        return self.operate(in_, other)

    def not_in(self, other: Any) -> Any:
        return self.operate(not_in, other)

    notin_ = not_in

    def is_(self, other: Any) -> Any:
        return self.operate(is_, other)

    def is_not(self, other: Any) -> Any:
        return self.operate(is_not, other)

    isnot = is_not

    def is_distinct_from(self, other: Any) -> Any:
        return self.operate(is_distinct_from, other)

    def is_not_distinct_from(self, other: Any) -> Any:
        return self.operate(is_not_distinct_from, other)

    def between(self, cleft: Any, cright: Any, symmetric: bool = False) -> Any:
        return self.operate(between, cleft, cright)

    def startswith(self, other: Any, autoescape: bool = False) -> Any:
        return self.operate(startswith_op, _pattern(other, "", "%", autoescape),
                            escape=_esc(autoescape))

    def endswith(self, other: Any, autoescape: bool = False) -> Any:
        return self.operate(endswith_op, _pattern(other, "%", "", autoescape),
                            escape=_esc(autoescape))

    def contains(self, other: Any, autoescape: bool = False) -> Any:
        return self.operate(contains_op, _pattern(other, "%", "%", autoescape),
                            escape=_esc(autoescape))

    def icontains(self, other: Any, autoescape: bool = False) -> Any:
        return self.operate(ilike, _pattern(other, "%", "%", autoescape), escape=_esc(autoescape))

    def istartswith(self, other: Any, autoescape: bool = False) -> Any:
        return self.operate(ilike, _pattern(other, "", "%", autoescape), escape=_esc(autoescape))

    def iendswith(self, other: Any, autoescape: bool = False) -> Any:
        return self.operate(ilike, _pattern(other, "%", "", autoescape), escape=_esc(autoescape))

    def asc(self) -> Any:
        return self.operate(asc)

    def desc(self) -> Any:
        return self.operate(desc)

    def nulls_first(self) -> Any:
        return self.operate(nulls_first)

    def nulls_last(self) -> Any:
        return self.operate(nulls_last)

    nullsfirst = nulls_first
    nullslast = nulls_last

    def distinct(self) -> Any:
        return self.operate(distinct)

    def collate(self, collation: str) -> Any:
        return self.operate(collate, collation)

    def op(self, opstring: str, precedence: int = 0, is_comparison: bool = False) -> Any:
        custom = Operator(opstring, f" {opstring} ", precedence or 5, None, is_comparison)
        return lambda other: self.operate(custom, other)

    __hash__ = object.__hash__


def _esc(autoescape: bool) -> str | None:
    return "/" if autoescape else None


class _Pattern:
    """A LIKE pattern built around a value or an expression, resolved by the column."""

    __slots__ = ("value", "prefix", "suffix", "autoescape")

    def __init__(self, value: Any, prefix: str, suffix: str, autoescape: bool) -> None:
        self.value = value
        self.prefix = prefix
        self.suffix = suffix
        self.autoescape = autoescape


def _pattern(value: Any, prefix: str, suffix: str, autoescape: bool) -> Any:
    if isinstance(value, str):
        if autoescape:
            value = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
        return prefix + value + suffix
    return _Pattern(value, prefix, suffix, autoescape)
