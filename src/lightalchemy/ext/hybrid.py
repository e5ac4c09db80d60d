"""``hybrid_property`` and ``hybrid_method`` (``lightalchemy.ext.hybrid``).

One Python function serves two audiences: read on an instance it computes a value
from that object's attributes; read on the class it runs with the class in place of
the instance, where ``cls.first + " " + cls.last`` builds a SQL expression instead.
``@x.expression`` gives the class its own function when the Python one does not
translate to SQL.  The class-level result is wrapped in :class:`HybridExpression`
so that ``select(Person.full)`` names its result column ``full``, as SQLAlchemy does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..sql import operators as ops
from ..sql.elements import ClauseElement, _coerce_column, _operate

__all__ = ["HYBRID_METHOD", "HYBRID_PROPERTY", "HybridExtensionType", "hybrid_method",
           "hybrid_property"]


class HybridExtensionType:
    """The ``extension_type`` of hybrids (SQLAlchemy's enum values, by name)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"HybridExtensionType.{self.name}"


HYBRID_METHOD = HybridExtensionType("HYBRID_METHOD")
HYBRID_PROPERTY = HybridExtensionType("HYBRID_PROPERTY")


def _unwrap(fn: Any) -> Any:
    """``@classmethod`` under ``@x.inplace.expression`` (for type checkers) is unwrapped:
    the hybrid passes the class itself."""
    return fn.__func__ if isinstance(fn, classmethod | staticmethod) else fn


class HybridExpression(ops.ColumnOperators):
    """``Person.full`` on the class: the SQL expression, usable wherever a column is.

    Comparisons and other operators apply to the expression; in ``select()`` it is
    labelled with the hybrid's name, so rows carry it under that key."""

    def __init__(self, expression: Any, name: str, owner: Any, hybrid: Any) -> None:
        self.expression = _coerce_column(expression) if not isinstance(
            expression, ClauseElement) else expression
        self.key = self.__name__ = name
        self.class_ = owner
        self.descriptor = hybrid

    def __clause_element__(self) -> Any:
        return self.expression.label(self.key)

    @property
    def type(self) -> Any:
        return self.expression.type

    def operate(self, op: Any, *other: Any, **kw: Any) -> Any:
        return _operate(self.expression, op, other, kw)

    def reverse_operate(self, op: Any, other: Any, **kw: Any) -> Any:
        return self.expression.reverse_operate(op, other, **kw)

    def label(self, name: str | None) -> Any:
        return self.expression.label(name)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return getattr(self.expression, name)
        except AttributeError:
            raise AttributeError(
                f"Neither the hybrid {self._owner_name()}.{self.key} nor its SQL expression "
                f"({type(self.expression).__name__}) has an attribute {name!r}"
            ) from None

    def _owner_name(self) -> str:
        return getattr(self.class_, "__name__", str(self.class_))

    def __repr__(self) -> str:
        return f"{self._owner_name()}.{self.key}"

    __hash__ = object.__hash__


class _InPlace:
    """``x.inplace``: the same modifiers, changing the hybrid itself rather than
    returning a copy (so the decorated function may have another name)."""

    def __init__(self, hybrid: Any) -> None:
        self._hybrid = hybrid

    def __getattr__(self, name: str) -> Callable[[Any], Any]:
        if name not in self._hybrid._modifiers:
            raise AttributeError(f"{type(self._hybrid).__name__}.inplace has no {name!r}")

        def modify(fn: Any) -> Any:
            self._hybrid._set(name, fn)
            return self._hybrid

        return modify


class _NamedOnce:
    """``__set_name__`` for both hybrids: the first name wins, since
    ``@x.inplace.expression`` puts the same object under a second name
    (``_x_expression``) and the hybrid is still ``x``."""

    def __set_name__(self, owner: type, name: str) -> None:
        if not self.__dict__.get("_named"):
            self.__name__ = name
            self._named = True


class hybrid_property(_NamedOnce):  # noqa: N801 - SQLAlchemy's name
    """A property whose class-level access builds a SQL expression; see the module
    docstring."""

    is_attribute = True
    extension_type = HYBRID_PROPERTY
    _modifiers = ("getter", "setter", "deleter", "expression", "update_expression",
                  "comparator")
    _field = {"getter": "fget", "setter": "fset", "deleter": "fdel", "expression": "expr",
              "update_expression": "update_expr", "comparator": "custom_comparator"}

    def __init__(self, fget: Callable[..., Any], fset: Callable[..., Any] | None = None,
                 fdel: Callable[..., Any] | None = None, expr: Callable[..., Any] | None = None,
                 custom_comparator: Callable[..., Any] | None = None,
                 update_expr: Callable[..., Any] | None = None) -> None:
        self.fget = fget
        self.fset = fset
        self.fdel = fdel
        self.expr = _unwrap(expr) if expr is not None else None
        self.custom_comparator = _unwrap(custom_comparator) if custom_comparator else None
        self.update_expr = _unwrap(update_expr) if update_expr is not None else None
        self.__name__ = getattr(fget, "__name__", "hybrid")
        self.__doc__ = getattr(fget, "__doc__", None)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            if owner is None:
                return self
            return self._class_level(owner)
        return self.fget(instance)

    def __set__(self, instance: Any, value: Any) -> None:
        if self.fset is None:
            raise AttributeError(
                f"can't set attribute: hybrid property {type(instance).__name__}."
                f"{self.__name__} has no setter; define one with @{self.__name__}.setter")
        self.fset(instance, value)

    def __delete__(self, instance: Any) -> None:
        if self.fdel is None:
            raise AttributeError(
                f"can't delete attribute: hybrid property {type(instance).__name__}."
                f"{self.__name__} has no deleter; define one with @{self.__name__}.deleter")
        self.fdel(instance)

    def _class_level(self, owner: Any) -> Any:
        """What ``Class.name`` is: the expression function (or the getter) run on the
        class, or on an ``aliased()`` class, wrapped so it selects under this name."""
        if self.custom_comparator is not None:
            return self.custom_comparator(owner)
        fn = self.expr if self.expr is not None else self.fget
        return HybridExpression(fn(owner), self.__name__, owner, self)

    def _update_pairs(self, owner: Any, value: Any) -> list:
        """``update(...).values({Class.hybrid: value})``: the columns it stands for."""
        if self.update_expr is None:
            column = self._class_level(owner).expression
            if getattr(column, "__visit_name__", None) == "column":
                return [(column, value)]  # as SQLAlchemy: a hybrid that is just a column
            from .. import exc

            raise exc.InvalidRequestError(
                f"Hybrid property {self.__name__} has no update expression; define one "
                f"with @{self.__name__}.update_expression to use it in UPDATE values")
        return list(self.update_expr(owner, value))

    # -- modifiers: each returns a new hybrid (use the same name), as in SQLAlchemy --
    def _copy(self, **changes: Any) -> hybrid_property:
        fields = {field: getattr(self, field) for field in self._field.values()}
        fields.update(changes)
        clone = type(self)(**fields)
        clone.__name__ = self.__name__
        return clone

    def _set(self, modifier: str, fn: Any) -> None:
        field = self._field[modifier]
        setattr(self, field, fn if field in ("fget", "fset", "fdel") else _unwrap(fn))

    @property
    def inplace(self) -> Any:
        return _InPlace(self)

    def getter(self, fget: Callable[..., Any]) -> hybrid_property:
        return self._copy(fget=fget)

    def setter(self, fset: Callable[..., Any]) -> hybrid_property:
        return self._copy(fset=fset)

    def deleter(self, fdel: Callable[..., Any]) -> hybrid_property:
        return self._copy(fdel=fdel)

    def expression(self, expr: Callable[..., Any]) -> hybrid_property:
        return self._copy(expr=_unwrap(expr))

    def update_expression(self, meth: Callable[..., Any]) -> hybrid_property:
        return self._copy(update_expr=_unwrap(meth))

    def comparator(self, comparator: Callable[..., Any]) -> hybrid_property:
        return self._copy(custom_comparator=_unwrap(comparator))

    @property
    def overrides(self) -> Any:
        raise NotImplementedError(
            "hybrid_property.overrides is for mapped class inheritance, which lightalchemy "
            "does not support yet")


class hybrid_method(_NamedOnce):  # noqa: N801 - SQLAlchemy's name
    """A method that, called on the class, builds a SQL expression from its arguments."""

    is_attribute = True
    extension_type = HYBRID_METHOD
    _modifiers = ("expression",)

    def __init__(self, func: Callable[..., Any], expr: Callable[..., Any] | None = None) -> None:
        self.func = func
        self.expr = _unwrap(expr) if expr is not None else func
        self.__name__ = getattr(func, "__name__", "hybrid")
        self.__doc__ = getattr(func, "__doc__", None)

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self.expr.__get__(owner, type(owner))
        return self.func.__get__(instance, owner)

    def _set(self, modifier: str, fn: Any) -> None:
        self.expr = _unwrap(fn)

    @property
    def inplace(self) -> Any:
        return _InPlace(self)

    def expression(self, expr: Callable[..., Any]) -> hybrid_method:
        clone = type(self)(self.func, expr)
        clone.__name__ = self.__name__
        return clone
