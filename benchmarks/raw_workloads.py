"""The baseline: the DBAPI driver used the fastest sensible way.

One connection for the whole run, ``executemany`` for batches, one transaction
per workload (except single_insert_commit, whose point is a commit per row),
and plain tuples out.  On PostgreSQL (psycopg 3) bulk loads use COPY and keys
come back through RETURNING (psycopg has no lastrowid).  Each function mirrors the ORM workload of the same name
(for example update_dirty also loads the rows first, then writes them back by
primary key), so the ratio to this contender is the cost of the abstraction.
"""

from types import SimpleNamespace

COLUMNS = "id, name, age"


def setup(target):
    conn = target.raw_connect()
    conn.execute("SELECT 1").fetchall()
    p = target.param
    return SimpleNamespace(
        conn=conn,
        pg=target.backend == "postgresql",
        insert_returning=f"INSERT INTO person (name, age) VALUES ({p}, {p}) RETURNING id",
        insert=f"INSERT INTO person (name, age) VALUES ({p}, {p})",
        select_all=f"SELECT {COLUMNS} FROM person",
        select_by_id=f"SELECT {COLUMNS} FROM person WHERE id = {p}",
        select_upto=f"SELECT {COLUMNS} FROM person WHERE id <= {p}",
        select_by_age=f"SELECT {COLUMNS} FROM person WHERE age = {p} LIMIT 10",
        update_age=f"UPDATE person SET age = {p} WHERE id = {p}",
        delete_by_id=f"DELETE FROM person WHERE id = {p}",
    )


def teardown(db):
    db.conn.close()


def _executemany(conn, sql, rows):
    cursor = conn.cursor()
    cursor.executemany(sql, rows)
    cursor.close()


def bulk_create(db, rows):
    if db.pg:
        with db.conn.cursor().copy("COPY person (name, age) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        db.conn.executemany(db.insert, rows)
    db.conn.commit()


def load_all(db, _):
    rows = db.conn.execute(db.select_all).fetchall()
    for row in rows:
        row[1]
    return rows


def get_by_pk(db, keys):
    execute, sql = db.conn.execute, db.select_by_id
    return [execute(sql, (key,)).fetchone() for key in keys]


def single_insert_commit(db, rows):
    conn, sql, ids = db.conn, db.insert, []
    if db.pg:
        for row in rows:
            ids.append(conn.execute(db.insert_returning, row).fetchone()[0])
            conn.commit()
        return ids
    for row in rows:
        cursor = conn.execute(sql, row)
        conn.commit()
        ids.append(cursor.lastrowid)
    return ids


def update_dirty(db, count):
    rows = db.conn.execute(db.select_upto, (count,)).fetchall()
    _executemany(db.conn, db.update_age, [(age + 1, id_) for id_, _, age in rows])
    db.conn.commit()


def filter_query(db, ages):
    execute, sql = db.conn.execute, db.select_by_age
    return [execute(sql, (age,)).fetchall() for age in ages]


def delete(db, count):
    rows = db.conn.execute(db.select_upto, (count,)).fetchall()
    _executemany(db.conn, db.delete_by_id, [(row[0],) for row in rows])
    db.conn.commit()


def stream(db, _):
    rows = chars = 0
    # on PostgreSQL a named (server-side) cursor, as the ORMs use with yield_per
    cursor = db.conn.cursor("raw_stream") if db.pg else db.conn.cursor()
    if db.pg:
        cursor.itersize = 1000
    cursor.execute(db.select_all)
    for row in cursor:
        rows += 1
        chars += len(row[1])
    return rows, chars
