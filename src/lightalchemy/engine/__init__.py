"""Engine layer: URL, Engine, Connection, pool, Result and Row."""

from .base import Connection, Engine, NestedTransaction, RootTransaction, Transaction
from .create import create_engine, engine_from_config
from .result import MappingResult, Result, Row, RowMapping, ScalarResult
from .url import URL, make_url

CursorResult = Result

__all__ = [
    "URL", "Connection", "CursorResult", "Engine", "MappingResult", "NestedTransaction",
    "Result", "RootTransaction", "Row", "RowMapping", "ScalarResult", "Transaction",
    "create_engine", "engine_from_config", "make_url",
]
