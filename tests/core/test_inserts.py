"""Inserts held back until a block ends, a statement needs them, or a savepoint rolls back."""

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


def test_outside_a_block_add_inserts_at_once():
    row = inserts.add(event("direct"))
    assert row.pk is not None
    assert stored_names() == ["direct"]


def test_held_rows_get_keys_at_once_and_go_in_when_the_block_ends():
    with transaction.atomic(), inserts.deferred():
        first = inserts.add(event("first"))
        second, third = inserts.add_all([event("second"), event("third")])
        assert len({first.pk, second.pk, third.pk}) == 3
        assert inserts.is_held(first)
        assert stored_names() == []
    assert stored_names() == ["first", "second", "third"]
    assert not inserts.is_held(first)


def test_a_read_of_the_table_inserts_the_held_rows_first():
    with transaction.atomic(), inserts.deferred():
        inserts.add(event("waiting"))
        assert TimelineEvent.objects.filter(kind="waiting").exists()
        assert stored_names() == ["waiting"]


def test_a_held_row_changed_before_its_insert_is_stored_as_changed():
    with transaction.atomic(), inserts.deferred():
        row = inserts.add(event("counter"))
        inserts.held_instance(TimelineEvent(pk=row.pk)).data = {"value": 7}
    assert TimelineEvent.objects.get(kind="counter").data == {"value": 7}


def test_an_update_of_a_held_row_inserts_it_and_then_updates_it():
    with transaction.atomic(), inserts.deferred():
        row = inserts.add(event("counter"))
        TimelineEvent.objects.filter(pk=row.pk).update(data={"value": 3})
    assert TimelineEvent.objects.get(kind="counter").data == {"value": 3}


def test_rolling_back_to_a_savepoint_drops_only_the_rows_added_inside_it():
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


def test_rows_flushed_inside_a_savepoint_roll_back_with_it():
    with transaction.atomic(), inserts.deferred():
        try:
            with transaction.atomic():
                inserts.add(event("inside"))
                inserts.flush()
                raise RuntimeError("roll the savepoint back")
        except RuntimeError:
            pass
    assert stored_names() == []


def test_an_exception_out_of_the_block_drops_the_held_rows():
    with pytest.raises(RuntimeError), transaction.atomic(), inserts.deferred():
        inserts.add(event("lost"))
        raise RuntimeError("roll back")
    assert stored_names() == []


def test_reserved_keys_are_never_handed_out_again():
    with transaction.atomic():
        reserved = inserts.reserve_keys(TimelineEvent, 5)
    assert reserved == sorted(reserved)
    assert len(set(reserved)) == 5
    later = inserts.add(event("later"))
    assert later.pk > max(reserved)


def test_keys_are_reserved_on_a_table_that_never_had_a_row():
    assert not TimelineEvent.objects.exists()
    with transaction.atomic(), inserts.deferred():
        row = inserts.add(event("first ever"))
    assert TimelineEvent.objects.get().pk == row.pk


def test_a_nested_block_shares_the_outer_blocks_rows():
    with transaction.atomic(), inserts.deferred():
        with inserts.deferred():
            inserts.add(event("inner"))
        assert stored_names() == []
    assert stored_names() == ["inner"]


def test_without_a_block_nothing_is_intercepted():
    assert not connection.execute_wrappers
    with inserts.deferred():
        assert connection.execute_wrappers
    assert not connection.execute_wrappers


def test_save_later_outside_a_block_saves_at_once():
    row = inserts.add(event("stored"))
    row.data = {"value": 1}
    inserts.save_later(row, ["data"])
    with inserts.stored_only():
        assert TimelineEvent.objects.get(pk=row.pk).data == {"value": 1}


def test_held_updates_of_a_table_go_in_together_before_it_is_read():
    first, second = inserts.add(event("first")), inserts.add(event("second"))
    with transaction.atomic(), inserts.deferred():
        first.data, second.kind = {"value": 1}, "renamed"
        inserts.save_later(first, ["data"])
        inserts.save_later(second, ["kind"])
        assert stored_names() == ["first", "second"]
        assert sorted(TimelineEvent.objects.values_list("kind", flat=True)) == ["first", "renamed"]
    assert TimelineEvent.objects.get(pk=first.pk).data == {"value": 1}


def test_rolling_back_to_a_savepoint_drops_the_updates_held_inside_it():
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


def test_insert_if_absent_inserts_once_and_then_reports_the_conflict():
    from relaydesk.core.models import Sequence

    first = Sequence(name="unique", value=1)
    assert inserts.insert_if_absent(first)
    assert not inserts.insert_if_absent(Sequence(name="unique", value=2))
    assert Sequence.objects.get(name="unique").value == 1


def test_insert_if_absent_gives_the_new_row_its_key():
    row = event("keyed")
    assert inserts.insert_if_absent(row)
    assert TimelineEvent.objects.get(pk=row.pk).kind == "keyed"
