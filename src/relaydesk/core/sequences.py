"""Gap-tolerant counters for human-facing numbers (CS-, PO-, KE-, CHG-)."""

from django.db import connection, transaction
from django.db.models import F

from relaydesk.core.models import Sequence


def next_value(name: str) -> int:
    """Return the next number of sequence ``name``; safe across processes.

    The update takes the row lock (PostgreSQL) or the database write lock
    (SQLite) until the surrounding transaction ends, so two writers never
    receive the same number. One statement in the usual case, two on a
    name's first use.
    """
    if not connection.features.can_return_columns_from_insert:
        return _next_value_without_returning(name)
    value = _increment_returning(name)
    if value is None:
        # First use of this name: create the row. Two processes may race
        # here, and ON CONFLICT lets the loser go on to the same UPDATE.
        Sequence.objects.bulk_create([Sequence(name=name)], ignore_conflicts=True)
        value = _increment_returning(name)
    if value is None:
        raise RuntimeError(f"sequence {name!r} has no row after it was created")
    return value


def _increment_returning(name: str) -> int | None:
    # UPDATE ... RETURNING is accepted by PostgreSQL and by SQLite 3.35 or
    # later, the same versions that Django lets return columns from INSERT.
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = value + 1 WHERE name = %s RETURNING value",  # noqa: S608
            [name],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _next_value_without_returning(name: str) -> int:
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        Sequence.objects.filter(name=name).update(value=F("value") + 1)
        return Sequence.objects.values_list("value", flat=True).get(name=name)
