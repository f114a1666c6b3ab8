"""Status transition errors name the translated status label, not the stored code."""

import pytest
from django.utils import translation

from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.errors import InvalidTransition
from relaydesk.tickets.models import Direction, MessageKind, Status, Ticket
from tests.factories import AgentFactory, ContactFactory

pytestmark = pytest.mark.django_db


def closed_ticket() -> Ticket:
    draft = MessageDraft(
        direction=Direction.INBOUND, kind=MessageKind.EMAIL, text="Export fails.", subject="Export"
    )
    ticket = actions.create_ticket(channel="email", first_message=draft, contact=ContactFactory())
    actions.change_status(ticket, actor=AgentFactory(), status=Status.CLOSED)
    return ticket


def test_transition_error_names_labels_in_english():
    ticket = closed_ticket()
    with pytest.raises(InvalidTransition) as error:
        actions.change_status(ticket, actor=AgentFactory(), status=Status.PENDING_CLIENT)
    assert error.value.code == "invalid_status_transition"
    assert error.value.message == (
        "A closed ticket cannot be moved to “Pending client”: a new message from the "
        "client opens a follow-up ticket instead."
    )


def test_transition_error_names_labels_in_portuguese():
    ticket = closed_ticket()
    with translation.override("pt-pt"), pytest.raises(InvalidTransition) as error:
        actions.change_status(ticket, actor=AgentFactory(), status=Status.PENDING_CLIENT)
    assert error.value.code == "invalid_status_transition"
    assert error.value.message == (
        "Um pedido fechado não pode passar para “A aguardar o cliente”: uma nova mensagem "
        "do cliente abre antes um pedido de seguimento."
    )


def test_back_office_status_error_names_label():
    ticket = closed_ticket()
    with translation.override("pt-pt"), pytest.raises(InvalidTransition) as error:
        actions.set_status_from_back_office(
            ticket, Status.SOLUTION_RECEIVED, actor=None, reason="incident_closed"
        )
    assert error.value.code == "invalid_status_transition"
    assert "“Solução recebida”" in error.value.message
    assert "solution_received" not in error.value.message


def ticket_in(status: str) -> Ticket:
    ticket = closed_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=status)
    ticket.refresh_from_db()
    return ticket


def test_transition_error_lists_allowed_statuses():
    ticket = ticket_in(Status.SOLVED)
    with pytest.raises(InvalidTransition) as error:
        actions.change_status(ticket, actor=AgentFactory(), status=Status.PENDING_CLIENT)
    assert error.value.message == (
        "A ticket in status “Solved” cannot be moved to “Pending client”: "
        "from there it can move to “Open”, “Closed”."
    )


def test_transition_error_escalated_ticket():
    ticket = ticket_in(Status.ESCALATED)
    with pytest.raises(InvalidTransition) as error:
        actions.change_status(ticket, actor=AgentFactory(), status=Status.OPEN)
    assert "it moves when Production Operations answers through its incident" in str(error.value)
