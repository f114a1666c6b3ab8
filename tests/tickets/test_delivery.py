"""Deliveries scheduled at once, or gathered and queued when a block ends."""

import pytest

from relaydesk.tickets import delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    queued: list[int] = []
    monkeypatch.setitem(delivery._senders, "test", queued.append)
    return queued


def test_outside_a_block_delivery_is_queued_at_once(sent):
    assert delivery.schedule_delivery("test", 1)
    assert sent == [1]


def test_a_kind_without_sender_is_refused(sent):
    assert not delivery.schedule_delivery("fax", 1)
    assert sent == []


def test_deliveries_gathered_in_a_block_are_queued_in_order_when_it_ends(sent):
    with delivery.collected():
        delivery.schedule_delivery("test", 1)
        with delivery.collected():
            delivery.schedule_delivery("test", 2)
        assert sent == []
    assert sent == [1, 2]


def test_deliveries_gathered_before_an_error_are_still_queued(sent):
    with pytest.raises(RuntimeError), delivery.collected():
        delivery.schedule_delivery("test", 1)
        raise RuntimeError("failed after the first message was committed")
    assert sent == [1]
