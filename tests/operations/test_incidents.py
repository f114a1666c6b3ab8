"""Escalation, linking, triage, transfer and closing of incidents."""

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from relaydesk.accounts.models import Role
from relaydesk.core.models import TimelineEvent
from relaydesk.core.timeline import events_for
from relaydesk.operations import actions
from relaydesk.operations.errors import (
    InvalidIncident,
    InvalidIncidentTransition,
    InvalidKnownError,
    InvalidMessageReference,
    InvalidTicketState,
    MissingResolution,
    NotAllowed,
    NoTeam,
    TicketAlreadyLinked,
)
from relaydesk.operations.models import (
    Incident,
    IncidentReference,
    IncidentStatus,
    IncidentTicket,
    Integration,
    StageName,
    priority_for,
)
from relaydesk.operations.suggestions import suggestions_for
from relaydesk.sla.models import Notification, NotificationKind
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.errors import InvalidTransition
from relaydesk.tickets.models import Status, Ticket
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def escalate(ticket, actor, **overrides):
    fields = {"summary": "Export fails", "impact": "medium", "urgency": "medium"}
    fields.update(overrides)
    return actions.escalate_ticket(ticket, actor=actor, **fields)


@pytest.mark.parametrize(
    ("impact", "urgency", "priority"),
    [
        ("high", "high", "urgent"),
        ("high", "medium", "high"),
        ("medium", "high", "high"),
        ("medium", "medium", "normal"),
        ("high", "low", "normal"),
        ("low", "medium", "low"),
        ("low", "low", "low"),
    ],
)
def test_priority_matrix(impact, urgency, priority):
    assert priority_for(impact, urgency) == priority


def test_escalate_ticket_creates_incident(make_ticket, cs_agent):
    ticket = make_ticket()

    incident = escalate(ticket, cs_agent, impact="high", urgency="high")

    ticket.refresh_from_db()
    assert incident.reference.startswith("PO-")
    assert incident.status == IncidentStatus.NEW
    assert incident.priority == "urgent"
    assert ticket.status == Status.ESCALATED
    ticket_kinds = list(events_for(ticket).values_list("kind", flat=True))
    assert "escalated" in ticket_kinds
    assert "status_changed" in ticket_kinds
    incident_kinds = list(events_for(incident).values_list("kind", flat=True))
    assert incident_kinds == ["incident_created", "ticket_linked"]


def test_escalate_references_messages(make_ticket, cs_agent):
    ticket = make_ticket()
    message = ticket.messages.get()

    incident = escalate(ticket, cs_agent, message_ids=[message.pk, message.pk])

    assert list(IncidentReference.objects.filter(incident=incident)) == [
        IncidentReference.objects.get(message=message)
    ]
    referenced = events_for(incident).get(kind="messages_referenced")
    assert referenced.data == {"messages": [message.pk], "ticket": ticket.reference}


def test_escalate_rejects_message_of_other_ticket(make_ticket, cs_agent):
    ticket = make_ticket()
    other = make_ticket().messages.get()

    with pytest.raises(InvalidMessageReference):
        escalate(ticket, cs_agent, message_ids=[other.pk])
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


@pytest.mark.parametrize(
    "fields",
    [{"summary": " "}, {"impact": "huge"}, {"urgency": ""}, {"summary": "x" * 501}],
    ids=["empty_summary", "bad_impact", "empty_urgency", "long_summary"],
)
def test_escalate_rejects_bad_input(make_ticket, cs_agent, fields):
    ticket = make_ticket()
    with pytest.raises(InvalidIncident) as caught:
        escalate(ticket, cs_agent, **fields)
    assert caught.value.code == "invalid_incident"
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"urgency": ""}, "Urgency is missing: use one of low, medium, high."),
        ({"impact": "huge"}, "Impact 'huge' is invalid: use one of low, medium, high."),
    ],
)
def test_escalate_names_a_missing_or_unknown_level(make_ticket, cs_agent, fields, message):
    with pytest.raises(InvalidIncident) as caught:
        escalate(make_ticket(), cs_agent, **fields)
    assert caught.value.message == message


def test_escalate_twice_conflicts(make_ticket, cs_agent):
    ticket = make_ticket()
    escalate(ticket, cs_agent)
    with pytest.raises(TicketAlreadyLinked) as caught:
        escalate(ticket, cs_agent)
    assert caught.value.code == "ticket_already_linked"
    assert "incident PO-1, which is New: follow the ticket there" in caught.value.message


def reopened_after_close(make_ticket, cs_agent, po_agent) -> tuple[Ticket, Incident]:
    """A ticket whose incident closed, then whose client wrote again."""
    ticket = make_ticket()
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Config fixed.")
    tickets.change_status(ticket, actor=cs_agent, status=Status.OPEN)
    return ticket, incident


def test_escalate_again_after_incident_closed(make_ticket, cs_agent, po_agent):
    ticket, closed = reopened_after_close(make_ticket, cs_agent, po_agent)

    again = escalate(ticket, cs_agent)

    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED
    assert IncidentTicket.objects.current().get(ticket=ticket).incident == again
    assert again.reference == "PO-2"
    unlinked = TimelineEvent.objects.get(subject_id=closed.pk, kind="ticket_unlinked")
    assert unlinked.data == {"ticket": ticket.reference, "incident": "PO-2"}
    assert TimelineEvent.objects.filter(subject_id=closed.pk, kind="ticket_linked").exists()


def test_escalate_again_keeps_closed_link(make_ticket, cs_agent, po_agent):
    ticket, closed = reopened_after_close(make_ticket, cs_agent, po_agent)

    again = escalate(ticket, cs_agent)

    closed_link = IncidentTicket.objects.get(incident=closed)
    assert closed_link.ticket == ticket
    assert closed_link.moved_to == again
    assert list(closed.ticket_links.current()) == []
    assert [link.ticket for link in again.ticket_links.all()] == [ticket]
    assert again.ticket_links.get().moved_to is None


def test_link_again_after_incident_closed(make_ticket, cs_agent, po_agent):
    ticket, closed = reopened_after_close(make_ticket, cs_agent, po_agent)
    open_incident = escalate(make_ticket(), cs_agent)

    actions.link_ticket(ticket, open_incident, actor=cs_agent)

    assert IncidentTicket.objects.current().get(ticket=ticket).incident == open_incident
    assert IncidentTicket.objects.get(incident=closed).moved_to == open_incident


def test_third_escalation_keeps_both_closed_links(make_ticket, cs_agent, po_agent):
    ticket, first = reopened_after_close(make_ticket, cs_agent, po_agent)
    second = escalate(ticket, cs_agent)
    actions.start_triage(second, actor=po_agent)
    actions.close_incident(second, actor=po_agent, resolution="Cache cleared.")
    tickets.change_status(ticket, actor=cs_agent, status=Status.OPEN)

    third = escalate(ticket, cs_agent)

    links = IncidentTicket.objects.filter(ticket=ticket).order_by("linked_at", "id")
    assert [(link.incident, link.moved_to) for link in links] == [
        (first, second),
        (second, third),
        (third, None),
    ]


def test_closing_second_incident_solves_ticket(make_ticket, cs_agent, po_agent):
    ticket, closed = reopened_after_close(make_ticket, cs_agent, po_agent)
    again = escalate(ticket, cs_agent)
    actions.start_triage(again, actor=po_agent)

    actions.close_incident(again, actor=po_agent, resolution="Index rebuilt.")

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert IncidentTicket.objects.get(incident=closed).moved_to == again


def test_second_current_link_is_rejected(make_ticket, cs_agent):
    ticket = make_ticket()
    escalate(ticket, cs_agent)
    other = escalate(make_ticket(), cs_agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentTicket.objects.create(incident=other, ticket=ticket, linked_at=other.created_at)


def test_escalate_again_while_incident_resolved_conflicts(make_ticket, cs_agent):
    ticket = make_ticket()
    incident = escalate(ticket, cs_agent)
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.RESOLVED)
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.OPEN)
    with pytest.raises(TicketAlreadyLinked):
        escalate(ticket, cs_agent)
    assert Incident.objects.count() == 1


def test_escalate_solved_ticket_conflicts(make_ticket, cs_agent):
    ticket = make_ticket()
    tickets.change_status(ticket, actor=cs_agent, status=Status.SOLVED)
    with pytest.raises(InvalidTicketState):
        escalate(ticket, cs_agent)


def test_link_ticket_to_closed_incident_conflicts(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Config fixed.")

    with pytest.raises(InvalidIncidentTransition):
        actions.link_ticket(make_ticket(), incident, actor=cs_agent)


def test_link_ticket_enters_incident_stage(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)
    ticket = make_ticket()

    actions.link_ticket(ticket, incident, actor=cs_agent)

    names = list(ticket.stages.values_list("name", flat=True))
    assert names == [StageName.ESCALATED, StageName.TRIAGE]
    assert ticket.stages.get(name=StageName.ESCALATED).ended_at is not None


def test_escalated_ticket_cannot_be_solved_by_hand(make_ticket, cs_agent):
    ticket = make_ticket()
    escalate(ticket, cs_agent)
    with pytest.raises(InvalidTransition):
        tickets.change_status(ticket, actor=cs_agent, status=Status.SOLVED)


def test_start_triage_twice_conflicts(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)
    with pytest.raises(InvalidIncidentTransition) as caught:
        actions.start_triage(incident, actor=po_agent)
    assert caught.value.code == "invalid_incident_transition"


def test_transfer_sets_team_and_note(make_ticket, cs_agent, po_agent, second_line_team):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)

    incident = actions.transfer_to_second_line(incident, actor=po_agent, note="Check the index")

    assert incident.status == IncidentStatus.SECOND_LINE
    assert incident.team == second_line_team
    note = events_for(incident).get(kind="note_added")
    assert note.data["text"] == "Check the index"


def test_transfer_from_new_conflicts(make_ticket, cs_agent, po_agent, second_line_team):
    incident = escalate(make_ticket(), cs_agent)
    with pytest.raises(InvalidIncidentTransition):
        actions.transfer_to_second_line(incident, actor=po_agent, note="Check")


def test_transfer_without_team_is_rejected(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)
    with pytest.raises(NoTeam):
        actions.transfer_to_second_line(incident, actor=po_agent, note="Check")
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.TRIAGE


def test_apply_known_error_without_client_workaround(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)
    known_error = actions.create_known_error(actor=po_agent, title="No workaround yet")
    with pytest.raises(InvalidKnownError):
        actions.apply_known_error(incident, known_error, actor=po_agent)


def test_reapply_known_error_reaches_new_tickets(make_ticket, cs_agent, po_agent):
    first = make_ticket()
    incident = escalate(first, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    known_error = actions.create_known_error(
        actor=po_agent, title="Export times out", workaround_clients="Export per week."
    )
    actions.apply_known_error(incident, known_error, actor=po_agent)
    second = make_ticket()
    actions.link_ticket(second, incident, actor=cs_agent)

    actions.apply_known_error(incident, known_error, actor=po_agent)

    assert events_for(incident).filter(kind="known_error_applied").count() == 1
    assert events_for(known_error).filter(kind="incident_linked").count() == 1
    for ticket in (first, second):
        assert events_for(ticket).filter(kind="workaround_received").count() == 1


def test_suggestions_leave_out_the_applied_known_error(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent, summary="Export times out")
    actions.start_triage(incident, actor=po_agent)
    applied = actions.create_known_error(
        actor=po_agent, title="Export times out", workaround_clients="Export per week."
    )
    other = actions.create_known_error(actor=po_agent, title="Export times out on Fridays")
    incident = actions.apply_known_error(incident, applied, actor=po_agent)

    found = [suggestion.reference for suggestion in suggestions_for(incident)]

    assert other.reference in found
    assert applied.reference not in found


def test_apply_known_error_to_new_incident_conflicts(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    known_error = actions.create_known_error(
        actor=po_agent, title="Bug", workaround_clients="Retry."
    )
    with pytest.raises(InvalidIncidentTransition):
        actions.apply_known_error(incident, known_error, actor=po_agent)


def test_close_requires_resolution(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)
    with pytest.raises(MissingResolution) as caught:
        actions.close_incident(incident, actor=po_agent, resolution="   ")
    assert caught.value.code == "missing_resolution"
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.TRIAGE


def test_close_refuses_a_resolution_longer_than_a_reply(make_ticket, cs_agent, po_agent):
    ticket = make_ticket()
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    with pytest.raises(InvalidIncident, match="The public resolution is 100001 characters long"):
        actions.close_incident(incident, actor=po_agent, resolution="x" * 100_001)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.TRIAGE
    assert ticket.messages.count() == 1


def test_close_twice_conflicts(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Fixed.")
    with pytest.raises(InvalidIncidentTransition):
        actions.close_incident(incident, actor=po_agent, resolution="Fixed again.")


def test_close_notifies_assignee(make_ticket, premium_org, cs_agent, po_agent):
    ticket = make_ticket(premium_org)
    tickets.assign(ticket, actor=cs_agent, assignee=cs_agent)
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)

    actions.close_incident(incident, actor=po_agent, resolution="Data repaired.")

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_RECEIVED
    notified = events_for(ticket).get(kind="agent_notified", data__agent=cs_agent.username)
    assert notified.data["reason"] == "assignee"


def test_inform_client_before_answer_conflicts(make_ticket, cs_agent):
    ticket = make_ticket()
    escalate(ticket, cs_agent)
    with pytest.raises(InvalidTicketState):
        actions.inform_client(ticket, actor=cs_agent)


def test_inform_client_with_own_text(make_ticket, premium_org, cs_agent, po_agent):
    ticket = make_ticket(premium_org)
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Data repaired.")

    message = actions.inform_client(ticket, actor=cs_agent, text="All fixed, sorry!")

    assert message.text == "All fixed, sorry!"
    assert ticket.stages.last().name == StageName.CLIENT_INFORMED


def test_stages_have_start_and_end(make_ticket, cs_agent, po_agent, second_line_team):
    ticket = make_ticket()
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.transfer_to_second_line(incident, actor=po_agent, note="Look")

    stages = list(ticket.stages.all())

    assert [stage.name for stage in stages] == ["escalated", "triage", "second_line"]
    assert stages[0].ended_at == stages[1].started_at
    assert stages[1].ended_at == stages[2].started_at
    assert stages[2].ended_at is None


def test_suggestions_rank_matching_known_error(make_ticket, cs_agent, po_agent):
    actions.create_known_error(
        actor=po_agent, title="Invoice export timeout", symptoms="Export spinner never stops"
    )
    actions.create_known_error(actor=po_agent, title="Login page is blank")
    incident = escalate(make_ticket(), cs_agent, summary="Invoice export stops with a timeout")

    found = suggestions_for(incident)

    assert [item.title for item in found] == ["Invoice export timeout"]
    assert found[0].matched_terms == ("export", "invoice", "stops", "timeout")
    assert found[0].matched_fields == ("title", "symptoms")
    assert found[0].score == 1.0


def test_suggestions_include_past_incident(make_ticket, cs_agent):
    escalate(make_ticket(), cs_agent, summary="Calendar sync duplicates events")
    incident = escalate(make_ticket(), cs_agent, summary="Duplicated calendar events")

    found = suggestions_for(incident)

    assert found[0].kind == "incident"
    assert found[0].matched_terms == ("calendar", "events")


def test_create_integration_command_prints_only_the_secret(capsys):
    call_command("create-integration", "gitlab-ci")

    printed = capsys.readouterr()
    integration = Integration.objects.get(name="gitlab-ci")
    assert printed.out == f"{integration.secret}\n"
    assert len(integration.secret) == 64
    assert "not shown again" in printed.err


def test_create_integration_command_rejects_duplicate():
    call_command("create-integration", "ci")
    with pytest.raises(CommandError):
        call_command("create-integration", "ci")


def test_create_integration_command_rejects_bad_name():
    with pytest.raises(CommandError):
        call_command("create-integration", "Bad Name!")
    assert not Integration.objects.exists()


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_new_incident_notifies_production_operations(make_ticket, cs_agent, po_agent):
    TeamFactory(slug="ops", role=Role.PRODUCTION_OPERATIONS).members.add(
        po_agent, AgentFactory(username="paula", role=Role.PRODUCTION_OPERATIONS)
    )
    escalate(make_ticket(), cs_agent)
    assert notified(NotificationKind.NEW_INCIDENT) == {"pedro", "paula"}


def test_incident_created_by_production_operations_skips_its_author(po_agent):
    TeamFactory(slug="ops", role=Role.PRODUCTION_OPERATIONS).members.add(
        po_agent, AgentFactory(username="paula", role=Role.PRODUCTION_OPERATIONS)
    )
    actions.create_incident(actor=po_agent, summary="Search is down", impact="high", urgency="high")
    assert notified(NotificationKind.NEW_INCIDENT) == {"paula"}


def test_transfer_notifies_the_second_line(make_ticket, cs_agent, po_agent, second_line_team):
    incident = actions.start_triage(escalate(make_ticket(), cs_agent), actor=po_agent)
    actions.transfer_to_second_line(incident, actor=po_agent, note="Check the index")
    assert notified(NotificationKind.INCIDENT_TRANSFERRED) == {"ines"}


def test_assign_incident_records_owner(make_ticket, cs_agent, po_agent, second_line_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.assign_incident(incident, actor=po_agent, assignee=second_line_agent)
    incident.refresh_from_db()
    assert incident.assignee == second_line_agent
    event = events_for(incident).get(kind="incident_assigned")
    assert event.data["assignee"] == "ines"
    assert notified(NotificationKind.INCIDENT_ASSIGNED) == {"ines"}


def test_taking_an_incident_notifies_nobody(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    actions.assign_incident(incident, actor=po_agent, assignee=po_agent)
    assert notified(NotificationKind.INCIDENT_ASSIGNED) == set()


def test_assign_incident_to_front_office_is_refused(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    with pytest.raises(InvalidIncident) as caught:
        actions.assign_incident(incident, actor=po_agent, assignee=cs_agent)
    assert caught.value.message.startswith(f"Agent {cs_agent} is not in the back office")
    incident.refresh_from_db()
    assert incident.assignee is None


def test_assign_closed_incident_conflicts(make_ticket, cs_agent, po_agent):
    incident = actions.start_triage(escalate(make_ticket(), cs_agent), actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Config fixed.")
    with pytest.raises(InvalidIncidentTransition):
        actions.assign_incident(incident, actor=po_agent, assignee=po_agent)


def test_front_office_cannot_assign_incident(make_ticket, cs_agent, po_agent):
    incident = escalate(make_ticket(), cs_agent)
    with pytest.raises(NotAllowed):
        actions.assign_incident(incident, actor=cs_agent, assignee=po_agent)
