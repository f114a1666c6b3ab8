"""The ticket page's case block: escalate, link, follow the stages, inform the client."""

import pytest

from relaydesk.core.models import TimelineEvent
from relaydesk.customers.models import Plan
from relaydesk.operations import actions
from relaydesk.operations.actions.clients import client_message
from relaydesk.operations.models import (
    Incident,
    IncidentReference,
    IncidentStatus,
    IncidentTicket,
    StageName,
)
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.models import MessageKind, Status
from tests.factories import ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def escalate_data(**fields) -> dict:
    data = {"summary": "Invoice export times out", "impact": "high", "urgency": "medium"}
    data.update(fields)
    return data


@pytest.fixture
def premium_contact():
    """A contact whose plan does not inform the client on close, writing in Portuguese."""
    organization = OrganizationFactory(plan=Plan.objects.get(code="premium"), locale="pt-pt")
    return ContactFactory(organization=organization, name="Olívia Gomes", locale="pt-pt")


def test_escalate_form_shown_to_customer_service(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert f'action="/tickets/{ticket.number}/escalate/"' in content
    assert "Relevant messages" in content


def test_escalate_form_hidden_from_production_operations(signed_in, po_agent, make_ticket):
    ticket = make_ticket()
    content = signed_in(po_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "/escalate/" not in content
    assert "/link-incident/" not in content


def test_escalate_form_prefills_ticket_subject(signed_in, cs_agent, make_ticket):
    ticket = make_ticket(draft={"subject": "Export stuck at 99%"})
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert 'value="Export stuck at 99%"' in content


def test_escalate_creates_incident_and_redirects(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    message = ticket.messages.get()
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/escalate/", escalate_data(messages=[message.pk])
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.number}/#case-heading"
    incident = Incident.objects.get()
    assert incident.summary == "Invoice export times out"
    assert incident.priority == "high"
    assert IncidentReference.objects.get(incident=incident).message_id == message.pk
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED


def test_escalate_shows_incident_number_after_redirect(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/escalate/", escalate_data(), follow=True
    )
    content = response.content.decode()
    assert "Ticket escalated to incident PO-1." in content
    assert '<span class="stage-name">Escalated</span>' in content


def test_escalate_empty_summary_is_rejected(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/escalate/", escalate_data(summary="   ")
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Incident.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_escalate_unknown_impact_is_rejected(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/escalate/", escalate_data(impact="enormous")
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_escalate_message_of_other_ticket_is_rejected(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    other = make_ticket("Another problem")
    foreign = other.messages.get()
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/escalate/", escalate_data(messages=[foreign.pk])
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()


def test_escalate_linked_ticket_is_conflict(signed_in, cs_agent, escalated):
    ticket, _incident = escalated
    before = TimelineEvent.objects.count()
    response = signed_in(cs_agent).post(f"/tickets/{ticket.number}/escalate/", escalate_data())
    assert response.status_code == 409
    assert "is already linked to incident PO-1, which is New" in response.content.decode()
    assert Incident.objects.count() == 1
    assert TimelineEvent.objects.count() == before


def test_escalate_solved_ticket_is_conflict(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    ticket.status = Status.SOLVED
    ticket.save(update_fields=["status"])
    response = signed_in(cs_agent).post(f"/tickets/{ticket.number}/escalate/", escalate_data())
    assert response.status_code == 409
    assert "only new, open or pending tickets are escalated" in response.content.decode()
    assert not Incident.objects.exists()


def test_solved_ticket_explains_why_it_cannot_be_escalated(signed_in, cs_agent, make_ticket):
    ticket = make_ticket()
    ticket.status = Status.SOLVED
    ticket.save(update_fields=["status"])
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "cannot be escalated" in content
    assert "/escalate/" not in content


def test_incident_search_finds_open_incident_by_text(signed_in, cs_agent, escalated, make_ticket):
    _ticket, incident = escalated
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).get(f"/tickets/{other.number}/", {"incident_q": "export"})
    content = response.content.decode()
    assert 'value="PO-1"' in content
    assert "PO-1 · Invoice export times out" in content


def test_incident_search_ignores_accents(signed_in, cs_agent, make_ticket):
    ticket = make_ticket("A exportação de apólices falha.")
    actions.escalate_ticket(
        ticket, actor=cs_agent, summary="Exportação de apólices falha", impact="high", urgency="low"
    )
    other = make_ticket("Mesmo problema")
    response = signed_in(cs_agent).get(f"/tickets/{other.number}/", {"incident_q": "exportacao"})
    assert 'value="PO-1"' in response.content.decode()


def test_incident_search_words_in_any_order(signed_in, cs_agent, escalated, make_ticket):
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).get(f"/tickets/{other.number}/", {"incident_q": "times invoice"})
    assert 'value="PO-1"' in response.content.decode()


def test_incident_search_finds_by_number(signed_in, cs_agent, escalated, make_ticket):
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).get(f"/tickets/{other.number}/", {"incident_q": "PO-1"})
    assert 'value="PO-1"' in response.content.decode()


def test_incident_search_skips_closed_incident(
    signed_in, cs_agent, po_agent, escalated, make_ticket
):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Fixed.")
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).get(f"/tickets/{other.number}/", {"incident_q": "export"})
    assert "No open incident matches" in response.content.decode()


def test_link_ticket_to_incident(signed_in, cs_agent, escalated, make_ticket):
    _ticket, incident = escalated
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).post(
        f"/tickets/{other.number}/link-incident/", {"incident": "PO-1", "incident_q": "export"}
    )
    assert response.status_code == 302
    assert IncidentTicket.objects.get(ticket=other).incident == incident
    other.refresh_from_db()
    assert other.status == Status.ESCALATED


def test_link_unknown_incident_is_rejected(signed_in, cs_agent, escalated, make_ticket):
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).post(
        f"/tickets/{other.number}/link-incident/", {"incident": "PO-77", "incident_q": "PO-77"}
    )
    assert response.status_code == 400
    assert "Incident PO-77 does not exist" in response.content.decode()
    assert not IncidentTicket.objects.filter(ticket=other).exists()


def test_link_without_choice_is_rejected(signed_in, cs_agent, escalated, make_ticket):
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).post(
        f"/tickets/{other.number}/link-incident/", {"incident_q": "export"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required." in content
    assert 'value="PO-1"' in content


def test_link_to_closed_incident_is_conflict(signed_in, cs_agent, po_agent, escalated, make_ticket):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Fixed.")
    other = make_ticket("Same export problem")
    response = signed_in(cs_agent).post(
        f"/tickets/{other.number}/link-incident/", {"incident": "PO-1"}
    )
    assert response.status_code == 409
    assert "is closed: escalate the ticket to a new incident" in response.content.decode()
    other.refresh_from_db()
    assert other.status == Status.NEW


def test_case_panel_shows_stages_with_times(signed_in, cs_agent, po_agent, escalated):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "Incident status" in content
    assert '<span class="status incident-status-triage">Triage</span>' in content
    assert content.count("Not reached") == 5
    assert content.count('aria-current="step"') == 1
    stage = ticket.stages.get(name=StageName.ESCALATED)
    assert stage.ended_at is not None
    assert f'datetime="{stage.ended_at.isoformat()}"' in content


def test_case_panel_hides_back_office_internals_from_customer_service(
    signed_in, cs_agent, po_agent, second_line_team, escalated, known_error
):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.transfer_to_second_line(
        incident, actor=po_agent, note="SECRET-INTERNAL-NOTE: check the replica lag"
    )
    actions.apply_known_error(incident, known_error, actor=po_agent)
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "Export one week at a time until the fix ships." in content
    assert "SECRET-INTERNAL-NOTE" not in content
    assert "SECRET-ROOT-CAUSE" not in content
    assert "SECRET-AGENT-TIP" not in content
    assert f"/operations/incidents/{incident.number}/" not in content


def test_case_panel_links_incident_for_back_office(signed_in, po_agent, escalated):
    ticket, incident = escalated
    content = signed_in(po_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert f'href="/operations/incidents/{incident.number}/"' in content


def test_case_panel_shows_public_resolution(signed_in, cs_agent, po_agent, escalated):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="The export now streams.")
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "<h3>Resolution</h3>" in content
    assert "The export now streams." in content


def test_case_panel_flags_permanent_fix(signed_in, cs_agent, escalated):
    ticket, _incident = escalated
    IncidentTicket.objects.filter(ticket=ticket).update(permanent_fix_available=True)
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "Permanent fix available" in content


def test_case_panel_has_no_fix_flag_by_default(signed_in, cs_agent, escalated):
    ticket, _incident = escalated
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "Permanent fix available" not in content


def test_inform_form_prefilled_in_contact_language(
    signed_in, cs_agent, po_agent, make_ticket, premium_contact, known_error
):
    ticket = make_ticket(contact=premium_contact)
    incident = actions.escalate_ticket(
        ticket, actor=cs_agent, summary="Export fails", impact="low", urgency="low"
    )
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    response = signed_in(cs_agent).get(f"/tickets/{ticket.number}/")
    content = response.content.decode()
    assert f'action="/tickets/{ticket.number}/inform-client/"' in content
    # client_message renders the template in the contact's language (pt-pt here).
    prefilled = response.context["inform_form"].initial["text"]
    assert prefilled == client_message(IncidentTicket.objects.get(ticket=ticket))
    assert "Olívia Gomes" in prefilled
    assert "Export one week at a time until the fix ships." in prefilled


def test_inform_form_hidden_before_solution(signed_in, cs_agent, escalated):
    ticket, _incident = escalated
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "/inform-client/" not in content


def test_inform_client_replies_and_solves(signed_in, cs_agent, po_agent, escalated, known_error):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/inform-client/", {"text": "Please export per week for now."}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    reply = ticket.messages.filter(kind=MessageKind.REPLY).order_by("-id").first()
    assert reply.text == "Please export per week for now."
    # Passing on a workaround is no stage; the timeline records it.
    assert not ticket.stages.filter(name=StageName.CLIENT_INFORMED).exists()
    assert TimelineEvent.objects.filter(
        subject_type="ticket", subject_id=ticket.pk, kind="client_informed"
    ).exists()


def test_inform_client_empty_text_is_rejected(
    signed_in, cs_agent, po_agent, escalated, known_error
):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    response = signed_in(cs_agent).post(f"/tickets/{ticket.number}/inform-client/", {"text": ""})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_RECEIVED


def test_inform_client_text_over_the_limit_is_rejected(
    signed_in, cs_agent, po_agent, escalated, known_error
):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.apply_known_error(incident, known_error, actor=po_agent)
    count = ticket.messages.count()
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/inform-client/", {"text": "x" * 100_001}
    )
    assert response.status_code == 400
    assert "shorten it to 100000" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLUTION_RECEIVED
    assert ticket.messages.count() == count


def test_inform_client_before_solution_is_conflict(signed_in, cs_agent, escalated):
    ticket, _incident = escalated
    response = signed_in(cs_agent).post(
        f"/tickets/{ticket.number}/inform-client/", {"text": "Done."}
    )
    assert response.status_code == 409
    assert "the client is informed once a solution is received" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED
    assert Incident.objects.get().status == IncidentStatus.NEW


def test_ticket_reopened_after_close_is_escalated_again(signed_in, cs_agent, po_agent, escalated):
    ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    actions.close_incident(incident, actor=po_agent, resolution="Config fixed.")
    tickets.change_status(ticket, actor=cs_agent, status=Status.OPEN)
    agent = signed_in(cs_agent)

    page = agent.get(f"/tickets/{ticket.number}/").content.decode()
    assert "Escalate again" in page
    assert "Incident PO-1 is closed." in page

    response = agent.post(f"/tickets/{ticket.number}/escalate/", escalate_data())
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert IncidentTicket.objects.current().get(ticket=ticket).incident.reference == "PO-2"
    page = agent.get(f"/tickets/{ticket.number}/")
    assert "Escalate again" not in page.content.decode()
    # The stage panel follows PO-2 only: escalated, and nothing after it yet.
    started = [stage.name for stage in page.context["case"].stages if stage.started_at]
    assert started == [StageName.ESCALATED]
