"""Legacy style: declarative_base(), Column(), sessionmaker, Query, errors, merge."""

import datetime


def run(sa, orm, exc, url, print):  # noqa: A002 - output goes to the harness
    Base = orm.declarative_base()

    class Item(Base):
        __tablename__ = "items"
        id = sa.Column(sa.Integer, primary_key=True)
        title = sa.Column(sa.String(50), nullable=False, unique=True)
        price = sa.Column(sa.Float, default=1.5)
        qty = sa.Column(sa.Integer, server_default="0")
        updated = sa.Column(sa.DateTime, default=lambda: datetime.datetime(2020, 1, 1), onupdate=lambda: datetime.datetime(2021, 1, 1))

    engine = sa.create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    SessionLocal = orm.sessionmaker(bind=engine, autoflush=True)
    db = SessionLocal()
    for i in range(10):
        db.add(Item(title=f"t{i}", price=i * 1.25))
    db.commit()
    print(db.query(Item).filter(Item.price > 5).order_by(Item.price.desc()).limit(3).offset(1).all() and
          [(i.id, i.title, i.price, i.qty) for i in db.query(Item).filter(Item.price > 5).order_by(Item.price.desc()).limit(3).offset(1)])
    print(db.query(Item).count(), db.query(Item).filter_by(title="t3").one().id, db.query(Item).get(4).title)
    it = db.get(Item, 2)
    it.price = 99.0
    print(it.updated)
    db.commit()
    print(it.updated, it.price)
    try:
        db.add(Item(title="t1"))
        db.commit()
    except exc.IntegrityError as e:
        print("integrity", type(e.orig).__name__)
        db.rollback()
    print(db.query(Item).count())
    try:
        db.query(Item).filter(Item.id > 100).one()
    except exc.NoResultFound:
        print("noresult")
    try:
        db.query(Item).one()
    except exc.MultipleResultsFound:
        print("multiple")
    n = db.query(Item).filter(Item.id > 7).update({"qty": Item.qty + 5}, synchronize_session="fetch")
    print(n, [i.qty for i in db.query(Item).filter(Item.id > 6).order_by(Item.id)])
    n = db.query(Item).filter(Item.title.in_(["t0", "t9"])).delete(synchronize_session=False)
    db.commit()
    print(n, db.query(Item).count(), db.query(Item.title).order_by(Item.title).first())
    x = Item(id=3, title="merged", price=3.0)
    m = db.merge(x)
    db.commit()
    print(m is x, db.get(Item, 3).title)
    db.expire_all()
    print(orm.object_session(m) is db, sa.inspect(m).expired)
    db.close()
    print(sa.inspect(m).detached)
    try:
        print(m.title)
    except orm.exc.DetachedInstanceError:
        print("detached")
    with SessionLocal.begin() as s2:
        s2.add(Item(title="z", price=0.5))
    with SessionLocal() as s3:
        print(s3.query(Item).filter(Item.title == "z").one().price, s3.query(Item).order_by(Item.id)[1:3] and [i.id for i in s3.query(Item).order_by(Item.id)[1:3]])
        print(s3.query(Item).order_by(Item.id)[0].title, s3.query(Item).filter(Item.title.startswith("t")).count())
        print(s3.query(sa.func.count(Item.id), sa.func.avg(Item.price)).one())
        print(s3.query(Item.qty, sa.func.count()).group_by(Item.qty).having(sa.func.count() > 1).all())
        q = s3.query(Item).filter(sa.or_(Item.id == 2, Item.title.like("%z%")), sa.not_(Item.price < 0))
        print(sorted(i.id for i in q))
        print(s3.query(Item).filter(Item.id.between(2, 4)).order_by(Item.id).first().id)
        print(s3.execute(sa.select(Item.title).where(Item.price.is_not(None)).order_by(Item.title).limit(2)).scalars().all())
