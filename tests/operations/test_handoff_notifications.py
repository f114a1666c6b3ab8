"""Agents named by back-office hand-off events get a desk notification."""

import pytest

from relaydesk.core.timeline import events_for
from relaydesk.customers.models import Plan, PlanCode
from relaydesk.operations import actions
from relaydesk.sla.models import Notification, NotificationKind
from relaydesk.tickets import actions as tickets
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def escalate(ticket, actor):
    return actions.escalate_ticket(
        ticket, actor=actor, summary="Export fails", impact="low", urgency="low"
    )


def close(ticket, cs_agent, po_agent):
    """Escalate ``ticket``, triage its incident and close it with a resolution."""
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Data repaired.")


def apply_workaround(ticket, cs_agent, po_agent):
    """Escalate ``ticket``, triage its incident and apply a known error to it."""
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    known_error = actions.create_known_error(
        actor=po_agent, title="Export times out", workaround_clients="Export per week."
    )
    actions.apply_known_error(incident, known_error, actor=po_agent)


ANSWER_KINDS = (NotificationKind.SOLUTION_RECEIVED, NotificationKind.WORKAROUND_RECEIVED)


def answer_recipients(ticket) -> set[str]:
    notices = Notification.objects.filter(ticket=ticket, kind__in=ANSWER_KINDS)
    return set(notices.values_list("recipient__username", flat=True))


@pytest.fixture
def support_team():
    """A team with the Customer Service role and two members, one of them inactive."""
    team = TeamFactory(slug="customer_service", name="Customer Service")
    team.members.add(
        AgentFactory(username="sofia"), AgentFactory(username="tiago", is_active=False)
    )
    return team


def test_escalation_notifies_premium_csm(make_ticket, premium_org, cs_agent):
    ticket = make_ticket(premium_org)
    escalate(ticket, cs_agent)
    notice = Notification.objects.get(recipient=premium_org.csm)
    assert notice.kind == NotificationKind.TICKET_ESCALATED
    assert notice.ticket_id == ticket.pk


def test_escalation_of_universal_ticket_notifies_nobody(make_ticket, cs_agent):
    escalate(make_ticket(), cs_agent)
    assert not Notification.objects.exists()


def test_escalation_ignores_csm_left_from_premium_plan(make_ticket, premium_org, cs_agent):
    premium_org.plan = Plan.objects.get(code=PlanCode.UNIVERSAL)
    premium_org.save()
    escalate(make_ticket(premium_org), cs_agent)
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


def test_workaround_notifies_ticket_assignee(make_ticket, premium_org, cs_agent, po_agent):
    ticket = make_ticket(premium_org)
    tickets.assign(ticket, actor=cs_agent, assignee=cs_agent)

    apply_workaround(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == {"carla", premium_org.csm.username}
    kinds = set(Notification.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == {NotificationKind.TICKET_ESCALATED, NotificationKind.WORKAROUND_RECEIVED}


def test_answer_without_assignee_notifies_team(
    make_ticket, premium_org_without_csm, cs_agent, po_agent, support_team
):
    ticket = make_ticket(premium_org_without_csm)
    team = TeamFactory(slug="lisbon", name="Lisbon desk")
    team.members.add(AgentFactory(username="joana"), AgentFactory(username="marta"))
    tickets.assign(ticket, actor=cs_agent, assignee=None, team=team)

    close(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == {"joana", "marta"}


def test_answer_without_team_notifies_customer_service(
    make_ticket, premium_org_without_csm, cs_agent, po_agent, support_team
):
    ticket = make_ticket(premium_org_without_csm)

    apply_workaround(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == {"sofia"}


def test_answer_with_inactive_team_notifies_customer_service(
    make_ticket, premium_org_without_csm, cs_agent, po_agent, support_team
):
    ticket = make_ticket(premium_org_without_csm)
    team = TeamFactory(slug="night", name="Night desk")
    team.members.add(AgentFactory(username="nuno", is_active=False))
    tickets.assign(ticket, actor=cs_agent, assignee=None, team=team)

    close(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == {"sofia"}


def test_answer_ignores_other_role_teams(
    make_ticket, premium_org_without_csm, cs_agent, po_agent, second_line_team
):
    ticket = make_ticket(premium_org_without_csm)

    close(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == set()


def test_answer_notifies_premium_csm(make_ticket, premium_org, cs_agent, po_agent, support_team):
    ticket = make_ticket(premium_org)

    close(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == {"sofia", premium_org.csm.username}


def test_answer_notifies_csm_assignee_once(make_ticket, premium_org, cs_agent, po_agent):
    ticket = make_ticket(premium_org)
    tickets.assign(ticket, actor=cs_agent, assignee=premium_org.csm)

    close(ticket, cs_agent, po_agent)

    notices = Notification.objects.filter(kind=NotificationKind.SOLUTION_RECEIVED)
    assert notices.filter(recipient=premium_org.csm).count() == 1


def test_answer_records_agent_notified_events(
    make_ticket, premium_org, cs_agent, po_agent, support_team
):
    ticket = make_ticket(premium_org)

    close(ticket, cs_agent, po_agent)

    events = events_for(ticket).filter(kind="agent_notified")
    reasons = {event.data["agent"]: event.data["reason"] for event in events}
    assert reasons == {"sofia": "customer_service", premium_org.csm.username: "csm"}


def test_answer_informed_automatically_notifies_nobody(
    make_ticket, universal_org, cs_agent, po_agent, support_team
):
    ticket = make_ticket(universal_org)
    tickets.assign(ticket, actor=cs_agent, assignee=cs_agent)

    close(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == set()


def test_workaround_for_universal_notifies_customer_service(
    make_ticket, universal_org, cs_agent, po_agent, support_team
):
    ticket = make_ticket(universal_org)

    apply_workaround(ticket, cs_agent, po_agent)

    assert answer_recipients(ticket) == {"sofia"}


def test_answer_with_inactive_assignee_notifies_team(
    make_ticket, premium_org_without_csm, cs_agent, po_agent
):
    ticket = make_ticket(premium_org_without_csm)
    team = TeamFactory(slug="lisbon", name="Lisbon desk")
    team.members.add(cs_agent, AgentFactory(username="joana"))
    tickets.assign(ticket, actor=cs_agent, assignee=cs_agent, team=team)
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    cs_agent.is_active = False
    cs_agent.save(update_fields=["is_active"])

    actions.close_incident(incident, actor=po_agent, resolution="Data repaired.")

    assert answer_recipients(ticket) == {"joana"}
