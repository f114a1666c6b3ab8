"""Agents named by back-office hand-off events get a desk notification."""

import pytest

from relaydesk.operations import actions
from relaydesk.sla.models import Notification, NotificationKind
from relaydesk.tickets import actions as tickets

pytestmark = pytest.mark.django_db


def escalate(ticket, actor):
    return actions.escalate_ticket(
        ticket, actor=actor, summary="Export fails", impact="low", urgency="low"
    )


def test_escalation_notifies_premium_csm(make_ticket, premium_org, cs_agent):
    ticket = make_ticket(premium_org)
    escalate(ticket, cs_agent)
    notice = Notification.objects.get(recipient=premium_org.csm)
    assert notice.kind == NotificationKind.TICKET_ESCALATED
    assert notice.ticket_id == ticket.pk


def test_escalation_of_universal_ticket_notifies_nobody(make_ticket, cs_agent):
    escalate(make_ticket(), cs_agent)
    assert not Notification.objects.exists()


def test_answer_notifies_ticket_assignee(make_ticket, premium_org, cs_agent, po_agent):
    ticket = make_ticket(premium_org)
    tickets.assign(ticket, actor=cs_agent, assignee=cs_agent)
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Data repaired.")
    notice = Notification.objects.get(recipient=cs_agent)
    assert notice.kind == NotificationKind.SOLUTION_RECEIVED
    assert notice.ticket_id == ticket.pk
