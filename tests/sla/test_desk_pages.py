"""SLA badges, filters and sorting in the inbox, badges on the client pages, and ticket clocks."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import translation

from relaydesk.accounts.models import User
from relaydesk.core import clock
from relaydesk.sla import events as sla_events
from relaydesk.sla.models import ClockKind
from relaydesk.tickets import actions
from relaydesk.tickets.models import Ticket
from tests.factories import AgentFactory
from tests.sla.helpers import clock_of, open_ticket, premium_contact, universal_contact

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.fixture
def agent_client(settings) -> Client:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(AgentFactory(username="ana"))
    return client


@pytest.fixture
def tickets() -> dict[str, Ticket]:
    """Three tickets on Monday 2 March at 12:40 UTC: overdue, at risk, time left.

    Premium normal first response: 120 minutes, warned at 96. Universal:
    480 minutes, warned at 384.
    """
    return {
        "overdue": open_ticket(premium_contact(), at(-100)),
        "at_risk": open_ticket(premium_contact(), at(-30)),
        "calm": open_ticket(universal_contact(), at(0)),
    }


def get(client: Client, url: str, minutes: int = 70):
    with clock.frozen_at(at(minutes)):
        return client.get(url)


def row_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a [^>]+>(CS-\d+)</a>', html)


def test_inbox_badge_shows_overdue(agent_client, tickets):
    html = get(agent_client, "/").content.decode()

    assert "Overdue by 50\xa0minutes" in html
    assert 'class="sla sla-at_risk"' in html


def test_inbox_badge_shows_time_left(agent_client, tickets):
    html = get(agent_client, "/").content.decode()

    # The calm Universal ticket, opened at 11:30: 90 minutes until 13:00,
    # 240 from 14:00 to 18:00, then Tuesday 09:00 + 150 = 11:30, which is
    # 22 h 50 min after Monday 12:40.
    assert "22\xa0hours, 50\xa0minutes left" in html


def test_inbox_sorts_by_next_due(agent_client, tickets):
    html = get(agent_client, "/?sort=next_due").content.decode()

    expected = [tickets[name].reference for name in ("overdue", "at_risk", "calm")]
    assert row_order(html) == expected


def test_inbox_filters_breached(agent_client, tickets):
    html = get(agent_client, "/?sla=breached").content.decode()

    assert row_order(html) == [tickets["overdue"].reference]


def test_inbox_filters_at_risk(agent_client, tickets):
    html = get(agent_client, "/?sla=at_risk").content.decode()

    assert row_order(html) == [tickets["at_risk"].reference]


def test_inbox_rejects_unknown_sla_filter(agent_client, tickets):
    response = get(agent_client, "/?sla=late")

    assert response.status_code == 400


def test_organization_page_badge_shows_overdue(agent_client, tickets):
    organization = tickets["overdue"].organization

    html = get(agent_client, f"/organizations/{organization.pk}/").content.decode()

    assert "Overdue by 50\xa0minutes" in html


def test_organization_page_badge_shows_time_left(agent_client, tickets):
    organization = tickets["calm"].organization

    html = get(agent_client, f"/organizations/{organization.pk}/").content.decode()

    assert "22\xa0hours, 50\xa0minutes left" in html


def test_contact_page_badge_shows_at_risk(agent_client, tickets):
    contact = tickets["at_risk"].contact

    html = get(agent_client, f"/contacts/{contact.pk}/").content.decode()

    assert 'class="sla sla-at_risk"' in html
    assert "20\xa0minutes left" in html


def test_contact_page_badge_shows_paused(agent_client):
    ticket = open_ticket(premium_contact(), START)
    with clock.frozen_at(at(10)):
        actions.reply(ticket, author=AgentFactory(), text="Which browser?", status="pending_client")

    html = get(agent_client, f"/contacts/{ticket.contact.pk}/", minutes=20).content.decode()

    assert '<span class="sla sla-paused">Paused</span>' in html


def test_contact_page_badge_without_policy_is_dash(agent_client):
    ticket = open_ticket(None, START)
    contact = premium_contact()
    ticket.contact = contact
    ticket.save(update_fields=["contact"])

    html = get(agent_client, f"/contacts/{contact.pk}/").content.decode()

    assert 'aria-label="No SLA target running">–</span>' in html


def test_ticket_page_shows_clocks_and_pause(agent_client):
    agent = AgentFactory()
    ticket = open_ticket(premium_contact(), START)
    with clock.frozen_at(at(10)):
        actions.reply(ticket, author=agent, text="Which browser?", status="pending_client")

    html = get(agent_client, f"/tickets/{ticket.number}/", minutes=20).content.decode()

    assert "SLA targets" in html
    assert "First response" in html
    assert "Met" in html
    assert "Paused since" in html
    assert "10 of 1440 minutes" in html


def test_ticket_page_history_names_target_by_label(agent_client):
    ticket = open_ticket(premium_contact(), START)
    with clock.frozen_at(at(96)):
        sla_events.record_warning(clock_of(ticket, ClockKind.FIRST_RESPONSE))

    html = get(agent_client, f"/tickets/{ticket.number}/", minutes=100).content.decode()

    assert "SLA warning: the “First response” target is at risk" in html
    assert "target first_response" not in html


def test_ticket_page_without_policy_says_so(agent_client):
    ticket = open_ticket(None, START)

    html = get(agent_client, f"/tickets/{ticket.number}/").content.decode()

    assert "No SLA target applies to this ticket." in html


def test_inbox_badge_in_portuguese(agent_client, tickets):
    User.objects.filter(username="ana").update(locale="pt-pt")

    # The middleware leaves the request's language active in this thread, so
    # the override puts English back for the tests that follow.
    with clock.frozen_at(at(70)), translation.override("en"):
        html = agent_client.get("/").content.decode()

    assert 'lang="pt-pt"' in html
    assert "50\xa0minutos" in html
