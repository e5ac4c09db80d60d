"""Public path for pools (``from lightalchemy.pool import StaticPool``)."""

from .engine.pool import (  # noqa: F401
    AssertionPool,
    NullPool,
    Pool,
    QueuePool,
    SingletonThreadPool,
    StaticPool,
)
