"""Legacy ``session.query(...)``: a thin builder over ``select()``."""

from __future__ import annotations

import warnings
from typing import Any

from .. import exc as sa_exc
from ..sql.dml import Delete, Update
from ..sql.elements import literal_column
from ..sql.functions import func
from ..sql.selectable import Select

_NEGATIVE_INDEX = "negative indexes are not accepted by SQL index / slice operators"


class Query:
    """Builds a Select and runs it through the Session; every method returns a new Query."""

    def __init__(self, entities: Any, session: Any = None) -> None:
        if not isinstance(entities, list | tuple):  # Query(User, session), as SQLAlchemy
            entities = (entities,)
        elif len(entities) == 1 and isinstance(entities[0], list | tuple):
            entities = tuple(entities[0])
        self.session = session
        self._statement = Select(*entities)
        self._options: dict = {}

    def _clone(self, statement: Select) -> Query:
        cls = type(self)  # a subclass (``query_cls``) keeps its own methods
        clone = cls.__new__(cls)
        clone.session = self.session
        clone._statement = statement
        clone._options = dict(self._options)
        return clone

    # -- building -------------------------------------------------------------------
    def _criteria_target(self, method: str) -> Select:
        """The select() a building method adds to; none after from_statement()."""
        statement = self._statement
        if getattr(statement, "_is_from_statement", False):
            raise sa_exc.InvalidRequestError(
                f"Query.{method}() being called on a Query with an existing full statement - "
                "can't apply criterion; put it in the statement given to from_statement()."
            )
        return statement

    def from_statement(self, statement: Any) -> Query:
        """Load this Query's entities from ``statement`` (text() or a select())."""
        return self._clone(self._criteria_target("from_statement").from_statement(statement))

    def filter(self, *criteria: Any) -> Query:
        return self._clone(self._criteria_target("filter").where(*criteria))

    where = filter

    def filter_by(self, **kwargs: Any) -> Query:
        return self._clone(self._criteria_target("filter").filter_by(**kwargs))

    def order_by(self, *clauses: Any) -> Query:
        return self._clone(self._criteria_target("order_by").order_by(*clauses))

    def group_by(self, *clauses: Any) -> Query:
        return self._clone(self._criteria_target("group_by").group_by(*clauses))

    def having(self, *criteria: Any) -> Query:
        return self._clone(self._criteria_target("having").having(*criteria))

    def limit(self, limit: Any) -> Query:
        return self._clone(self._criteria_target("limit").limit(limit))

    def offset(self, offset: Any) -> Query:
        return self._clone(self._criteria_target("offset").offset(offset))

    def slice(self, start: int, stop: int) -> Query:
        return self._clone(self._criteria_target("slice").slice(start, stop))

    def distinct(self, *expr: Any) -> Query:
        return self._clone(self._criteria_target("distinct").distinct(*expr))

    def join(self, target: Any, onclause: Any = None, *, isouter: bool = False,
             full: bool = False) -> Query:
        statement = self._criteria_target("join")
        return self._clone(statement.join(target, onclause, isouter=isouter, full=full))

    def outerjoin(self, target: Any, onclause: Any = None, *, full: bool = False) -> Query:
        statement = self._criteria_target("outerjoin")
        return self._clone(statement.outerjoin(target, onclause, full=full))

    def select_from(self, *froms: Any) -> Query:
        return self._clone(self._criteria_target("select_from").select_from(*froms))

    def with_entities(self, *entities: Any) -> Query:
        return self._clone(self._statement.with_only_columns(*entities))

    def add_columns(self, *columns: Any) -> Query:
        return self._clone(self._statement.add_columns(*columns))

    add_column = add_columns

    def options(self, *options: Any) -> Query:
        return self._clone(self._statement.options(*options))

    def execution_options(self, **kw: Any) -> Query:
        clone = self._clone(self._statement)
        clone._options.update(kw)
        return clone

    def populate_existing(self) -> Query:
        return self.execution_options(populate_existing=True)

    def yield_per(self, count: int) -> Query:
        return self.execution_options(yield_per=count)

    def with_for_update(self, **kw: Any) -> Query:
        return self._clone(self._criteria_target("with_for_update").with_for_update(**kw))

    def autoflush(self, setting: bool) -> Query:
        return self.execution_options(autoflush=setting)

    def enable_eagerloads(self, value: bool) -> Query:
        return self

    def params(self, *args: Any, **kw: Any) -> Query:
        clone = self._clone(self._statement)
        params = dict(args[0]) if args else {}
        params.update(kw)
        clone._options["_params"] = {**self._options.get("_params", {}), **params}
        return clone

    # -- derived statements ------------------------------------------------------------
    @property
    def statement(self) -> Select:
        return self._statement

    def __clause_element__(self) -> Select:
        """A Query inside another statement (``col.in_(session.query(...))``) is its select."""
        return self._statement

    def subquery(self, name: str | None = None, **kw: Any) -> Any:
        return self._statement.subquery(name)

    def cte(self, name: str | None = None, recursive: bool = False, **kw: Any) -> Any:
        return self._statement.cte(name, recursive)

    def scalar_subquery(self) -> Any:
        return self._statement.scalar_subquery()

    def label(self, name: str) -> Any:
        return self._statement.label(name)

    def exists(self) -> Any:
        return self._statement.exists()

    def intersect(self, *queries: Query) -> Query:
        compound = self._statement.intersect(*[q._statement for q in queries])
        return self._clone(Select(compound.subquery()))

    def except_(self, *queries: Query) -> Query:
        compound = self._statement.except_(*[q._statement for q in queries])
        return self._clone(Select(compound.subquery()))

    def correlate(self, *froms: Any) -> Query:
        return self._clone(self._criteria_target("correlate").correlate(*froms))

    def with_session(self, session: Any) -> Query:
        clone = self._clone(self._statement)
        clone.session = session
        return clone

    def tuples(self) -> Query:
        return self

    def only_return_tuples(self, value: bool) -> Query:
        return self

    def value(self, column: Any) -> Any:
        return self.with_entities(column).scalar()

    @property
    def whereclause(self) -> Any:
        where = self._statement._where
        if not where:
            return None
        from ..sql.elements import and_

        return and_(*where)

    @property
    def selectable(self) -> Select:
        return self._statement

    @property
    def is_single_entity(self) -> bool:
        return self._is_entity_query()

    def get_execution_options(self) -> dict:
        return dict(self._options)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(
            f"Query.{name} is not supported by lightalchemy yet; build the statement with "
            "select() or see the README for the supported query surface."
        )

    def union(self, *queries: Query) -> Query:
        compound = self._statement.union(*[q._statement for q in queries])
        return self._clone(Select(compound.subquery()))

    def union_all(self, *queries: Query) -> Query:
        compound = self._statement.union_all(*[q._statement for q in queries])
        return self._clone(Select(compound.subquery()))

    @property
    def column_descriptions(self) -> list:
        return self._statement.column_descriptions

    def __str__(self) -> str:
        # as SQLAlchemy: rendered for the Session's database (``?`` on SQLite), if bound
        bind = self.session.bind if self.session is not None else None
        return str(self._statement.compile(bind=bind))

    # -- running -------------------------------------------------------------------------
    def _execute(self, statement: Select | None = None) -> Any:
        statement = statement if statement is not None else self._statement
        options = dict(self._options)
        params = options.pop("_params", None)
        autoflush = options.pop("autoflush", True)
        if not autoflush:
            with self.session.no_autoflush:
                return self.session.execute(statement, params, execution_options=options)
        return self.session.execute(statement, params, execution_options=options)

    def _single_entity(self) -> bool:
        raws = self._statement._raw_columns
        return len(raws) == 1 and (getattr(raws[0], "_is_entity", False) or
                                   not hasattr(raws[0], "_select_columns"))

    def _is_entity_query(self) -> bool:
        raws = self._statement._raw_columns
        return len(raws) == 1 and getattr(raws[0], "_is_entity", False)

    def _result(self, statement: Select | None = None) -> Any:
        result = self._execute(statement)
        if self._is_entity_query():
            scalars = result.scalars()
            # joined eager loads of collections repeat parents; Query de-duplicates them
            return scalars.unique() if result._require_unique else scalars
        return result.unique() if result._require_unique else result

    def all(self) -> list:
        return self._result().all()

    def __iter__(self):
        return iter(self._result())

    def first(self) -> Any:
        if getattr(self._statement, "_is_from_statement", False):
            return self._result().first()  # the statement is complete: no LIMIT added
        return self._result(self._statement.limit(1)).first()

    def one(self) -> Any:
        try:
            return self._result().one()
        except sa_exc.NoResultFound:
            raise sa_exc.NoResultFound("No row was found when one was required") from None

    def one_or_none(self) -> Any:
        return self._result().one_or_none()

    def scalar(self) -> Any:
        try:
            row = self._execute().one_or_none()
        except sa_exc.MultipleResultsFound:
            raise
        if row is None:
            return None
        return row[0]

    def count(self) -> int:
        self._no_from_statement()
        inner = self._statement
        stmt = Select(func.count(literal_column("*"))).select_from(inner.subquery())
        return self.session.execute(stmt, self._options.get("_params")).scalar()

    def get(self, ident: Any) -> Any:
        warnings.warn(
            "The Query.get() method is considered legacy as of the 1.x series of SQLAlchemy "
            "and becomes a legacy construct in 2.0. The method is now available as "
            "Session.get() (deprecated since: 2.0)",
            sa_exc.LegacyAPIWarning, stacklevel=2,
        )
        if getattr(self._statement, "_is_from_statement", False):
            raise sa_exc.InvalidRequestError(
                "Query.get() being called on a Query with existing criterion; call "
                "Session.get() instead."
            )
        raws = self._statement._raw_columns
        mapper = raws[0].mapper if raws and getattr(raws[0], "_is_entity", False) else None
        if mapper is None:
            raise sa_exc.InvalidRequestError("Query.get() needs a query of one mapped class")
        return self.session.get(mapper.class_, ident,
                                options=self._statement._with_options or None)

    def __getitem__(self, item: Any) -> Any:
        """``q[3]`` and ``q[10:20]`` become OFFSET / LIMIT, on top of any already set;
        negative positions are refused, as SQLAlchemy 2.0 refuses them."""
        if isinstance(item, slice):
            start, stop = item.start, item.stop
            if isinstance(start, int) and isinstance(stop, int) and stop - start <= 0:
                return []
            if (isinstance(start, int) and start < 0) or (isinstance(stop, int) and stop < 0):
                raise IndexError(_NEGATIVE_INDEX)
            rows = self.slice(start or 0, stop).all()
            return rows[::item.step] if item.step not in (None, 1) else rows
        if item < 0:
            raise IndexError(_NEGATIVE_INDEX)
        rows = self.slice(item, item + 1).all()
        if not rows:
            raise IndexError("Query index out of range")
        return rows[0]

    def delete(self, synchronize_session: Any = "auto") -> int:
        entity = self._entity_class()
        stmt = Delete(entity).where(*self._statement._where)
        result = self.session.execute(
            stmt, execution_options={"synchronize_session": synchronize_session})
        return result.rowcount

    def update(self, values: dict, synchronize_session: Any = "auto") -> int:
        entity = self._entity_class()
        stmt = Update(entity).where(*self._statement._where).values(values)
        result = self.session.execute(
            stmt, execution_options={"synchronize_session": synchronize_session})
        return result.rowcount

    def _no_from_statement(self) -> None:
        if getattr(self._statement, "_is_from_statement", False):
            raise sa_exc.InvalidRequestError(
                "Can't call this method on a Query that uses from_statement(); count the "
                "rows of .all() or write the count into the statement."
            )

    def _entity_class(self) -> Any:
        raws = self._statement._raw_columns
        if raws and getattr(raws[0], "_is_entity", False):
            return raws[0].mapper.class_
        raise sa_exc.InvalidRequestError("bulk update()/delete() needs a query of a mapped class")
