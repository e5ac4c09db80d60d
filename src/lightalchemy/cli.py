"""``python -m lightalchemy``: a command line for trying lightalchemy out.

``demo`` runs the "first steps" tutorial program (a ``Person`` model, a
session, add / add_all / query / get / refresh) against a SQLite file, written
exactly as a SQLAlchemy user would write it.  Only public names are imported,
so the demo also shows that the public API is enough for the tutorial.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from lightalchemy import Column, Integer, String, create_engine, make_url
from lightalchemy.exc import OperationalError, SQLAlchemyError
from lightalchemy.orm import DeclarativeBase, Session, sessionmaker

DEFAULT_DB = "people.db"


def _declare_models() -> tuple[type, type]:
    """The tutorial's model, declared afresh so each run has its own MetaData."""

    class Base(DeclarativeBase):
        pass

    class Person(Base):
        __tablename__ = "people"

        id = Column(Integer, primary_key=True, index=True)
        name = Column(String)
        age = Column(Integer)

    return Base, Person


def _add_one(db: Session, Person: type, out: Callable[[str], Any]) -> None:
    user = Person(name="Егор", age=28)
    db.add(user)
    db.commit()
    # After a commit the object is expired; refresh() reloads it (the tutorial's advice).
    db.refresh(user)
    out(str(user.id))


def _add_many(db: Session, Person: type) -> None:
    sergey = Person(name="Сергей", age=28)
    vladimir = Person(name="Владимир", age=32)
    db.add_all([sergey, vladimir])
    db.commit()


def _read(db: Session, Person: type, out: Callable[[str], Any]) -> None:
    people = db.query(Person).all()
    for p in people:
        out(f"{p.id}.{p.name} ({p.age})")

    first_person = db.get(Person, 1)
    if first_person is None:
        out("there is no person with id 1 in this database")
    else:
        out(f"{first_person.name} - {first_person.age}")


def run_demo(url: str, echo: bool = False, out: Callable[[str], Any] = print) -> None:
    """The tutorial walkthrough on ``url``; rows accumulate from run to run."""
    engine = create_engine(url, echo=echo)
    try:
        Base, Person = _declare_models()
        Base.metadata.create_all(bind=engine)

        Session = sessionmaker(autoflush=False, bind=engine)
        with Session(autoflush=False, bind=engine) as db:
            _add_one(db, Person, out)
            _add_many(db, Person)
            _read(db, Person, out)
    finally:
        engine.dispose()


def _sqlite_url(path: str) -> str:
    return f"sqlite:///{path}"


def _shown(url: str) -> str:
    """``url`` fit for an error message: the password masked."""
    try:
        return repr(make_url(url).render_as_string(hide_password=True))
    except SQLAlchemyError:
        return "the given URL"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lightalchemy",
        description="lightalchemy: SQLAlchemy 2.x ORM code, unchanged, on a lighter core.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="run the tutorial walkthrough (add, add_all, query, get) on SQLite",
        description="Create a 'people' table, add three people, list everyone and fetch "
        "the person with id 1. Running it again adds three more rows.",
    )
    demo.add_argument(
        "--db",
        metavar="PATH",
        default=DEFAULT_DB,
        help=f"SQLite file to use (default: {DEFAULT_DB} in the current directory)",
    )
    demo.add_argument(
        "--url",
        metavar="URL",
        help="database URL, e.g. sqlite:///other.db (overrides --db)",
    )
    demo.add_argument(
        "--echo",
        action="store_true",
        help="log every SQL statement and its parameters (create_engine(echo=True))",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    url = args.url if args.url is not None else _sqlite_url(args.db)
    try:
        run_demo(url, echo=args.echo)
    except OperationalError as error:
        print(f"error: could not use the database {_shown(url)}: {error}", file=sys.stderr)
        if args.url is None:
            print(f"hint: check that {args.db!r} is in an existing, writable folder, or pass "
                  "--db PATH", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ImportError as error:
        print(f"error: cannot load the database backend for {_shown(url)} ({error}); "
              "lightalchemy runs on SQLite for now, e.g. --url sqlite:///people.db",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
