"""Who may see and change back-office records, through actions and the API."""

import pytest

from relaydesk.accounts.models import Role
from relaydesk.operations import actions, queries
from relaydesk.operations.errors import NotAllowed
from relaydesk.operations.models import IncidentStatus
from tests.factories import AgentFactory
from tests.operations.helpers import post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(make_ticket, cs_agent, po_agent, second_line_team):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Search is down", impact="high", urgency="high"
    )
    actions.start_triage(incident, actor=po_agent)
    actions.transfer_to_second_line(incident, actor=po_agent, note="Shard 3 is read-only")
    actions.close_incident(incident, actor=po_agent, resolution="Search is back.")
    incident.refresh_from_db()
    return incident


def test_customer_service_cannot_start_triage(make_ticket, cs_agent):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Slow", impact="low", urgency="low"
    )
    with pytest.raises(NotAllowed) as caught:
        actions.start_triage(incident, actor=cs_agent)
    assert caught.value.code == "operations_forbidden"
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_back_office_cannot_escalate(make_ticket, po_agent):
    with pytest.raises(NotAllowed):
        actions.escalate_ticket(
            make_ticket(), actor=po_agent, summary="Slow", impact="low", urgency="low"
        )


def test_csm_may_escalate(make_ticket):
    csm = AgentFactory(role=Role.CSM)
    incident = actions.escalate_ticket(
        make_ticket(), actor=csm, summary="Slow", impact="low", urgency="low"
    )
    assert incident.pk is not None


@pytest.mark.parametrize("role", [Role.PRODUCTION_OPERATIONS, Role.SECOND_LINE, Role.RELEASE])
def test_back_office_roles_may_edit(make_ticket, cs_agent, role):
    agent = AgentFactory(role=role)
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Slow", impact="low", urgency="low"
    )
    assert actions.start_triage(incident, actor=agent).status == IncidentStatus.TRIAGE


def test_inactive_back_office_agent_is_refused(make_ticket, cs_agent):
    agent = AgentFactory(role=Role.PRODUCTION_OPERATIONS, is_active=False)
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Slow", impact="low", urgency="low"
    )
    with pytest.raises(NotAllowed):
        actions.start_triage(incident, actor=agent)


def test_back_office_cannot_inform_client(incident, po_agent):
    ticket = incident.ticket_links.get().ticket
    with pytest.raises(NotAllowed):
        actions.inform_client(ticket, actor=po_agent)


def test_non_agent_sees_no_incidents(incident):
    anonymous = AgentFactory(role=Role.CUSTOMER_SERVICE, is_active=False)
    assert not queries.incidents_visible_to(anonymous).exists()


def test_api_customer_service_sees_summary_only(incident, cs_agent, api_client):
    response = api_client(cs_agent).get(f"/api/incidents/{incident.reference}")

    assert response.status_code == 200
    assert response.json() == {
        "number": incident.reference,
        "status": "closed",
        "public_resolution": "Search is back.",
    }


def test_api_customer_service_list_hides_details(incident, cs_agent, api_client):
    response = api_client(cs_agent).get("/api/incidents")

    assert response.status_code == 200
    assert set(response.json()["items"][0]) == {"number", "status", "public_resolution"}


def test_api_back_office_sees_notes(incident, po_agent, api_client):
    response = api_client(po_agent).get(f"/api/incidents/{incident.reference}")

    body = response.json()
    assert response.status_code == 200
    assert body["notes"][0]["text"] == "Shard 3 is read-only"
    assert body["summary"] == "Search is down"
    assert body["tickets"][0]["status"] == "solved"  # Universal informs on close
    assert body["team"] == "second_line"


def test_api_customer_service_cannot_edit(make_ticket, cs_agent, api_client):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Slow", impact="low", urgency="low"
    )
    client = api_client(cs_agent)

    responses = [
        post_json(client, f"/api/incidents/{incident.reference}/triage", {}),
        post_json(client, f"/api/incidents/{incident.reference}/transfer", {"note": "x"}),
        post_json(client, f"/api/incidents/{incident.reference}/close", {"resolution": "x"}),
        post_json(
            client, f"/api/incidents/{incident.reference}/apply-known-error", {"known_error": "1"}
        ),
        post_json(client, "/api/incidents", {"summary": "x", "impact": "low", "urgency": "low"}),
        post_json(client, "/api/known-errors", {"title": "x"}),
        post_json(client, "/api/changes", {"title": "x"}),
        client.get(f"/api/incidents/{incident.reference}/suggestions"),
        client.get("/api/known-errors"),
        client.get("/api/changes"),
    ]

    assert [response.status_code for response in responses] == [403] * len(responses)
    assert {response.json()["code"] for response in responses} == {"operations_forbidden"}
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_api_back_office_can_edit(make_ticket, cs_agent, po_agent, api_client):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Slow", impact="low", urgency="low"
    )
    client = api_client(po_agent)

    triage = post_json(client, f"/api/incidents/{incident.reference}/triage", {})
    close = post_json(
        client, f"/api/incidents/{incident.reference}/close", {"resolution": "Cache cleared."}
    )

    assert triage.status_code == 200
    assert close.status_code == 200
    assert close.json()["status"] == "closed"


def test_api_requires_authentication(incident, client):
    response = client.get("/api/incidents")
    assert response.status_code == 401


def test_api_unknown_incident_is_404(po_agent, api_client):
    response = api_client(po_agent).get("/api/incidents/PO-999")
    assert response.status_code == 404
    assert response.json()["code"] == "incident_not_found"


def test_api_wrong_transition_is_409(incident, po_agent, api_client):
    response = post_json(
        api_client(po_agent), f"/api/incidents/{incident.reference}/close", {"resolution": "x"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_incident_transition"


def test_api_close_without_resolution_is_422(make_ticket, cs_agent, po_agent, api_client):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Slow", impact="low", urgency="low"
    )
    actions.start_triage(incident, actor=po_agent)
    response = post_json(
        api_client(po_agent), f"/api/incidents/{incident.reference}/close", {"resolution": ""}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "missing_resolution"


def test_api_suggestions_list_matched_terms(make_ticket, cs_agent, po_agent, api_client):
    actions.create_known_error(actor=po_agent, title="Search index read-only")
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Search returns nothing", impact="low", urgency="low"
    )

    response = api_client(po_agent).get(f"/api/incidents/{incident.reference}/suggestions")

    assert response.status_code == 200
    assert response.json()[0]["matched_terms"] == ["search"]
    assert response.json()[0]["kind"] == "known_error"
