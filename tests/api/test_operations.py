"""The back-office list endpoints' filters and pages, and the incident's SLA clocks."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relaydesk.accounts.models import Role, User
from relaydesk.accounts.tokens import issue_token
from relaydesk.core import clock
from relaydesk.operations import actions
from relaydesk.operations.models import Incident
from relaydesk.sla.models import IncidentPolicy
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, MessageKind
from tests.api.helpers import ApiClient, assert_problem, row_counts
from tests.factories import AgentFactory, ContactFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 11:30 in Lisbon: the incident policies' calendar is open.
START = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)

LIST_PATHS = ("/api/incidents", "/api/known-errors", "/api/changes")


@pytest.fixture
def po_agent() -> User:
    return AgentFactory(username="pedro", role=Role.PRODUCTION_OPERATIONS)


@pytest.fixture
def po_api(po_agent) -> ApiClient:
    return ApiClient(issue_token(po_agent, name="tests").plaintext)


def new_incident(po_agent: User, summary: str = "Search is down", **levels: str) -> Incident:
    with clock.frozen_at(START):
        return actions.create_incident(
            actor=po_agent,
            summary=summary,
            impact=levels.get("impact", "high"),
            urgency=levels.get("urgency", "high"),
        )


def three_of_each(po_agent: User) -> None:
    for index in range(3):
        incident = new_incident(po_agent, f"Problem {index}")
        actions.start_triage(incident, actor=po_agent)
        actions.create_known_error(actor=po_agent, title=f"Known {index}")
        actions.create_change(actor=po_agent, title=f"Change {index}", incidents=[incident])


# Filters


def test_list_incidents_rejects_unknown_status(po_api):
    problem = assert_problem(
        po_api.get("/api/incidents", {"status": "bogus"}), 422, "invalid_request"
    )
    assert problem["errors"][0]["field"] == "status.0"
    assert problem["errors"][0]["location"] == "query"
    assert problem["errors"][0]["value"] == "bogus"
    assert "'awaiting_change'" in problem["errors"][0]["message"]


def test_list_incidents_filters_status(po_api, po_agent):
    waiting = new_incident(po_agent, "Waiting")
    in_triage = new_incident(po_agent, "In triage")
    actions.start_triage(in_triage, actor=po_agent)

    items = po_api.get("/api/incidents", {"status": "new"}).json()["items"]

    assert [item["number"] for item in items] == [waiting.reference]


def test_list_incidents_filters_repeated_status(po_api, po_agent):
    new_incident(po_agent, "Waiting")
    in_triage = new_incident(po_agent, "In triage")
    actions.start_triage(in_triage, actor=po_agent)
    awaiting = new_incident(po_agent, "Awaiting a change")
    actions.start_triage(awaiting, actor=po_agent)
    actions.create_change(actor=po_agent, title="Fix", incidents=[awaiting])

    response = po_api.client.get("/api/incidents?status=triage&status=awaiting_change")

    numbers = [item["number"] for item in response.json()["items"]]
    assert numbers == [awaiting.reference, in_triage.reference]


# Pages


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_endpoint_returns_page_envelope(po_api, po_agent, path):
    three_of_each(po_agent)

    body = po_api.get(path, {"limit": 2}).json()

    assert body["count"] == 3
    assert body["limit"] == 2
    assert body["offset"] == 0
    assert len(body["items"]) == 2
    assert body["previous"] is None
    assert body["next"].endswith(f"{path}?limit=2&offset=2")


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_endpoint_last_page_has_no_next(po_api, po_agent, path):
    three_of_each(po_agent)

    body = po_api.get(path, {"limit": 2, "offset": 2}).json()

    assert len(body["items"]) == 1
    assert body["next"] is None
    assert body["previous"].endswith(f"{path}?limit=2&offset=0")


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_endpoint_orders_newest_first(po_api, po_agent, path):
    three_of_each(po_agent)

    numbers = [item["number"] for item in po_api.get(path).json()["items"]]

    assert numbers == sorted(numbers, key=lambda number: int(number.split("-")[1]), reverse=True)


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_endpoint_rejects_limit_above_maximum(po_api, path):
    problem = assert_problem(po_api.get(path, {"limit": 1000}), 422, "invalid_request")
    assert problem["errors"][0]["field"] == "limit"


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_endpoint_rejects_zero_limit(po_api, path):
    problem = assert_problem(po_api.get(path, {"limit": 0}), 422, "invalid_request")
    assert problem["errors"][0]["field"] == "limit"


@pytest.mark.parametrize("path", LIST_PATHS)
def test_list_endpoint_rejects_negative_offset(po_api, path):
    problem = assert_problem(po_api.get(path, {"offset": -1}), 422, "invalid_request")
    assert problem["errors"][0]["field"] == "offset"


def test_list_incidents_front_office_page_has_summaries(po_agent):
    new_incident(po_agent)
    cs_api = ApiClient(issue_token(AgentFactory(role=Role.CUSTOMER_SERVICE), name="t").plaintext)

    body = cs_api.get("/api/incidents").json()

    assert body["count"] == 1
    assert set(body["items"][0]) == {"number", "status", "public_resolution"}


# SLA clocks


def test_get_incident_lists_clocks(po_api, po_agent):
    incident = new_incident(po_agent)

    with clock.frozen_at(START + timedelta(minutes=5)):
        body = po_api.get(f"/api/incidents/{incident.reference}").json()

    clocks = {item["kind"]: item for item in body["sla_clocks"]}
    assert set(clocks) == {"triage", "workaround", "resolution"}
    assert clocks["triage"]["label"] == "Triage"
    assert clocks["triage"]["state"] == "running"
    assert clocks["triage"]["target_minutes"] == 15
    assert clocks["triage"]["elapsed_minutes"] == 5
    assert clocks["triage"]["remaining_minutes"] == 10
    assert clocks["triage"]["due_at"] == "2026-03-02T11:45:00Z"
    assert clocks["triage"]["met_at"] is None


def test_get_incident_clock_breached_after_due(po_api, po_agent):
    incident = new_incident(po_agent)

    with clock.frozen_at(START + timedelta(minutes=20)):
        body = po_api.get(f"/api/incidents/{incident.reference}").json()

    triage = next(item for item in body["sla_clocks"] if item["kind"] == "triage")
    assert triage["state"] == "breached"
    assert triage["remaining_minutes"] == -5


def test_get_incident_clock_met_after_triage(po_api, po_agent):
    incident = new_incident(po_agent)
    with clock.frozen_at(START + timedelta(minutes=3)):
        actions.start_triage(incident, actor=po_agent)

    body = po_api.get(f"/api/incidents/{incident.reference}").json()

    triage = next(item for item in body["sla_clocks"] if item["kind"] == "triage")
    assert triage["state"] == "met"
    assert triage["met_at"] == "2026-03-02T11:33:00Z"


def test_get_incident_without_policy_has_no_clocks(po_api, po_agent):
    IncidentPolicy.objects.all().delete()
    incident = new_incident(po_agent)

    body = po_api.get(f"/api/incidents/{incident.reference}").json()

    assert body["sla_clocks"] == []


def test_get_incident_clock_label_follows_language(po_api, po_agent):
    incident = new_incident(po_agent)

    response = po_api.client.get(
        f"/api/incidents/{incident.reference}", headers={"Accept-Language": "pt-PT"}
    )

    labels = {item["kind"]: item["label"] for item in response.json()["sla_clocks"]}
    assert labels["triage"] == "Triagem"


def test_list_incidents_items_carry_clocks(po_api, po_agent):
    new_incident(po_agent)

    items = po_api.get("/api/incidents").json()["items"]

    assert len(items[0]["sla_clocks"]) == 3


def test_front_office_incident_has_no_clocks(po_agent):
    incident = new_incident(po_agent)
    cs_api = ApiClient(issue_token(AgentFactory(role=Role.CUSTOMER_SERVICE), name="t").plaintext)

    body = cs_api.get(f"/api/incidents/{incident.reference}").json()

    assert "sla_clocks" not in body


# A page of incidents in full


def escalated_incident(po_agent: User, index: int) -> Incident:
    contact = ContactFactory(organization=OrganizationFactory(name=f"Client {index}"))
    draft = MessageDraft(
        direction=Direction.INBOUND, kind=MessageKind.EMAIL, text=f"Export {index} fails"
    )
    ticket = tickets.create_ticket(channel="email", first_message=draft, contact=contact)
    with clock.frozen_at(START):
        incident = actions.escalate_ticket(
            ticket,
            actor=AgentFactory(role=Role.CUSTOMER_SERVICE),
            summary=f"Export {index} fails",
            impact="high",
            urgency="high",
            message_ids=[ticket.messages.get().pk],
        )
    actions.start_triage(incident, actor=po_agent)
    actions.transfer_to_second_line(incident, actor=po_agent, note=f"Look at export {index}")
    actions.create_change(actor=po_agent, title=f"Fix export {index}", incidents=[incident])
    return incident


def test_list_incidents_items_carry_their_own_details(po_api, po_agent):
    TeamFactory(slug="second_line", name="2nd line", role=Role.SECOND_LINE)
    incidents = [escalated_incident(po_agent, index) for index in range(2)]

    items = po_api.get("/api/incidents").json()["items"]

    for item, incident in zip(items, reversed(incidents), strict=True):
        ticket = incident.ticket_links.get().ticket
        assert item["number"] == incident.reference
        assert [t["number"] for t in item["tickets"]] == [ticket.reference]
        assert [c["title"] for c in item["changes"]] == [f"Fix {incident.summary[:8].lower()}"]
        assert item["referenced_messages"] == [ticket.messages.get().pk]
        assert [n["text"] for n in item["notes"]] == [f"Look at {incident.summary[:8].lower()}"]
        assert len(item["sla_clocks"]) == 3


def test_list_incidents_query_count_is_flat(po_api, po_agent):
    TeamFactory(slug="second_line", name="2nd line", role=Role.SECOND_LINE)
    escalated_incident(po_agent, 0)
    po_api.get("/api/incidents")  # reads the incident policies' calendars once
    with CaptureQueriesContext(connection) as one:
        po_api.get("/api/incidents")
    for index in range(1, 4):
        escalated_incident(po_agent, index)

    with CaptureQueriesContext(connection) as four:
        items = po_api.get("/api/incidents").json()["items"]

    assert len(items) == 4
    assert len(four) == len(one)


def test_back_office_agent_cannot_reply_to_client(po_api, make_ticket):
    ticket = make_ticket()
    before = row_counts()
    response = po_api.post(
        f"/api/tickets/{ticket.number}/messages", {"kind": "reply", "text": "Fixed now."}
    )
    problem = assert_problem(response, 403, "ticket_forbidden")
    assert "Only Customer Service agents and CSMs reply to clients" in problem["detail"]
    assert row_counts() == before


def test_back_office_agent_adds_a_note(po_api, make_ticket):
    ticket = make_ticket()
    response = po_api.post(
        f"/api/tickets/{ticket.number}/messages", {"kind": "note", "text": "Seen in PO-1."}
    )
    assert response.status_code == 201


def test_assign_incident_sets_and_clears_owner(po_api, po_agent):
    incident = new_incident(po_agent)
    owner = AgentFactory(username="ines", role=Role.SECOND_LINE)

    assigned = po_api.post(f"/api/incidents/{incident.reference}/assign", {"assignee": "ines"})
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assignee"] == "ines"

    cleared = po_api.post(f"/api/incidents/{incident.reference}/assign", {"assignee": None})
    assert cleared.json()["assignee"] is None
    assert owner.assigned_incidents.count() == 0


def test_assign_incident_to_unknown_agent_is_refused(po_api, po_agent):
    incident = new_incident(po_agent)
    response = po_api.post(f"/api/incidents/{incident.reference}/assign", {"assignee": "nobody"})
    problem = assert_problem(response, 422, "unknown_agent")
    assert "'nobody'" in problem["detail"]
    incident.refresh_from_db()
    assert incident.assignee is None


def test_assign_incident_to_front_office_is_refused(po_api, po_agent):
    incident = new_incident(po_agent)
    AgentFactory(username="carla", role=Role.CUSTOMER_SERVICE)
    response = po_api.post(f"/api/incidents/{incident.reference}/assign", {"assignee": "carla"})
    problem = assert_problem(response, 422, "invalid_incident")
    assert "is not in the back office" in problem["detail"]


def test_back_office_cannot_record_client_input(po_api, make_ticket):
    ticket = make_ticket()
    before = row_counts()
    body = {"email": "ana@client.example", "subject": "Help", "text": "Broken."}
    opened = po_api.post("/api/tickets", body)
    recorded = po_api.post(
        f"/api/tickets/{ticket.number}/messages", {"kind": "client", "text": "Still broken."}
    )
    for response in (opened, recorded):
        problem = assert_problem(response, 403, "ticket_forbidden")
        assert problem["detail"].startswith(
            "Only Customer Service agents and CSMs open tickets and record clients' messages"
        )
    assert row_counts() == before


def test_closed_incident_lists_ticket_escalated_again(po_api, po_agent):
    cs_agent = AgentFactory(role=Role.CUSTOMER_SERVICE)
    draft = MessageDraft(direction=Direction.INBOUND, kind=MessageKind.EMAIL, text="Export fails")
    ticket = tickets.create_ticket(channel="email", first_message=draft, contact=ContactFactory())
    first = actions.escalate_ticket(
        ticket, actor=cs_agent, summary="Export fails", impact="low", urgency="low"
    )
    actions.start_triage(first, actor=po_agent)
    actions.close_incident(first, actor=po_agent, resolution="Export fixed.")
    tickets.change_status(ticket, actor=cs_agent, status="open")
    second = actions.escalate_ticket(
        ticket, actor=cs_agent, summary="Export fails again", impact="low", urgency="low"
    )

    closed = po_api.get(f"/api/incidents/{first.reference}").json()
    current = po_api.get(f"/api/incidents/{second.reference}").json()

    assert [(t["number"], t["moved_to"]) for t in closed["tickets"]] == [
        (ticket.reference, second.reference)
    ]
    assert [(t["number"], t["moved_to"]) for t in current["tickets"]] == [(ticket.reference, None)]
