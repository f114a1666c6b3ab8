"""Deliveries scheduled at once, or gathered and queued when a block ends."""

import pytest

from relaydesk.tickets import delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setitem(delivery._senders, "test", queued.append)
    return queued


def test_delivery_queued_at_once(sent):
    assert delivery.schedule_delivery("test", 1)
    assert sent == [1]


def test_unknown_kind_not_queued(sent):
    assert not delivery.schedule_delivery("fax", 1)
    assert sent == []


def test_collected_deliveries_queued_in_order(sent):
    with delivery.collected():
        delivery.schedule_delivery("test", 1)
        with delivery.collected():
            delivery.schedule_delivery("test", 2)
        assert sent == []
    assert sent == [1, 2]


def test_collected_deliveries_survive_error(sent):
    with pytest.raises(RuntimeError), delivery.collected():
        delivery.schedule_delivery("test", 1)
        raise RuntimeError("failed after the first message was committed")
    assert sent == [1]
