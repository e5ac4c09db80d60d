"""make_url: parsing, names, rendering, and refusing what is not a URL."""

from __future__ import annotations

import pytest

from lightalchemy import URL, make_url
from lightalchemy.exc import ArgumentError


@pytest.mark.parametrize(
    "text, fields",
    [
        ("sqlite://", ("sqlite", None, None, None, None, None)),
        ("sqlite:///rel.db", ("sqlite", None, None, None, None, "rel.db")),
        ("sqlite:////abs.db", ("sqlite", None, None, None, None, "/abs.db")),
        ("sqlite:///:memory:", ("sqlite", None, None, None, None, ":memory:")),
        ("sqlite+pysqlite:///x", ("sqlite+pysqlite", None, None, None, None, "x")),
        ("postgresql+psycopg://u:p%40ss@host:5432/db?sslmode=require",
         ("postgresql+psycopg", "u", "p@ss", "host", 5432, "db")),
        ("postgresql://scott@localhost/test", ("postgresql", "scott", None, "localhost", None,
                                                "test")),
        ("postgresql://[::1]:5433/db", ("postgresql", None, None, "::1", 5433, "db")),
    ],
)
def test_parse(text, fields):
    url = make_url(text)
    assert (url.drivername, url.username, url.password, url.host, url.port,
            url.database) == fields


def test_query_string():
    url = make_url("postgresql+psycopg://u:p%40ss@host:5432/db?sslmode=require")
    assert dict(url.query) == {"sslmode": "require"}
    multi = make_url("postgresql://h/db?a=1&a=2&b=x")
    assert dict(multi.query) == {"a": ("1", "2"), "b": "x"}
    assert make_url("sqlite:///x.db").query == {}


def test_percent_decoding():
    url = make_url("postgresql://us%3Aer:p%2Fw%40rd@h/db")
    assert (url.username, url.password) == ("us:er", "p/w@rd")


def test_backend_and_driver_names():
    url = make_url("postgresql+psycopg://u:p@h/db")
    assert url.get_backend_name() == "postgresql"
    assert url.get_driver_name() == "psycopg"
    pysqlite = make_url("sqlite+pysqlite:///x")
    assert (pysqlite.get_backend_name(), pysqlite.get_driver_name()) == ("sqlite", "pysqlite")
    assert make_url("sqlite:///x").get_backend_name() == "sqlite"


def test_driver_name_defaults_to_the_dialects_driver():
    """As in SQLAlchemy, a URL without '+driver' names the dialect's default driver."""
    assert make_url("sqlite://").get_driver_name() == "pysqlite"


def test_render_as_string_hides_password():
    url = make_url("postgresql+psycopg://u:p%40ss@host:5432/db?sslmode=require")
    hidden = url.render_as_string()
    assert hidden == "postgresql+psycopg://u:***@host:5432/db?sslmode=require"
    assert "p@ss" not in hidden and "p%40ss" not in hidden
    assert repr(url) == hidden
    shown = url.render_as_string(hide_password=False)
    assert shown == "postgresql+psycopg://u:p%40ss@host:5432/db?sslmode=require"
    assert make_url(shown) == url


@pytest.mark.parametrize(
    "text",
    ["sqlite://", "sqlite:///rel.db", "sqlite:////abs.db", "sqlite+pysqlite:///x",
     "postgresql+psycopg://u:p%40ss@host:5432/db?sslmode=require"],
)
def test_round_trip_through_render_as_string(text):
    url = make_url(text)
    rendered = url.render_as_string(hide_password=False)
    assert rendered == text
    assert make_url(rendered) == url


def test_str_hides_password():
    """SQLAlchemy 2.0: ``str(url)`` masks the password, so logging a URL leaks nothing."""
    url = make_url("postgresql+psycopg://u:p%40ss@host:5432/db")
    assert str(url) == "postgresql+psycopg://u:***@host:5432/db"
    assert f"{url}" == str(url)


def test_urls_differing_only_in_password_are_different():
    assert make_url("postgresql://u:a@h/db") != make_url("postgresql://u:b@h/db")


def test_url_passes_through_and_is_immutable_value():
    url = make_url("sqlite:///a.db")
    assert make_url(url) is url
    assert isinstance(url, URL)
    changed = url.set(database="b.db")
    assert (url.database, changed.database) == ("a.db", "b.db")
    assert url == make_url("sqlite:///a.db")
    assert hash(url) == hash(make_url("sqlite:///a.db"))
    assert url != changed


def test_create():
    url = URL.create("postgresql+psycopg", username="u", password="p@ss", host="h", port=5432,
                     database="db")
    assert url.render_as_string(hide_password=False) == "postgresql+psycopg://u:p%40ss@h:5432/db"


@pytest.mark.parametrize(
    "bad",
    ["", "nonsense", "sqlite", "://x", "sqlite:/x.db", "foo bar://x"],
)
def test_bad_urls_raise_argument_error(bad):
    with pytest.raises(ArgumentError):
        make_url(bad)


def test_a_port_that_is_not_a_number_raises_value_error_as_in_sqlalchemy():
    with pytest.raises(ValueError, match="notaport"):
        make_url("postgresql://h:notaport/db")


@pytest.mark.parametrize("bad", [None, 123, b"sqlite://"])
def test_non_strings_raise_argument_error(bad):
    with pytest.raises(ArgumentError):
        make_url(bad)
