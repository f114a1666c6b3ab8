"""Gap-tolerant counters for human-facing numbers (CS-, PO-, KE-, CHG-).

An import batch that may open a ticket per message takes its numbers with
one statement: inside ``reserved(name, count)`` ``next_value`` hands out
numbers taken up front, and the block gives back those it did not use.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import F

from relaydesk.core.models import Sequence

# Per sequence name, the next reserved number and the last one.
_blocks: ContextVar[dict[str, list[int]] | None] = ContextVar("sequence_blocks", default=None)


def next_value(name: str) -> int:
    """Return the next number of sequence ``name``; safe across processes.

    The update takes the row lock (PostgreSQL) or the database write lock
    (SQLite) until the surrounding transaction ends, so two writers never
    receive the same number. One statement in the usual case, two on a
    name's first use.
    """
    block = (_blocks.get() or {}).get(name)
    if block is not None and block[0] <= block[1]:
        block[0] += 1
        return block[0] - 1
    return _increment(name, 1)


@contextmanager
def reserved(name: str, count: int) -> Iterator[None]:
    """Take ``count`` numbers of ``name`` now for the ``next_value`` calls inside the block.

    Use it inside the transaction that uses the numbers. Taking them locks
    the sequence's row (on SQLite, the database) until that transaction
    ends, so no other transaction takes a number in between. When the block
    ends without an exception, it gives back the numbers it did not hand
    out.
    Past ``count``, ``next_value`` takes numbers one at a time again. A
    number handed out inside a savepoint that rolls back is a gap.
    """
    blocks = _blocks.get()
    if count <= 0 or (blocks is not None and name in blocks):
        yield
        return
    last = _increment(name, count)
    block = [last - count + 1, last]
    token = _blocks.set({**(blocks or {}), name: block})
    try:
        yield
    finally:
        _blocks.reset(token)
    unused = block[1] - block[0] + 1
    if unused > 0:
        Sequence.objects.filter(name=name).update(value=F("value") - unused)


def _increment(name: str, step: int) -> int:
    if not connection.features.can_return_columns_from_insert:
        return _increment_without_returning(name, step)
    value = _increment_returning(name, step)
    if value is None:
        # First use of this name: create the row. Two processes may race
        # here, and ON CONFLICT lets the loser go on to the same UPDATE.
        Sequence.objects.bulk_create([Sequence(name=name)], ignore_conflicts=True)
        value = _increment_returning(name, step)
    if value is None:
        raise RuntimeError(f"sequence {name!r} has no row after it was created")
    return value


def _increment_returning(name: str, step: int) -> int | None:
    # UPDATE ... RETURNING is accepted by PostgreSQL and by SQLite 3.35 or
    # later, the same versions that Django lets return columns from INSERT.
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = value + %s WHERE name = %s RETURNING value",  # noqa: S608
            [step, name],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _increment_without_returning(name: str, step: int) -> int:
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        Sequence.objects.filter(name=name).update(value=F("value") + step)
        return Sequence.objects.values_list("value", flat=True).get(name=name)
