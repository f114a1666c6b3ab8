"""Reads of calendars, SLA policies and the clocks the desk shows."""

from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from relaydesk.core import memo
from relaydesk.core.errors import ValidationFailed
from relaydesk.customers.models import Organization, Plan
from relaydesk.sla.business_time import BusinessCalendar, Intervals, business_minutes_between
from relaydesk.sla.checks import (
    check_calendar_date,
    check_calendar_has_hours,
    check_holiday_region,
    check_opening_interval,
    check_time_zone,
    check_weekly_hours,
)
from relaydesk.sla.models import (
    Calendar,
    CalendarDateKind,
    ClockKind,
    IncidentPolicy,
    SlaClock,
    SlaPolicy,
)
from relaydesk.tickets.models import Ticket


def calendar_from_record(calendar: Calendar) -> BusinessCalendar:
    """Build the BusinessCalendar value of a calendar record, its intervals and its dates.

    Admins edit these rows directly, so every value is checked again here. A
    bad one raises the ValidationFailed subclass from ``sla.errors`` that its
    check raises, with the calendar's name in front of the message. Uses the
    prefetched ``opening_intervals`` and ``dates`` when the caller has them.
    """
    try:
        return _build_calendar(calendar)
    except ValidationFailed as error:
        raise type(error)(
            _("Calendar %(name)r: %(error)s") % {"name": calendar.name, "error": error.message}
        ) from error


def _build_calendar(calendar: Calendar) -> BusinessCalendar:
    time_zone = check_time_zone(calendar.time_zone)
    country, subdivision = check_holiday_region(
        calendar.holiday_country, calendar.holiday_subdivision
    )
    weekly = check_weekly_hours(
        (row.weekday, check_opening_interval(row.start_time, row.end_time))
        for row in calendar.opening_intervals.all()
    )
    closed_dates = set()
    open_dates: dict = {}
    for row in calendar.dates.all():
        intervals: Intervals = check_calendar_date(row.kind, row.intervals, row.date)
        if row.kind == CalendarDateKind.CLOSED:
            closed_dates.add(row.date)
        else:
            open_dates[row.date] = intervals
    check_calendar_has_hours(calendar.name, calendar.is_24x7, weekly, open_dates)
    return BusinessCalendar(
        name=calendar.name,
        time_zone=time_zone,
        weekly_hours=weekly,
        holiday_country=country,
        holiday_subdivision=subdivision,
        closed_dates=frozenset(closed_dates),
        open_dates=open_dates,
        is_24x7=calendar.is_24x7,
    )


def sla_policy_for(plan: Plan, priority: str) -> SlaPolicy | None:
    """Return the SLA policy of ``plan`` and ``priority`` with its calendar rows, or None."""
    return (
        SlaPolicy.objects.select_related("plan", "calendar")
        .prefetch_related("calendar__opening_intervals", "calendar__dates")
        .filter(plan=plan, priority=priority)
        .first()
    )


def organization_with_plan(organization_id: int) -> Organization:
    """Return the organization with its plan, read once per ``memo.scope()`` or ``lasting()``."""
    return memo.settled(
        ("sla.organization", organization_id),
        lambda: Organization.objects.select_related("plan").get(pk=organization_id),
    )


def policy_with_calendar(plan: Plan, priority: str) -> tuple[SlaPolicy, BusinessCalendar] | None:
    """Return the policy of ``plan`` and ``priority`` and its built calendar, or None.

    Inside a ``memo.scope()`` (one import batch, say) each plan and priority
    is read and checked once. Inside ``memo.lasting()`` (an import run) it
    is read again only after the block's maximum age. Raises like
    ``calendar_from_record``.
    """

    def read() -> tuple[SlaPolicy, BusinessCalendar] | None:
        policy = sla_policy_for(plan, priority)
        if policy is None:
            return None
        return policy, calendar_from_record(policy.calendar)

    return memo.settled(("sla.policy_with_calendar", plan.pk, priority), read)


# -- clocks for the desk --------------------------------------------------------

SLA_STATES = ("at_risk", "breached")
# Timeline kinds the SLA machinery records, shown as the ticket's SLA history.
SLA_EVENT_KINDS = frozenset({"sla_warning", "sla_breached", "sla_not_started"})
_RUNNING = Q(sla_clocks__met_at__isnull=True, sla_clocks__paused_since__isnull=True)

# A ticket or an incident: both have the ``sla_clocks`` reverse relation.
Subject = TypeVar("Subject", bound=Model)


def with_sla(subjects: QuerySet[Subject], now: datetime) -> QuerySet[Subject]:
    """Annotate tickets or incidents with their next due time and SLA state at ``now``.

    ``sla_next_due`` is the earliest due time of a running clock (None when
    none runs), ``sla_paused`` counts paused clocks, and ``sla_state`` is
    ``breached`` (a running clock is past due), ``at_risk`` (past its warning
    time), ``ok`` or ``""`` without a running clock.
    """
    return subjects.annotate(
        sla_next_due=Min("sla_clocks__due_at", filter=_RUNNING),
        sla_next_warn=Min("sla_clocks__warn_at", filter=_RUNNING),
        # distinct, because the caller may join another relation, such as an
        # incident's ticket links, which repeats each clock row.
        sla_paused=Count(
            "sla_clocks",
            filter=Q(sla_clocks__met_at__isnull=True, sla_clocks__paused_since__isnull=False),
            distinct=True,
        ),
    ).annotate(
        sla_state=Case(
            When(sla_next_due__lte=now, then=Value("breached")),
            When(sla_next_warn__lte=now, then=Value("at_risk")),
            When(sla_next_due__isnull=False, then=Value("ok")),
            default=Value(""),
            output_field=CharField(),
        )
    )


def with_next_clock_kind(subjects: QuerySet[Subject]) -> QuerySet[Subject]:
    """Annotate tickets or incidents with ``sla_next_kind``, the kind of the next due clock.

    The next due clock is the running clock with the earliest due time, the
    one ``with_sla`` takes ``sla_next_due`` from; None when none runs. It is
    a subquery of the same query, so a list page pays no query per row.
    """
    subject_field = subjects.model._meta.model_name
    next_running = SlaClock.objects.filter(
        **{subject_field: OuterRef("pk")}, met_at__isnull=True, paused_since__isnull=True
    ).order_by("due_at", "id")
    return subjects.annotate(sla_next_kind=Subquery(next_running.values("kind")[:1]))


def filter_sla_state(tickets: QuerySet[Ticket], state: str, now: datetime) -> QuerySet[Ticket]:
    """Keep tickets with a running clock past due (``breached``) or past its warning (``at_risk``).

    ``at_risk`` excludes breached tickets. Raises ValueError for another state.
    """
    running = SlaClock.objects.filter(
        ticket=OuterRef("pk"), met_at__isnull=True, paused_since__isnull=True
    )
    overdue = Exists(running.filter(due_at__lte=now))
    if state == "breached":
        return tickets.filter(overdue)
    if state == "at_risk":
        return tickets.filter(Exists(running.filter(warn_at__lte=now))).exclude(overdue)
    raise ValueError(f"SLA state {state!r} is unknown: use one of {SLA_STATES}")


def order_by_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Order tickets annotated by ``with_sla`` by next due time, tickets without one last."""
    return tickets.order_by(F("sla_next_due").asc(nulls_last=True), "-updated_at", "-id")


@dataclass(frozen=True)
class ClockView:
    """One clock of a ticket or incident as the desk's SLA panel shows it."""

    clock: SlaClock
    label: str
    state: str
    elapsed_minutes: int
    remaining_minutes: int
    pauses: list[tuple[datetime, datetime | None]]


def ticket_clock_views(ticket: Ticket, now: datetime) -> list[ClockView]:
    """Return the ticket's clocks, oldest first, with their state and business minutes at ``now``.

    The elapsed and remaining minutes need the policy's calendar. Without a
    policy (deleted since), they count wall-clock minutes.
    """
    clocks = list(SlaClock.objects.filter(ticket=ticket).order_by("started_at", "kind", "cycle"))
    if not clocks:
        return []
    calendar = _ticket_calendar(ticket)
    return [_clock_view(clock, calendar, now) for clock in clocks]


def incident_clock_views(incident: Model, now: datetime) -> list[ClockView]:
    """Return the incident's clocks, oldest first, with their state and business minutes at ``now``.

    The minutes count on the calendar of the incident policy for the
    incident's priority, read once per priority inside a ``memo.scope()``.
    Without such a policy (deleted since), they count wall-clock minutes.
    """
    return incidents_clock_views([incident], now)[incident.pk]


def incidents_clock_views(incidents: list[Model], now: datetime) -> dict[int, list[ClockView]]:
    """``incident_clock_views`` for several incidents, keyed by primary key, in one query."""
    views: dict[int, list[ClockView]] = {incident.pk: [] for incident in incidents}
    priorities = {incident.pk: getattr(incident, "priority", "") for incident in incidents}
    clocks = SlaClock.objects.filter(incident__in=list(views)).order_by(
        "started_at", "kind", "cycle"
    )
    calendars: dict[str, BusinessCalendar | None] = {}
    for found in clocks:
        priority = priorities[found.incident_id]
        if priority not in calendars:
            calendars[priority] = _incident_calendar(priority)
        views[found.incident_id].append(_clock_view(found, calendars[priority], now))
    return views


def _incident_calendar(priority: str) -> BusinessCalendar | None:
    def read() -> BusinessCalendar | None:
        policy = (
            IncidentPolicy.objects.select_related("calendar")
            .prefetch_related("calendar__opening_intervals", "calendar__dates")
            .filter(priority=priority)
            .first()
        )
        return calendar_from_record(policy.calendar) if policy is not None else None

    return memo.settled(("sla.incident_calendar", priority), read)


def _ticket_calendar(ticket: Ticket) -> BusinessCalendar | None:
    if ticket.organization is None:
        return None
    found = policy_with_calendar(ticket.organization.plan, ticket.priority)
    return found[1] if found is not None else None


def _clock_view(clock: SlaClock, calendar: BusinessCalendar | None, now: datetime) -> ClockView:
    end = clock.met_at or clock.paused_since or now
    if calendar is not None:
        counted = business_minutes_between(calendar, clock.started_at, end)
    else:
        counted = max(0, int((end - clock.started_at).total_seconds() // 60))
    elapsed = max(0, counted - clock.paused_minutes)
    pauses = [
        (datetime.fromisoformat(start), datetime.fromisoformat(stop) if stop else None)
        for start, stop in clock.pauses
    ]
    return ClockView(
        clock=clock,
        label=clock_kind_label(clock.kind),
        state=_clock_state(clock, now),
        elapsed_minutes=elapsed,
        remaining_minutes=clock.target_minutes - elapsed,
        pauses=pauses,
    )


def _clock_state(clock: SlaClock, now: datetime) -> str:
    if clock.met_at is not None:
        return "breached" if clock.breached_at is not None else "met"
    if clock.paused_since is not None:
        return "paused"
    if clock.due_at <= now:
        return "breached"
    if clock.warn_at <= now:
        return "at_risk"
    return "running"


def clock_kind_label(kind: str | None) -> str:
    """Return the translated label of a clock kind, such as "First response"; "" for None.

    A kind that is no longer a ``ClockKind`` shows as stored.
    """
    if kind is None:
        return ""
    try:
        return str(ClockKind(kind).label)
    except ValueError:
        return kind
