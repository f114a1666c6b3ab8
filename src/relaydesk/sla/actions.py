"""Create and change calendars and SLA policies, with their validation.

Every action checks all its input before it writes, so bad input raises a
ValidationFailed subclass from ``sla.errors`` and leaves stored data as it was.
"""

import logging
from collections.abc import Iterable
from datetime import date, time

from django.db import transaction
from django.utils.translation import gettext as _

from relaydesk.customers.models import Plan
from relaydesk.sla.business_time import Intervals, format_clock_time
from relaydesk.sla.checks import (
    check_24x7_without_hours,
    check_calendar_date,
    check_holiday_region,
    check_opening_interval,
    check_priority,
    check_sla_minutes,
    check_time_zone,
    check_weekly_hours,
)
from relaydesk.sla.errors import InvalidCalendar
from relaydesk.sla.models import Calendar, CalendarDate, OpeningInterval, SlaPolicy
from relaydesk.sla.queries import calendar_from_record

logger = logging.getLogger(__name__)

WeeklyRow = tuple[int, time, time | None]


def create_calendar(
    *,
    name: str,
    time_zone: str = "Europe/Lisbon",
    holiday_country: str = "",
    holiday_subdivision: str = "",
    is_24x7: bool = False,
    opening_hours: Iterable[WeeklyRow] = (),
) -> Calendar:
    """Create a calendar with its weekly ``(weekday, start, end)`` rows.

    An ``end`` of None means 24:00.
    """
    name = name.strip()
    if not name:
        raise InvalidCalendar(_("The calendar name is empty: give the calendar a name."))
    if Calendar.objects.filter(name=name).exists():
        raise InvalidCalendar(
            _("Calendar %(name)r already exists: choose another name.") % {"name": name}
        )
    time_zone = check_time_zone(time_zone)
    country, subdivision = check_holiday_region(holiday_country, holiday_subdivision)
    rows = list(opening_hours)
    check_24x7_without_hours(name, is_24x7, _check_rows(rows))

    with transaction.atomic():
        calendar = Calendar.objects.create(
            name=name,
            time_zone=time_zone,
            holiday_country=country,
            holiday_subdivision=subdivision,
            is_24x7=is_24x7,
        )
        _create_rows(calendar, rows)
    logger.info("calendar created", extra={"calendar": calendar.pk})
    return calendar


def replace_opening_hours(calendar: Calendar, opening_hours: Iterable[WeeklyRow]) -> None:
    """Replace all weekly opening intervals of ``calendar`` with ``opening_hours``."""
    rows = list(opening_hours)
    check_24x7_without_hours(calendar.name, calendar.is_24x7, _check_rows(rows))

    with transaction.atomic():
        calendar.opening_intervals.all().delete()
        _create_rows(calendar, rows)
    logger.info("calendar opening hours replaced", extra={"calendar": calendar.pk})


def _check_rows(rows: list[WeeklyRow]) -> tuple[Intervals, ...]:
    return check_weekly_hours(
        (weekday, check_opening_interval(start, end)) for weekday, start, end in rows
    )


def _create_rows(calendar: Calendar, rows: list[WeeklyRow]) -> None:
    OpeningInterval.objects.bulk_create(
        OpeningInterval(calendar=calendar, weekday=weekday, start_time=start, end_time=end)
        for weekday, start, end in rows
    )


def set_calendar_date(
    calendar: Calendar,
    day: date,
    *,
    kind: str,
    intervals: list[list[str]] | None = None,
    note: str = "",
) -> CalendarDate:
    """Mark ``day`` closed or open in ``calendar``, replacing any earlier entry for it.

    ``intervals`` are ``["HH:MM", "HH:MM"]`` pairs and are stored in that form.
    """
    parsed = check_calendar_date(kind, intervals or [], day)
    stored = [
        [format_clock_time(interval.start_minute), format_clock_time(interval.end_minute)]
        for interval in parsed
    ]

    entry, _created = CalendarDate.objects.update_or_create(
        calendar=calendar,
        date=day,
        defaults={"kind": kind, "intervals": stored, "note": note.strip()[:200]},
    )
    return entry


def set_sla_policy(
    *,
    plan: Plan,
    priority: str,
    calendar: Calendar,
    first_response_minutes: int,
    next_response_minutes: int,
    resolution_minutes: int,
) -> SlaPolicy:
    """Create or change the SLA policy of ``plan`` and ``priority``.

    The calendar must pass ``calendar_from_record``, so no policy counts
    business time on a calendar that is never open.
    """
    check_priority(priority)
    check_sla_minutes(first_response_minutes, next_response_minutes, resolution_minutes)
    calendar_from_record(calendar)

    policy, _created = SlaPolicy.objects.update_or_create(
        plan=plan,
        priority=priority,
        defaults={
            "calendar": calendar,
            "first_response_minutes": first_response_minutes,
            "next_response_minutes": next_response_minutes,
            "resolution_minutes": resolution_minutes,
        },
    )
    logger.info("sla policy set", extra={"sla_policy": policy.pk, "plan": plan.pk})
    return policy
