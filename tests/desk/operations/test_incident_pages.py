"""The triage queue, the incident list and the incident page with its forms."""

import datetime

import pytest

from relaydesk.core.models import TimelineEvent
from relaydesk.operations import actions
from relaydesk.operations.models import (
    Change,
    Incident,
    IncidentStatus,
    IncidentTicket,
    KnownError,
)
from relaydesk.sla.models import Notification, NotificationKind
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.models import MessageKind, Status

pytestmark = pytest.mark.django_db


def incident_url(incident: Incident, action: str = "") -> str:
    return f"/operations/incidents/{incident.number}/" + (f"{action}/" if action else "")


def new_incident(po_agent, summary: str, impact: str = "low", urgency: str = "low") -> Incident:
    return actions.create_incident(actor=po_agent, summary=summary, impact=impact, urgency=urgency)


def age(incident: Incident, days: int) -> None:
    created = incident.created_at - datetime.timedelta(days=days)
    Incident.objects.filter(pk=incident.pk).update(created_at=created)


def test_triage_queue_orders_by_priority_then_age(signed_in, po_agent):
    low_old = new_incident(po_agent, "Old low one")
    age(low_old, 10)
    urgent = new_incident(po_agent, "Urgent one", "high", "high")
    high_new = new_incident(po_agent, "High new one", "high", "medium")
    high_old = new_incident(po_agent, "High old one", "medium", "high")
    age(high_old, 2)
    response = signed_in(po_agent).get("/operations/triage/")
    listed = [incident.number for incident in response.context["page"].object_list]
    assert listed == [urgent.number, high_old.number, high_new.number, low_old.number]


def test_triage_queue_leaves_out_transferred_and_closed(signed_in, po_agent, second_line_team):
    waiting = new_incident(po_agent, "Waiting")
    in_triage = new_incident(po_agent, "In triage")
    actions.start_triage(in_triage, actor=po_agent)
    transferred = new_incident(po_agent, "Transferred")
    actions.start_triage(transferred, actor=po_agent)
    actions.transfer_to_second_line(transferred, actor=po_agent, note="Needs a data fix")
    response = signed_in(po_agent).get("/operations/triage/")
    listed = {incident.number for incident in response.context["page"].object_list}
    assert listed == {waiting.number, in_triage.number}


def test_triage_queue_is_paginated(signed_in, po_agent):
    for index in range(27):
        new_incident(po_agent, f"Incident {index}")
    client = signed_in(po_agent)
    first = client.get("/operations/triage/")
    second = client.get("/operations/triage/", {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert 'rel="next"' in first.content.decode()


def test_incident_list_filters_by_status(signed_in, po_agent):
    new_incident(po_agent, "Still new")
    triaged = new_incident(po_agent, "Triaged")
    actions.start_triage(triaged, actor=po_agent)
    response = signed_in(po_agent).get("/operations/incidents/", {"status": "triage"})
    listed = [incident.number for incident in response.context["page"].object_list]
    assert listed == [triaged.number]


def test_incident_list_unknown_status_is_rejected(signed_in, po_agent):
    new_incident(po_agent, "Still new")
    response = signed_in(po_agent).get("/operations/incidents/", {"status": "lost"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "“lost” is not a valid value. Valid values: new (New), triage (Triage)" in content
    # The whole list would look like the result of the rejected filter.
    assert response.context["page"] is None
    assert "Still new" not in content


def test_incident_page_shows_tickets_with_organization_and_plan(signed_in, po_agent, escalated):
    ticket, incident = escalated
    content = signed_in(po_agent).get(incident_url(incident)).content.decode()
    assert f'href="/tickets/{ticket.number}/"' in content
    assert str(ticket.organization) in content
    assert "plan-universal" in content


def test_closed_incident_page_keeps_ticket_escalated_again(
    signed_in, cs_agent, po_agent, escalated
):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Config fixed.")
    tickets.change_status(ticket, actor=cs_agent, status=Status.OPEN)
    again = actions.escalate_ticket(
        ticket, actor=cs_agent, summary="Export slow again", impact="low", urgency="low"
    )

    content = signed_in(po_agent).get(incident_url(incident)).content.decode()

    assert f'href="/tickets/{ticket.number}/"' in content
    assert f'Escalated again, to <a href="{incident_url(again)}">{again.reference}</a>' in content
    content = signed_in(po_agent).get(incident_url(again)).content.decode()
    assert f'href="/tickets/{ticket.number}/"' in content
    assert "Escalated again, to" not in content


def test_incident_page_links_referenced_messages(signed_in, cs_agent, po_agent, make_ticket):
    ticket = make_ticket("The export button does nothing.")
    message = ticket.messages.get()
    incident = actions.escalate_ticket(
        ticket,
        actor=cs_agent,
        summary="Export button dead",
        impact="low",
        urgency="low",
        message_ids=[message.pk],
    )
    content = signed_in(po_agent).get(incident_url(incident)).content.decode()
    assert f'href="/tickets/{ticket.number}/#message-{message.pk}"' in content


def test_incident_page_suggests_known_error(signed_in, po_agent, escalated, known_error):
    _ticket, incident = escalated
    content = signed_in(po_agent).get(incident_url(incident)).content.decode()
    assert "score 1.00" in content
    assert "Matched export, invoice, times in title, symptoms" in content
    assert f'href="/operations/known-errors/{known_error.number}/"' in content


def test_incident_page_names_matched_fields_in_portuguese(
    signed_in, po_agent, escalated, known_error
):
    _ticket, incident = escalated
    po_agent.locale = "pt-pt"
    po_agent.save(update_fields=["locale"])
    client = signed_in(po_agent)
    content = client.get(incident_url(incident), HTTP_ACCEPT_LANGUAGE="pt-pt").content.decode()
    assert "em título, sintomas" in content


def test_incident_page_suggests_similar_incident(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    other = new_incident(po_agent, "Invoice export slow")
    content = signed_in(po_agent).get(incident_url(other)).content.decode()
    assert f'href="/operations/incidents/{incident.number}/"' in content
    assert "Similar incidents" in content


def test_incident_page_shows_internal_note_in_timeline(
    signed_in, po_agent, second_line_team, escalated
):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.transfer_to_second_line(incident, actor=po_agent, note="Check the replica lag")
    content = signed_in(po_agent).get(incident_url(incident)).content.decode()
    assert "Internal note: Check the replica lag" in content
    assert "Status changed from Triage to 2nd line" in content


def test_start_triage_moves_incident(signed_in, po_agent, escalated):
    ticket, incident = escalated
    response = signed_in(po_agent).post(incident_url(incident, "triage"))
    assert response.status_code == 302
    assert response["Location"] == incident_url(incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.TRIAGE
    assert ticket.stages.filter(name="triage", ended_at__isnull=True).exists()


def test_start_triage_twice_is_conflict(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    before = TimelineEvent.objects.count()
    response = signed_in(po_agent).post(incident_url(incident, "triage"))
    assert response.status_code == 409
    assert "is in status “Triage” and cannot move to “Triage”" in response.content.decode()
    assert TimelineEvent.objects.count() == before


def test_apply_known_error_sends_workaround(signed_in, po_agent, escalated, known_error):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(
        incident_url(incident, "apply-known-error"), {"known_error": known_error.reference}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.known_error == known_error
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_RECEIVED
    answer = ticket.messages.filter(kind=MessageKind.REPLY).get()
    assert answer.text == known_error.workaround_clients


def test_apply_known_error_by_bare_number(signed_in, po_agent, escalated, known_error):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    signed_in(po_agent).post(
        incident_url(incident, "apply-known-error"), {"known_error": str(known_error.number)}
    )
    incident.refresh_from_db()
    assert incident.known_error == known_error


def test_apply_unknown_known_error_is_rejected(signed_in, po_agent, escalated):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(
        incident_url(incident, "apply-known-error"), {"known_error": "KE-404"}
    )
    assert response.status_code == 400
    assert (
        "Known error KE-404 does not exist: check the number, written as KE-12, in the list "
        "of known errors." in response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED


def test_apply_known_error_to_new_incident_is_conflict(signed_in, po_agent, escalated, known_error):
    ticket, incident = escalated
    response = signed_in(po_agent).post(
        incident_url(incident, "apply-known-error"), {"known_error": known_error.reference}
    )
    assert response.status_code == 409
    assert "a known error applies only in triage" in response.content.decode()
    incident.refresh_from_db()
    assert incident.known_error is None
    assert not IncidentTicket.objects.filter(workaround_from=known_error).exists()


def test_apply_known_error_without_client_workaround_is_rejected(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    bare = actions.create_known_error(actor=po_agent, title="No workaround yet")
    response = signed_in(po_agent).post(
        incident_url(incident, "apply-known-error"), {"known_error": bare.reference}
    )
    assert response.status_code == 400
    assert "has no workaround for clients" in response.content.decode()
    incident.refresh_from_db()
    assert incident.known_error is None


def test_transfer_to_second_line(signed_in, po_agent, second_line_team, escalated):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(
        incident_url(incident, "transfer"), {"note": "Data fix needed on invoice 88"}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.SECOND_LINE
    assert incident.team == second_line_team


def test_transfer_empty_note_is_rejected(signed_in, po_agent, second_line_team, escalated):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(incident_url(incident, "transfer"), {"note": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.TRIAGE


def test_transfer_new_incident_is_conflict(signed_in, po_agent, second_line_team, escalated):
    _ticket, incident = escalated
    response = signed_in(po_agent).post(incident_url(incident, "transfer"), {"note": "Fix"})
    assert response.status_code == 409
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_request_change_links_new_change(signed_in, second_line_agent, po_agent, escalated):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(second_line_agent).post(
        incident_url(incident, "request-change"),
        {"title": "Stream the invoice export", "description": "Avoid loading every line"},
    )
    assert response.status_code == 302
    change = Change.objects.get()
    assert list(change.incidents.all()) == [incident]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.AWAITING_CHANGE


def test_request_change_empty_title_is_rejected(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(incident_url(incident, "request-change"), {"title": ""})
    assert response.status_code == 400
    assert not Change.objects.exists()


def test_close_delivers_resolution(signed_in, po_agent, escalated):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(
        incident_url(incident, "close"), {"resolution": "The export now streams."}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    assert incident.public_resolution == "The export now streams."
    assert ticket.messages.filter(text="The export now streams.").exists()


def test_close_empty_resolution_is_rejected(signed_in, po_agent, escalated):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(incident_url(incident, "close"), {"resolution": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.TRIAGE
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED


def test_close_new_incident_is_conflict(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    response = signed_in(po_agent).post(incident_url(incident, "close"), {"resolution": "Done"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "is in status “New” and cannot move to “Closed”" in page
    assert "it can move there only from “Triage”" in page
    incident.refresh_from_db()
    assert incident.public_resolution == ""


def test_close_form_prefills_draft_resolution(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    Incident.objects.filter(pk=incident.pk).update(
        status=IncidentStatus.RESOLVED, draft_resolution="Fixed by CHG-1, version 2.1."
    )
    content = signed_in(po_agent).get(incident_url(incident)).content.decode()
    assert "Fixed by CHG-1, version 2.1.</textarea>" in content
    assert "Confirm resolution and close" in content


def test_incident_page_offers_only_allowed_actions(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    content = signed_in(po_agent).get(incident_url(incident)).content.decode()
    assert "Start triage" in content
    assert incident_url(incident, "transfer") not in content
    assert incident_url(incident, "close") not in content


def test_known_error_is_unchanged_by_rejected_apply(signed_in, po_agent, escalated, known_error):
    _ticket, incident = escalated
    signed_in(po_agent).post(
        incident_url(incident, "apply-known-error"), {"known_error": known_error.reference}
    )
    assert KnownError.objects.get().status == "open"


def test_incident_owner_is_set_and_notified(signed_in, po_agent, second_line_agent):
    incident = new_incident(po_agent, "Exports fail")
    page = signed_in(po_agent).get(incident_url(incident)).content.decode()
    assert f'<option value="{second_line_agent.pk}">' in page

    response = signed_in(po_agent).post(
        incident_url(incident, "assign"), {"assignee": second_line_agent.pk}
    )

    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.assignee == second_line_agent
    assert Notification.objects.filter(
        recipient=second_line_agent, kind=NotificationKind.INCIDENT_ASSIGNED, incident=incident
    ).exists()


def test_incident_owner_outside_back_office_is_refused(signed_in, po_agent, cs_agent):
    incident = new_incident(po_agent, "Exports fail")
    response = signed_in(po_agent).post(incident_url(incident, "assign"), {"assignee": cs_agent.pk})
    assert response.status_code == 400
    assert "is not in the back office" in response.content.decode()
    incident.refresh_from_db()
    assert incident.assignee is None
