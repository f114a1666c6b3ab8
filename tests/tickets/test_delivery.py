"""Deliveries queued inside the message's transaction, or on commit."""

import pytest
from django.db import transaction

from relaydesk.tickets import delivery

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    """Raised to roll a test transaction back."""


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setitem(delivery._senders, "test", queued.append)
    return queued


def test_database_backend_queues_in_transaction(sent, database_tasks):
    with transaction.atomic():
        assert delivery.schedule_delivery("test", 1)
        # A real sender writes the task row here, inside the message's transaction.
        assert sent == [1]


def test_other_backend_queues_on_commit(sent, django_capture_on_commit_callbacks):
    # The tests' default task backend runs tasks at once, outside the database.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert delivery.schedule_delivery("test", 1)
        assert sent == []
    assert sent == [1]


def test_other_backend_skips_rollback(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            delivery.schedule_delivery("test", 1)
            raise Rollback
    assert callbacks == []
    assert sent == []


def test_unknown_kind_not_queued(sent, database_tasks):
    with transaction.atomic():
        assert not delivery.schedule_delivery("fax", 1)
    assert sent == []
