"""Reads of calendars and SLA policies."""

from django.utils.translation import gettext as _

from relaydesk.core.errors import ValidationFailed
from relaydesk.customers.models import Plan
from relaydesk.sla.business_time import BusinessCalendar, Intervals
from relaydesk.sla.checks import (
    check_calendar_date,
    check_calendar_has_hours,
    check_holiday_region,
    check_opening_interval,
    check_time_zone,
    check_weekly_hours,
)
from relaydesk.sla.models import Calendar, CalendarDateKind, SlaPolicy


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
