"""``@orm.reconstructor``: loaded objects (made without ``__init__``) run it once."""


def test_reconstructor_runs_for_loaded_objects_only(compare):
    def scenario(lib):
        sa, orm = lib.sa, lib.orm
        calls = []

        class Base(orm.DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "item"
            id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
            name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
            parent_id: orm.Mapped[int | None] = orm.mapped_column(sa.ForeignKey("item.id"))
            children: orm.Mapped[list["Item"]] = orm.relationship(order_by="Item.id")

            def __init__(self, **kw):
                super().__init__(**kw)
                self.cache = "built"

            @orm.reconstructor
            def init_on_load(self):
                calls.append(self.name)
                self.cache = f"loaded {self.name}"

        engine = sa.create_engine(lib.url)
        Base.metadata.create_all(engine)
        with orm.Session(engine) as session:
            root = Item(id=1, name="root", children=[Item(id=2, name="a"), Item(id=3, name="b")])
            session.add(root)
            session.commit()
            lib.out(root.cache, calls)
            lib.out(session.get(Item, 1).cache, calls)  # held: not loaded again
        with orm.Session(engine) as session:
            items = session.scalars(sa.select(Item).order_by(Item.id)).all()
            lib.out([i.cache for i in items], sorted(calls))
            session.expire_all()
            lib.out(items[0].name, sorted(calls))  # a refresh does not run it again
        calls.clear()
        with orm.Session(engine) as session:
            root = session.scalars(sa.select(Item).where(Item.id == 1).options(
                orm.selectinload(Item.children))).one()
            lib.out([c.cache for c in root.children], sorted(calls))
            lib.out(session.get(Item, 2).cache)
        calls.clear()
        with orm.Session(engine) as session:
            root = session.scalars(sa.select(Item).where(Item.id == 1).options(
                orm.joinedload(Item.children))).unique().one()
            lib.out([c.cache for c in root.children], sorted(calls))
        calls.clear()
        with orm.Session(engine) as session:
            root = session.get(Item, 1)
            lib.out([c.cache for c in root.children], sorted(calls))  # lazy load
        engine.dispose()

    compare(scenario)
