"""Database URLs: ``dialect+driver://user:password@host:port/database?key=value``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from .. import exc

_PATTERN_TEXT = (
    r"""
    (?P<name>[\w\+]+)://
    (?:
        (?P<username>[^:/]*)
        (?::(?P<password>[^@]*))?
    @)?
    (?:
        (?:
            \[(?P<ipv6host>[^/\?]+)\] |
            (?P<ipv4host>[^/:\?]+)
        )?
        (?::(?P<port>[^/\?]*))?
    )?
    (?:/(?P<database>[^\?]*))?
    (?:\?(?P<query>.*))?
    """
)


_DEFAULT_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg", "postgres": "psycopg"}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    return re.compile(_PATTERN_TEXT, re.X)  # compiled on first use: import stays quick


class URL(NamedTuple):
    """An immutable, parsed database URL (fields as in SQLAlchemy)."""

    drivername: str
    username: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: Mapping[str, str | tuple[str, ...]]

    @classmethod
    def create(
        cls,
        drivername: str,
        username: str | None = None,
        password: str | None = None,
        host: str | None = None,
        port: int | None = None,
        database: str | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> URL:
        return cls(drivername, username, password, host, port, database, dict(query or {}))

    def get_backend_name(self) -> str:
        return self.drivername.split("+", 1)[0]

    def get_driver_name(self) -> str | None:
        parts = self.drivername.split("+", 1)
        if len(parts) == 2:
            return parts[1]
        return _DEFAULT_DRIVERS.get(parts[0])

    def set(self, **kw: Any) -> URL:
        if "query" in kw:
            kw["query"] = dict(kw["query"])
        return self._replace(**kw)

    def update_query_dict(self, query: Mapping[str, Any]) -> URL:
        merged = dict(self.query)
        merged.update(query)
        return self._replace(query=merged)

    def render_as_string(self, hide_password: bool = True) -> str:
        from urllib.parse import quote

        text = f"{self.drivername}://"
        if self.username is not None:
            text += quote(self.username, safe=" +")
            if self.password is not None:
                text += ":" + ("***" if hide_password else quote(str(self.password), safe=" +"))
            text += "@"
        if self.host is not None:
            text += f"[{self.host}]" if ":" in self.host else self.host
        if self.port is not None:
            text += f":{self.port}"
        if self.database is not None:
            text += "/" + self.database
        if self.query:
            pairs = []
            for key, value in self.query.items():
                for item in value if isinstance(value, tuple) else (value,):
                    pairs.append(f"{key}={item}")
            text += "?" + "&".join(pairs)
        return text

    def __str__(self) -> str:
        return self.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return self.render_as_string()

    def __hash__(self) -> int:
        return hash(self.render_as_string(hide_password=False))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, URL) and self.render_as_string(hide_password=False) == \
            other.render_as_string(hide_password=False)

    def __ne__(self, other: object) -> bool:
        return not self == other


def make_url(name_or_url: str | URL) -> URL:
    """Parse ``name_or_url``; a URL passes through unchanged."""
    if isinstance(name_or_url, URL):
        return name_or_url
    if not isinstance(name_or_url, str):
        raise exc.ArgumentError(
            f"Expected string or URL object, got {name_or_url!r}; "
            "pass a URL such as 'sqlite:///app.db'."
        )
    match = _pattern().match(name_or_url.strip())
    if match is None:
        raise exc.ArgumentError(
            f"Could not parse SQLAlchemy URL from string '{name_or_url}'; "
            "expected 'dialect+driver://user:password@host:port/database', "
            "for example 'sqlite:///app.db' or 'sqlite://' for memory."
        )
    from urllib.parse import parse_qsl, unquote

    parts = match.groupdict()
    query: dict[str, str | tuple[str, ...]] = {}
    if parts["query"]:
        for key, value in parse_qsl(parts["query"], keep_blank_values=True):
            if key in query:
                old = query[key]
                query[key] = (*old, value) if isinstance(old, tuple) else (old, value)
            else:
                query[key] = value
    port: int | None = None
    if parts["port"]:
        try:
            port = int(parts["port"])
        except ValueError:  # ValueError, as SQLAlchemy raises here
            raise ValueError(
                f"Invalid port {parts['port']!r} in URL '{name_or_url}'; the port must be a number."
            ) from None
    username = unquote(parts["username"]) if parts["username"] is not None else None
    password = unquote(parts["password"]) if parts["password"] is not None else None
    host = parts["ipv6host"] or parts["ipv4host"]
    database = parts["database"]
    if database == "":
        database = None
    return URL(parts["name"], username, password, host, port, database, query)
