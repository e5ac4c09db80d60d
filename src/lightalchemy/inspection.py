"""``inspect()``: a registry of inspectors that the layers above fill in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import exc

_registrars: dict[type, Callable[[Any], Any] | bool] = {}


def _inspects(*types: type) -> Callable:
    def register(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        for type_ in types:
            _registrars[type_] = fn
        return fn

    return register


def _self_inspects(cls: type) -> type:
    _registrars[cls] = True
    return cls


def inspect(subject: Any, raiseerr: bool = True) -> Any:
    """Return the inspection object for ``subject`` (a mapper, an instance state…)."""
    type_ = type(subject)
    own = getattr(type_, "_inspection_target", None)
    if own is not None:  # engines and connections answer for themselves
        return own(subject)
    for cls in type_.__mro__:
        registrar = _registrars.get(cls)
        if registrar is None:
            continue
        if registrar is True:
            return subject
        result = registrar(subject)
        if result is not None:
            return result
        break
    if raiseerr:
        what = (f" (the class {subject.__module__}.{subject.__qualname__} is not mapped: "
                "declare it on a DeclarativeBase)") if isinstance(subject, type) else ""
        raise exc.NoInspectionAvailable(
            f"No inspection system is available for object of type {type_!r}{what}; "
            "inspect() accepts mapped classes, mapped instances, engines and connections."
        )
    return None
