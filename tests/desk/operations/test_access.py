"""Who may open each escalation and back-office page and send each form."""

import pytest
from django.test import Client

from relaydesk.core.models import TimelineEvent
from relaydesk.operations import actions
from relaydesk.operations.models import Incident, IncidentStatus
from relaydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

BACK_OFFICE_PAGES = [
    "/operations/triage/",
    "/operations/incidents/",
    "/operations/incidents/{incident}/",
    "/operations/known-errors/",
    "/operations/known-errors/new/",
    "/operations/known-errors/{known_error}/",
    "/operations/changes/",
    "/operations/changes/new/",
    "/operations/changes/{change}/",
    "/operations/environments/",
]
BACK_OFFICE_FORMS = [
    "/operations/incidents/{incident}/triage/",
    "/operations/incidents/{incident}/apply-known-error/",
    "/operations/incidents/{incident}/transfer/",
    "/operations/incidents/{incident}/request-change/",
    "/operations/incidents/{incident}/close/",
    "/operations/known-errors/new/",
    "/operations/changes/new/",
    "/operations/changes/{change}/deployments/",
    "/operations/changes/{change}/test-results/",
]
FRONT_OFFICE_FORMS = [
    "/tickets/{ticket}/escalate/",
    "/tickets/{ticket}/link-incident/",
    "/tickets/{ticket}/inform-client/",
]


@pytest.fixture
def records(escalated, known_error, po_agent) -> dict[str, int]:
    ticket, incident = escalated
    change = actions.create_change(actor=po_agent, title="Stream the invoice export")
    return {
        "ticket": ticket.number,
        "incident": incident.number,
        "known_error": known_error.number,
        "change": change.number,
    }


def event_count() -> int:
    return TimelineEvent.objects.count()


@pytest.mark.parametrize("page", BACK_OFFICE_PAGES)
@pytest.mark.parametrize("role", ["po_agent", "second_line_agent", "release_agent"])
def test_back_office_page_opens_for_back_office(request, signed_in, records, page, role):
    client = signed_in(request.getfixturevalue(role))
    response = client.get(page.format(**records))
    assert response.status_code == 200


@pytest.mark.parametrize("page", BACK_OFFICE_PAGES)
@pytest.mark.parametrize("role", ["cs_agent", "csm_agent"])
def test_back_office_page_forbidden_to_front_office(request, signed_in, records, page, role):
    client = signed_in(request.getfixturevalue(role))
    response = client.get(page.format(**records))
    assert response.status_code == 403
    assert "Only Production Operations, 2nd line and release agents" in response.content.decode()


@pytest.mark.parametrize("page", BACK_OFFICE_PAGES + BACK_OFFICE_FORMS + FRONT_OFFICE_FORMS)
def test_page_sends_anonymous_to_login(records, page):
    url = page.format(**records)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("form", BACK_OFFICE_FORMS)
@pytest.mark.parametrize("role", ["cs_agent", "csm_agent"])
def test_back_office_form_forbidden_to_front_office(request, signed_in, records, form, role):
    before = event_count()
    client = signed_in(request.getfixturevalue(role))
    data = {
        "known_error": "KE-1",
        "note": "n",
        "title": "t",
        "resolution": "r",
        "version": "1",
        "outcome": "succeeded",
        "result": "passed",
    }
    response = client.post(form.format(**records), data)
    assert response.status_code == 403
    assert event_count() == before
    assert Incident.objects.get().status == IncidentStatus.NEW


@pytest.mark.parametrize("form", FRONT_OFFICE_FORMS)
@pytest.mark.parametrize("role", ["po_agent", "second_line_agent", "release_agent"])
def test_front_office_form_forbidden_to_back_office(request, signed_in, records, form, role):
    before = event_count()
    client = signed_in(request.getfixturevalue(role))
    data = {"summary": "s", "impact": "low", "urgency": "low", "incident": "PO-1", "text": "t"}
    response = client.post(form.format(**records), data)
    assert response.status_code == 403
    assert "Only Customer Service agents and CSMs can do this." in response.content.decode()
    assert event_count() == before


TICKET_FORMS = [
    ("/tickets/{ticket}/reply/", {"text": "hello from the back office"}),
    ("/tickets/{ticket}/assign/", {"assignee": "", "team": ""}),
    ("/tickets/{ticket}/status/", {"status": "open"}),
    ("/tickets/{ticket}/priority/", {"priority": "high"}),
]


@pytest.mark.parametrize(("form", "data"), TICKET_FORMS)
@pytest.mark.parametrize("role", ["po_agent", "second_line_agent", "release_agent"])
def test_client_facing_ticket_form_forbidden_to_back_office(
    request, signed_in, records, form, data, role
):
    ticket = Ticket.objects.get(number=records["ticket"])
    before = (event_count(), ticket.messages.count(), ticket.status, ticket.priority)
    client = signed_in(request.getfixturevalue(role))
    response = client.post(form.format(**records), data)
    assert response.status_code == 403
    assert "Only Customer Service agents and CSMs reply to clients" in response.content.decode()
    ticket.refresh_from_db()
    assert (event_count(), ticket.messages.count(), ticket.status, ticket.priority) == before


def test_back_office_ticket_page_offers_a_note_only(signed_in, records, po_agent):
    page = signed_in(po_agent).get(f"/tickets/{records['ticket']}/").content.decode()
    assert "/note/" in page
    for action in ("reply", "assign", "status", "priority"):
        assert f"/tickets/{records['ticket']}/{action}/" not in page
    assert "Customer Service replies to the client." in page


def test_back_office_note_is_added(signed_in, records, po_agent):
    ticket = Ticket.objects.get(number=records["ticket"])
    response = signed_in(po_agent).post(
        f"/tickets/{ticket.number}/note/", {"text": "Logs attached to PO-1."}
    )
    assert response.status_code == 302
    assert ticket.messages.filter(kind="note", author=po_agent).exists()


def test_navigation_shows_back_office_links_to_back_office(signed_in, po_agent):
    content = signed_in(po_agent).get("/").content.decode()
    assert 'href="/operations/triage/"' in content
    assert 'href="/operations/changes/"' in content


def test_navigation_hides_back_office_links_from_customer_service(signed_in, cs_agent):
    content = signed_in(cs_agent).get("/").content.decode()
    assert "/operations/" not in content


def test_forms_reject_get(signed_in, po_agent, records):
    response = signed_in(po_agent).get(f"/operations/incidents/{records['incident']}/triage/")
    assert response.status_code == 405


def test_unknown_incident_is_not_found(signed_in, po_agent, db):
    response = signed_in(po_agent).get("/operations/incidents/999/")
    assert response.status_code == 404
