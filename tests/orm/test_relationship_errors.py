"""Messages of relationship errors: each names the attribute, the reason and the fix."""

from typing import Optional

import pytest

import lightalchemy as la
from lightalchemy import exc
from lightalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
)
from lightalchemy.orm import exc as orm_exc_module


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    books: Mapped[list["Book"]] = relationship(back_populates="author")


class Book(Base):
    __tablename__ = "book"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[Optional[int]] = mapped_column(la.ForeignKey("author.id"))
    author: Mapped[Optional[Author]] = relationship(back_populates="books", lazy="raise")


@pytest.fixture
def engine():
    engine = la.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Author(name="a", books=[Book(), Book()]))
        s.commit()
    return engine


def test_lazy_load_of_detached_object_explains_the_fixes(engine):
    with Session(engine) as s:
        author = s.get(Author, 1)
    with pytest.raises(orm_exc_module.DetachedInstanceError) as info:
        author.books  # noqa: B018
    message = str(info.value)
    assert "'books'" in message and "Author.books" in message
    assert "not bound to a Session" in message
    for fix in ("selectinload()", "Session is open", "expire_on_commit=False"):
        assert fix in message


def test_lazy_raise_names_the_attribute_and_the_option(engine):
    with Session(engine) as s:
        book = s.get(Book, 1)
        with pytest.raises(exc.InvalidRequestError, match=r"'Book.author' is not available "
                                                          r"due to lazy='raise'.*selectinload"):
            book.author  # noqa: B018
        book = s.scalars(la.select(Book).options(selectinload(Book.author))).first()
        assert book.author.name == "a"


@pytest.mark.parametrize("lazy", ["dynamic", "write_only"])
def test_dynamic_and_write_only_are_refused_by_name(lazy):
    with pytest.raises(exc.InvalidRequestError, match=f"lazy={lazy!r}.*not supported"):
        relationship("Book", lazy=lazy)


def test_unknown_cascade_is_refused():
    with pytest.raises(exc.ArgumentError, match="Invalid cascade option.*'delete-orphans'"):
        relationship("Book", cascade="all, delete-orphans")


def test_appending_something_unmapped_names_the_relationship(engine):
    author = Author(name="b")
    with pytest.raises(AttributeError, match="Author.books holds Book objects"):
        author.books.append("not a book")


def test_assigning_none_to_a_collection_is_refused(engine):
    author = Author(name="b")
    with pytest.raises(exc.ArgumentError, match="Can't assign None to the collection"):
        author.books = None


def test_failed_relationship_keeps_its_error_and_spares_the_others():
    class Base2(DeclarativeBase):
        pass

    class Owner(Base2):
        __tablename__ = "owner"
        id: Mapped[int] = mapped_column(primary_key=True)
        things: Mapped[list["Missing"]] = relationship()  # noqa: F821

    class Fine(Base2):
        __tablename__ = "fine"
        id: Mapped[int] = mapped_column(primary_key=True)
        owner_id: Mapped[Optional[int]] = mapped_column(la.ForeignKey("owner.id"))
        owner: Mapped[Optional[Owner]] = relationship()

    for _ in range(2):
        with pytest.raises(exc.InvalidRequestError, match="'Missing'.*check its spelling"):
            Owner.things.property.entity  # noqa: B018
    assert Fine.owner.property.direction.name == "MANYTOONE"


def test_mapped_class_inheritance_is_refused_by_name():
    class Base3(DeclarativeBase):
        pass

    class Employee(Base3):
        __tablename__ = "employee"
        id: Mapped[int] = mapped_column(primary_key=True)

    with pytest.raises(exc.InvalidRequestError, match="inherits from the mapped class "
                                                      "Employee.*not supported"):
        class Manager(Employee):
            __tablename__ = "manager"
            id: Mapped[int] = mapped_column(la.ForeignKey("employee.id"), primary_key=True)

    with pytest.raises(exc.InvalidRequestError, match="polymorphic_on.*not supported"):
        class Person(Base3):
            __tablename__ = "person"
            id: Mapped[int] = mapped_column(primary_key=True)
            kind: Mapped[str]
            __mapper_args__ = {"polymorphic_on": "kind"}


def test_wrong_class_in_a_relationship_fails_the_flush_by_name(engine):
    with Session(engine) as s:
        author = s.get(Author, 1)
        author.books.append(Author(name="not a book"))
        with pytest.raises(orm_exc_module.FlushError, match="Author.books.*Expected an object "
                                                            "of type .*Book"):
            s.flush()
        s.rollback()
        assert len(s.get(Author, 1).books) == 2
