"""Named locks held until the current transaction ends.

``hold(name)`` makes transactions that lock the same name run that part
one at a time, for a check followed by a write that must not interleave,
such as counting recent acknowledgements to an address before sending one.
On PostgreSQL it takes a transaction-scoped advisory lock. SQLite runs one
writing transaction at a time, and relaydesk begins them with BEGIN
IMMEDIATE, so there the transaction already holds the only write lock.
"""

from django.db import connection

from relaydesk.core import memo


def hold(name: str) -> None:
    """Lock ``name`` until the current transaction commits or rolls back.

    Call it inside ``transaction.atomic()``. Two transactions that lock
    several names must lock them in the same order, or they can deadlock.
    """
    hold_all([name])


def hold_all(names: list[str]) -> None:
    """Lock every name in ``names`` with one statement, in sorted order.

    Inside a ``memo.scope()`` a name locked once is not locked again.
    """
    if not connection.in_atomic_block:
        raise RuntimeError(f"locks {names!r} need a transaction: call them inside atomic()")
    if connection.vendor != "postgresql":
        return
    locked = memo.held("locks")
    missing = sorted(set(names) - locked.keys())
    if not missing:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(name, 0)) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS missing(name, position) "
            "ORDER BY position",
            [missing],
        )
    locked.update(dict.fromkeys(missing, True))
