"""Window functions (``.over()``), aggregate FILTER and their misuse, differential.

One ``Employee(id, name, dept, salary, bonus)`` table; salaries repeat inside a
department so that rank, dense_rank and RANGE frames differ from ROWS.  Every
scenario orders its rows completely, so both databases give the same list.
"""

from decimal import Decimal
from typing import Optional

EMPLOYEES = [
    (1, "ann", "eng", 120, Decimal("10.00")),
    (2, "bob", "eng", 100, None),
    (3, "cid", "eng", 120, Decimal("5.50")),
    (4, "dee", "ops", 90, Decimal("1.25")),
    (5, "eve", "ops", 70, None),
    (6, "fay", "eng", 80, Decimal("2.00")),
    (7, "gus", "ops", 90, Decimal("3.00")),
    (8, "hal", "hr", 60, None),
]


def _setup(lib):
    sa, orm = lib.sa, lib.orm

    class Base(orm.DeclarativeBase):
        pass

    class Employee(Base):
        __tablename__ = "employees"
        id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
        name: orm.Mapped[str] = orm.mapped_column(sa.String(20))
        dept: orm.Mapped[str] = orm.mapped_column(sa.String(10))
        salary: orm.Mapped[int]
        bonus: orm.Mapped[Optional[Decimal]] = orm.mapped_column(sa.Numeric(10, 2))

    engine = sa.create_engine(lib.url)
    Base.metadata.create_all(engine)
    with orm.Session(engine) as s:
        s.add_all([Employee(id=i, name=n, dept=d, salary=sal, bonus=b)
                   for i, n, d, sal, b in EMPLOYEES])
        s.commit()
    return engine, Employee


def _run(lib, body):
    engine, Employee = _setup(lib)
    with lib.orm.Session(engine) as s:
        body(lib, s, Employee)


def _tuples(rows):
    return [tuple(r) for r in rows]


# -- ranking: row_number, rank, dense_rank; partition and order -------------------------------


def test_ranking_functions_partition_and_order(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        window = {"partition_by": E.dept, "order_by": E.salary.desc()}
        stmt = sa.select(
            E.name,
            func.row_number().over(partition_by=E.dept,
                                   order_by=[E.salary.desc(), E.id]).label("rn"),
            func.rank().over(**window).label("rnk"),
            func.dense_rank().over(**window).label("drnk"),
        ).order_by(E.dept, E.salary.desc(), E.id)
        result = s.execute(stmt)
        lib.out(list(result.keys()))
        rows = result.all()
        lib.out(_tuples(rows))
        lib.out([(r.name, r.rn, r.rnk, r.drnk) for r in rows][:3])
        # several partition and order columns; no partition at all
        stmt = sa.select(E.id, func.row_number().over(partition_by=[E.dept, E.salary],
                                                      order_by=E.id)).order_by(E.id)
        lib.out(_tuples(s.execute(stmt)))
        stmt = sa.select(E.id, func.rank().over(order_by=E.salary)).order_by(E.id)
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


def test_unlabelled_window_keys_and_types(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        result = s.execute(sa.select(func.row_number().over(order_by=E.id),
                                     func.rank().over(order_by=E.id)).order_by(E.id))
        lib.out(list(result.keys()), _tuples(result)[:2])
        over = func.rank().over(order_by=E.salary)
        lib.out(type(over.type).__name__, type(func.count().over().type).__name__)
        lib.out(type(func.max(E.salary).over().type).__name__)
        lib.out(s.scalars(sa.select(func.count().over()).order_by(E.id)).all())

    compare(lambda lib: _run(lib, body))


# -- frames ----------------------------------------------------------------------------------------


def test_rows_frames(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        frames = [(None, 0), (-1, 1), (0, None), (None, None), (-2, -1), (1, 2), (0, 0)]
        for frame in frames:
            stmt = sa.select(E.id, func.sum(E.salary).over(order_by=E.id, rows=frame)) \
                .order_by(E.id)
            lib.out(frame, _tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


def test_range_and_groups_frames(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        for frame in [(None, 0), (None, None), (-20, 0), (0, 10), (-30, -10)]:
            stmt = sa.select(E.id, func.count().over(order_by=E.salary, range_=frame)) \
                .order_by(E.id)
            lib.out("range", frame, _tuples(s.execute(stmt)))
        for frame in [(-1, 0), (0, 1), (None, 0)]:
            stmt = sa.select(E.id, func.sum(E.salary).over(order_by=E.salary, groups=frame)) \
                .order_by(E.id)
            lib.out("groups", frame, _tuples(s.execute(stmt)))
        # frames of one shape with other offsets: the SQL is cached, the values are not
        for frame in [(-1, 1), (-2, 3), (-3, 1)]:
            stmt = sa.select(E.id, func.sum(E.salary).over(order_by=E.id, rows=frame)) \
                .order_by(E.id)
            lib.out(frame, _tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


# -- offset functions and aggregates as windows -----------------------------------------------------


def test_lag_lead_and_aggregate_windows(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        stmt = sa.select(
            E.id,
            func.lag(E.salary).over(order_by=E.id).label("prev"),
            func.lead(E.salary, 2, 0).over(order_by=E.id).label("next2"),
            func.sum(E.salary).over(partition_by=E.dept, order_by=E.id).label("running"),
            func.max(E.salary).over(partition_by=E.dept).label("top"),
            func.count(E.bonus).over(partition_by=E.dept).label("with_bonus"),
            (E.salary - func.min(E.salary).over(partition_by=E.dept)).label("above_min"),
        ).order_by(E.id)
        lib.out(_tuples(s.execute(stmt)))
        # over() on the top-level function: lightalchemy.over / sqlalchemy.over
        stmt = sa.select(E.id, sa.over(func.row_number(), order_by=E.id.desc())).order_by(E.id)
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


def test_numeric_window_values(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        stmt = sa.select(E.id, func.sum(E.bonus).over(partition_by=E.dept).label("b"),
                         func.max(E.bonus).over(order_by=E.id).label("m")).order_by(E.id)
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


# -- windows inside larger statements ------------------------------------------------------------------


def test_top_n_per_group_through_subquery(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        ranked = sa.select(
            E.id, E.name, E.dept,
            func.row_number().over(partition_by=E.dept,
                                   order_by=[E.salary.desc(), E.id]).label("pos"),
        ).subquery()
        stmt = sa.select(ranked.c.dept, ranked.c.name, ranked.c.pos) \
            .where(ranked.c.pos <= 2).order_by(ranked.c.dept, ranked.c.pos)
        lib.out(_tuples(s.execute(stmt)))
        # the same, loading objects: entities joined to the ranked subquery
        stmt = sa.select(E).join(ranked, ranked.c.id == E.id).where(ranked.c.pos == 1) \
            .order_by(E.dept)
        top = s.scalars(stmt).all()
        lib.out([(e.dept, e.name) for e in top], top[0] is s.get(E, top[0].id))

    compare(lambda lib: _run(lib, body))


def test_window_in_cte_and_order_by_label(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        rnk = func.dense_rank().over(order_by=E.salary.desc()).label("rnk")
        stmt = sa.select(E.name, rnk).order_by(rnk, E.name)
        lib.out(_tuples(s.execute(stmt)))
        stmt = sa.select(E.name, rnk).order_by(rnk.desc(), E.name)
        lib.out(_tuples(s.execute(stmt)))
        stmt = sa.select(E.name, rnk).order_by(sa.desc("rnk"), E.name)
        lib.out(_tuples(s.execute(stmt)))
        cte = sa.select(E.dept, E.salary, rnk).cte("ranked")
        stmt = sa.select(cte.c.dept, func.min(cte.c.rnk)).group_by(cte.c.dept) \
            .order_by(cte.c.dept)
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


def test_windows_in_legacy_query(compare):
    def body(lib, s, E):
        func = lib.sa.func
        q = s.query(E.name, func.rank().over(partition_by=E.dept,
                                             order_by=E.salary.desc()).label("r")) \
            .order_by(E.id)
        rows = q.all()
        lib.out(_tuples(rows), rows[0].r)
        q = s.query(E, func.sum(E.salary).over(partition_by=E.dept).label("total")) \
            .filter(E.dept != "hr").order_by(E.id)
        lib.out([(e.id, total) for e, total in q])
        sub = s.query(E.id, func.row_number().over(order_by=E.salary).label("n")).subquery()
        lib.out(s.query(sub.c.id).filter(sub.c.n <= 3).order_by(sub.c.n).all())

    compare(lambda lib: _run(lib, body))


# -- FILTER (WHERE ...) ----------------------------------------------------------------------------


def test_aggregate_filter(compare):
    def body(lib, s, E):
        sa, func = lib.sa, lib.sa.func
        stmt = sa.select(
            E.dept,
            func.count(E.id).filter(E.salary >= 90).label("high"),
            func.sum(E.salary).filter(E.bonus != None).label("with_bonus"),  # noqa: E711
            func.count().filter(E.salary > 60, E.salary < 100),
        ).group_by(E.dept).order_by(E.dept)
        lib.out(_tuples(s.execute(stmt)))
        lib.out(s.scalar(sa.select(func.count(E.id).filter(E.dept == "eng")
                                   .filter(E.salary > 90))))
        lib.out(s.scalar(sa.select(sa.funcfilter(func.max(E.salary), E.dept == "ops"))))
        lib.out(type(func.count(E.id).filter().type).__name__)
        stmt = sa.select(E.id, func.count(E.bonus).filter(E.salary > 80)
                         .over(partition_by=E.dept)).order_by(E.id)
        lib.out(_tuples(s.execute(stmt)))

    compare(lambda lib: _run(lib, body))


# -- misuse ----------------------------------------------------------------------------------------


def test_window_misuse_errors(compare):
    def scenario(lib):
        sa, func = lib.sa, lib.sa.func
        col = sa.column("x", sa.Integer)
        attempts = [
            lambda: func.sum(col).over(rows=(None, 0), range_=(None, 0)),
            lambda: func.sum(col).over(rows=(None, 0), groups=(0, 1)),
            lambda: func.sum(col).over(rows=(1, 2, 3)),
            lambda: func.sum(col).over(rows=[1, 2]),
            lambda: func.sum(col).over(rows=5),
            lambda: func.sum(col).over(range_=("a", 1)),
            lambda: func.sum(col).over(rows=(None, object())),
            lambda: func.sum(col).over(bogus=1),
            lambda: func.sum(col).over().over(),
            lambda: func.sum(col).over().filter(col > 1),
            lambda: func.sum(col).filter("x > 1"),
            lambda: func.sum(col).filter(5),
        ]
        for attempt in attempts:
            try:
                attempt()
                lib.out("no error")
            except Exception as error:  # the class is the behaviour compared
                lib.out(type(error).__name__)

    compare(scenario)
