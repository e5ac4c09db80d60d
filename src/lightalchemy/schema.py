"""Public path for schema objects (``from lightalchemy.schema import ...``)."""

from .sql.ddl import CreateIndex, CreateTable, DropIndex, DropTable  # noqa: F401
from .sql.schema import (  # noqa: F401
    CheckConstraint,
    Column,
    ColumnDefault,
    Computed,
    DefaultClause,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    UniqueConstraint,
)
