"""The ORM's reads and writes on every request of a hot path, without its
rebuilding of the same statement each time.

- ``fetch``: models from the rows of a hand-written statement, for the few
  the ORM cannot write (a lock, a claim, a joined read), as
  ``Model.objects.raw`` makes them, the columns matched to the fields once
  per process (``_plan``). Unlike ``raw()``, every concrete field must be
  among the columns (no deferred fields, so reading one later never costs
  a query), and the statement runs at once (a list, not a lazy query set).
  Columns that are not fields become attributes, converted by no field.
- ``Statement``: an ORM query set built once per process and database, run
  with each request's values; ``attach`` gives its rows the related rows
  another one read, as a prefetch would.
- ``Update``: ``QuerySet.update()`` built once the same way.
- ``insert``: rows written as ``bulk_create`` writes them, the statement
  built once, without a transaction of its own.
- ``execute``: a hand-written statement run on a cursor, prepared.

On PostgreSQL each of their statements is also prepared once per
connection (``PREPARE``), then run by name (``EXECUTE``): the server
parses and plans it once, not on every request (``_execute``).
"""

import datetime
import functools
import inspect
import logging
import re
import threading
import typing
from dataclasses import dataclass

from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.transaction import TransactionManagementError


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


@functools.cache
def columns(model: type[models.Model], table: str = "") -> str:
    """Each of ``model``'s columns, named, for a hand-written statement's
    list (``table.`` before each, given ``table``): what ``*`` reads
    today, but not a different list after a migration adds a column, which
    a statement prepared before it would refuse to run
    ("cached plan must not change result type"). Made once per process:
    the settlement's and the cart add's statements ask for it on every
    request."""
    quote = connections[router.db_for_read(model)].ops.quote_name
    prefix = f"{table}." if table else ""
    return ", ".join(
        prefix + quote(field.column) for field in model._meta.concrete_fields
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
        _execute(connection, cursor, sql, params)
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


# --- Query sets built once ------------------------------------------------------


_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1


class Statement:
    """An ORM query set whose statement is built once per process and
    database, then run with new values: for the few ORM reads on every
    request of a hot path, where building the statement (its joins, its
    columns, its converters) costs as much CPU as running it. The query
    stays the ORM's, written once where its rule is.

    ``build`` takes the values by keyword, annotated ``int``, ``str`` or
    ``datetime.datetime`` (ids, keys, states, a moment to compare with), and
    returns the query set, of model instances or of one column's values
    (``values_list(…, flat=True)``: a list of them). It is called once per
    database with stand-in values; their places among the statement's
    parameters are then filled with each run's values (a datetime adapted
    as the backend takes it). Each value must reach the statement as given
    (an equality, not a ``LIKE`` pattern or a slice: match a pattern made
    in SQL, ``__contains=Value(…)``), or building refuses. Its instances
    come with what it ``select_related``; it may not prefetch
    (``attach`` the related rows read by another statement instead).

    ``prepare=False`` for a statement whose best plan depends on its values
    (a search's words): PostgreSQL may keep one plan for all values of a
    prepared statement."""

    def __init__(self, build, *, prepare: bool = True) -> None:
        self._build = build
        self._stand_ins = _stand_ins(build)
        self._prepare = prepare
        self._plans: dict[str, _StatementPlan] = {}

    def _plan(self, alias: str) -> "_StatementPlan":
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = _StatementPlan.of(
                self._build, self._stand_ins, alias, prepare=self._prepare
            )
        return plan

    def fetch(self, *, using: str | None = None, **values) -> list:
        """The query set's instances for these values, as a list."""
        if not _in_range(values, self._stand_ins):
            # No key is that large, and SQLite would refuse to bind it: no
            # row, as the ORM answers an integer lookup out of range.
            return []
        model, for_write = self._shape
        # A locking read goes where writes go, as the ORM sends it.
        route = router.db_for_write if for_write else router.db_for_read
        return self._plan(using or route(model)).run(values)

    def first(self, *, using: str | None = None, **values):
        """The first instance for these values, or None (the build says the
        order, and may limit it to one, as ``QuerySet.first()`` reads)."""
        found = self.fetch(using=using, **values)
        return found[0] if found else None

    def get(self, *, using: str | None = None, **values):
        """The one instance for these values, as ``QuerySet.get`` answers:
        ``DoesNotExist`` or ``MultipleObjectsReturned`` otherwise."""
        found = self.fetch(using=using, **values)
        if len(found) == 1:
            return found[0]
        name = self._model._meta.object_name
        if not found:
            raise self._model.DoesNotExist(f"{name} matching query does not exist.")
        raise self._model.MultipleObjectsReturned(
            f"get() returned more than one {name}"
        )

    @functools.cached_property
    def _shape(self) -> tuple[type[models.Model], bool]:
        """The query set's model, and whether it is for writing (it locks)."""
        queryset = self._build(**self._stand_ins[0])
        return queryset.model, queryset._for_write

    @property
    def _model(self) -> type[models.Model]:
        return self._shape[0]


class Update:
    """``QuerySet.update()`` whose statement is built once per process and
    database, then run with new values, as ``Statement`` does for reads:
    for the few updates on every request of a hot path (a cart touched, a
    payment's session, a call's id).

    ``build`` takes the values by keyword, annotated as ``Statement``'s,
    and returns the query set and the changes ``update()`` would be given
    (``F()`` expressions included). ``run`` returns the number of rows
    changed, as ``update()`` does, and as it, sends no signal. Each value
    must reach the statement as a parameter of its own; an update the ORM
    would make in more than one statement (through a join, or of a related
    model's fields) is refused."""

    def __init__(self, build) -> None:
        self._build = build
        self._stand_ins = _stand_ins(build)
        self._plans: dict[str, tuple[str, tuple]] = {}

    def run(self, *, using: str | None = None, **values) -> int:
        if not _in_range(values, self._stand_ins):
            return 0  # no key is that large: no row, as update() finds
        alias = using or router.db_for_write(self._model)
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = self._built(alias)
        sql, placed = plan
        connection = connections[alias]
        with (
            transaction.mark_for_rollback_on_error(using=alias),
            connection.cursor() as cursor,
        ):
            _execute(connection, cursor, sql, _params(placed, values))
            return cursor.rowcount

    def _built(self, alias: str) -> tuple[str, tuple]:
        from django.db.models import sql

        def compiled(stand_ins: dict) -> tuple[str, list]:
            queryset, changes = self._build(**stand_ins)
            query = queryset.query.chain(sql.UpdateQuery)
            query.add_update_values(changes)
            if query.related_updates or len(query.alias_map) > 1:
                raise ValueError("an update through a join is not one statement")
            return query.get_compiler(alias).as_sql()

        first, second = (compiled(stand_ins) for stand_ins in self._stand_ins)
        return first[0], _placements(first, second, self._stand_ins, alias)

    @functools.cached_property
    def _model(self) -> type[models.Model]:
        return self._build(**self._stand_ins[0])[0].model


def _stand_ins(build) -> tuple[dict, dict]:
    """Two different stand-ins for each of ``build``'s values, by the kind
    it is annotated with (``_KINDS``): one for each of two builds."""
    hints = typing.get_type_hints(build)
    names = list(inspect.signature(build).parameters)
    kinds = {name: hints.get(name) for name in names}
    unsupported = [name for name, kind in kinds.items() if kind not in _KINDS]
    if unsupported:
        raise TypeError(f"annotate {unsupported} as int, str or datetime")
    return tuple(
        {
            name: _KINDS[kind](index, which)
            for index, (name, kind) in enumerate(kinds.items())
        }
        for which in (0, 1)
    )


def _in_range(values: dict, stand_ins: tuple[dict, dict]) -> bool:
    """Whether ``values`` are the ones asked for, and no integer among them
    is beyond what a key can be."""
    if values.keys() != stand_ins[0].keys():
        raise TypeError(f"give exactly {sorted(stand_ins[0])}")
    return not any(
        type(value) is int and not _BIGINT_MIN <= value <= _BIGINT_MAX
        for value in values.values()
    )


def _placements(first, second, stand_ins: tuple[dict, dict], alias: str) -> tuple:
    """Where each value is among the parameters, from the (sql, params) of
    two builds with different stand-ins: a parameter that is the same in
    both is a constant, (None, it); one that differs must be the same
    value's stand-in in each, as the backend takes it: (name, its adapter
    or None). Anything else is refused: a value in the SQL itself (a
    slice), made into another parameter (a ``LIKE`` pattern, a date), or
    reaching no parameter."""
    (sql, params), (other_sql, other_params) = first, second
    adapters = {name: _adapter(value, alias) for name, value in stand_ins[0].items()}
    # Each build's stand-ins as its parameters hold them.
    held = [
        {
            (adapters[name](value) if adapters[name] else value): name
            for name, value in build.items()
        }
        for build in stand_ins
    ]
    placed = []
    refused = sql != other_sql or len(params) != len(other_params)
    for param, other in zip(params, other_params, strict=False):
        if type(param) is type(other) and param == other:
            placed.append((None, param))
            continue
        name = _held(held[0], param)
        refused = refused or name is None or _held(held[1], other) != name
        placed.append((name, adapters.get(name)))
    unplaced = set(stand_ins[0]) - {name for name, _ in placed if name}
    if refused or unplaced:
        raise ValueError(
            f"{sorted(unplaced) or 'a value'} does not reach the statement "
            "as a parameter of its own"
        )
    return tuple(placed)


def _held(stand_ins: dict, param) -> str | None:
    """The name of the value whose stand-in ``param`` is, if it is one."""
    try:
        return stand_ins.get(param) if type(param) in _HELD_TYPES else None
    except TypeError:  # unhashable
        return None


def _params(placed: tuple, values: dict) -> list:
    """The parameters of one run: its values where the stand-ins were."""
    return [
        (how(values[name]) if how else values[name]) if name else how
        for name, how in placed
    ]


# Each kind of value a Statement or an Update takes, and its stand-in: the
# index-th value's in the first build (which=0) and in the second (1). An
# integer stands in within a small integer field's range, which the ORM
# checks (a value out of it matches nothing, and builds no statement).
_KINDS = {
    int: lambda index, which: 30_001 + 1_000 * which + index,
    str: lambda index, which: f"\x1fstatement value {index} of build {which}\x1f",
    datetime.datetime: lambda index, which: datetime.datetime(
        1901 + which, 2, 3, 4, 5, 6, index + 1, tzinfo=datetime.UTC
    ),
}
# What a stand-in is as a parameter: itself, or a datetime as SQLite's text.
_HELD_TYPES = (int, str, datetime.datetime)


def _adapter(value, alias: str):
    """How the database takes a value of ``value``'s kind as a parameter (a
    datetime as the backend adapts it: SQLite's a naive string), or None
    for as it is."""
    if isinstance(value, datetime.datetime):
        return connections[alias].ops.adapt_datetimefield_value
    return None


@dataclass(frozen=True)
class _Instances:
    """How a statement's rows become model instances, as the ORM's
    ``ModelIterable`` makes them: the model's columns, the related rows it
    ``select_related``, the annotations."""

    model: type[models.Model]
    model_slice: slice
    attnames: tuple[str, ...]
    populators: tuple
    annotations: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, compiler, alias: str) -> "_Instances":
        from django.db.models.query import get_related_populators

        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return cls(
            model=klass_info["model"],
            model_slice=model_slice,
            attnames=tuple(
                column[0].target.attname for column in compiler.select[model_slice]
            ),
            populators=tuple(
                get_related_populators(klass_info, compiler.select, alias)
            ),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
        )

    def made(self, row, alias: str) -> models.Model:
        instance = self.model.from_db(alias, self.attnames, row[self.model_slice])
        for populator in self.populators:
            populator.populate(row, instance)
        for attribute, position in self.annotations:
            setattr(instance, attribute, row[position])
        return instance


@dataclass(frozen=True)
class _StatementPlan:
    alias: str
    sql: str
    locks: bool  # select_for_update(): only inside a transaction, as the ORM
    # (name, adapter or None) for a run's value, (None, value) for a constant
    params: tuple
    # (column position, its converters, its expression), as the compiler's
    converters: tuple[tuple[int, tuple, object], ...]
    # None for values_list(…, flat=True): the column's values, no models
    instances: _Instances | None
    prepare: bool

    @classmethod
    def of(
        cls, build, stand_ins: tuple[dict, dict], alias: str, *, prepare: bool
    ) -> "_StatementPlan":
        from django.db.models.query import FlatValuesListIterable, ModelIterable

        queryset = build(**stand_ins[0])
        flat = queryset._iterable_class is FlatValuesListIterable
        if not flat and queryset._iterable_class is not ModelIterable:
            raise ValueError(
                "a Statement yields model instances or values_list(…, flat=True)"
            )
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("a Statement does not prefetch: attach() instead")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        other = build(**stand_ins[1]).query.get_compiler(using=alias).as_sql()
        return cls(
            alias=alias,
            sql=sql,
            locks=queryset.query.select_for_update,
            params=_placements((sql, params), other, stand_ins, alias),
            converters=tuple(
                (position, tuple(functions), expression)
                for position, (functions, expression) in compiler.get_converters(
                    [column[0] for column in compiler.select[: compiler.col_count]]
                ).items()
            ),
            instances=None if flat else _Instances.of(compiler, alias),
            prepare=prepare,
        )

    def run(self, values: dict) -> list:
        params = _params(self.params, values)
        # This thread's connection: the plan is shared by every thread.
        connection = connections[self.alias]
        if self.locks and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        with connection.cursor() as cursor:
            _execute(connection, cursor, self.sql, params, prepare=self.prepare)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            if self.converters:
                row = list(row)
                for position, functions, expression in self.converters:
                    for function in functions:
                        row[position] = function(row[position], expression, connection)
            if self.instances is None:
                found.append(row[0])
            else:
                found.append(self.instances.made(row, self.alias))
        return found


def attach(instance: models.Model, name: str, related: list) -> None:
    """Give ``instance`` its reverse foreign-key rows ``name`` (``lines``)
    read elsewhere, as ``prefetch_related`` would: ``instance.lines.all()``
    answers them without a query, and each knows ``instance``."""
    manager = getattr(instance, name)
    field = manager.field
    for row in related:
        field.set_cached_value(row, instance)
    queryset = manager.get_queryset()
    queryset._result_cache = list(related)
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[
        field.remote_field.cache_name
    ] = queryset


# --- Rows written in one statement ----------------------------------------------


@functools.cache
def _insert_statement(
    model: type[models.Model], count: int, alias: str
) -> tuple[str, tuple]:
    """``INSERT … VALUES (…), … RETURNING`` the key, for ``count`` rows of
    ``model`` on ``alias``, and the fields its values are, in order."""
    connection = connections[alias]
    options = model._meta
    key = options.auto_field
    fields = tuple(field for field in options.concrete_fields if field is not key)
    if (
        key is None
        or any(hasattr(field, "get_placeholder") for field in fields)
        or model.save is not models.Model.save
    ):
        raise ValueError(f"{model.__name__} rows need the ORM to save them")
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names from the model, quoted; every value a parameter.
    table, key_column = quote(options.db_table), quote(key.column)
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join([row] * count)
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {key_column}"  # noqa: S608
    return sql, fields


def insert(objects: list, *, using: str | None = None) -> list:
    """Write ``objects`` (unsaved, of one model with an automatic key) as
    ``bulk_create`` does: their values as the fields prepare them, their
    keys set from the database, in order. Unlike ``bulk_create``, the
    statement is built once per model, row count and database, and it
    opens no transaction of its own: outside one, the one statement is
    all or nothing by itself (no BEGIN and COMMIT around it); inside
    one, it joins it. As ``bulk_create``, it calls no ``save()`` and sends
    no save signals: a model with either is refused."""
    if not objects:
        return objects
    model = type(objects[0])
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        raise ValueError(f"{model.__name__} has save signals' receivers: save it")
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:
        return model.objects.using(alias).bulk_create(objects)
    sql, fields = _insert_statement(model, len(objects), alias)
    params = []
    for instance in objects:
        instance._prepare_related_fields_for_save(operation_name="insert")
        params.extend(
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in fields
        )
    with connection.cursor() as cursor:
        prepare = len(objects) <= _PREPARED_ROWS
        _execute(connection, cursor, sql, params, prepare=prepare)
        keys = cursor.fetchall()
    attname = model._meta.auto_field.attname
    for instance, (key,) in zip(objects, keys, strict=True):
        setattr(instance, attname, key)
        instance._state.adding = False
        instance._state.db = alias
    return objects


# --- Statements prepared once per connection ------------------------------------

logger = logging.getLogger(__name__)

# Prepared for each connection at most: a kept connection holds each of its
# prepared statements until it closes, so the rarest ones are not kept.
_PREPARED_AT_MOST = 500
# Rows of an insert prepared at most: each count is a statement of its own.
_PREPARED_ROWS = 10
_PLACEHOLDER = re.compile(r"%%|%(?:\((\w+)\))?s")
# A table's every column (SELECT *, t.*, RETURNING *): not prepared, as the
# list grows when a migration adds a column (name them: ``columns``).
_EVERY_COLUMN = re.compile(r"(?:\bSELECT|\bRETURNING|,|\.)\s*\*", re.IGNORECASE)


@dataclass(frozen=True)
class _Prepared:
    name: str  # unique in this process
    text: str  # with $1, $2… for PREPARE
    run: str  # EXECUTE name (%s, …): the values passed as psycopg2 adapts them
    # For a statement of named values (%(now)s), each $n's name, in order.
    names: tuple[str, ...] | None

    def params(self, params):
        return params if self.names is None else [params[n] for n in self.names]


_prepared: dict[str, _Prepared | None] = {}  # by SQL; None: not preparable
_naming = threading.Lock()


def execute(cursor, sql: str, params) -> None:
    """``cursor.execute(sql, params)`` for a hand-written statement of a hot
    path that is not read as models (``UPDATE … RETURNING`` a count, an
    ``INSERT … ON CONFLICT``), prepared as core.rows prepares its own. Its
    text must be one of a few (not made from the values): each text is
    prepared on each connection."""
    _execute(cursor.db, cursor, sql, params)


def _execute(connection, cursor, sql: str, params: list, *, prepare: bool = True):
    """``cursor.execute(sql, params)``, where on PostgreSQL the statement is
    prepared on this connection the first time it runs there and run by
    name after that: the server parses, analyses and plans the statement
    once, not on every request. For the statements of a hot path that is
    most of the database's work: a read of an order and its lines took
    0.35 ms of the server's CPU as text, 0.11 ms prepared.

    The ``PREPARE`` runs on the driver's own cursor: it is not one of the
    request's queries (it changes no query count), and Django's query log
    records the ``EXECUTE`` (``statement_sql`` gives its text back). A
    database with ``PREPARED_STATEMENTS`` false (behind PgBouncer in
    transaction pooling, which does not keep a session's prepared
    statements) runs every statement as text."""
    prepared = None
    if (
        prepare
        # psycopg2's, which runs every statement as text (psycopg 3 can
        # prepare by itself: its prepare_threshold).
        and connection.Database.__name__ == "psycopg2"
        and connection.settings_dict.get("PREPARED_STATEMENTS", True)
    ):
        prepared = _prepared_on(connection, cursor, sql)
    if prepared is None:
        cursor.execute(sql, params)
    else:
        cursor.execute(prepared.run, prepared.params(params))


def _prepared_on(connection, cursor, sql: str) -> _Prepared | None:
    """``sql`` prepared on this connection (now, if it was not), or None to
    run it as text: a statement PostgreSQL cannot prepare (a parameter
    whose type nothing says) or that reads every column of a table, a
    transaction that has already failed, or a connection that holds as
    many as it keeps."""
    prepared = _prepared.get(sql, False)
    if prepared is False:
        with _naming:
            prepared = _prepared.get(sql, False)
            if prepared is False:
                name = f"hoshii_{len(_prepared)}"
                every_column = _EVERY_COLUMN.search(sql)
                prepared = _prepared[sql] = None if every_column else _named(sql, name)
    if prepared is None:
        return None
    raw = connection.connection
    # Which statements this very connection holds: a new connection (after
    # a close or a broken one) starts with none.
    held = connection.__dict__.get("_prepared_statements")
    if held is None or held[0] is not raw:
        held = connection._prepared_statements = (raw, set())
    names = held[1]
    if prepared.name in names:
        return prepared
    if len(names) >= _PREPARED_AT_MOST or _failed(raw):
        return None
    driver = cursor.cursor
    inside = not connection.get_autocommit()
    with connection.wrap_database_errors:
        # Inside a transaction, a PREPARE that fails must not fail it.
        if inside:
            driver.execute("SAVEPOINT hoshii_prepare")
        try:
            driver.execute(f"PREPARE {prepared.name} AS {prepared.text}")
        except connection.Database.Error as error:  # the driver's own
            if raw.closed:
                raise
            if inside:
                driver.execute("ROLLBACK TO SAVEPOINT hoshii_prepare")
                driver.execute("RELEASE SAVEPOINT hoshii_prepare")
            logger.warning("runs as text, not prepared: %s (%s)", sql[:200], error)
            _prepared[sql] = None
            return None
        if inside:
            driver.execute("RELEASE SAVEPOINT hoshii_prepare")
    names.add(prepared.name)
    return prepared


def _named(sql: str, name: str) -> _Prepared:
    """How to prepare and run ``sql``, whose values are ``%s`` or named,
    ``%(name)s`` (a ``%%`` is a percent sign)."""
    names: list[str | int] = []  # a named value's name, or a %s's place
    numbers: dict[str | int, int] = {}

    def numbered(match: re.Match) -> str:
        if match.group(0) == "%%":
            return "%"  # PREPARE's text is sent as it is
        key = match.group(1) or len(names)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            names.append(key)
        return f"${numbers[key]}"

    text = _PLACEHOLDER.sub(numbered, sql)
    run = f"EXECUTE {name}"
    if names:
        run += f" ({', '.join(['%s'] * len(names))})"
    named = names and isinstance(names[0], str)
    return _Prepared(
        name=name, text=text, run=run, names=tuple(names) if named else None
    )


def _failed(raw) -> bool:
    """Whether the connection's transaction has already failed (every
    statement will be refused until it is rolled back)."""
    import psycopg2.extensions

    return raw.info.transaction_status == psycopg2.extensions.TRANSACTION_STATUS_INERROR


def statement_sql(executed: str) -> str:
    """The statement an ``EXECUTE`` of a prepared one ran (as Django's query
    log records it), with its ``$n`` parameters; any other SQL as it is."""
    if executed.startswith("EXECUTE hoshii_"):
        name = executed.split()[1]
        for prepared in list(_prepared.values()):
            if prepared is not None and prepared.name == name:
                return prepared.text
    return executed
