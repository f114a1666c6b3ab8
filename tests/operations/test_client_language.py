"""The inform-client message and back-office errors in the reader's language."""

import pytest
from django.utils import translation

from relaydesk.operations import actions
from relaydesk.operations.errors import InvalidIncidentTransition, InvalidTicketState

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_error(po_agent):
    return actions.create_known_error(
        actor=po_agent,
        title="Invoice export times out for large months",
        symptoms="The invoices export spinner never stops",
        root_cause="The export query scans every invoice line",
        workaround_agents="Run the export per week from the admin page",
        workaround_clients="Export one week at a time until the fix ships.",
    )


def answered_ticket(ticket, known_error, cs_agent, po_agent):
    incident = actions.escalate_ticket(
        ticket, actor=cs_agent, summary="Invoice export times out", impact="low", urgency="low"
    )
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    return ticket


def test_inform_client_portuguese_contact(
    make_ticket, premium_org_without_csm, known_error, cs_agent, po_agent
):
    ticket = answered_ticket(make_ticket(premium_org_without_csm), known_error, cs_agent, po_agent)
    message = actions.inform_client(ticket, actor=cs_agent)
    assert message.text.startswith("Olá Olivia Grant,")
    assert f"Temos uma resposta para o seu pedido {ticket.reference}:" in message.text
    assert "Export one week at a time until the fix ships." in message.text
    assert "Se isto não resolver o problema, responda a esta mensagem" in message.text


def test_inform_client_english_contact(make_ticket, premium_org, known_error, cs_agent, po_agent):
    ticket = answered_ticket(make_ticket(premium_org), known_error, cs_agent, po_agent)
    message = actions.inform_client(ticket, actor=cs_agent)
    assert message.text.startswith("Hello Olivia Grant,")
    assert f"We have an answer to your request {ticket.reference}:" in message.text
    assert "pedido" not in message.text


def test_incident_transition_error_names_labels(make_ticket, cs_agent, po_agent):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Export fails", impact="low", urgency="low"
    )
    actions.start_triage(incident, actor=po_agent)
    with translation.override("pt-pt"), pytest.raises(InvalidIncidentTransition) as caught:
        actions.start_triage(incident, actor=po_agent)
    assert caught.value.code == "invalid_incident_transition"
    assert caught.value.message == (
        f"O incidente {incident.reference} está no estado “Triagem” "
        "e não pode passar para “Triagem”: só pode passar para esse estado a partir de “Novo”."
    )


def test_inform_client_state_error_names_label(make_ticket, cs_agent, po_agent):
    ticket = make_ticket()
    actions.escalate_ticket(
        ticket, actor=cs_agent, summary="Export fails", impact="low", urgency="low"
    )
    with pytest.raises(InvalidTicketState) as caught:
        actions.inform_client(ticket, actor=cs_agent)
    assert caught.value.code == "invalid_ticket_state"
    assert f"Ticket {ticket.reference} is Escalated:" in caught.value.message
