"""``create_engine``: URL → dialect (loaded by name), pool, echo."""

from __future__ import annotations

import importlib
from typing import Any

from .. import exc
from .base import Engine
from .url import URL, make_url

# dialect name → module that defines ``dialect`` (imported on first use)
_DIALECTS = {
    "sqlite": "lightalchemy.dialects.sqlite",
    "postgresql": "lightalchemy.dialects.postgresql",
    "postgres": "lightalchemy.dialects.postgresql",
}

_POOL_ARGS = ("pool_size", "max_overflow", "pool_timeout", "pool_recycle", "pool_pre_ping",
              "pool_reset_on_return", "pool_use_lifo", "pool_logging_name")


def _load_dialect_class(url: URL) -> type:
    backend = url.get_backend_name()
    module_name = _DIALECTS.get(backend)
    if module_name is None:
        raise exc.NoSuchModuleError(
            f"Can't load plugin: sqlalchemy.dialects:{url.drivername}; lightalchemy supports "
            f"{', '.join(sorted(set(_DIALECTS) - {'postgres'}))} URLs"
        )
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name != module_name:
            raise
        raise exc.NoSuchModuleError(
            f"Can't load plugin: sqlalchemy.dialects:{url.drivername}; the {backend} dialect "
            "is not available in this version of lightalchemy yet (SQLite is)."
        ) from None
    return module.dialect_for_driver(url.get_driver_name())


def create_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create an Engine for ``url``; keyword arguments as in SQLAlchemy."""
    u = make_url(url)
    dialect_cls = _load_dialect_class(u)
    echo = kwargs.pop("echo", False)
    kwargs.pop("echo_pool", None)
    kwargs.pop("future", None)
    hide_parameters = kwargs.pop("hide_parameters", False)
    connect_args = dict(kwargs.pop("connect_args", None) or {})
    poolclass = kwargs.pop("poolclass", None)
    pool = kwargs.pop("pool", None)
    creator = kwargs.pop("creator", None)
    isolation_level = kwargs.pop("isolation_level", None)
    execution_options = kwargs.pop("execution_options", None) or {}
    pool_args = {k: kwargs.pop(k) for k in _POOL_ARGS if k in kwargs}
    for ignored in ("query_cache_size", "insertmanyvalues_page_size", "json_serializer",
                    "json_deserializer", "logging_name", "paramstyle", "plugins",
                    "use_insertmanyvalues", "max_identifier_length", "label_length",
                    "implicit_returning", "enable_from_linting"):
        kwargs.pop(ignored, None)
    dialect = dialect_cls(isolation_level=isolation_level, **kwargs.pop("dialect_kwargs", {}))
    if kwargs:
        raise TypeError(
            f"Invalid argument(s) {', '.join(repr(k) for k in kwargs)} sent to create_engine(), "
            f"using configuration {type(dialect).__name__}/{type(None).__name__}/Engine. "
            "Please check that the keyword arguments are appropriate for this combination of "
            "components."
        )
    cargs, cparams = dialect.create_connect_args(u)
    cparams.update(connect_args)
    if creator is None:
        def creator() -> Any:
            return dialect.connect(*cargs, **cparams)
    else:
        user_creator = creator

        def creator() -> Any:
            conn = user_creator()
            dialect.on_connect(conn)
            return conn

    if pool is None:
        poolclass = poolclass or dialect.get_pool_class(u)
        args: dict[str, Any] = {"dialect": dialect}
        if "pool_recycle" in pool_args:
            args["recycle"] = pool_args["pool_recycle"]
        if "pool_pre_ping" in pool_args:
            args["pre_ping"] = pool_args["pool_pre_ping"]
        if poolclass.__name__ == "QueuePool":
            for ours, theirs in (("pool_size", "pool_size"), ("max_overflow", "max_overflow"),
                                 ("pool_timeout", "timeout"), ("pool_use_lifo", "use_lifo")):
                if ours in pool_args:
                    args[theirs] = pool_args[ours]
        elif "pool_size" in pool_args and poolclass.__name__ == "SingletonThreadPool":
            args["pool_size"] = pool_args["pool_size"]
        pool = poolclass(creator, **args)
    elif getattr(pool, "_dialect", None) is None:
        pool._dialect = dialect  # pre-ping and resets need it
    return Engine(pool, dialect, u, echo=echo, execution_options=execution_options,
                  hide_parameters=hide_parameters)


def engine_from_config(configuration: dict, prefix: str = "sqlalchemy.", **kwargs: Any) -> Engine:
    options = {k[len(prefix):]: v for k, v in configuration.items() if k.startswith(prefix)}
    options.update(kwargs)
    url = options.pop("url")
    return create_engine(url, **options)
