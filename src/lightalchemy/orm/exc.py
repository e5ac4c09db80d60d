"""ORM exceptions, with SQLAlchemy's names (``lightalchemy.orm.exc``)."""

from __future__ import annotations

from typing import Any

from .. import exc as sa_exc
from ..exc import MultipleResultsFound, NoResultFound  # noqa: F401 - re-exported names


class StaleDataError(sa_exc.SQLAlchemyError):
    """An UPDATE or DELETE matched a different number of rows than expected."""


ConcurrentModificationError = StaleDataError


class FlushError(sa_exc.SQLAlchemyError):
    """A flush could not proceed."""


class UnmappedError(sa_exc.InvalidRequestError):
    """Something that should be mapped is not."""


class ObjectDereferencedError(sa_exc.SQLAlchemyError):
    pass


class DetachedInstanceError(sa_exc.SQLAlchemyError):
    """An attribute needs the database but the object has no Session."""

    code = "bhk3"


class UnmappedInstanceError(UnmappedError):
    def __init__(self, obj: Any, msg: str | None = None) -> None:
        if msg is None and isinstance(obj, type):
            msg = (f"Class '{type(obj).__module__}.{type(obj).__name__}' is not mapped; was "
                   f"a class ({obj.__module__}.{obj.__qualname__}) supplied where an instance "
                   f"was required? Pass an instance, e.g. {obj.__name__}(...).")
        if msg is None:
            msg = (
                f"Class '{type(obj).__module__}.{type(obj).__name__}' is not mapped; only "
                "instances of classes declared on a DeclarativeBase (or declarative_base()) "
                "can be added to a Session."
            )
        super().__init__(msg)


class UnmappedClassError(UnmappedError):
    def __init__(self, cls: type, msg: str | None = None) -> None:
        if msg is None:
            msg = f"Class '{getattr(cls, '__module__', '')}.{getattr(cls, '__name__', cls)}' is not mapped"
        super().__init__(msg)


class ObjectDeletedError(sa_exc.InvalidRequestError):
    """The row behind an expired object is gone."""

    def __init__(self, state: Any, msg: str | None = None) -> None:
        if msg is None:
            msg = (
                f"Instance '{state._describe()}' has been deleted, or its row is otherwise not "
                "present."
            )
        super().__init__(msg)


class LoaderStrategyException(sa_exc.InvalidRequestError):
    pass

