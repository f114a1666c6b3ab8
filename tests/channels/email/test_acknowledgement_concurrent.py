"""Two new tickets from one address acknowledged at once on PostgreSQL respect the limit.

Each acknowledgement runs in a thread with its own database connection, so
the lock on the address acts as between two processes.
"""

import time

import pytest
from django.db import connection

from relaydesk.channels.email import outbound
from relaydesk.core.models import TimelineEvent
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, Message, MessageKind
from tests.concurrency import run_in_two_workers
from tests.factories import ContactFactory

# serialized_rollback restores the plans, calendars and policies of the data migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLIENT = "ana@client.example"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time and has no row locks")


def new_ticket(contact, subject: str):
    draft = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="The export fails.",
        subject=subject,
        from_address=CLIENT,
    )
    return actions.open_ticket(channel="email", first_message=draft, contact=contact)


def test_concurrent_acknowledgements_respect_limit(settings, monkeypatch):
    settings.RELAYDESK = {**settings.RELAYDESK, "ACKS_PER_ADDRESS_PER_HOUR": 1}
    contact = ContactFactory(email=CLIENT)
    opened = [new_ticket(contact, "First problem"), new_ticket(contact, "Second problem")]
    real_count = outbound.acknowledgements_sent_recently

    def slow_count(recipient: str) -> int:
        # Without the lock, the other worker counts during this pause too.
        count = real_count(recipient)
        time.sleep(0.5)
        return count

    monkeypatch.setattr(outbound, "acknowledgements_sent_recently", slow_count)
    queue = iter(opened)
    run_in_two_workers(lambda: outbound.queue_acknowledgement(*next(queue)))

    acknowledgements = Message.objects.filter(kind=MessageKind.ACKNOWLEDGEMENT)
    skipped = TimelineEvent.objects.filter(kind="acknowledgement_skipped")
    assert acknowledgements.count() == 1
    assert [event.data["reason"] for event in skipped] == ["rate_limited"]
