import pytest
from django.db import transaction

from relaydesk.core import timeline
from relaydesk.core.models import TimelineEvent
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(TimelineEvent.objects.order_by("id").values_list("kind", flat=True))


def test_record_inserts_at_once():
    event = timeline.record(ContactFactory(), "noted", detail="x")
    assert event.pk is not None
    assert kinds() == ["noted"]


def test_deferred_inserts_when_block_ends():
    subject = ContactFactory()
    with timeline.deferred():
        first = timeline.record(subject, "first")
        timeline.record(subject, "second", detail=2)
        assert kinds() == []
        assert first.pk is None
    assert kinds() == ["first", "second"]
    assert first.pk is not None


def test_deferred_uses_one_statement(django_assert_num_queries):
    subject = ContactFactory()
    with django_assert_num_queries(1), timeline.deferred():
        for number in range(5):
            timeline.record(subject, "event", number=number)
    assert len(kinds()) == 5


def test_deferred_drops_events_when_block_raises():
    subject = ContactFactory()
    with pytest.raises(RuntimeError), transaction.atomic(), timeline.deferred():
        timeline.record(subject, "lost")
        raise RuntimeError("roll back")
    timeline.record(subject, "after")
    assert kinds() == ["after"]


def test_deferred_nested_block_joins_outer():
    subject = ContactFactory()
    with timeline.deferred():
        timeline.record(subject, "before")
        with timeline.deferred():
            timeline.record(subject, "inner")
        assert kinds() == []
        timeline.record(subject, "after")
    assert kinds() == ["before", "inner", "after"]


def test_deferred_nested_failure_drops_own_events():
    subject = ContactFactory()
    with timeline.deferred():
        timeline.record(subject, "kept")
        with pytest.raises(RuntimeError), transaction.atomic(), timeline.deferred():
            timeline.record(subject, "lost")
            raise RuntimeError("roll back the inner block")
    assert kinds() == ["kept"]


def test_nested_deferred_blocks_insert_with_one_statement(django_assert_num_queries):
    subject = ContactFactory()
    with django_assert_num_queries(1), timeline.deferred():
        for number in range(3):
            with timeline.deferred():
                timeline.record(subject, "event", number=number)
    assert len(kinds()) == 3


def test_deferred_keeps_event_data():
    subject = ContactFactory()
    with timeline.deferred():
        timeline.record(subject, "changed", actor_label="someone", before="a", after="b")
    event = TimelineEvent.objects.get()
    assert event.subject_type == "contact"
    assert event.subject_id == subject.pk
    assert event.actor_label == "someone"
    assert event.data == {"before": "a", "after": "b"}
