"""The exception tree user code catches, with SQLAlchemy's names and shape.

    SQLAlchemyError
    ├── ArgumentError
    │   ├── NoSuchModuleError
    │   ├── ObjectNotExecutableError
    │   ├── NoForeignKeysError
    │   └── AmbiguousForeignKeysError
    ├── CompileError
    │   └── UnsupportedCompilationError
    ├── InvalidRequestError
    │   ├── NoResultFound, MultipleResultsFound
    │   ├── PendingRollbackError
    │   ├── ResourceClosedError
    │   ├── NoSuchColumnError (also KeyError)
    │   ├── NoInspectionAvailable
    │   ├── NoSuchTableError
    │   ├── UnboundExecutionError
    │   └── NoReferenceError → NoReferencedTableError, NoReferencedColumnError
    ├── DisconnectionError
    ├── TimeoutError
    └── StatementError
        └── DBAPIError
            ├── InterfaceError
            └── DatabaseError
                ├── DataError, OperationalError, IntegrityError
                └── InternalError, ProgrammingError, NotSupportedError

Messages name the object, the operation and the fix; driver errors keep the
original exception as ``.orig`` together with ``.statement`` and ``.params``.
"""

from __future__ import annotations

from typing import Any


class SQLAlchemyError(Exception):
    """Base of every error lightalchemy raises on purpose."""

    code: str | None = None

    def __init__(self, *args: Any, code: str | None = None) -> None:
        super().__init__(*args)
        if code:
            self.code = code

    def __str__(self) -> str:
        if len(self.args) == 1:
            return str(self.args[0])
        return super().__str__()


class ArgumentError(SQLAlchemyError):
    """A function or constructor received an argument it cannot use."""


class NoSuchModuleError(ArgumentError):
    """No dialect or driver module is known under the requested name."""


class ObjectNotExecutableError(ArgumentError):
    """Something that is not a statement was passed to ``execute()``."""

    def __init__(self, target: Any) -> None:
        super().__init__(
            f"Not an executable object: {target!r}. Pass a select(), insert(), update(), "
            "delete() or text() construct; wrap a SQL string in text()."
        )
        self.target = target


class NoForeignKeysError(ArgumentError):
    """Two tables to be joined have no foreign key between them."""


class AmbiguousForeignKeysError(ArgumentError):
    """More than one foreign key could join two tables."""


class CompileError(SQLAlchemyError):
    """A statement could not be turned into SQL."""


class UnsupportedCompilationError(CompileError):
    """The dialect has no SQL for this construct."""


class InvalidRequestError(SQLAlchemyError):
    """The operation is not valid in the current state."""


class NoResultFound(InvalidRequestError):
    """``one()`` or ``scalar_one()`` found no row."""


class MultipleResultsFound(InvalidRequestError):
    """``one()`` or ``one_or_none()`` found more than one row."""


class PendingRollbackError(InvalidRequestError):
    """The transaction failed earlier; ``rollback()`` must come first."""


class ResourceClosedError(InvalidRequestError):
    """The connection, result or transaction is already closed."""


class NoSuchColumnError(InvalidRequestError, KeyError):
    """A row has no column of the requested name."""

    def __str__(self) -> str:  # KeyError would add quotes
        return InvalidRequestError.__str__(self)


class NoInspectionAvailable(InvalidRequestError):
    """``inspect()`` got an object it knows nothing about."""


class NoSuchTableError(InvalidRequestError):
    """A table does not exist in the database."""


class UnboundExecutionError(InvalidRequestError):
    """An operation needs an engine or connection and has none."""


class NoReferenceError(InvalidRequestError):
    """A foreign key points at something that cannot be found."""


class NoReferencedTableError(NoReferenceError):
    def __init__(self, message: str, tname: str) -> None:
        super().__init__(message)
        self.table_name = tname


class NoReferencedColumnError(NoReferenceError):
    def __init__(self, message: str, tname: str, cname: str) -> None:
        super().__init__(message)
        self.table_name = tname
        self.column_name = cname


class DisconnectionError(SQLAlchemyError):
    """A connection was found dead and must be replaced."""


class TimeoutError(SQLAlchemyError):  # noqa: A001 - SQLAlchemy's name
    """No pooled connection became free in time."""


class StatementError(SQLAlchemyError):
    """An error raised while executing a statement, with the statement attached."""

    def __init__(
        self,
        message: str,
        statement: str | None,
        params: Any,
        orig: BaseException | None,
        ismulti: bool | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.statement = statement
        self.params = params
        self.orig = orig
        self.ismulti = ismulti

    def __str__(self) -> str:
        text = str(self.args[0])
        if self.statement:
            text += f"\n[SQL: {self.statement}]"
            if self.params:
                shown = self.params if not self.ismulti else list(self.params)[:10]
                text += f"\n[parameters: {shown!r}]"
        return text

    def __reduce__(self):
        return self.__class__, (self.args[0], self.statement, self.params, self.orig)


class DBAPIError(StatementError):
    """A driver exception, wrapped; the driver's own exception is ``.orig``."""

    #: True when the error showed the connection was lost (it has been discarded)
    connection_invalidated = False

    @classmethod
    def instance(
        cls,
        statement: str | None,
        params: Any,
        orig: BaseException,
        dbapi_base_err: type | None = None,
        ismulti: bool | None = None,
    ) -> DBAPIError:
        """Wrap ``orig`` in the class whose name matches the driver's class."""
        if isinstance(orig, SQLAlchemyError):
            return orig  # type: ignore[return-value]
        target: type[DBAPIError] = cls
        for klass in type(orig).__mro__:
            found = _BY_DRIVER_NAME.get(klass.__name__)
            if found is not None:
                target = found
                break
        message = f"({type(orig).__module__}.{type(orig).__name__}) {orig}"
        if isinstance(params, list) and not ismulti:
            params = tuple(params)  # the positional parameters, as SQLAlchemy reports them
        return target(message, statement, params, orig, ismulti=ismulti)



class InterfaceError(DBAPIError):
    pass


class DatabaseError(DBAPIError):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


_BY_DRIVER_NAME: dict[str, type[DBAPIError]] = {
    "InterfaceError": InterfaceError,
    "DatabaseError": DatabaseError,
    "DataError": DataError,
    "OperationalError": OperationalError,
    "IntegrityError": IntegrityError,
    "InternalError": InternalError,
    "ProgrammingError": ProgrammingError,
    "NotSupportedError": NotSupportedError,
}


class SAWarning(RuntimeWarning):
    """Something works but is probably not what was meant."""


class SADeprecationWarning(DeprecationWarning):
    pass


class MovedIn20Warning(SADeprecationWarning):
    pass


class LegacyAPIWarning(MovedIn20Warning):
    pass
