"""Result, Row and their filtered views (scalars, mappings, unique).

A Result pulls raw rows from a source in chunks and turns them into Rows
(or, for ORM results, objects) only when asked.  Row classes are generated
once per column layout: a tuple subclass whose named attributes are plain
``property(itemgetter(i))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from operator import itemgetter
from typing import Any

from .. import exc


class Row(tuple):
    """A result row: a tuple that also answers to column names."""

    __slots__ = ()
    _fields: tuple = ()
    #: one name per value; None for a value without a name (an unnamed entity mapped
    #: onto a subquery), which ``_fields`` leaves out, as SQLAlchemy does
    _all_fields: tuple = ()
    _key_map: dict = {}

    @property
    def _mapping(self) -> RowMapping:
        return RowMapping(self)

    def _asdict(self) -> dict:
        return {k: v for k, v in zip(self._all_fields, self) if k is not None}

    @property
    def _t(self) -> Row:
        return self

    def _tuple(self) -> Row:
        return self

    def __getattr__(self, name: str) -> Any:
        index = self._key_map.get(name)
        if index is None:
            raise AttributeError(
                f"Row has no column {name!r}; its columns are {', '.join(map(str, self._fields))}"
            )
        return tuple.__getitem__(self, index)

    def __getstate__(self) -> Any:
        return {"fields": self._all_fields, "values": tuple(self)}

    def __reduce__(self):
        return _rebuild_row, (self._all_fields, tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


def _rebuild_row(fields: tuple, values: tuple) -> Row:
    return row_class(fields)(values)


_row_classes: dict = {}


def row_class(fields: tuple, extra_keys: tuple = ()) -> type[Row]:
    """A Row subclass for these column names, generated once and cached."""
    key = (fields, extra_keys)
    cls = _row_classes.get(key)
    if cls is None:
        key_map: dict = {}
        for i, extra in extra_keys:
            key_map.setdefault(extra, i)
        namespace: dict[str, Any] = {
            "__slots__": (), "_all_fields": fields,
            "_fields": fields if None not in fields else tuple(f for f in fields
                                                                if f is not None)}
        for i, name in enumerate(fields):
            if name is None:
                continue
            key_map.setdefault(name, i)
            if isinstance(name, str) and name.isidentifier() and not name.startswith("_") \
                    and name not in namespace and not hasattr(tuple, name):
                namespace[name] = property(itemgetter(i))
        namespace["_key_map"] = key_map
        cls = type("Row", (Row,), namespace)
        if len(_row_classes) > 2000:
            _row_classes.clear()
        _row_classes[key] = cls
    return cls


class RowMapping(Mapping):
    """Read-only mapping view of a Row, keyed by column name (or Column)."""

    __slots__ = ("_row",)

    def __init__(self, row: Row) -> None:
        self._row = row

    def __getitem__(self, key: Any) -> Any:
        index = self._row._key_map.get(key)
        if index is None:
            raise exc.NoSuchColumnError(
                f"Could not locate column in row for column '{key}'; available: "
                f"{', '.join(map(str, self._row._fields))}"
            )
        return tuple.__getitem__(self._row, index)

    def __iter__(self) -> Iterator:
        return iter(f for f in self._row._fields)

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, key: object) -> bool:
        return key in self._row._key_map

    def __repr__(self) -> str:
        return repr(dict(self))

    def __eq__(self, other: object) -> bool:
        return dict(self) == other


class _Source:
    """Where raw rows come from: a DB-API cursor, or a list for buffered results."""

    __slots__ = ("cursor", "on_close", "closed")

    def __init__(self, cursor: Any, on_close: Callable[[], None] | None = None) -> None:
        self.cursor = cursor
        self.on_close = on_close
        self.closed = False

    def fetchall(self) -> list:
        if self.closed:
            return []
        rows = self.cursor.fetchall()
        self.close()
        return rows

    def fetchmany(self, size: int) -> list:
        if self.closed:
            return []
        rows = self.cursor.fetchmany(size)
        if len(rows) < size:
            self.close()
        return rows

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.cursor.close()
            except Exception:
                pass
            if self.on_close is not None:
                self.on_close()


class _WholeSource(_Source):
    """Gives every remaining row at the first fetch: for ORM results whose objects
    span rows (joined eager loads of collections), so that ``first()`` still sees
    a parent's whole collection."""

    __slots__ = ()

    def fetchmany(self, size: int) -> list:
        return self.fetchall()


class _ListSource:
    __slots__ = ("rows", "closed")

    def __init__(self, rows: list) -> None:
        self.rows = rows
        self.closed = False

    def fetchall(self) -> list:
        rows, self.rows = self.rows, []
        self.closed = True
        return rows

    def fetchmany(self, size: int) -> list:
        rows, self.rows = self.rows[:size], self.rows[size:]
        if not self.rows:
            self.closed = True
        return rows

    def close(self) -> None:
        self.rows = []
        self.closed = True


class _Fetching:
    """The fetch API shared by Result and its filtered views.

    Subclasses supply ``_all()`` and ``_many(size)`` (already converted and
    de-duplicated), ``_chunk_size()`` and ``_soft_close()``.
    """

    _seen: set | None = None
    _unique_key: Callable | None = None
    _pending: list | None = None  # rows an abandoned iteration had fetched but not given
    # ORM results with joined eager loads of collections repeat their parents
    _require_unique = False
    _unique_ok = False

    def _check_unique(self) -> None:
        if self._require_unique and self._seen is None and not self._unique_ok:
            raise exc.InvalidRequestError(
                "The unique() method must be invoked on this Result, as it contains results "
                "that include joined eager loads against collections"
            )

    def _all(self) -> list:
        if self._require_unique:
            self._check_unique()
        rows = self._fetch_all()
        if self._pending:
            rows[:0] = self._pending
            self._pending = None
        return rows

    def _many(self, size: int) -> list:
        if self._require_unique:
            self._check_unique()
        pending = self._pending
        if not pending:
            rows = self._fetch_many(size)
            if len(rows) > size:  # a source that gives everything at once
                rows, self._pending = rows[:size], rows[size:]
            return rows
        rows, self._pending = pending[:size], pending[size:]
        if len(rows) < size:
            rows += self._fetch_many(size - len(rows))
        return rows

    def _fetch_all(self) -> list:
        raise NotImplementedError

    def _fetch_many(self, size: int) -> list:
        raise NotImplementedError

    def _chunk_size(self) -> int:
        raise NotImplementedError

    def _soft_close(self) -> None:
        raise NotImplementedError

    def _filter_unique(self, items: list) -> list:
        seen = self._seen
        if seen is None:
            return items
        key = self._unique_key or _hashable
        out = []
        for item in items:
            marker = key(item)
            if marker not in seen:
                seen.add(marker)
                out.append(item)
        return out

    def unique(self, strategy: Callable | None = None) -> Any:
        self._seen = set()
        self._unique_key = strategy
        parent = getattr(self, "_parent", None)
        if parent is not None:
            parent._unique_ok = True
        return self

    def __iter__(self) -> Iterator:
        size = self._chunk_size()
        while True:
            rows = self._many(size)
            if not rows:
                return
            remaining = iter(rows)
            try:
                yield from remaining
            except GeneratorExit:
                # iteration stopped early (next(iter(result))): keep the rest for later
                rest = list(remaining)
                if rest:
                    self._pending = rest + (self._pending or [])
                raise

    def __next__(self) -> Any:
        rows = self._many(1)
        if not rows:
            raise StopIteration
        return rows[0]

    def all(self) -> list:
        return self._all()

    def fetchall(self) -> list:
        return self._all()

    def fetchmany(self, size: int | None = None) -> list:
        return self._many(size or self._chunk_size())

    def partitions(self, size: int | None = None) -> Iterator[list]:
        size = size or self._chunk_size()
        while True:
            rows = self._many(size)
            if not rows:
                return
            yield rows

    def first(self) -> Any:
        rows = self._many(1)
        self._soft_close()
        return rows[0] if rows else None

    def one_or_none(self) -> Any:
        return self._only(False)

    def one(self) -> Any:
        return self._only(True)

    def _only(self, required: bool) -> Any:
        rows = self._many(2)
        self._soft_close()
        if not rows:
            if required:
                raise exc.NoResultFound("No row was found when one was required")
            return None
        if len(rows) > 1:
            raise exc.MultipleResultsFound(
                "Multiple rows were found when exactly one was required"
                if required else "Multiple rows were found when one or none was required"
            )
        return rows[0]

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        raise NotImplementedError


class Result(_Fetching):
    """Rows of one execution, consumed once.

    Running out of rows (or ``first()``/``one()``) closes the cursor softly:
    later fetches return nothing.  ``close()`` closes hard: later fetches raise
    ResourceClosedError, as in SQLAlchemy.
    """

    _yield_per: int | None = None
    _hard_closed = False

    def __init__(self, source: Any, keys: list, make_rows: Callable[[list], list],
                 make_scalars: Callable[[list, int], list] | None = None,
                 rowcount: int = -1, lastrowid: Any = None, compiled: Any = None,
                 returns_rows: bool = True, inserted_primary_key: Any = None) -> None:
        self._source = source
        self._keys = keys
        self._make_rows = make_rows
        self._make_scalars = make_scalars
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self.context = compiled
        self.returns_rows = returns_rows
        self._inserted_primary_key = inserted_primary_key

    # -- bookkeeping -----------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._source.closed

    def close(self) -> None:
        self._hard_closed = True
        self._source.close()

    def _soft_close(self) -> None:
        self._source.close()

    def keys(self) -> RMKeyView:
        return RMKeyView(k for k in self._keys if k is not None)

    @property
    def inserted_primary_key(self) -> Any:
        if self._inserted_primary_key is None:
            raise exc.InvalidRequestError(
                "inserted_primary_key is only available after a single-row insert() statement"
            )
        return self._inserted_primary_key

    def _check_rows(self) -> None:
        if not self.returns_rows:
            raise exc.ResourceClosedError(
                "This result object does not return rows. It has been closed automatically."
            )
        if self._hard_closed:
            raise exc.ResourceClosedError("This result object is closed.")

    def _raw_all(self) -> list:
        self._check_rows()
        return self._source.fetchall()

    def _raw_many(self, size: int) -> list:
        self._check_rows()
        return self._source.fetchmany(size)

    def _fetch_all(self) -> list:
        return self._filter_unique(self._make_rows(self._raw_all()))

    def _fetch_many(self, size: int) -> list:
        if self._seen is None:
            return self._make_rows(self._raw_many(size))
        out: list = []
        while len(out) < size:
            raw = self._raw_many(size - len(out))
            if not raw:
                break
            out += self._filter_unique(self._make_rows(raw))
        return out

    def _chunk_size(self) -> int:
        return self._yield_per or 1000

    # -- public API ------------------------------------------------------------
    def fetchone(self) -> Any:
        rows = self._many(1)
        return rows[0] if rows else None

    def first(self) -> Any:
        self._check_rows()
        return super().first()

    def scalar(self) -> Any:
        row = self.first()
        return row[0] if row is not None else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        row = self.one_or_none()
        return row[0] if row is not None else None

    def scalars(self, index: int | str = 0) -> ScalarResult:
        if isinstance(index, str):
            try:
                index = self._keys.index(index)
            except ValueError:
                raise exc.NoSuchColumnError(f"no column named {index!r}") from None
        return ScalarResult(self, index)

    def mappings(self) -> MappingResult:
        return MappingResult(self)

    def columns(self, *cols: Any) -> Result:
        indexes = [self._keys.index(c) if isinstance(c, str) else c for c in cols]
        make = self._make_rows
        getter = itemgetter(*indexes)
        fields = tuple(self._keys[i] for i in indexes)
        cls = row_class(fields)
        if len(indexes) == 1:
            self._make_rows = lambda raw: [cls((getter(r),)) for r in make(raw)]
        else:
            self._make_rows = lambda raw: [cls(getter(r)) for r in make(raw)]
        self._keys = list(fields)
        return self

    def tuples(self) -> Result:
        return self

    @property
    def t(self) -> Result:
        return self

    def yield_per(self, num: int) -> Result:
        self._yield_per = num
        return self

    def freeze(self) -> Any:
        rows = self._raw_all()
        keys, make, make_scalars = self._keys, self._make_rows, self._make_scalars

        def thaw() -> Result:
            return Result(_ListSource(list(rows)), keys, make, make_scalars)

        return thaw


def _hashable(item: Any) -> Any:
    try:
        hash(item)
        return item
    except TypeError:
        return id(item)


class RMKeyView(list):
    """The column names of a result; ``"x" in result.keys()`` works."""


class _FilteredResult(_Fetching):
    """A view over a parent Result that converts each row."""

    _parent: Result

    def _convert(self, rows: list) -> list:
        raise NotImplementedError

    def _fetch_all(self) -> list:
        return self._filter_unique(self._convert(self._parent._all()))

    def _fetch_many(self, size: int) -> list:
        if self._seen is None:
            return self._convert(self._parent._many(size))
        out: list = []
        while len(out) < size:
            rows = self._parent._many(size - len(out))
            if not rows:
                break
            out += self._filter_unique(self._convert(rows))
        return out

    def _chunk_size(self) -> int:
        return self._parent._chunk_size()

    def _soft_close(self) -> None:
        self._parent._soft_close()

    def close(self) -> None:
        self._parent.close()

    def yield_per(self, num: int) -> Any:
        self._parent._yield_per = num
        return self

    @property
    def closed(self) -> bool:
        return self._parent.closed


class ScalarResult(_FilteredResult):
    """One column of each row (the first by default)."""

    def __init__(self, parent: Result, index: int) -> None:
        self._parent = parent
        self._index = index

    def _convert(self, rows: list) -> list:
        index = self._index
        return [row[index] for row in rows]

    def _direct(self) -> bool:
        # ORM results can build the scalars (objects) without building Rows first
        parent = self._parent
        return parent._make_scalars is not None and parent._seen is None and not parent._pending

    def _fetch_all(self) -> list:
        if self._direct():
            parent = self._parent
            parent._check_unique()
            return self._filter_unique(parent._make_scalars(parent._raw_all(), self._index))
        return super()._fetch_all()

    def _fetch_many(self, size: int) -> list:
        if self._direct() and self._seen is None:
            parent = self._parent
            parent._check_unique()
            return parent._make_scalars(parent._raw_many(size), self._index)
        return super()._fetch_many(size)


class MappingResult(_FilteredResult):
    """Each row as a RowMapping (a read-only dict by column name)."""

    def __init__(self, parent: Result) -> None:
        self._parent = parent

    def _convert(self, rows: list) -> list:
        return [RowMapping(row) for row in rows]

    def keys(self) -> RMKeyView:
        return self._parent.keys()

    def columns(self, *cols: Any) -> MappingResult:
        self._parent.columns(*cols)
        return self
