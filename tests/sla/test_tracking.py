"""Recomputing clocks from the timeline, retargeting, incidents and bad input."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction

from relaydesk.accounts.models import Role
from relaydesk.core import clock, memo, timeline
from relaydesk.core.models import TimelineEvent
from relaydesk.customers.models import Plan
from relaydesk.operations.actions.incidents import close_incident, create_incident, start_triage
from relaydesk.sla.business_time import add_business_minutes
from relaydesk.sla.checks import MAX_TARGET_MINUTES
from relaydesk.sla.errors import InvalidSlaPolicy, NoSlaPolicy
from relaydesk.sla.models import (
    Calendar,
    CalendarDate,
    CalendarDateKind,
    ClockKind,
    IncidentPolicy,
    SlaClock,
    SlaPolicy,
)
from relaydesk.sla.queries import calendar_from_record
from relaydesk.sla.tracking import recompute_incident_clocks, recompute_ticket_clocks
from relaydesk.tickets import actions
from relaydesk.tickets.models import Status, Ticket
from tests.factories import AgentFactory, CalendarFactory, OpeningIntervalFactory
from tests.sla.helpers import (
    client_draft,
    clock_of,
    open_ticket,
    premium_contact,
    resolution,
    universal_contact,
)

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
FIELDS = (
    "kind",
    "cycle",
    "target_minutes",
    "started_at",
    "due_at",
    "warn_at",
    "paused_since",
    "paused_minutes",
    "pauses",
    "met_at",
    "breached_at",
)


def snapshot(ticket: Ticket) -> list[tuple]:
    return list(
        SlaClock.objects.filter(ticket=ticket).order_by("kind", "cycle").values_list(*FIELDS)
    )


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def busy_ticket() -> Ticket:
    """A ticket that went through every clock rule, each step a few hours apart."""
    agent = AgentFactory()
    ticket = open_ticket(universal_contact(), START)
    steps = [
        lambda: actions.reply(ticket, author=agent, text="Which browser?", status="pending_client"),
        lambda: actions.add_client_message(ticket, client_draft("Firefox.")),
        lambda: actions.add_note(ticket, author=agent, text="Reproduced."),
        lambda: actions.reply(ticket, author=agent, text="Fixed, please check."),
        lambda: actions.change_status(ticket, actor=agent, status=Status.SOLVED),
        lambda: actions.add_client_message(ticket, client_draft("Still broken.")),
        lambda: actions.change_status(ticket, actor=agent, status=Status.PENDING_CLIENT),
    ]
    for index, step in enumerate(steps, start=1):
        with clock.frozen_at(at(index * 200)):
            step()
    return ticket


def test_recompute_matches_incremental_path():
    ticket = busy_ticket()
    incremental = snapshot(ticket)

    SlaClock.objects.filter(ticket=ticket).delete()
    with clock.frozen_at(at(2000)):
        recompute_ticket_clocks(ticket)

    assert len(incremental) == 4
    assert snapshot(ticket) == incremental


def test_recompute_reads_message_facts_missing_from_older_events():
    ticket = busy_ticket()
    incremental = snapshot(ticket)
    # Events written before message_added carried the message's direction
    # and automatic flag; the rebuild reads those from the messages.
    for event in TimelineEvent.objects.filter(subject_id=ticket.pk, kind="message_added"):
        event.data.pop("direction")
        event.data.pop("automatic")
        event.save(update_fields=["data"])

    SlaClock.objects.filter(ticket=ticket).delete()
    with clock.frozen_at(at(2000)):
        recompute_ticket_clocks(ticket)

    assert snapshot(ticket) == incremental


def test_memo_scope_clocks_match_unscoped():
    outside = busy_ticket()
    with memo.scope():
        inside = busy_ticket()

    assert snapshot(inside) == snapshot(outside)
    assert len(snapshot(inside)) == 4


def test_memo_scope_clocks_follow_priority():
    contact = universal_contact()
    with memo.scope():
        normal = open_ticket(contact, START)
        urgent = open_ticket(contact, START, priority="urgent")

    assert resolution(urgent).target_minutes < resolution(normal).target_minutes


def test_recompute_over_existing_rows_changes_nothing():
    ticket = busy_ticket()
    before = snapshot(ticket)

    with clock.frozen_at(at(2000)):
        recompute_ticket_clocks(ticket)

    assert snapshot(ticket) == before


def test_reopened_ticket_counts_solved_time_as_pause():
    ticket = busy_ticket()

    clock_row = resolution(ticket)

    # Solved at +1000 and reopened at +1200, both inside one open day.
    assert clock_row.pauses[1] == [at(1000).isoformat(), at(1200).isoformat()]
    assert clock_row.met_at is None


def test_solving_meets_every_clock():
    agent = AgentFactory()
    ticket = open_ticket(premium_contact(), START)
    with clock.frozen_at(at(10)):
        actions.change_status(ticket, actor=agent, status=Status.SOLVED)

    met = SlaClock.objects.filter(ticket=ticket).values_list("met_at", flat=True)

    assert set(met) == {at(10)}


def test_priority_change_recomputes_from_creation():
    agent = AgentFactory()
    contact = universal_contact()
    changed = open_ticket(contact, START)
    with clock.frozen_at(at(30)):
        actions.change_priority(changed, actor=agent, priority="urgent")
    urgent = open_ticket(contact, START, priority="urgent")

    assert clock_of(changed, ClockKind.FIRST_RESPONSE).due_at == (
        clock_of(urgent, ClockKind.FIRST_RESPONSE).due_at
    )
    assert resolution(changed).due_at == resolution(urgent).due_at


def test_plan_change_event_recomputes_open_tickets(django_capture_on_commit_callbacks):
    contact = universal_contact()
    ticket = open_ticket(contact, START)
    organization = contact.organization
    organization.plan = Plan.objects.get(code="premium")
    organization.save()

    with clock.frozen_at(at(5)), django_capture_on_commit_callbacks(execute=True):
        timeline.record(organization, "plan_changed", before="universal", after="premium")

    # Premium normal first response: 120 minutes from Mon 09:30 is 11:30 UTC.
    assert clock_of(ticket, ClockKind.FIRST_RESPONSE).due_at == at(120)


def test_late_answer_marks_breach():
    agent = AgentFactory()
    ticket = open_ticket(premium_contact(), START)
    # Premium normal first response is due after 120 minutes.
    with clock.frozen_at(at(150)):
        actions.reply(ticket, author=agent, text="Sorry for the wait.")

    first = clock_of(ticket, ClockKind.FIRST_RESPONSE)

    assert first.breached_at == at(120)
    assert TimelineEvent.objects.filter(subject_id=ticket.pk, kind="sla_breached").count() == 1


def test_plan_without_policy_starts_no_clock():
    SlaPolicy.objects.filter(plan__code="universal", priority="low").delete()

    ticket = open_ticket(universal_contact(), START, priority="low")

    assert not SlaClock.objects.filter(ticket=ticket).exists()
    event = TimelineEvent.objects.get(subject_id=ticket.pk, kind="sla_not_started")
    assert event.data == {"reason": "no_sla_policy"}


def test_recompute_without_policy_raises():
    SlaPolicy.objects.filter(plan__code="universal", priority="low").delete()
    ticket = open_ticket(universal_contact(), START, priority="low")

    with pytest.raises(NoSlaPolicy) as error:
        recompute_ticket_clocks(ticket)

    assert error.value.code == "no_sla_policy"
    assert "priority low" in error.value.message


def test_recompute_unknown_priority_keeps_clocks():
    ticket = open_ticket(universal_contact(), START)
    before = snapshot(ticket)
    Ticket.objects.filter(pk=ticket.pk).update(priority="critical")

    with pytest.raises(InvalidSlaPolicy) as error:
        recompute_ticket_clocks(ticket)

    assert error.value.code == "invalid_sla_policy"
    assert "'critical'" in error.value.message
    assert snapshot(ticket) == before


def test_ticket_without_organization_has_no_clock():
    ticket = open_ticket(None, START)

    assert not SlaClock.objects.filter(ticket=ticket).exists()
    with pytest.raises(NoSlaPolicy) as error:
        recompute_ticket_clocks(ticket)
    assert ticket.reference in error.value.message


def test_invalid_warning_share_raises(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SLA_WARNING_SHARE": 1.5}

    with pytest.raises(ValueError, match="warning share 1.5 is invalid"):
        open_ticket(universal_contact(), START)


# -- incidents ----------------------------------------------------------------


def analyst():
    return AgentFactory(role=Role.PRODUCTION_OPERATIONS)


def test_incident_starts_internal_clocks():
    # Impact and urgency high make an urgent incident: triage 15 minutes,
    # workaround 60 and resolution 180 on the Premium extended hours.
    with clock.frozen_at(START):
        incident = create_incident(
            actor=analyst(), summary="Exports fail", impact="high", urgency="high"
        )

    clocks = dict(SlaClock.objects.filter(incident=incident).values_list("kind", "due_at"))

    assert clocks == {
        ClockKind.TRIAGE: at(15),
        ClockKind.WORKAROUND: at(60),
        ClockKind.RESOLUTION: at(180),
    }


def test_incident_triage_meets_triage_clock():
    person = analyst()
    with clock.frozen_at(START):
        incident = create_incident(
            actor=person, summary="Exports fail", impact="low", urgency="low"
        )
    with clock.frozen_at(at(20)):
        start_triage(incident, actor=person)

    triage = SlaClock.objects.get(incident=incident, kind=ClockKind.TRIAGE)

    assert triage.met_at == at(20)
    assert triage.breached_at is None


def test_incident_close_meets_all_clocks():
    person = analyst()
    with clock.frozen_at(START):
        incident = create_incident(
            actor=person, summary="Exports fail", impact="low", urgency="low"
        )
    with clock.frozen_at(at(20)):
        start_triage(incident, actor=person)
    with clock.frozen_at(at(40)):
        close_incident(incident, actor=person, resolution="Config fixed.")

    met = dict(SlaClock.objects.filter(incident=incident).values_list("kind", "met_at"))

    assert met == {
        ClockKind.TRIAGE: at(20),
        ClockKind.WORKAROUND: at(40),
        ClockKind.RESOLUTION: at(40),
    }
    with clock.frozen_at(at(50)):
        rebuilt = recompute_incident_clocks(incident)
    assert {row.kind: row.met_at for row in rebuilt} == met


def counted_due_times(monkeypatch) -> list[tuple]:
    """Record every due-time computation of the SLA listener."""
    from relaydesk.sla import tracking

    computed: list[tuple] = []
    real_due_at = tracking.due_at
    monkeypatch.setattr(
        tracking, "due_at", lambda *args: computed.append(args) or real_due_at(*args)
    )
    return computed


def test_batch_skips_unchanged_due_times(monkeypatch):
    contact = universal_contact()
    computed = counted_due_times(monkeypatch)
    with memo.scope():
        ticket = open_ticket(contact, START)
        opened = len(computed)
        with clock.frozen_at(START + timedelta(minutes=5)):
            actions.add_client_message(ticket, client_draft("More detail."), contact=contact)
    assert opened > 0
    # The client's second message leaves every clock as it was.
    assert len(computed) == opened
    assert clock_of(ticket, ClockKind.FIRST_RESPONSE).due_at is not None


def test_unbatched_event_computes_due_times(monkeypatch):
    contact = universal_contact()
    computed = counted_due_times(monkeypatch)
    ticket = open_ticket(contact, START)
    opened = len(computed)
    with clock.frozen_at(START + timedelta(minutes=5)):
        actions.add_client_message(ticket, client_draft("More detail."), contact=contact)
    assert len(computed) > opened


def test_priority_change_lowers_target_above_maximum():
    # Saved before the administration pages bounded the targets.
    SlaPolicy.objects.filter(plan__code="premium", priority="urgent").update(
        resolution_minutes=2_147_483_647
    )
    ticket = open_ticket(premium_contact(), START)

    with clock.frozen_at(at(30)):
        actions.change_priority(ticket, actor=AgentFactory(), priority="urgent")

    clock_row = resolution(ticket)
    calendar = calendar_from_record(Calendar.objects.get(name="Premium extended hours"))
    assert clock_row.target_minutes == MAX_TARGET_MINUTES
    assert clock_row.due_at == add_business_minutes(calendar, START, MAX_TARGET_MINUTES)


def test_target_beyond_calendar_reach_rejects_priority_change():
    # Open one minute a week, a year of business minutes lies 10,000 years ahead.
    sparse = CalendarFactory(name="One minute a week", holiday_country="")
    OpeningIntervalFactory(calendar=sparse, start_time=time(9), end_time=time(9, 1))
    SlaPolicy.objects.filter(plan__code="premium", priority="urgent").update(
        calendar=sparse, resolution_minutes=MAX_TARGET_MINUTES
    )
    ticket = open_ticket(premium_contact(), START)
    before = snapshot(ticket)

    with pytest.raises(InvalidSlaPolicy) as error, transaction.atomic():
        actions.change_priority(ticket, actor=AgentFactory(), priority="urgent")

    assert error.value.code == "invalid_sla_policy"
    assert "'One minute a week'" in error.value.message
    assert "525,600" in error.value.message
    assert snapshot(ticket) == before
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_calendar_without_open_time_ahead_rejects_priority_change():
    # Only one extra open date, long past: from then on the calendar never opens.
    past_only = CalendarFactory(name="Open one Saturday", holiday_country="")
    CalendarDate.objects.create(
        calendar=past_only,
        date=date(2025, 1, 4),
        kind=CalendarDateKind.OPEN,
        intervals=[["10:00", "12:00"]],
    )
    SlaPolicy.objects.filter(plan__code="premium", priority="urgent").update(calendar=past_only)
    ticket = open_ticket(premium_contact(), START)
    before = snapshot(ticket)

    with pytest.raises(InvalidSlaPolicy) as error, transaction.atomic():
        actions.change_priority(ticket, actor=AgentFactory(), priority="urgent")

    assert error.value.code == "invalid_sla_policy"
    assert "'Open one Saturday'" in error.value.message
    assert "stays closed for more than 1098 days" in error.value.message
    assert snapshot(ticket) == before
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_incident_target_above_maximum_counts_as_maximum():
    IncidentPolicy.objects.filter(priority="urgent").update(resolution_minutes=99_999_999_999)
    with clock.frozen_at(START):
        incident = create_incident(
            actor=analyst(), summary="Exports fail", impact="high", urgency="high"
        )

    resolution_clock = SlaClock.objects.get(incident=incident, kind=ClockKind.RESOLUTION)

    assert resolution_clock.target_minutes == MAX_TARGET_MINUTES
