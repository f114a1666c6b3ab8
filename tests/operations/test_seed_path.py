"""The two end-to-end paths from escalation to the client being answered.

(a) three tickets of three organizations on one incident get a known error's
workaround; (b) the incident is fixed by a code change whose production
deployment is reported by the signed webhook.
"""

import json

import pytest
from django.test import Client

from relaydesk.core.timeline import events_for
from relaydesk.operations import actions
from relaydesk.operations.models import (
    ChangeStatus,
    Deployment,
    IncidentStatus,
    IncidentTicket,
    KnownErrorStatus,
    StageName,
)
from relaydesk.tickets.models import Direction, MessageKind, Status, Visibility
from tests.operations.helpers import post_json, post_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_tickets(make_ticket, premium_org, premium_org_without_csm, universal_org):
    return (
        make_ticket(premium_org, "Invoices export times out"),
        make_ticket(universal_org, "Export of invoices never finishes"),
        make_ticket(premium_org_without_csm, "Invoice export hangs"),
    )


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


def kinds(record) -> list[str]:
    return list(events_for(record).values_list("kind", flat=True))


def test_seed_path_known_error_workaround(three_tickets, known_error, cs_agent, po_agent):
    first, second, third = three_tickets

    incident = actions.escalate_ticket(
        first, actor=cs_agent, summary="Invoice export times out", impact="high", urgency="medium"
    )
    actions.link_ticket(second, incident, actor=cs_agent)
    actions.link_ticket(third, incident, actor=cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)

    incident.refresh_from_db()
    assert incident.known_error == known_error
    assert incident.priority == "high"
    for ticket in three_tickets:
        ticket.refresh_from_db()
        answer = ticket.messages.order_by("-id").first()
        assert ticket.status == Status.SOLUTION_RECEIVED
        assert answer.text == "Export one week at a time until the fix ships."
        assert answer.visibility == Visibility.PUBLIC
        assert answer.direction == Direction.INTERNAL
        assert answer.kind == MessageKind.REPLY
        assert answer.author == po_agent
        assert answer.delivery_status == ""
        assert IncidentTicket.objects.get(ticket=ticket).workaround_from == known_error
        assert "workaround_received" in kinds(ticket)
    assert "csm_notified" in kinds(first)
    assert "csm_notified" not in kinds(second)
    assert "csm_notified" not in kinds(third)
    assert "known_error_applied" in kinds(incident)
    assert "incident_linked" in kinds(known_error)


def test_seed_path_inform_client_solves_ticket(three_tickets, known_error, cs_agent, po_agent):
    first = three_tickets[0]
    incident = actions.escalate_ticket(
        first, actor=cs_agent, summary="Invoice export times out", impact="low", urgency="low"
    )
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)

    message = actions.inform_client(first, actor=cs_agent)

    first.refresh_from_db()
    assert first.status == Status.SOLVED
    assert message.direction == Direction.OUTBOUND
    assert "Export one week at a time until the fix ships." in message.text
    assert "Olivia Grant" in message.text
    assert f"CS-{first.number}" in message.text
    assert "client_informed" in kinds(first)
    assert "client_informed" in kinds(incident)


def test_seed_path_code_change_via_signed_webhook(
    three_tickets,
    known_error,
    cs_agent,
    po_agent,
    second_line_agent,
    release_agent,
    second_line_team,
    test_env,
    production_env,
):
    premium, universal, late = three_tickets
    _, secret = actions.create_integration("ci")

    # Two tickets arrive first and get the known error's workaround.
    incident = actions.escalate_ticket(
        premium, actor=cs_agent, summary="Invoice export times out", impact="high", urgency="high"
    )
    actions.link_ticket(universal, incident, actor=cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    # A third arrives later and waits for the real fix.
    actions.link_ticket(late, incident, actor=cs_agent)

    actions.transfer_to_second_line(incident, actor=po_agent, note="Needs an index on lines.")
    change = actions.request_change(
        incident, actor=second_line_agent, title="Index invoice lines by month"
    )
    actions.deploy_to_environment(change, test_env, version="1.4.0-rc1", actor=release_agent)
    actions.record_test_result(change, actor=release_agent, passed=False, notes="Still slow")
    actions.deploy_to_environment(change, test_env, version="1.4.0-rc2", actor=release_agent)
    change.refresh_from_db()
    assert change.status == ChangeStatus.IN_TEST
    assert change.current_version == "1.4.0-rc2"
    actions.record_test_result(change, actor=release_agent, passed=True)

    body = json.dumps(
        {
            "change": change.reference,
            "environment": "production",
            "version": "1.4.0-rc2",
            "outcome": "succeeded",
            "delivery_id": "pipeline-run-981",
        }
    ).encode()
    response = post_webhook(Client(), body, secret=secret)
    assert response.status_code == 201, response.content

    incident.refresh_from_db()
    change.refresh_from_db()
    known_error.refresh_from_db()
    assert change.status == ChangeStatus.DEPLOYED
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.draft_resolution.startswith("Fixed in version 1.4.0-rc2, released on ")
    # Clients read the resolution: the internal change record stays out of it.
    assert change.reference not in incident.draft_resolution
    assert change.title not in incident.draft_resolution
    assert known_error.status == KnownErrorStatus.FIXED
    assert known_error.fixed_by == change
    assert IncidentTicket.objects.get(ticket=premium).permanent_fix_available
    assert IncidentTicket.objects.get(ticket=universal).permanent_fix_available
    assert not IncidentTicket.objects.get(ticket=late).permanent_fix_available
    assert "permanent_fix_available" in kinds(premium)
    assert Deployment.objects.get(delivery_id="pipeline-run-981").actor_label == "integration:ci"

    actions.close_incident(incident, actor=po_agent, resolution="Exports of any size now work.")

    premium.refresh_from_db()
    universal.refresh_from_db()
    late.refresh_from_db()
    assert premium.status == Status.SOLUTION_RECEIVED
    assert late.status == Status.SOLUTION_RECEIVED
    assert universal.status == Status.SOLVED
    for ticket in (premium, universal, late):
        texts = list(ticket.messages.values_list("text", flat=True))
        assert "Exports of any size now work." in texts
        assert "resolution_received" in kinds(ticket)
    universal_reply = universal.messages.filter(direction=Direction.OUTBOUND).get()
    assert "Exports of any size now work." in universal_reply.text
    assert universal_reply.automatic

    late_stages = list(late.stages.values_list("name", flat=True))
    assert late_stages == [
        StageName.ESCALATED,
        StageName.TRIAGE,
        StageName.SECOND_LINE,
        StageName.CHANGE_IN_TEST,
        StageName.DEPLOYED,
        StageName.RESOLUTION_RECEIVED,
    ]
    assert list(universal.stages.values_list("name", flat=True))[-1] == StageName.CLIENT_INFORMED


def test_seed_path_through_the_api(
    make_ticket, premium_org, universal_org, cs_agent, po_agent, api_client
):
    cs = api_client(cs_agent)
    po = api_client(po_agent)
    first = make_ticket(premium_org)
    second = make_ticket(universal_org)

    response = post_json(
        cs,
        f"/api/tickets/CS-{first.number}/escalate",
        {"summary": "Login loops", "impact": "medium", "urgency": "high"},
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    response = post_json(cs, f"/api/tickets/{second.number}/escalate", {"incident": number})
    assert response.status_code == 201, response.content

    assert post_json(po, f"/api/incidents/{number}/triage", {}).status_code == 200
    response = post_json(
        po,
        "/api/known-errors",
        {"title": "Login loops after password reset", "workaround_clients": "Clear cookies."},
    )
    assert response.status_code == 201, response.content
    known_error = response.json()["number"]
    response = post_json(
        po, f"/api/incidents/{number}/apply-known-error", {"known_error": known_error}
    )
    assert response.status_code == 200, response.content
    assert response.json()["known_error"] == known_error
    assert {t["status"] for t in response.json()["tickets"]} == {"solution_received"}

    response = post_json(cs, f"/api/tickets/{first.number}/inform-client", {})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "solved"
