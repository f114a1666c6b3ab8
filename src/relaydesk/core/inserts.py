"""Inserts and updates held back and made together, one statement per table.

An import batch creates, for most messages it reads, a ticket, its first
message and the ticket's SLA clocks. Inside ``deferred()`` ``add`` does not
insert such a row at once. It gives the instance its primary key from a
block of keys reserved in the database, so the caller can use the key and
link other rows to it, and holds the instance. The held rows go in with
one INSERT per table:

- when the block ends without an exception;
- before any statement other than an INSERT that names a table with held
  rows, so reads, updates and deletes see them. The check looks for the
  table's quoted name, which the ORM always writes; raw SQL must quote it
  as well. A read inside ``stored_only()`` does not flush: its caller
  looks at ``held_rows`` itself;
- when ``flush()`` is called.

``save_later`` holds back an UPDATE of a stored row the same way, and the
held updates of a table are written together.

Savepoints: everything held is flushed before a savepoint begins, so
what is still held when one rolls back was added inside it, and is dropped
with it. Instances that the rolled-back work changed in memory are the
caller's to forget (``memo.forget_held``).

An exception out of the block drops the held rows, because the caller's
transaction is rolling back. A held instance changed before its INSERT
needs no ``save()``: the INSERT writes its fields as they are then.
``is_held`` returns whether that INSERT is still to come. Outside a block, and on
databases other than PostgreSQL and SQLite, ``add`` inserts at once.

Keys come from the database's own counter, the table's identity sequence on
PostgreSQL and its ``sqlite_sequence`` row on SQLite (Django creates its
tables with AUTOINCREMENT there), ``KEY_BLOCK`` at a time. Keys that are
reserved and never used leave gaps, as a rolled-back insert does.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, connections, models

M = TypeVar("M", bound=models.Model)

KEY_BLOCK = 100
_VENDORS = ("postgresql", "sqlite")


class _HeldWrites:
    """The rows held by one ``deferred()`` block and the keys reserved for them."""

    def __init__(self) -> None:
        self.order: list[models.Model] = []
        self.rows: dict[type[models.Model], list[models.Model]] = {}
        self.keys: dict[type[models.Model], list[int]] = {}
        self.held: dict[tuple[type[models.Model], Any], models.Model] = {}
        self.tables: list[str] = []
        # Held updates: per model, each row's instance and the fields to write.
        self.updates: dict[type[models.Model], dict[Any, tuple[models.Model, set[str]]]] = {}
        self.flushing = False
        self.stored_only = 0

    def add(self, instance: models.Model) -> None:
        model = type(instance)
        if instance.pk is None:
            instance.pk = self._next_key(model)
        rows = self.rows.setdefault(model, [])
        if not rows:
            self.tables.append(connection.ops.quote_name(model._meta.db_table))
        rows.append(instance)
        self.order.append(instance)
        self.held[(model, instance.pk)] = instance

    def save_later(self, instance: models.Model, fields: Iterable[str]) -> None:
        model = type(instance)
        earlier = self.updates.get(model, {}).get(instance.pk)
        if earlier is not None and earlier[0] is not instance:
            # Another instance of the same row has held changes: write them
            # first, so neither instance's changes are lost.
            self.flush()
        updates = self.updates.setdefault(model, {})
        if not updates and not self.rows.get(model):
            self.tables.append(connection.ops.quote_name(model._meta.db_table))
        _, held_fields = updates.setdefault(instance.pk, (instance, set()))
        held_fields.update(fields)

    def _next_key(self, model: type[models.Model], needed: int = 1) -> int:
        keys = self.keys.setdefault(model, [])
        if not keys:
            keys.extend(reversed(reserve_keys(model, max(KEY_BLOCK, needed))))
        return keys.pop()

    def add_all(self, instances: list[models.Model]) -> None:
        for position, instance in enumerate(instances):
            if instance.pk is None:
                instance.pk = self._next_key(type(instance), len(instances) - position)
            self.add(instance)

    def flush(self) -> None:
        if not (self.order or self.updates) or self.flushing:
            return
        rows, updates = self.rows, self.updates
        self.drop()
        self.flushing = True
        try:
            for model, instances in rows.items():
                _insert_rows(model, instances)
            for model, pending in updates.items():
                names = set().union(*(fields for _, fields in pending.values()))
                update_now(model, [instance for instance, _ in pending.values()], names)
        finally:
            self.flushing = False

    def drop(self) -> None:
        self.order, self.rows, self.held, self.updates, self.tables = [], {}, {}, {}, []

    def intercept(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        """Flush or drop held rows around ``sql``, by the rules in the module docstring."""
        if not self.tables or self.flushing:
            return execute(sql, params, many, context)
        statement = sql.lstrip()[:20].upper()
        if statement.startswith("ROLLBACK"):
            # Everything held was added after the newest savepoint began.
            result = execute(sql, params, many, context)
            self.drop()
            return result
        if statement.startswith("SAVEPOINT") or (
            not self.stored_only
            and not statement.startswith("INSERT")
            and any(table in sql for table in self.tables)
        ):
            self.flush()
        return execute(sql, params, many, context)


_current: ContextVar[_HeldWrites | None] = ContextVar("inserts_held", default=None)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold the rows ``add`` receives inside the block; see the module docstring.

    Use it inside the transaction that makes the rows. A block inside
    another one shares the outer block's rows.
    """
    if _current.get() is not None or connection.vendor not in _VENDORS:
        yield
        return
    held = _HeldWrites()
    token = _current.set(held)
    try:
        with connection.execute_wrapper(held.intercept):
            yield
            held.flush()
    finally:
        _current.reset(token)


def add(instance: M) -> M:
    """Insert ``instance``, or hold it until the ``deferred()`` block flushes; return it."""
    held = _current.get()
    if held is None:
        instance.save(force_insert=True)
    else:
        held.add(instance)
    return instance


def add_all(instances: Iterable[M]) -> list[M]:
    """Insert ``instances`` of one model with one statement, or hold them; return them."""
    instances = list(instances)
    held = _current.get()
    if held is None:
        if instances:
            type(instances[0])._default_manager.bulk_create(instances)
    else:
        held.add_all(instances)
    return instances


def insert_now(instances: list[M]) -> list[M]:
    """Insert ``instances`` of one model at once, also inside a ``deferred()`` block.

    The keys are reserved first, then one statement text runs for every row:
    two statements, against ``bulk_create``'s one, but without building the
    SQL of each row, which for a batch of stored messages costs more.
    """
    if not instances:
        return instances
    model = type(instances[0])
    if connection.vendor not in _VENDORS:
        model._default_manager.bulk_create(instances)
        return instances
    missing = [instance for instance in instances if instance.pk is None]
    if missing:
        for instance, key in zip(missing, reserve_keys(model, len(missing)), strict=True):
            instance.pk = key
    _insert_rows(model, instances)
    return instances


def is_held(instance: models.Model) -> bool:
    """Return whether ``instance``'s row waits for its INSERT in the open block."""
    return held_instance(instance) is not None


def held_instance(instance: M) -> M | None:
    """Return the held instance of ``instance``'s row, whose fields its INSERT will write."""
    held = _current.get()
    if held is None:
        return None
    return held.held.get((type(instance), instance.pk))  # type: ignore[return-value]


def save_later(instance: models.Model, fields: Iterable[str]) -> None:
    """Write ``fields`` of the stored row ``instance`` now, or when the open block flushes.

    A held UPDATE writes the instance's values as they are at the flush.
    Call it only for a row the transaction has locked or created, so no
    other transaction changes it in between.
    """
    held = _current.get()
    if held is None:
        instance.save(update_fields=list(fields))
    else:
        held.save_later(instance, fields)


def held_rows(model: type[M]) -> list[M]:
    """Return the instances of ``model`` held in the open block, oldest first."""
    held = _current.get()
    return list(held.rows.get(model, ())) if held is not None else []  # type: ignore[arg-type]


@contextmanager
def stored_only() -> Iterator[None]:
    """Read inside the block without flushing: the caller looks at ``held_rows`` itself."""
    held = _current.get()
    if held is None:
        yield
        return
    held.stored_only += 1
    try:
        yield
    finally:
        held.stored_only -= 1


def flush() -> None:
    """Insert the rows held so far, if a block is open."""
    held = _current.get()
    if held is not None:
        held.flush()


# -- writing held rows ----------------------------------------------------------
#
# Both run one statement text for every row with ``executemany``, without
# the per-row SQL building of ``bulk_create`` and ``bulk_update``. Values are
# prepared as Django's own INSERT and UPDATE prepare them.


def _insert_rows(model: type[models.Model], instances: list[models.Model]) -> None:
    fields = model._meta.local_concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    preparers = [_preparer(field, add=True) for field in fields]
    rows = [[prepare(instance) for prepare in preparers] for instance in instances]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values})",  # noqa: S608
            rows,
        )
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def update_now(
    model: type[models.Model], instances: list[models.Model], names: Iterable[str]
) -> None:
    """Write the fields ``names`` of the stored rows ``instances`` with one statement text."""
    fields = [model._meta.get_field(name) for name in sorted(names)]
    key = model._meta.pk
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    preparers = [_preparer(field, add=False) for field in [*fields, key]]
    rows = [[prepare(instance) for prepare in preparers] for instance in instances]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608
            f"WHERE {quote(key.column)} = %s",
            rows,
        )


# Values of these types go to the database as they are in a field of the
# matching kind; Django's preparation would return them unchanged.
_TEXT_FIELDS = (models.CharField, models.TextField)
_INTEGER_FIELDS = (models.IntegerField, models.AutoField, models.BigAutoField, models.ForeignKey)


def _preparer(field: Any, *, add: bool) -> Callable[[models.Model], Any]:
    """Return a function that gives ``field``'s database value for an instance."""
    # The connection object itself, not the ``connection`` proxy, which looks
    # the current connection up again on each attribute access.
    database = connections[connection.alias]
    attname, pre_save, prepare = field.attname, field.pre_save, field.get_db_prep_save
    if _keeps_datetimes(field):
        adapt = database.ops.adapt_datetimefield_value

        def datetime_of(instance: models.Model) -> Any:
            value = instance.__dict__.get(attname)
            if type(value) is datetime and value.tzinfo is not None:
                # What DateTimeField.get_db_prep_value does with an aware value.
                return adapt(value)
            return prepare(pre_save(instance, add), database)

        return datetime_of
    if isinstance(field, _TEXT_FIELDS):
        plain: type | None = str
    elif isinstance(field, _INTEGER_FIELDS):
        plain = int
    elif isinstance(field, models.BooleanField):
        plain = bool
    else:
        plain = None

    def value_of(instance: models.Model) -> Any:
        value = instance.__dict__.get(attname) if plain is not None else None
        if value is None or type(value) is not plain:
            value = pre_save(instance, add)
            if value is not None or plain is None:
                value = prepare(value, database)
        return value

    return value_of


def _keeps_datetimes(field: Any) -> bool:
    """Return whether ``field`` stores an aware datetime as it is, with no ``pre_save`` step."""
    return (
        type(field) is models.DateTimeField
        and not field.auto_now
        and not field.auto_now_add
        and settings.USE_TZ
    )


def insert_if_absent(instance: models.Model) -> bool:
    """Insert ``instance`` unless a row with one of its unique values exists.

    Returns whether the row was inserted, and on insert the instance gets
    its key. The INSERT runs at once, also inside a ``deferred()`` block.
    The caller decides what to do when another writer was first, so no
    savepoint is needed to survive the conflict.
    """
    model = type(instance)
    fields = [
        field
        for field in model._meta.local_concrete_fields
        if not (field.primary_key and instance.pk is None)
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(["%s"] * len(fields))
    key = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({values}) "  # noqa: S608
            f"ON CONFLICT DO NOTHING RETURNING {key}",
            [_preparer(field, add=True)(instance) for field in fields],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return True


def reserve_keys(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys of ``model``'s table; they are never handed out again."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The CTE looks the sequence up once instead of once per key,
            # which made the statement three times slower.
            cursor.execute(
                "WITH found AS MATERIALIZED"
                " (SELECT pg_get_serial_sequence(%s, %s)::regclass AS sequence)"
                " SELECT nextval(found.sequence) FROM found, generate_series(1, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            return _reserve_sqlite_keys(cursor, table, model._meta.pk.column, count)
    raise NotImplementedError(f"reserving keys is not supported on {connection.vendor}")


def _reserve_sqlite_keys(cursor: Any, table: str, column: str, count: int) -> list[int]:
    # The transaction holds SQLite's only write lock (relaydesk begins them
    # with BEGIN IMMEDIATE), so no other connection reserves in between.
    cursor.execute(
        "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s RETURNING seq", [count, table]
    )
    row = cursor.fetchone()
    if row is None:
        # No row was ever inserted into the table, so it has no counter yet.
        quoted, key = connection.ops.quote_name(table), connection.ops.quote_name(column)
        cursor.execute(
            f"INSERT INTO sqlite_sequence (name, seq) "  # noqa: S608 - names are quoted
            f"SELECT %s, COALESCE(MAX({key}), 0) + %s FROM {quoted} RETURNING seq",
            [table, count],
        )
        row = cursor.fetchone()
    last = int(row[0])
    return list(range(last - count + 1, last + 1))
