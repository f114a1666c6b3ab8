"""Clocks through the e-mail path: pausing on pending client, resuming on the client's reply."""

from datetime import UTC, datetime

import pytest

from relaydesk.channels.email.batch import BatchImporter, IncomingMessage
from relaydesk.core import clock
from relaydesk.sla.models import ClockKind, SlaClock
from relaydesk.tickets import actions
from relaydesk.tickets.models import Status, Ticket
from tests.factories import AgentFactory
from tests.sla.helpers import (
    SUPPORT,
    client_email,
    clock_of,
    organization_with_domain,
    receive,
    resolution,
)

pytestmark = pytest.mark.django_db

SENDER = "ana@pause.example"


@pytest.fixture(autouse=True)
def _support_address(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": SUPPORT}


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# A Universal normal ticket opened on Monday 2026-03-02 at 09:30 Lisbon time
# (UTC+0). Resolution 2400 minutes: Mon 09:30-13:00 210 and 14:00-18:00 240
# (450 so far), Tue to Fri 4 x 480 (2370), Mon 9 March 09:00 + 30 = 09:30 UTC.
OPENED = utc(2026, 3, 2, 9, 30)
ASKED = utc(2026, 3, 2, 10, 0)
ANSWERED = utc(2026, 3, 2, 11, 30)


def email_ticket() -> Ticket:
    organization_with_domain("pause.example")
    content = client_email(
        sender=SENDER, subject="Export fails", sent_at=OPENED, message_id="<first@pause.example>"
    )
    return Ticket.objects.get(number=receive(content, OPENED).ticket_number)


def ask_client(ticket: Ticket) -> None:
    agent = AgentFactory()
    with clock.frozen_at(ASKED):
        actions.reply(ticket, author=agent, text="Which browser?", status=Status.PENDING_CLIENT)


def client_replies(ticket: Ticket) -> None:
    content = client_email(
        sender=SENDER,
        subject=f"Re: [{ticket.reference}] Export fails",
        sent_at=ANSWERED,
        message_id="<second@pause.example>",
    )
    result = receive(content, ANSWERED)
    assert result.outcome == "message_added"


def test_email_ticket_resolution_due_by_hand():
    ticket = email_ticket()

    assert resolution(ticket).due_at == utc(2026, 3, 9, 9, 30)


def test_agent_reply_meets_first_response():
    ticket = email_ticket()
    ask_client(ticket)

    assert clock_of(ticket, ClockKind.FIRST_RESPONSE).met_at == ASKED


def test_pending_client_pauses_resolution():
    ticket = email_ticket()
    ask_client(ticket)

    paused = resolution(ticket)

    assert paused.paused_since == ASKED
    assert paused.pauses == [[ASKED.isoformat(), None]]


def test_client_email_resumes_resolution():
    ticket = email_ticket()
    ask_client(ticket)
    client_replies(ticket)

    resumed = resolution(ticket)

    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN
    assert resumed.paused_since is None
    assert resumed.pauses == [[ASKED.isoformat(), ANSWERED.isoformat()]]


def test_client_email_shifts_due_by_paused_minutes():
    # Paused from 10:00 to 11:30 on an open Monday morning: 90 business
    # minutes, so the due time moves from Mon 9 March 09:30 to 11:00 UTC.
    ticket = email_ticket()
    ask_client(ticket)
    client_replies(ticket)

    resumed = resolution(ticket)

    assert resumed.paused_minutes == 90
    assert resumed.due_at == utc(2026, 3, 9, 11, 0)


def test_client_email_starts_next_response():
    # Universal normal next response: 960 minutes = two days of 480 from Mon
    # 11:30, that is Wed 4 March 11:30 UTC.
    ticket = email_ticket()
    ask_client(ticket)
    client_replies(ticket)

    next_response = clock_of(ticket, ClockKind.NEXT_RESPONSE)

    assert next_response.started_at == ANSWERED
    assert next_response.due_at == utc(2026, 3, 4, 11, 30)


def test_imported_client_email_starts_next_response():
    """An import batch starts the cycle too, though it skips client messages that change nothing."""
    ticket = email_ticket()
    ask_client(ticket)
    reply = client_email(
        sender=SENDER,
        subject=f"Re: [{ticket.reference}] Export fails",
        sent_at=ANSWERED,
        message_id="<second@pause.example>",
    )
    again = client_email(
        sender=SENDER,
        subject=f"Re: [{ticket.reference}] Export fails",
        sent_at=ANSWERED,
        message_id="<third@pause.example>",
    )
    with clock.frozen_at(ANSWERED):
        results = BatchImporter().import_batch(
            [IncomingMessage(reply, "second.eml"), IncomingMessage(again, "third.eml")]
        )

    assert [result.outcome for result in results] == ["message_added", "message_added"]
    cycles = SlaClock.objects.filter(ticket=ticket, kind=ClockKind.NEXT_RESPONSE)
    assert cycles.count() == 1
    assert cycles.get().started_at == ANSWERED
    assert cycles.get().due_at == utc(2026, 3, 4, 11, 30)


def test_second_client_email_keeps_waiting_cycle():
    ticket = email_ticket()
    ask_client(ticket)
    client_replies(ticket)
    later = utc(2026, 3, 2, 15, 0)
    content = client_email(
        sender=SENDER,
        subject=f"Re: [{ticket.reference}] Export fails",
        sent_at=later,
        message_id="<third@pause.example>",
    )
    receive(content, later)

    cycles = SlaClock.objects.filter(ticket=ticket, kind=ClockKind.NEXT_RESPONSE)

    assert cycles.count() == 1
    assert cycles.get().started_at == ANSWERED
