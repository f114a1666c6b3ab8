"""Two workers sweeping at once on PostgreSQL notify each event exactly once.

Each worker is a thread with its own database connection, against committed
data, so the row locks and conditional updates act as between two processes.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from relaydesk.core.models import TimelineEvent
from relaydesk.sla.models import ClockKind, Notification, NotificationKind, SlaClock
from relaydesk.sla.sweep import claim_warning, sweep
from relaydesk.tickets import actions
from tests.concurrency import run_in_two_workers
from tests.factories import AgentFactory, TeamFactory
from tests.sla.helpers import open_ticket, premium_contact

# serialized_rollback restores the plans, calendars and policies of the data migrations.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TICKETS = 40
# Past every first response (120 minutes) and before any resolution is due.
SWEEP_AT = START + timedelta(minutes=200)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time and has no row locks")


def make_tickets() -> None:
    contact = premium_contact()
    assignee, teammate = AgentFactory(), AgentFactory()
    team = TeamFactory()
    team.members.add(assignee, teammate)
    for _index in range(TICKETS):
        ticket = open_ticket(contact, START)
        actions.assign(ticket, actor=None, assignee=assignee, team=team)


def test_two_sweeps_warn_each_clock_once():
    make_tickets()

    run_in_two_workers(lambda: sweep(SWEEP_AT, chunk=7))

    per_event = Counter(
        Notification.objects.filter(kind=NotificationKind.SLA_WARNING).values_list(
            "recipient", "clock"
        )
    )
    assert len(per_event) == TICKETS * 3
    assert set(per_event.values()) == {1}


def test_two_sweeps_breach_each_clock_once():
    make_tickets()

    results = run_in_two_workers(lambda: sweep(SWEEP_AT, chunk=7))

    assert sum(result.breached for result in results) == TICKETS
    breaches = TimelineEvent.objects.filter(kind="sla_breached")
    assert breaches.count() == TICKETS
    assert len(set(breaches.values_list("subject_id", flat=True))) == TICKETS
    per_event = Counter(
        Notification.objects.filter(kind=NotificationKind.SLA_BREACH).values_list(
            "recipient", "clock"
        )
    )
    assert set(per_event.values()) == {1}


def test_two_workers_claiming_same_clocks():
    make_tickets()
    clock_ids = list(
        SlaClock.objects.filter(kind=ClockKind.FIRST_RESPONSE).values_list("pk", flat=True)
    )

    results = run_in_two_workers(lambda: [pk for pk in clock_ids if claim_warning(pk, SWEEP_AT)])

    claimed = [pk for result in results for pk in result]
    assert sorted(claimed) == sorted(clock_ids)
