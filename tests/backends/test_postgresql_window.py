"""PostgreSQL-only window and aggregate forms: WITHIN GROUP (ordered-set aggregates).

SQLite has no ordered-set aggregates, so these run only here, differentially
(``pg_compare``); the portable window scenarios are in
tests/compat/test_window_functions.py and run on both databases.
"""

from decimal import Decimal


def _setup(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class Reading(Base):
        __tablename__ = "readings"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        site: orm.Mapped[str] = orm.mapped_column(sa.String(10))
        value: orm.Mapped[int]
        level: orm.Mapped[Decimal] = orm.mapped_column(sa.Numeric(8, 2))

    engine = lib.engine()
    Base.metadata.create_all(engine)
    rows = [(1, "a", 10, "1.50"), (2, "a", 20, "2.50"), (3, "a", 40, "2.50"),
            (4, "b", 5, "0.25"), (5, "b", 15, "0.75"), (6, "c", 7, "9.99")]
    with orm.Session(engine) as s:
        s.add_all([Reading(id=i, site=st, value=v, level=Decimal(lv)) for i, st, v, lv in rows])
        s.commit()
    return engine, Reading


def test_within_group_ordered_set_aggregates(pg_compare):
    def scenario(lib):
        sa, func = lib.sa, lib.sa.func
        engine, R = _setup(lib)
        with lib.orm.Session(engine) as s:
            stmt = sa.select(
                R.site,
                func.percentile_cont(0.5).within_group(R.value).label("median"),
                func.percentile_disc(0.5).within_group(R.value.desc()).label("disc"),
                func.mode().within_group(R.level).label("mode"),
                func.percentile_cont(0.5).within_group(R.level).label("level_median"),
            ).group_by(R.site).order_by(R.site)
            lib.out([tuple(r) for r in s.execute(stmt)])
            lib.out(s.scalar(sa.select(sa.within_group(func.percentile_cont(0.25), R.value))))
            lib.out(s.scalar(sa.select(func.percentile_disc(0.5).within_group(R.value)
                                       .filter(R.site != "c"))))
            # an ordered-set aggregate is no window function: PostgreSQL refuses over()
            try:
                s.execute(sa.select(func.percentile_cont(0.5).within_group(R.value)
                                    .over(partition_by=R.site))).all()
            except lib.exc.DBAPIError as error:
                lib.out(type(error).__name__)
            # the hypothetical-set form of rank(): where 20 would rank
            lib.out(s.scalar(sa.select(func.rank(20).within_group(R.value))))

    pg_compare(scenario)


def test_filter_and_windows_with_numeric_offsets(pg_compare):
    def scenario(lib):
        sa, func = lib.sa, lib.sa.func
        engine, R = _setup(lib)
        with lib.orm.Session(engine) as s:
            stmt = sa.select(
                R.id,
                func.sum(R.level).over(order_by=R.id, rows=(-1, 0)).label("pair"),
                func.avg(R.value).filter(R.value > 6).over(partition_by=R.site).label("avg6"),
                func.percent_rank().over(order_by=R.value).label("pr"),
                func.cume_dist().over(order_by=R.value).label("cd"),
            ).order_by(R.id)
            lib.out([tuple(r) for r in s.execute(stmt)])

    pg_compare(scenario)
