"""The warning and breach sweep: who is notified, and only once."""

from datetime import UTC, datetime, timedelta

import pytest

from relaydesk.accounts.models import Role
from relaydesk.core import clock
from relaydesk.core.models import TimelineEvent
from relaydesk.operations.actions.incidents import create_incident
from relaydesk.sla import tasks
from relaydesk.sla.models import ClockKind, Notification, NotificationKind, SlaClock
from relaydesk.sla.notifications import unread_count
from relaydesk.sla.sweep import claim_warning, sweep, sweep_pass
from relaydesk.tickets import actions
from relaydesk.tickets.models import Ticket
from tests.factories import AgentFactory, TeamFactory
from tests.sla.helpers import clock_of, open_ticket, premium_contact, universal_contact

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def assigned_ticket(contact, **kwargs) -> tuple[Ticket, list]:
    """Open a ticket assigned to one agent of a two-agent team; return it and the team."""
    assignee, teammate = AgentFactory(), AgentFactory()
    team = TeamFactory()
    team.members.add(assignee, teammate)
    ticket = open_ticket(contact, START, **kwargs)
    actions.assign(ticket, actor=None, assignee=assignee, team=team)
    return ticket, [assignee, teammate]


def recipients_of(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_warning_notifies_assignee_team_and_csm():
    contact = premium_contact()
    ticket, people = assigned_ticket(contact)
    # Premium normal first response: 120 minutes, warned at 96.

    result = sweep(at(100), chunk=10)

    expected = {person.username for person in people} | {contact.organization.csm.username}
    assert result.warned == 1
    assert recipients_of(NotificationKind.SLA_WARNING) == expected
    assert clock_of(ticket, ClockKind.FIRST_RESPONSE).warned_at == at(100)


def test_universal_warning_skips_csm():
    ticket, people = assigned_ticket(universal_contact())
    # Universal normal first response: 480 minutes, warned at 384 business
    # minutes: 210 until the lunch break, then 14:00 + 174 = 16:54 UTC.

    sweep(datetime(2026, 3, 2, 16, 54, tzinfo=UTC), chunk=10)

    assert recipients_of(NotificationKind.SLA_WARNING) == {person.username for person in people}


def test_sweep_twice_notifies_once():
    assigned_ticket(premium_contact())

    sweep(at(100), chunk=10)
    second = sweep(at(101), chunk=10)

    assert second.warned == 0
    assert Notification.objects.filter(kind=NotificationKind.SLA_WARNING).count() == 3


def test_breach_records_timeline_event():
    ticket, _people = assigned_ticket(premium_contact())

    result = sweep(at(130), chunk=10)

    first = clock_of(ticket, ClockKind.FIRST_RESPONSE)
    assert result.breached == 1
    assert first.breached_at == at(120)
    event = TimelineEvent.objects.get(subject_id=ticket.pk, kind="sla_breached")
    assert event.data["target"] == ClockKind.FIRST_RESPONSE
    assert Notification.objects.filter(kind=NotificationKind.SLA_BREACH).count() == 3


def test_paused_clock_is_not_swept():
    ticket, people = assigned_ticket(premium_contact())
    with clock.frozen_at(at(10)):
        actions.change_status(ticket, actor=people[0], status="pending_client")

    result = sweep(at(5000), chunk=10)

    assert result.warned == 0
    assert result.breached == 0


def test_met_clock_is_not_swept():
    ticket, people = assigned_ticket(premium_contact())
    with clock.frozen_at(at(10)):
        actions.reply(ticket, author=people[0], text="On it.")

    result = sweep(at(100), chunk=10)

    assert result.warned == 0


def test_sweep_pass_reports_more_for_full_chunk():
    for _index in range(3):
        assigned_ticket(premium_contact())

    first = sweep_pass(at(100), chunk=2)
    second = sweep_pass(at(100), chunk=2)

    assert first.more is True
    assert first.warned == 2
    assert second.warned == 1
    assert second.more is False


def test_claim_warning_only_once():
    ticket, _people = assigned_ticket(premium_contact())
    clock_id = clock_of(ticket, ClockKind.FIRST_RESPONSE).pk

    assert claim_warning(clock_id, at(100)) is True
    assert claim_warning(clock_id, at(100)) is False


def test_claim_warning_not_before_warn_at():
    ticket, _people = assigned_ticket(premium_contact())
    clock_id = clock_of(ticket, ClockKind.FIRST_RESPONSE).pk

    assert claim_warning(clock_id, at(90)) is False


def test_unread_count_counts_unread():
    _ticket, people = assigned_ticket(premium_contact())
    sweep(at(100), chunk=10)
    Notification.objects.filter(recipient=people[1]).update(read_at=at(101))

    assert unread_count(people[0]) == 1
    assert unread_count(people[1]) == 0


def test_task_runs_one_pass():
    assigned_ticket(premium_contact())

    with clock.frozen_at(at(100)):
        result = tasks.sweep_sla_clocks.enqueue()

    assert result.return_value["warned"] == 1
    assert SlaClock.objects.filter(warned_at__isnull=False).count() == 1


def test_schedule_needs_deferring_backend():
    assert tasks.schedule_sla_sweep() is False


def test_warning_on_unassigned_ticket_notifies_customer_service():
    customer_service = TeamFactory(role=Role.CUSTOMER_SERVICE)
    agent = AgentFactory()
    customer_service.members.add(agent)
    open_ticket(universal_contact(), START)

    sweep(datetime(2026, 3, 2, 16, 54, tzinfo=UTC), chunk=10)

    assert recipients_of(NotificationKind.SLA_WARNING) == {agent.username}


def test_warning_on_incident_in_triage_notifies_production_operations():
    operations = TeamFactory(role=Role.PRODUCTION_OPERATIONS)
    analyst = AgentFactory(role=Role.PRODUCTION_OPERATIONS)
    operations.members.add(analyst)
    with clock.frozen_at(START):
        create_incident(actor=analyst, summary="Search is down", impact="high", urgency="high")

    # The urgent triage target is 15 minutes, warned at 12.
    sweep(at(13), chunk=10)

    assert recipients_of(NotificationKind.SLA_WARNING) == {analyst.username}
