"""Column types: DDL names come from the dialect, value conversion lives here.

A type converts values only where the driver cannot store them natively; the
dialect says which kinds it stores natively through ``dialect.features``.
Processors are looked up once per (type, dialect) and cached, so the hot
paths see either ``None`` (no conversion) or one plain function.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import sys
from collections.abc import Callable
from typing import Any

from .. import exc

Processor = Callable[[Any], Any] | None


class TypeEngine:
    """Base of all types; instances are immutable and shareable."""

    __visit_name__ = "type"
    _is_string = False
    _is_numeric = False
    hashable = True
    python_type: type = object
    should_evaluate_none = False

    def __init__(self) -> None:
        pass

    @property
    def _key(self) -> Any:
        key = self.__dict__.get("_cached_key")
        if key is None:
            items = tuple(
                (k, v if not isinstance(v, list | dict) else repr(v))
                for k, v in sorted(self.__dict__.items())
                if not k.startswith("_")
            )
            try:
                hash(items)
            except TypeError:
                items = repr(items)  # type: ignore[assignment]
            key = (type(self), items)
            self.__dict__["_cached_key"] = key
        return key

    # -- value conversion -------------------------------------------------
    def bind_processor(self, dialect: Any) -> Processor:
        return None

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        return None

    def _processors(self, dialect: Any) -> tuple[Processor, Processor]:
        cache = self.__dict__.get("_processor_cache")
        if cache is None:
            cache = self.__dict__["_processor_cache"] = {}
        found = cache.get(dialect.name)
        if found is None:
            found = cache[dialect.name] = (self.bind_processor(dialect),
                                           self.result_processor(dialect))
        return found

    def _result_type(self, op: Any, other: TypeEngine) -> TypeEngine:
        if self is NULLTYPE:
            return other
        return self

    def compare_values(self, x: Any, y: Any) -> bool:
        return x == y

    def copy(self) -> TypeEngine:
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        return clone

    def with_variant(self, type_: Any, *dialect_names: str) -> TypeEngine:
        variants = dict(self.__dict__.get("_variants", {}))
        for name in dialect_names:
            variants[name] = to_instance(type_)
        clone = self.copy()
        clone.__dict__["_variants"] = variants
        return clone

    def compile(self, dialect: Any = None) -> str:
        from .compiler import _default_dialect

        dialect = dialect or _default_dialect()
        return dialect.type_compiler.process(self)

    def __str__(self) -> str:
        return self.compile()

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items()
                         if not k.startswith("_") and v is not None)
        return f"{type(self).__name__}({args})"


class NullType(TypeEngine):
    """The type of an expression whose type is not known."""

    __visit_name__ = "null"


class Integer(TypeEngine):
    __visit_name__ = "integer"
    _is_numeric = True
    python_type = int

    def _result_type(self, op: Any, other: TypeEngine) -> TypeEngine:
        if isinstance(other, Numeric | Float):
            return other
        return self


class SmallInteger(Integer):
    __visit_name__ = "small_integer"


class BigInteger(Integer):
    __visit_name__ = "big_integer"


class Numeric(TypeEngine):
    """Exact decimals.  Returns ``Decimal`` quantized to ``scale`` when given."""

    __visit_name__ = "numeric"
    _is_numeric = True
    python_type = decimal.Decimal
    _default_decimal_return_scale = 10

    def __init__(self, precision: int | None = None, scale: int | None = None,
                 decimal_return_scale: int | None = None, asdecimal: bool = True) -> None:
        self.precision = precision
        self.scale = scale
        self.decimal_return_scale = decimal_return_scale
        self.asdecimal = asdecimal

    def bind_processor(self, dialect: Any) -> Processor:
        if dialect.features.native_decimal:
            return None
        digits = dialect.features.decimal_digits

        def process(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, decimal.Decimal):
                if not value.is_finite():
                    return float(value)
                if len(value.as_tuple().digits) > digits:
                    normal = value.normalize()
                    if len(normal.as_tuple().digits) > digits:
                        raise ValueError(
                            f"Decimal {value} has more than {digits} significant digits, which "
                            f"the {dialect.name} dialect cannot store exactly (it keeps NUMERIC "
                            "values as 8-byte floats); round the value, store it in a String "
                            "column, or use a database with native decimals such as PostgreSQL."
                        )
                return str(value)
            return value

        return process

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        if not self.asdecimal:
            return None if not dialect.features.native_decimal else _to_float
        # SQLAlchemy's effective return scale: decimal_return_scale, else scale, else 10
        scale = self.decimal_return_scale if self.decimal_return_scale is not None \
            else self.scale
        if scale is None:
            scale = self._default_decimal_return_scale
        quantum = decimal.Decimal(1).scaleb(-scale) if scale is not None else None
        Decimal = decimal.Decimal

        def process(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, Decimal):
                value = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            if quantum is not None and value.is_finite():
                try:
                    return value.quantize(quantum)
                except decimal.InvalidOperation:
                    return value
            return value

        if dialect.features.native_decimal:
            # as SQLAlchemy does there: the driver's Decimal (or int) is kept as it is; a
            # float (a floating-point expression typed Numeric) becomes a Decimal
            def process_native(value: Any) -> Any:
                if value is None or isinstance(value, Decimal | int):
                    return value
                return process(value)

            return process_native
        return process


def _to_float(value: Any) -> Any:
    return float(value) if value is not None else None


class Float(Numeric):
    __visit_name__ = "float"
    python_type = float

    def __init__(self, precision: int | None = None, asdecimal: bool = False,
                 decimal_return_scale: int | None = None) -> None:
        self.precision = precision
        self.asdecimal = asdecimal
        self.decimal_return_scale = decimal_return_scale
        self.scale = None

    def bind_processor(self, dialect: Any) -> Processor:
        return None

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        if self.asdecimal:
            return super().result_processor(dialect, coltype)
        return _to_float if dialect.features.native_decimal else None


class Double(Float):
    __visit_name__ = "double"


class String(TypeEngine):
    __visit_name__ = "string"
    _is_string = True
    python_type = str

    def __init__(self, length: int | None = None, collation: str | None = None) -> None:
        self.length = length
        self.collation = collation


class Text(String):
    __visit_name__ = "text"


class Unicode(String):
    __visit_name__ = "unicode"


class UnicodeText(Text):
    __visit_name__ = "unicode_text"


class Boolean(TypeEngine):
    __visit_name__ = "boolean"
    python_type = bool

    def __init__(self, create_constraint: bool = False, name: str | None = None) -> None:
        self.create_constraint = create_constraint
        self.name = name

    def bind_processor(self, dialect: Any) -> Processor:
        if dialect.features.native_boolean:
            return None

        def process(value: Any) -> Any:
            if value is None:
                return None
            if value not in (True, False):
                raise TypeError(f"Not a boolean value: {value!r}")
            return int(value)

        return process

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        if dialect.features.native_boolean:
            return None
        return _to_bool


def _to_bool(value: Any) -> Any:
    return None if value is None else bool(value)


class _DateTimeBase(TypeEngine):
    _storage: Callable[[Any], str]
    _parse: Callable[[str], Any]
    _python: type

    def bind_processor(self, dialect: Any) -> Processor:
        if dialect.features.native_datetime:
            return None
        kind = self._python
        name = type(self).__name__
        render = self._storage

        def process(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, kind):
                raise TypeError(
                    f"{name} type only accepts Python {kind.__name__} objects as input, "
                    f"got {value!r}"
                )
            return render(value)

        return process

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        if dialect.features.native_datetime:
            return None
        parse = self._parse

        def process(value: Any) -> Any:
            if value is None:
                return None
            if isinstance(value, str):
                return parse(value)
            return value

        return process


def _render_datetime(value: dt.datetime) -> str:
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d} " \
           f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    offset = value.utcoffset()
    if offset is not None:
        text += value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]
    return text


def _parse_datetime(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return dt.datetime.fromisoformat(value.replace("T", " ").rstrip("Z"))


def _render_time(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"


class DateTime(_DateTimeBase):
    __visit_name__ = "datetime"
    python_type = dt.datetime
    _python = dt.datetime
    _storage = staticmethod(_render_datetime)
    _parse = staticmethod(_parse_datetime)

    def __init__(self, timezone: bool = False) -> None:
        self.timezone = timezone


class Date(_DateTimeBase):
    __visit_name__ = "date"
    python_type = dt.date
    _python = dt.date
    _storage = staticmethod(lambda v: f"{v.year:04d}-{v.month:02d}-{v.day:02d}")
    _parse = staticmethod(lambda v: dt.date.fromisoformat(v[:10]))

    def bind_processor(self, dialect: Any) -> Processor:
        inner = super().bind_processor(dialect)
        if inner is None:
            return None

        def process(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                raise TypeError(f"Date type only accepts Python date objects, got {value!r}")
            return inner(value)

        return process


class Time(_DateTimeBase):
    __visit_name__ = "time"
    python_type = dt.time
    _python = dt.time
    _storage = staticmethod(_render_time)
    _parse = staticmethod(dt.time.fromisoformat)

    def __init__(self, timezone: bool = False) -> None:
        self.timezone = timezone


class Interval(TypeEngine):
    __visit_name__ = "interval"
    python_type = dt.timedelta

    def bind_processor(self, dialect: Any) -> Processor:
        if dialect.features.native_interval:
            return None
        epoch = dt.datetime(1970, 1, 1)
        return lambda v: None if v is None else _render_datetime(epoch + v)

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        if dialect.features.native_interval:
            return None
        epoch = dt.datetime(1970, 1, 1)
        return lambda v: None if v is None else _parse_datetime(v) - epoch


class _Binary(TypeEngine):
    __visit_name__ = "large_binary"
    python_type = bytes

    def __init__(self, length: int | None = None) -> None:
        self.length = length

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        return lambda v: bytes(v) if v is not None and not isinstance(v, bytes) else v


class LargeBinary(_Binary):
    __visit_name__ = "large_binary"


class Enum(String):
    """Stores a Python enum member by name (or a string from a fixed list)."""

    __visit_name__ = "enum"
    _is_string = True

    def __init__(self, *enums: Any, name: str | None = None, native_enum: bool = True,
                 create_constraint: bool = False, length: int | None = None,
                 values_callable: Callable | None = None, validate_strings: bool = False,
                 inherit_schema: bool = False, metadata: Any = None, schema: Any = None,
                 **kw: Any) -> None:
        self.enum_class = None
        if len(enums) == 1 and isinstance(enums[0], type) and issubclass(enums[0], enum.Enum):
            self.enum_class = enums[0]
            members = list(self.enum_class.__members__.values())
            if values_callable is not None:
                names = list(values_callable(self.enum_class))
            else:
                names = [m.name for m in members]
            self._object_lookup = dict(zip(names, members))
            self._db_lookup = {m: n for n, m in zip(names, members)}
            self.enums = names
        else:
            self.enums = list(enums)
            self._object_lookup = {e: e for e in self.enums}
            self._db_lookup = {e: e for e in self.enums}
        self.name = name or (self.enum_class.__name__.lower() if self.enum_class else None)
        self.native_enum = native_enum
        self.create_constraint = create_constraint
        self.validate_strings = validate_strings
        self.length = length if length is not None else max((len(e) for e in self.enums), default=0)
        self.collation = None
        self.python_type = self.enum_class or str  # type: ignore[misc]

    @property
    def _key(self) -> Any:
        return (Enum, tuple(self.enums), self.enum_class, self.name)

    def _db_value(self, value: Any) -> Any:
        try:
            return self._db_lookup[value]
        except (KeyError, TypeError):
            pass
        if isinstance(value, str) and (not self.validate_strings or value in self._object_lookup):
            return value  # as in SQLAlchemy: an unknown string is stored, and fails when read
        raise LookupError(
            f"{value!r} is not among the defined enum values. "
            f"Enum name: {self.name}. Possible values: {', '.join(map(str, self.enums[:10]))}"
        )

    def bind_processor(self, dialect: Any) -> Processor:
        lookup = self._db_value
        return lambda v: None if v is None else lookup(v)

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        objects = self._object_lookup
        name = self.name

        def process(value: Any) -> Any:
            if value is None:
                return None
            try:
                return objects[value]
            except KeyError:
                raise LookupError(
                    f"{value!r} is not among the defined enum values. Enum name: {name}. "
                    f"Possible values: {', '.join(map(str, list(objects)[:10]))}"
                ) from None

        return process


class JSON(TypeEngine):
    __visit_name__ = "JSON"
    python_type = dict
    hashable = False

    class JSONElementType(TypeEngine):
        pass

    def __init__(self, none_as_null: bool = False) -> None:
        self.none_as_null = none_as_null

    NULL = object()

    def _getitem(self, expr: Any, index: Any) -> Any:
        """``expr[index]``: an element of the JSON value (see ``sql/json.py``)."""
        from .json import json_getitem

        return json_getitem(expr, index)

    def bind_processor(self, dialect: Any) -> Processor:
        from json import dumps

        none_as_null = self.none_as_null
        null_marker = JSON.NULL

        def process(value: Any) -> Any:
            if value is null_marker or (value is None and none_as_null):
                return None
            return dumps(value)

        # Python None is the JSON value null unless none_as_null: convert it too
        process.handles_none = not none_as_null  # type: ignore[attr-defined]
        return process

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        if dialect.features.native_json:
            return None
        from json import loads

        return lambda v: None if v is None else (loads(v) if isinstance(v, str | bytes) else v)


class Uuid(TypeEngine):
    __visit_name__ = "uuid"

    @property
    def python_type(self) -> type:  # type: ignore[override]
        from uuid import UUID

        return UUID

    def __init__(self, as_uuid: bool = True, native_uuid: bool = True) -> None:
        self.as_uuid = as_uuid
        self.native_uuid = native_uuid

    def bind_processor(self, dialect: Any) -> Processor:
        if dialect.features.native_uuid and self.native_uuid:
            if self.as_uuid:
                return None
        from uuid import UUID

        if dialect.features.native_uuid and self.native_uuid:
            return lambda v: None if v is None else UUID(v)

        def process(value: Any) -> Any:
            if value is None:
                return None
            if not isinstance(value, UUID):
                value = UUID(value)
            return value.hex

        return process

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        from uuid import UUID

        if self.as_uuid:
            return lambda v: v if v is None or isinstance(v, UUID) else UUID(v)
        return lambda v: None if v is None else (str(v) if isinstance(v, UUID) else str(UUID(v)))


class PickleType(TypeEngine):
    __visit_name__ = "large_binary"

    def __init__(self, protocol: int = 5) -> None:
        self.protocol = protocol

    def bind_processor(self, dialect: Any) -> Processor:
        import pickle

        return lambda v: None if v is None else pickle.dumps(v, self.protocol)

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        import pickle

        return lambda v: None if v is None else pickle.loads(v)


class TypeDecorator(TypeEngine):
    """Wraps an ``impl`` type with user conversions, as in SQLAlchemy."""

    impl: Any = TypeEngine
    cache_ok: bool | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        impl = self.__class__.impl
        self.impl = impl(*args, **kwargs) if isinstance(impl, type) else impl

    @property
    def __visit_name__(self) -> str:  # type: ignore[override]
        return self.impl.__visit_name__

    @property
    def _is_string(self) -> bool:  # type: ignore[override]
        return self.impl._is_string

    @property
    def _key(self) -> Any:
        return (type(self), id(self))

    @property
    def python_type(self) -> type:  # type: ignore[override]
        return self.impl.python_type

    def load_dialect_impl(self, dialect: Any) -> TypeEngine:
        return self.impl

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return value

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return value

    def bind_processor(self, dialect: Any) -> Processor:
        inner = self.load_dialect_impl(dialect).bind_processor(dialect)
        user = self.process_bind_param
        if inner is None:
            return lambda v: user(v, dialect)
        return lambda v: inner(user(v, dialect))

    def result_processor(self, dialect: Any, coltype: Any = None) -> Processor:
        inner = self.load_dialect_impl(dialect).result_processor(dialect)
        user = self.process_result_value
        if inner is None:
            return lambda v: user(v, dialect)
        return lambda v: user(inner(v), dialect)


# Upper-case names render exactly that SQL type.
class INTEGER(Integer):
    __visit_name__ = "INTEGER"


class BIGINT(BigInteger):
    __visit_name__ = "BIGINT"


class SMALLINT(SmallInteger):
    __visit_name__ = "SMALLINT"


class VARCHAR(String):
    __visit_name__ = "VARCHAR"


class CHAR(String):
    __visit_name__ = "CHAR"


class NVARCHAR(Unicode):
    __visit_name__ = "NVARCHAR"


class TEXT(Text):
    __visit_name__ = "TEXT"


class CLOB(Text):
    __visit_name__ = "CLOB"


class FLOAT(Float):
    __visit_name__ = "FLOAT"


class REAL(Float):
    __visit_name__ = "REAL"


class DOUBLE(Double):
    __visit_name__ = "DOUBLE"


class DOUBLE_PRECISION(Double):
    __visit_name__ = "DOUBLE_PRECISION"


class NUMERIC(Numeric):
    __visit_name__ = "NUMERIC"


class DECIMAL(Numeric):
    __visit_name__ = "DECIMAL"


class BOOLEAN(Boolean):
    __visit_name__ = "BOOLEAN"


class DATE(Date):
    __visit_name__ = "DATE"


class DATETIME(DateTime):
    __visit_name__ = "DATETIME"


class TIMESTAMP(DateTime):
    __visit_name__ = "TIMESTAMP"


class TIME(Time):
    __visit_name__ = "TIME"


class BLOB(LargeBinary):
    __visit_name__ = "BLOB"


class BINARY(_Binary):
    __visit_name__ = "BINARY"


class VARBINARY(_Binary):
    __visit_name__ = "VARBINARY"


class UUID(Uuid):
    __visit_name__ = "UUID"


NULLTYPE = NullType()
BOOLEANTYPE = Boolean()
STRINGTYPE = String()
INTEGERTYPE = Integer()

_PYTHON_TYPES: dict[type, TypeEngine] = {
    int: INTEGERTYPE,
    str: STRINGTYPE,
    float: Float(),
    bool: BOOLEANTYPE,
    decimal.Decimal: Numeric(),
    dt.datetime: DateTime(),
    dt.date: Date(),
    dt.time: Time(),
    dt.timedelta: Interval(),
    bytes: LargeBinary(),
    dict: JSON(),
    list: JSON(),
}


def _type_for_python_value(value: Any) -> TypeEngine:
    found = _PYTHON_TYPES.get(type(value))
    if found is not None:
        return found
    if isinstance(value, enum.Enum):
        return Enum(type(value))
    for kind, type_ in _PYTHON_TYPES.items():
        if isinstance(value, kind):
            return type_
    uuid = sys.modules.get("uuid")  # a UUID value means its module is loaded already
    if uuid is not None and isinstance(value, uuid.UUID):
        return _PYTHON_TYPES.setdefault(uuid.UUID, Uuid())
    return NULLTYPE


def to_instance(type_: Any) -> TypeEngine:
    if type_ is None:
        return NULLTYPE
    if isinstance(type_, type):
        if issubclass(type_, TypeEngine):
            return type_()
        raise exc.ArgumentError(f"{type_!r} is not a lightalchemy type")
    if isinstance(type_, TypeEngine):
        return type_
    raise exc.ArgumentError(
        f"{type_!r} is not a column type; pass a type such as Integer or String(50)"
    )
