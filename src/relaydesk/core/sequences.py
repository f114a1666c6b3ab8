"""Gap-tolerant counters for human-facing numbers (CS-, PO-, KE-, CHG-)."""

from django.db import transaction
from django.db.models import F

from relaydesk.core.models import Sequence


def next_value(name: str) -> int:
    """Return the next number of sequence ``name``; safe across processes.

    The update takes the row lock (PostgreSQL) or the database write lock
    (SQLite) so two writers never receive the same number.
    """
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        Sequence.objects.filter(name=name).update(value=F("value") + 1)
        return Sequence.objects.values_list("value", flat=True).get(name=name)
