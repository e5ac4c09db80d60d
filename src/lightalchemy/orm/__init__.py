"""The ORM: declarative mapping, Session, Query (``lightalchemy.orm``)."""

from ..sql.selectable import (  # noqa: F401 - SQLAlchemy exposes these here too
    join,
    outerjoin,
    select,  # noqa: F401 - SQLAlchemy exposes these here too
)
from . import exc  # noqa: F401
from .attributes import AttributeState, InstrumentedAttribute, QueryableAttribute, get_history
from .base import NO_VALUE
from .decl_dataclass import MappedAsDataclass
from .declarative import (
    DeclarativeBase,
    DeclarativeBaseNoMeta,
    as_declarative,
    declarative_base,
    declared_attr,
    registry,
)
from .expressions import column_property, synonym
from .mapper import Mapper, class_mapper, configure_mappers, object_mapper, reconstructor
from .properties import (
    ColumnProperty,
    Mapped,
    MappedColumn,
    composite,
    deferred,
    mapped_column,
)
from .query import Query
from .relationships import (
    MANYTOMANY,
    MANYTOONE,
    ONETOMANY,
    RelationshipDirection,
    RelationshipProperty,
    backref,
    foreign,
    relationship,
    remote,
    with_parent,
)
from .scoping import QueryPropertyDescriptor, scoped_session
from .session import (
    Session,
    SessionTransaction,
    close_all_sessions,
    make_transient,
    make_transient_to_detached,
    object_session,
    sessionmaker,
)
from .state import InstanceState
from .strategies import (
    Load,
    contains_eager,
    defaultload,
    defer,
    immediateload,
    joinedload,
    lazyload,
    load_only,
    noload,
    raiseload,
    selectinload,
    subqueryload,
    undefer,
)
from .util import AliasedClass, aliased
from .validators import validates


def declarative_mixin(cls: type) -> type:
    """Marks a mixin for type checkers, as SQLAlchemy's; it changes nothing."""
    return cls

__all__ = [
    "AliasedClass", "aliased", "AttributeState", "NO_VALUE",
    "ColumnProperty", "DeclarativeBase", "DeclarativeBaseNoMeta", "InstanceState",
    "InstrumentedAttribute", "Mapped", "MappedAsDataclass", "MappedColumn", "Mapper", "Query", "QueryableAttribute",
    "Session", "SessionTransaction", "as_declarative", "backref", "class_mapper",
    "close_all_sessions", "column_property", "composite", "configure_mappers",
    "declarative_base", "declared_attr", "deferred", "get_history", "make_transient",
    "make_transient_to_detached", "mapped_column", "object_mapper", "object_session",
    "registry", "relationship", "scoped_session", "QueryPropertyDescriptor",
    "sessionmaker", "synonym", "validates", "declarative_mixin", "join", "outerjoin",
    "reconstructor",
    "MANYTOMANY", "MANYTOONE", "ONETOMANY", "RelationshipDirection", "RelationshipProperty",
    "foreign", "remote", "with_parent", "Load", "contains_eager", "defaultload", "defer",
    "immediateload", "joinedload", "lazyload", "load_only", "noload", "raiseload",
    "selectinload", "subqueryload", "undefer",
]
