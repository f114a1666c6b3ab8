"""The lists' query counts do not grow with the number of rows."""

import pytest

from relaydesk.operations import actions
from relaydesk.tickets import actions as ticket_actions
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

ROWS = 12


@pytest.fixture
def many_records(make_ticket, cs_agent, po_agent, test_env):
    for index in range(ROWS):
        ticket = make_ticket(f"Report {index}", contact=ContactFactory())
        incident = actions.escalate_ticket(
            ticket, actor=cs_agent, summary=f"Problem {index}", impact="low", urgency="high"
        )
        actions.start_triage(incident, actor=po_agent)
        known_error = actions.create_known_error(actor=po_agent, title=f"Known {index}")
        change = actions.create_change(
            actor=po_agent,
            title=f"Change {index}",
            incidents=[incident],
            known_errors=[known_error],
        )
        actions.deploy_to_environment(change, test_env, version=f"1.{index}", actor=po_agent)


@pytest.mark.parametrize(
    "url",
    [
        "/operations/triage/",
        "/operations/incidents/",
        "/operations/known-errors/",
        "/operations/changes/",
        "/operations/environments/",
    ],
)
def test_list_query_count_is_bounded(
    signed_in, po_agent, many_records, django_assert_max_num_queries, url
):
    client = signed_in(po_agent)
    # Fewer queries than rows: a query per row would exceed this.
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.status_code == 200


def test_triage_queue_sla_column_query_count_is_bounded(
    signed_in, make_ticket, cs_agent, po_agent, django_assert_max_num_queries
):
    # The records above request changes, which take their incidents out of triage.
    for index in range(ROWS):
        incident = actions.escalate_ticket(
            make_ticket(f"Report {index}", contact=ContactFactory()),
            actor=cs_agent,
            summary=f"Problem {index}",
            impact="low",
            urgency="high",
        )
        actions.start_triage(incident, actor=po_agent)
    client = signed_in(po_agent)
    # The next due clock comes with the rows: a query per row would exceed this.
    with django_assert_max_num_queries(8):
        response = client.get("/operations/triage/")
    html = response.content.decode()
    assert html.count('<span class="sla-kind">Workaround</span>') == ROWS


def test_incident_page_query_count_is_bounded(
    signed_in, po_agent, make_ticket, cs_agent, django_assert_max_num_queries
):
    first = make_ticket("Export fails")
    incident = actions.escalate_ticket(
        first, actor=cs_agent, summary="Export fails", impact="low", urgency="low"
    )
    for index in range(ROWS):
        ticket = make_ticket(f"Export fails {index}", contact=ContactFactory())
        actions.link_ticket(ticket, incident, actor=cs_agent)
    client = signed_in(po_agent)
    # The SLA panel adds the clocks and the incident policy's calendar rows,
    # and the owner form the list of back-office agents.
    with django_assert_max_num_queries(15):
        response = client.get(f"/operations/incidents/{incident.number}/")
    assert response.status_code == 200


def test_linked_ticket_page_query_count_is_bounded(
    signed_in, cs_agent, po_agent, escalated, known_error, django_assert_max_num_queries
):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    for index in range(ROWS):
        ticket_actions.add_note(ticket, author=cs_agent, text=f"note {index}")
    client = signed_in(cs_agent)
    # The case block adds the link, the stages and the prefilled message, on
    # top of the plain ticket page's queries (see tests/desk/test_ticket_page.py).
    with django_assert_max_num_queries(22):
        response = client.get(f"/tickets/{ticket.number}/")
    assert response.status_code == 200
