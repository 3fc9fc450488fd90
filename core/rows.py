"""Models from the rows of a hand-written statement, as ``Model.objects.raw``
makes them, for the few reads on every request of a hot path.

``raw()`` spares the ORM's building of a statement, but still matches the
statement's columns to the model's fields, and finds each field's
converters, anew on every query: for a read of one row that is as much
CPU as the query. Here that matching depends only on the model, the
columns and the database, so it is done once per process (``_plan``).

Unlike ``raw()``, every concrete field must be among the columns (no
deferred fields, so reading one later never costs a query), and the
statement runs at once (a list, not a lazy query set). Columns that are
not fields become attributes, as ``raw()`` makes them, converted by no
field.
"""

import functools
from dataclasses import dataclass

from django.db import connections, models, router


@dataclass(frozen=True)
class _Plan:
    field_positions: tuple[int, ...]  # of each concrete field, in field order
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, object, object], ...]  # (field index, f, column)
    extras: tuple[tuple[int, str], ...]  # (column position, attribute)


@functools.cache
def _plan(model: type[models.Model], columns: tuple[str, ...], alias: str) -> _Plan:
    fields = model._meta.concrete_fields
    position = {}
    for index, column in enumerate(columns):
        position.setdefault(column, index)  # the first of a repeated name
    missing = [field.column for field in fields if field.column not in position]
    if missing:
        raise ValueError(f"{model.__name__} rows need the columns {missing}")
    taken = {position[field.column] for field in fields}
    connection = connections[alias]
    return _Plan(
        field_positions=tuple(position[field.column] for field in fields),
        attnames=tuple(field.attname for field in fields),
        converters=tuple(
            (index, converter, column)
            for index, column in enumerate(
                field.get_col(model._meta.db_table) for field in fields
            )
            # The backend's first (SQLite's dates, decimals, booleans…), then
            # the field's own (a phone number, JSON), as the ORM applies them.
            for converter in [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
        ),
        extras=tuple(
            (index, column)
            for index, column in enumerate(columns)
            if index not in taken
        ),
    )


def fetch(model: type[models.Model], sql: str, params=(), *, using: str | None = None):
    """Run ``sql`` (its columns: all of ``model``'s, any others after) and
    return its rows as ``model`` instances, loaded from ``using`` (the
    router's read database by default). A statement that locks or writes
    (``FOR UPDATE``, ``UPDATE … RETURNING``) needs the write database:
    pass ``using``."""
    alias = using or router.db_for_read(model)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = tuple(column[0] for column in cursor.description)
        rows = cursor.fetchall()
    if not rows:
        return []
    plan = _plan(model, columns, alias)
    found = []
    for row in rows:
        values = [row[index] for index in plan.field_positions]
        for index, converter, column in plan.converters:
            values[index] = converter(values[index], column, connection)
        instance = model.from_db(alias, plan.attnames, values)
        for index, attribute in plan.extras:
            setattr(instance, attribute, row[index])
        found.append(instance)
    return found
