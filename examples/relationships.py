"""Relationships, the next chapter after the seed's Person walkthrough.

Authors write posts, posts carry tags (many-to-many), and comments form a tree.
Run it with ``python examples/relationships.py`` (SQLite in memory) or give a URL:
``python examples/relationships.py postgresql+psycopg://user:pw@host/db``.
Swap the imports for ``sqlalchemy`` and it prints the same.
"""

from __future__ import annotations

import sys
from typing import Optional

from lightalchemy import Column, ForeignKey, Table, create_engine, func, select
from lightalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
)


class Base(DeclarativeBase):
    pass


post_tags = Table(
    "post_tags", Base.metadata,
    Column("post_id", ForeignKey("posts.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    posts: Mapped[list[Post]] = relationship(
        back_populates="author", cascade="all, delete-orphan", order_by="Post.id")


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    author: Mapped[Author] = relationship(back_populates="posts")
    tags: Mapped[list[Tag]] = relationship(secondary=post_tags, back_populates="posts",
                                           order_by="Tag.name")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="Comment.id")


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    posts: Mapped[list[Post]] = relationship(secondary=post_tags, back_populates="tags")


class Comment(Base):
    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("comments.id"))
    post: Mapped[Post] = relationship(back_populates="comments")
    replies: Mapped[list[Comment]] = relationship(cascade="all, delete-orphan",
                                                  order_by="Comment.id")


def main(url: str = "sqlite://") -> None:
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)

    with Session(engine) as db:
        python, sql = Tag(name="python"), Tag(name="sql")
        ann = Author(name="Ann")
        first = Post(title="Sessions", tags=[python, sql])
        ann.posts.append(first)  # first.author is ann before any flush
        print(first.author.name)
        question = Comment(text="Why autoflush?", post=first)
        question.replies.append(Comment(text="So queries see your changes.", post=first))
        Post(title="Relationships", author=ann, tags=[python])
        db.add(ann)  # the whole graph follows (save-update cascade)
        db.commit()
        print([(c.id, c.parent_id) for c in first.comments])

        # lazy loading: one query per collection touched
        for post in ann.posts:
            print(post.id, post.title, [t.name for t in post.tags])

    with Session(engine) as db:
        # eager loading: three queries for every author, post and tag
        stmt = select(Author).options(selectinload(Author.posts).selectinload(Post.tags))
        for author in db.scalars(stmt):
            print(author.name, [(p.title, len(p.tags)) for p in author.posts])

        # a joined eager load repeats the author per post: unique() folds them
        authors = db.scalars(select(Author).options(joinedload(Author.posts))).unique().all()
        print(len(authors), len(authors[0].posts))

        # criteria along relationships
        print(db.scalars(select(Post.title).join(Post.tags).where(Tag.name == "sql")).all())
        print(db.scalars(select(Author.name).where(Author.posts.any(Post.title.like("R%")))
                         ).all())
        print(db.scalars(select(Tag.name).where(~Tag.posts.any()).order_by(Tag.name)).all())

        # removing from a collection with delete-orphan deletes the row
        ann = db.scalars(select(Author)).one()
        gone = ann.posts.pop()
        db.commit()
        print(gone.title, db.scalar(select(func.count()).select_from(Post)))

        # deleting the author cascades to posts, their comments and association rows
        db.delete(db.scalars(select(Author)).one())
        db.commit()
        print(db.scalar(select(func.count()).select_from(Comment)),
              db.scalar(select(func.count()).select_from(post_tags)),
              db.scalars(select(Tag.name).order_by(Tag.name)).all())


if __name__ == "__main__":
    main(*sys.argv[1:])
