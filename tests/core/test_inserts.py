"""Inserts held back until a block ends, a statement needs them, or a savepoint rolls back."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from relaydesk.core import clock, inserts
from relaydesk.core.models import TimelineEvent

pytestmark = pytest.mark.django_db


def event(kind: str) -> TimelineEvent:
    return TimelineEvent(subject_type="ticket", subject_id=1, kind=kind, created_at=clock.now())


def stored_names() -> list[str]:
    """Kinds of the stored events, read without flushing the held rows."""
    with inserts.stored_only():
        return sorted(TimelineEvent.objects.values_list("kind", flat=True))


def test_add_outside_block_inserts_at_once():
    row = inserts.add(event("direct"))
    assert row.pk is not None
    assert stored_names() == ["direct"]


def test_held_rows_inserted_at_block_end():
    with transaction.atomic(), inserts.deferred():
        first = inserts.add(event("first"))
        second, third = inserts.add_all([event("second"), event("third")])
        assert len({first.pk, second.pk, third.pk}) == 3
        assert inserts.is_held(first)
        assert stored_names() == []
    assert stored_names() == ["first", "second", "third"]
    assert not inserts.is_held(first)


def test_read_flushes_held_rows():
    with transaction.atomic(), inserts.deferred():
        inserts.add(event("waiting"))
        assert TimelineEvent.objects.filter(kind="waiting").exists()
        assert stored_names() == ["waiting"]


def test_held_row_change_is_inserted():
    with transaction.atomic(), inserts.deferred():
        row = inserts.add(event("counter"))
        inserts.held_instance(TimelineEvent(pk=row.pk)).data = {"value": 7}
    assert TimelineEvent.objects.get(kind="counter").data == {"value": 7}


def test_update_of_held_row_flushes_first():
    with transaction.atomic(), inserts.deferred():
        row = inserts.add(event("counter"))
        TimelineEvent.objects.filter(pk=row.pk).update(data={"value": 3})
    assert TimelineEvent.objects.get(kind="counter").data == {"value": 3}


def test_savepoint_rollback_drops_inner_rows():
    with transaction.atomic(), inserts.deferred():
        inserts.add(event("before"))
        try:
            with transaction.atomic():
                inserts.add(event("inside"))
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
        with transaction.atomic():
            inserts.add(event("released"))
        inserts.add(event("after"))
    assert stored_names() == ["after", "before", "released"]


def test_rows_flushed_in_savepoint_roll_back():
    with transaction.atomic(), inserts.deferred():
        try:
            with transaction.atomic():
                inserts.add(event("inside"))
                inserts.flush()
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
    assert stored_names() == []


def test_exception_drops_held_rows():
    with pytest.raises(RuntimeError), transaction.atomic(), inserts.deferred():
        inserts.add(event("lost"))
        raise RuntimeError("roll back")
    assert stored_names() == []


def test_reserved_keys_not_reused():
    with transaction.atomic():
        reserved = inserts.reserve_keys(TimelineEvent, 5)
    assert reserved == sorted(reserved)
    assert len(set(reserved)) == 5
    later = inserts.add(event("later"))
    assert later.pk > max(reserved)


def test_keys_reserved_on_empty_table():
    assert not TimelineEvent.objects.exists()
    with transaction.atomic(), inserts.deferred():
        row = inserts.add(event("first ever"))
    assert TimelineEvent.objects.get().pk == row.pk


def test_nested_block_shares_rows():
    with transaction.atomic(), inserts.deferred():
        with inserts.deferred():
            inserts.add(event("inner"))
        assert stored_names() == []
    assert stored_names() == ["inner"]


def test_wrapper_only_inside_block():
    assert not connection.execute_wrappers
    with inserts.deferred():
        assert connection.execute_wrappers
    assert not connection.execute_wrappers


def test_save_later_outside_block_saves():
    row = inserts.add(event("stored"))
    row.data = {"value": 1}
    inserts.save_later(row, ["data"])
    with inserts.stored_only():
        assert TimelineEvent.objects.get(pk=row.pk).data == {"value": 1}


def test_held_updates_written_before_read():
    first, second = inserts.add(event("first")), inserts.add(event("second"))
    with transaction.atomic(), inserts.deferred():
        first.data, second.kind = {"value": 1}, "renamed"
        inserts.save_later(first, ["data"])
        inserts.save_later(second, ["kind"])
        assert stored_names() == ["first", "second"]
        assert sorted(TimelineEvent.objects.values_list("kind", flat=True)) == ["first", "renamed"]
    assert TimelineEvent.objects.get(pk=first.pk).data == {"value": 1}


def test_savepoint_rollback_drops_inner_updates():
    row = inserts.add(event("kept"))
    with transaction.atomic(), inserts.deferred():
        try:
            with transaction.atomic():
                row.kind = "changed"
                inserts.save_later(row, ["kind"])
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
    assert stored_names() == ["kept"]


def test_insert_if_absent_reports_conflict():
    from relaydesk.core.models import Sequence

    first = Sequence(name="unique", value=1)
    assert inserts.insert_if_absent(first)
    assert not inserts.insert_if_absent(Sequence(name="unique", value=2))
    assert Sequence.objects.get(name="unique").value == 1


def test_insert_if_absent_sets_key():
    row = event("keyed")
    assert inserts.insert_if_absent(row)
    assert TimelineEvent.objects.get(pk=row.pk).kind == "keyed"


def test_save_later_of_two_instances_keeps_both():
    row = inserts.add(event("stored"))
    with transaction.atomic(), inserts.deferred():
        first, second = TimelineEvent.objects.get(pk=row.pk), TimelineEvent.objects.get(pk=row.pk)
        first.kind = "renamed"
        inserts.save_later(first, ["kind"])
        second.data = {"value": 2}
        inserts.save_later(second, ["data"])
    stored = TimelineEvent.objects.get(pk=row.pk)
    assert stored.kind == "renamed"
    assert stored.data == {"value": 2}


def test_held_datetimes_keep_their_instant():
    """A time in another zone is stored as the same instant, as Django's own INSERT stores it."""
    lisbon_summer = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/Lisbon"))
    with transaction.atomic(), inserts.deferred():
        aware = inserts.add(
            TimelineEvent(
                subject_type="ticket", subject_id=1, kind="aware", created_at=lisbon_summer
            )
        )
    assert TimelineEvent.objects.get(pk=aware.pk).created_at == datetime(
        2026, 7, 1, 8, 30, tzinfo=UTC
    )
    reference = TimelineEvent.objects.create(
        subject_type="ticket", subject_id=1, kind="reference", created_at=lisbon_summer
    )
    columns = TimelineEvent.objects.filter(pk__in=[aware.pk, reference.pk]).values_list(
        "created_at", flat=True
    )
    assert len(set(columns)) == 1
