"""peewee, used the idiomatic per-object way.

Model.create / save / delete_instance / select, as a peewee user writes them.
bulk_create deliberately uses ``Person.create`` per object inside one
``db.atomic()`` (not ``insert_many``), because the ORM contenders also build
and persist one object at a time; stream uses ``.iterator()``, peewee's way to
read a large result without caching it.
"""

import peewee


class Person(peewee.Model):
    name = peewee.CharField()
    age = peewee.IntegerField()

    class Meta:
        table_name = "person"


def setup(target):
    db = target.peewee_database()
    db.bind([Person])
    db.connect()
    db.execute_sql("SELECT 1")
    return db


def teardown(db):
    db.close()


def bulk_create(db, rows):
    with db.atomic():
        for name, age in rows:
            Person.create(name=name, age=age)


def load_all(db, _):
    people = list(Person.select())
    for person in people:
        person.name  # noqa: B018 - reading the field is part of the workload
    return people


def get_by_pk(db, keys):
    return [Person.get_by_id(key) for key in keys]


def single_insert_commit(db, rows):
    ids = []
    for name, age in rows:
        person = Person.create(name=name, age=age)
        ids.append(person.id)
    return ids


def update_dirty(db, count):
    with db.atomic():
        for person in list(Person.select().where(Person.id <= count)):
            person.age = person.age + 1
            person.save()


def filter_query(db, ages):
    return [list(Person.select().where(Person.age == age).limit(10)) for age in ages]


def delete(db, count):
    with db.atomic():
        for person in list(Person.select().where(Person.id <= count)):
            person.delete_instance()


def stream(db, _):
    rows = chars = 0
    for person in Person.select().iterator():
        rows += 1
        chars += len(person.name)
    return rows, chars
