"""Incident SLA targets on the incident page and in the triage queue."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import translation

from relaydesk.accounts.models import User
from relaydesk.core import clock
from relaydesk.operations import actions
from relaydesk.operations.models import Incident
from relaydesk.sla import events as sla_events
from relaydesk.sla.models import ClockKind, IncidentPolicy, SlaClock

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 11:30 in Lisbon (UTC+0 until 29 March): the Premium
# extended hours calendar of the incident policies is open.
START = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def urgent_incident(po_agent: User, summary: str = "Search is down") -> Incident:
    """Open an urgent incident at START: triage 15 minutes (warned at 12), workaround 60."""
    with clock.frozen_at(START):
        return actions.create_incident(
            actor=po_agent, summary=summary, impact="high", urgency="high"
        )


def get(client: Client, url: str, minutes: int) -> str:
    with clock.frozen_at(at(minutes)):
        return client.get(url).content.decode()


def incident_page(client: Client, incident: Incident, minutes: int = 5) -> str:
    return get(client, f"/operations/incidents/{incident.number}/", minutes)


def triage_row(client: Client, incident: Incident, minutes: int) -> str:
    html = get(client, "/operations/triage/", minutes)
    start = html.index(f">{incident.reference}</a></th>")
    return html[start : html.index("</tr>", start)]


# The incident page


def test_incident_page_lists_clocks_by_label(signed_in, po_agent):
    incident = urgent_incident(po_agent)

    html = incident_page(signed_in(po_agent), incident)

    assert '<h2 id="sla-heading">SLA targets</h2>' in html
    assert "<strong>Triage</strong>" in html
    assert "<strong>Workaround</strong>" in html
    assert "<strong>Resolution</strong>" in html


def test_incident_page_shows_due_time(signed_in, po_agent):
    incident = urgent_incident(po_agent)
    triage = SlaClock.objects.get(incident=incident, kind=ClockKind.TRIAGE)

    html = incident_page(signed_in(po_agent), incident)

    assert triage.due_at == at(15)
    assert f'<time datetime="{triage.due_at.isoformat()}">' in html
    assert "5 of 15 minutes" in html


def test_incident_page_shows_met_triage(signed_in, po_agent):
    incident = urgent_incident(po_agent)
    with clock.frozen_at(at(3)):
        actions.start_triage(incident, actor=po_agent)

    html = incident_page(signed_in(po_agent), incident)

    assert '<span class="sla sla-met">Met</span>' in html


def test_incident_page_shows_breached_clock(signed_in, po_agent):
    incident = urgent_incident(po_agent)

    html = incident_page(signed_in(po_agent), incident, minutes=20)

    assert '<span class="sla sla-breached">Breached</span>' in html


def test_incident_page_history_names_target_by_label(signed_in, po_agent):
    incident = urgent_incident(po_agent)
    triage = SlaClock.objects.get(incident=incident, kind=ClockKind.TRIAGE)
    with clock.frozen_at(at(15)):
        sla_events.record_breach(triage)

    html = incident_page(signed_in(po_agent), incident, minutes=20)

    assert "SLA target “Triage” breached" in html
    assert "sla_breached" not in html


def test_incident_page_without_policy_says_so(signed_in, po_agent):
    IncidentPolicy.objects.all().delete()
    incident = urgent_incident(po_agent)

    html = incident_page(signed_in(po_agent), incident)

    assert "No SLA target applies to this incident." in html


def test_incident_page_clocks_in_portuguese(signed_in, po_agent):
    po_agent.locale = "pt_PT"
    po_agent.save(update_fields=["locale"])
    incident = urgent_incident(po_agent)

    # The middleware leaves the request's language active in this thread.
    with translation.override("en"):
        html = incident_page(signed_in(po_agent), incident)

    assert "<strong>Triagem</strong>" in html
    assert "<strong>Solução alternativa</strong>" in html


# The triage queue


def test_triage_queue_shows_next_due_kind_and_time(signed_in, po_agent):
    incident = urgent_incident(po_agent)

    row = triage_row(signed_in(po_agent), incident, minutes=5)

    assert '<span class="sla-kind">Triage</span>' in row
    assert f'<time datetime="{at(15).isoformat()}">' in row
    assert '<span class="sla sla-running">On time</span>' in row


def test_triage_queue_shows_at_risk(signed_in, po_agent):
    incident = urgent_incident(po_agent)

    row = triage_row(signed_in(po_agent), incident, minutes=13)

    assert '<span class="sla sla-at_risk">At risk</span>' in row


def test_triage_queue_shows_breached(signed_in, po_agent):
    incident = urgent_incident(po_agent)

    row = triage_row(signed_in(po_agent), incident, minutes=20)

    assert '<span class="sla sla-breached">Breached</span>' in row


def test_triage_queue_moves_to_next_clock_after_triage(signed_in, po_agent):
    incident = urgent_incident(po_agent)
    with clock.frozen_at(at(3)):
        actions.start_triage(incident, actor=po_agent)

    row = triage_row(signed_in(po_agent), incident, minutes=5)

    assert '<span class="sla-kind">Workaround</span>' in row
    assert f'<time datetime="{at(60).isoformat()}">' in row


def test_triage_queue_without_clocks_shows_dash(signed_in, po_agent):
    IncidentPolicy.objects.all().delete()
    incident = urgent_incident(po_agent)

    row = triage_row(signed_in(po_agent), incident, minutes=5)

    assert 'aria-label="No SLA target running">–</span>' in row


def test_triage_queue_counts_each_linked_ticket_once(signed_in, po_agent, cs_agent, make_ticket):
    # The SLA annotations join the clocks; the ticket count must not multiply by them.
    incident = urgent_incident(po_agent)
    for subject in ("Search fails", "Search is empty"):
        actions.link_ticket(make_ticket(subject), incident, actor=cs_agent)

    with clock.frozen_at(at(5)):
        response = signed_in(po_agent).get("/operations/triage/")

    listed = response.context["page"].object_list
    assert [row.ticket_count for row in listed] == [2]


def test_triage_queue_sla_column_in_portuguese(signed_in, po_agent):
    po_agent.locale = "pt_PT"
    po_agent.save(update_fields=["locale"])
    incident = urgent_incident(po_agent)

    with translation.override("en"):
        client = signed_in(po_agent)
        html = get(client, "/operations/triage/", minutes=5)
        row = triage_row(client, incident, minutes=5)

    assert '<th scope="col">Próximo objetivo de SLA</th>' in html
    assert '<span class="sla-kind">Triagem</span>' in row
    assert '<span class="sla sla-running">Dentro do prazo</span>' in row


def test_incident_page_without_policy_in_portuguese(signed_in, po_agent):
    po_agent.locale = "pt_PT"
    po_agent.save(update_fields=["locale"])
    IncidentPolicy.objects.all().delete()
    incident = urgent_incident(po_agent)

    with translation.override("en"):
        html = incident_page(signed_in(po_agent), incident)

    assert "Nenhum objetivo de SLA se aplica a este incidente." in html
