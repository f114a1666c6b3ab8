"""Stage records of the tickets on an incident, from escalation to the client informed."""

import pytest

from relaydesk.operations import actions, stages
from relaydesk.operations.models import StageName
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_error(po_agent):
    return actions.create_known_error(
        actor=po_agent, title="Invoice export times out", workaround_clients="Export per week."
    )


def escalate(ticket, actor):
    return actions.escalate_ticket(
        ticket, actor=actor, summary="Export fails", impact="low", urgency="low"
    )


def stage_names(ticket) -> list[str]:
    return list(ticket.stages.order_by("started_at", "id").values_list("name", flat=True))


def test_stages_after_workaround_reach_every_ticket(
    make_ticket,
    premium_org,
    known_error,
    cs_agent,
    po_agent,
    second_line_agent,
    release_agent,
    second_line_team,
    test_env,
    production_env,
):
    # A Premium plan leaves informing the client to Customer Service.
    first, second = make_ticket(premium_org), make_ticket(premium_org)
    incident = escalate(first, cs_agent)
    actions.link_ticket(second, incident, actor=cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)

    actions.transfer_to_second_line(incident, actor=po_agent, note="Needs an index.")
    change = actions.request_change(incident, actor=second_line_agent, title="Index lines")
    actions.deploy_to_environment(change, test_env, version="1.4.0", actor=release_agent)
    actions.record_test_result(change, actor=release_agent, passed=True)
    actions.deploy_to_environment(change, production_env, version="1.4.0", actor=release_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Exports of any size work.")

    for ticket in (first, second):
        assert stage_names(ticket) == [
            StageName.ESCALATED,
            StageName.TRIAGE,
            StageName.SECOND_LINE,
            StageName.CHANGE_IN_TEST,
            StageName.DEPLOYED,
            StageName.RESOLUTION_RECEIVED,
        ]


def test_waiting_ticket_ids_include_ticket_with_workaround(
    make_ticket, known_error, cs_agent, po_agent
):
    ticket = make_ticket()
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)

    assert stages.waiting_ticket_ids(incident) == [ticket.pk]


def test_waiting_ticket_ids_exclude_closed_ticket(make_ticket, known_error, cs_agent, po_agent):
    ticket = make_ticket()
    incident = escalate(ticket, cs_agent)
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    actions.inform_client(ticket, actor=cs_agent)
    tickets.change_status(ticket, actor=cs_agent, status=Status.CLOSED)

    assert stages.waiting_ticket_ids(incident) == []
