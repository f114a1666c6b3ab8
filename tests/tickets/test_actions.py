from datetime import UTC, datetime, timedelta

import pytest

from relaydesk.accounts.models import Role
from relaydesk.core import clock
from relaydesk.core.models import TimelineEvent
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import AttachmentDraft, MessageDraft
from relaydesk.tickets.errors import InvalidAssignee, InvalidMessage, InvalidTransition
from relaydesk.tickets.models import DeliveryStatus, Direction, MessageKind, Status, Visibility
from tests.factories import AgentFactory, ContactFactory

pytestmark = pytest.mark.django_db


def inbound(text: str = "The export button fails.", **fields) -> MessageDraft:
    return MessageDraft(
        direction=Direction.INBOUND, kind=MessageKind.EMAIL, text=text, subject="Export", **fields
    )


def test_create_ticket_numbers_sequentially():
    contact = ContactFactory()
    first = actions.create_ticket(channel="email", first_message=inbound(), contact=contact)
    second = actions.create_ticket(channel="email", first_message=inbound(), contact=contact)
    assert second.number == first.number + 1
    assert first.reference == f"CS-{first.number}"


def test_create_ticket_keeps_its_subject_on_one_line():
    # An RFC 2047 word may decode to a line break, which no reply header may carry.
    ticket = actions.create_ticket(
        channel="email",
        first_message=inbound(),
        contact=ContactFactory(),
        subject="Export\r\nfails\x0b since\u2028Monday",
    )
    assert ticket.subject == "Export fails since Monday"


def test_create_ticket_takes_contact_organization():
    contact = ContactFactory()
    ticket = actions.create_ticket(channel="email", first_message=inbound(), contact=contact)
    assert ticket.organization == contact.organization
    assert ticket.status == Status.NEW


def test_create_ticket_records_timeline():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    kinds = list(
        TimelineEvent.objects.filter(subject_type="ticket", subject_id=ticket.pk).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["ticket_created", "message_added"]


def test_create_ticket_stores_attachment_once_per_content():
    draft = inbound(
        attachments=(
            AttachmentDraft("a.txt", b"same bytes", "text/plain"),
            AttachmentDraft("b.txt", b"same bytes", "text/plain"),
        )
    )
    ticket = actions.create_ticket(channel="email", first_message=draft, contact=ContactFactory())
    attachments = list(ticket.messages.get().attachments.all())
    assert len(attachments) == 2
    assert attachments[0].blob_id == attachments[1].blob_id


def test_create_ticket_rejects_unknown_priority():
    with pytest.raises(InvalidMessage):
        actions.create_ticket(channel="email", first_message=inbound(), priority="whenever")


def test_client_message_reopens_pending_ticket():
    contact = ContactFactory()
    agent = AgentFactory()
    ticket = actions.create_ticket(channel="email", first_message=inbound(), contact=contact)
    actions.reply(ticket, author=agent, text="Which browser?", status=Status.PENDING_CLIENT)
    actions.add_client_message(ticket, inbound("Firefox."), contact=contact)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_client_message_is_logged_with_its_ticket(caplog):
    contact = ContactFactory()
    ticket = actions.create_ticket(channel="email", first_message=inbound(), contact=contact)
    with caplog.at_level("INFO", logger="relaydesk.tickets.actions"):
        actions.add_client_message(ticket, inbound("Firefox."), contact=contact)
    (record,) = [r for r in caplog.records if r.getMessage() == "client message added"]
    assert (record.ticket, record.reopened) == (ticket.number, False)


def test_new_ticket_records_client_time():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    ticket.refresh_from_db()
    assert ticket.last_client_message_at == ticket.created_at


def test_agent_ticket_has_no_client_time():
    note = MessageDraft(
        direction=Direction.INTERNAL, kind=MessageKind.NOTE, text="Called the client back."
    )
    ticket = actions.create_ticket(
        channel="agent", first_message=note, contact=ContactFactory(), actor=AgentFactory()
    )
    ticket.refresh_from_db()
    assert ticket.last_client_message_at is None


def test_messages_touch_open_ticket():
    contact = ContactFactory()
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with clock.frozen_at(start):
        ticket = actions.create_ticket(channel="email", first_message=inbound(), contact=contact)
        actions.reply(ticket, author=AgentFactory(), text="Looking into it.")
    # The ticket is open now, so neither message below changes its status.
    with clock.frozen_at(start + timedelta(hours=1)):
        actions.add_client_message(ticket, inbound("It also fails on Firefox."), contact=contact)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.updated_at) == (Status.OPEN, start + timedelta(hours=1))
    with clock.frozen_at(start + timedelta(hours=2)):
        actions.reply(ticket, author=AgentFactory(), text="Found it; a fix is on the way.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.updated_at) == (Status.OPEN, start + timedelta(hours=2))


def test_first_reply_opens_new_ticket():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    actions.reply(ticket, author=AgentFactory(), text="Looking into it.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_reply_rejects_empty_text():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    with pytest.raises(InvalidMessage) as error:
        actions.reply(ticket, author=AgentFactory(), text="   ")
    assert error.value.code == "invalid_message"
    assert ticket.messages.count() == 1


def test_note_is_internal():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    note = actions.add_note(ticket, author=AgentFactory(), text="Customer is on v2.3")
    assert note.visibility == Visibility.INTERNAL


def test_change_status_rejects_escalated_by_hand():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    with pytest.raises(InvalidTransition) as error:
        actions.change_status(ticket, actor=AgentFactory(), status=Status.ESCALATED)
    assert error.value.code == "invalid_status_transition"
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_assign_rejects_agent_who_cannot_answer_clients():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    release = AgentFactory(first_name="Rui", last_name="Lima", role=Role.RELEASE)
    with pytest.raises(InvalidAssignee) as error:
        actions.assign(ticket, actor=AgentFactory(), assignee=release)
    assert error.value.message == (
        "Agent Rui Lima has the role Release and cannot reply to clients: assign the "
        "ticket to a Customer Service agent or a CSM."
    )
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_change_status_to_same_status_records_nothing():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    agent = AgentFactory()
    actions.change_status(ticket, actor=agent, status=Status.OPEN)
    ticket.refresh_from_db()
    events_before = TimelineEvent.objects.filter(kind="status_changed").count()

    unchanged = actions.change_status(ticket, actor=agent, status=Status.OPEN)

    assert unchanged.updated_at == ticket.updated_at
    assert TimelineEvent.objects.filter(kind="status_changed").count() == events_before


def test_change_priority_records_before_and_after():
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    actions.change_priority(ticket, actor=AgentFactory(), priority="high")
    event = TimelineEvent.objects.get(kind="priority_changed")
    assert event.data == {"before": "normal", "after": "high"}


def test_open_ticket_returns_first_message():
    opened = actions.open_ticket(channel="email", first_message=inbound(), contact=ContactFactory())
    assert opened.message.ticket_id == opened.ticket.pk
    assert list(opened.ticket.messages.values_list("pk", flat=True)) == [opened.message.pk]


def test_reply_to_contact_is_queued_for_delivery(django_capture_on_commit_callbacks):
    ticket = actions.create_ticket(
        channel="email", first_message=inbound(), contact=ContactFactory()
    )
    with django_capture_on_commit_callbacks() as callbacks:
        sent = actions.reply(ticket, author=AgentFactory(), text="Which browser?")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.QUEUED
    assert sent.contact is None
    assert len(callbacks) == 1


def test_reply_without_contact_is_not_queued(django_capture_on_commit_callbacks):
    ticket = actions.create_ticket(channel="email", first_message=inbound())
    with django_capture_on_commit_callbacks() as callbacks:
        sent = actions.reply(ticket, author=AgentFactory(), text="Which browser?")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.NOT_APPLICABLE
    assert callbacks == []


def test_reply_to_address_queued_without_contact(django_capture_on_commit_callbacks):
    ticket = actions.create_ticket(channel="email", first_message=inbound())
    with django_capture_on_commit_callbacks() as callbacks:
        sent = actions.reply(
            ticket, author=None, text="Received.", automatic=True, to_address="ana@example.com"
        )
    sent.refresh_from_db()
    assert sent.to_addresses == ["ana@example.com"]
    assert sent.delivery_status == DeliveryStatus.QUEUED
    assert len(callbacks) == 1


def test_message_added_event_records_direction_and_automatic():
    ticket = actions.create_ticket(channel="email", first_message=inbound())
    actions.reply(ticket, author=None, text="Received.", automatic=True, to_address="a@example.com")

    events = TimelineEvent.objects.filter(subject_id=ticket.pk, kind="message_added")
    facts = [(event.data["direction"], event.data["automatic"]) for event in events]
    assert facts == [(Direction.INBOUND, False), (Direction.OUTBOUND, True)]
