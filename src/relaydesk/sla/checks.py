"""Validation of calendars, opening intervals and SLA policies.

Each ``check_*`` function returns the value in its stored form or raises a
ValidationFailed subclass from ``sla.errors`` whose message names the value and
the fix. None of them touches the database.
"""

import itertools
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date, time

import holidays
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from relaydesk.sla.business_time import (
    WEEKDAYS,
    Intervals,
    OpenInterval,
    parse_clock_time,
)
from relaydesk.sla.errors import (
    InvalidCalendar,
    InvalidCalendarDate,
    InvalidHolidayRegion,
    InvalidOpeningInterval,
    InvalidSlaPolicy,
    InvalidTimeZone,
)
from relaydesk.sla.models import CalendarDateKind, IncidentPolicy, SlaPolicy, Weekday
from relaydesk.tickets.models import Priority

# A year of minutes (365 days of 1,440). A longer target promises no service,
# and its due time on a calendar open an hour a week lies centuries ahead.
MAX_TARGET_MINUTES = 525_600


def check_time_zone(name: str) -> str:
    """Return ``name`` if it is an IANA time zone, else raise InvalidTimeZone."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidTimeZone(
            _("Time zone %(value)r is unknown: use an IANA name such as Europe/Lisbon.")
            % {"value": name}
        ) from None
    return name


def check_holiday_region(country: str, subdivision: str = "") -> tuple[str, str]:
    """Return the holiday country and subdivision codes that the ``holidays`` package uses.

    ``country`` is an ISO 3166-1 alpha-2 code, empty for no public holidays.
    ``subdivision`` may be the package's code (``11``), the ISO 3166-2 form
    (``PT-11``) or the package's name for it (``Lisboa``).
    """
    country = country.strip().upper()
    subdivision = subdivision.strip()
    if not country:
        if subdivision:
            raise InvalidHolidayRegion(
                _("Holiday subdivision %(value)r needs a holiday country: set one, such as PT.")
                % {"value": subdivision}
            )
        return "", ""
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise InvalidHolidayRegion(
            _(
                "Holiday country %(value)r is unknown: use an ISO 3166-1 alpha-2 code "
                "that the holidays package supports, such as PT."
            )
            % {"value": country}
        )
    if not subdivision:
        return country, ""
    return country, _check_subdivision(country, subdivision, supported[country])


def _check_subdivision(country: str, subdivision: str, codes: list[str]) -> str:
    code = subdivision.upper().removeprefix(f"{country}-")
    if code in codes:
        return code
    aliases = holidays.country_holidays(country).subdivisions_aliases
    if subdivision in aliases:
        return aliases[subdivision]
    raise InvalidHolidayRegion(
        _("Holiday subdivision %(value)r is unknown in %(country)s: use one of %(choices)s.")
        % {"value": subdivision, "country": country, "choices": ", ".join(codes) or _("none")}
    )


def check_weekday(weekday: int) -> int:
    if weekday not in range(WEEKDAYS):
        raise InvalidOpeningInterval(
            _("Weekday %(value)r is invalid: use 0 for Monday up to 6 for Sunday.")
            % {"value": weekday}
        )
    return weekday


def check_opening_interval(start: time, end: time | None) -> OpenInterval:
    """Return the interval from ``start`` to ``end``, where ``end=None`` means 24:00."""
    if end is None or start < end:
        return OpenInterval.from_times(start, end)
    values = {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    if start == end:
        raise InvalidOpeningInterval(
            _("Opening interval %(start)s-%(end)s is invalid: the start must be before the end.")
            % values
        )
    raise InvalidOpeningInterval(
        _(
            "Opening interval %(start)s-%(end)s is invalid: the start must be before the "
            "end. For hours across midnight, add %(start)s-24:00 on this weekday (an end "
            "of 24:00 or empty) and 00:00-%(end)s on the next."
        )
        % values
    )


def check_no_overlap(intervals: Iterable[OpenInterval], where: str) -> Intervals:
    """Return ``intervals`` sorted, or raise InvalidOpeningInterval if two overlap."""
    ordered = tuple(sorted(intervals))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.start_minute < earlier.end_minute:
            raise InvalidOpeningInterval(
                _("Opening intervals %(first)s and %(second)s on %(day)s overlap: merge them.")
                % {"first": earlier, "second": later, "day": where}
            )
    return ordered


def check_weekly_hours(intervals: Iterable[tuple[int, OpenInterval]]) -> tuple[Intervals, ...]:
    """Group ``(weekday, interval)`` pairs into seven sorted days, Monday first."""
    days: list[list[OpenInterval]] = [[] for _day in range(WEEKDAYS)]
    for weekday, interval in intervals:
        days[check_weekday(weekday)].append(interval)
    return tuple(check_no_overlap(hours, _weekday_name(index)) for index, hours in enumerate(days))


def _weekday_name(index: int) -> str:
    return str(Weekday(index).label)


def check_date_intervals(raw: object, day: date) -> Intervals:
    """Parse a calendar date's JSON ``[["HH:MM", "HH:MM"], ...]`` into sorted intervals."""
    if not isinstance(raw, list):
        raise InvalidCalendarDate(
            _(
                "Intervals %(value)r on %(day)s are invalid: "
                'write a list such as [["09:00", "13:00"]].'
            )
            % {"value": raw, "day": day.isoformat()}
        )
    return check_no_overlap((_parse_pair(pair, day) for pair in raw), day.isoformat())


def _parse_pair(pair: object, day: date) -> OpenInterval:
    message = _(
        "Interval %(value)r on %(day)s is invalid: write it as a pair of HH:MM times "
        'with the start first, such as ["09:00", "13:00"] or ["18:00", "24:00"].'
    ) % {"value": pair, "day": day.isoformat()}
    if not (isinstance(pair, list | tuple) and len(pair) == 2):
        raise InvalidCalendarDate(message)
    start, end = pair
    if not (isinstance(start, str) and isinstance(end, str)):
        raise InvalidCalendarDate(message)
    try:
        return OpenInterval(parse_clock_time(start), parse_clock_time(end))
    except ValueError:
        raise InvalidCalendarDate(message) from None


def check_calendar_date(kind: str, raw_intervals: object, day: date) -> Intervals:
    """Return the intervals of a custom date, which must be none for a closed date."""
    if kind not in CalendarDateKind.values:
        raise InvalidCalendarDate(
            _("Date kind %(value)r is invalid: use one of %(choices)s.")
            % {"value": kind, "choices": ", ".join(CalendarDateKind.values)}
        )
    intervals = check_date_intervals(raw_intervals, day)
    if kind == CalendarDateKind.CLOSED and intervals:
        raise InvalidCalendarDate(
            _(
                "Closed date %(day)s has opening intervals %(intervals)s: "
                "remove them or mark the date open."
            )
            % {"day": day.isoformat(), "intervals": ", ".join(map(str, intervals))}
        )
    return intervals


def check_calendar_has_hours(
    name: str, is_24x7: bool, weekly: tuple[Intervals, ...], open_dates: Mapping[date, Intervals]
) -> None:
    """Raise InvalidCalendar for a calendar that is never open."""
    if is_24x7 or any(weekly) or any(open_dates.values()):
        return
    raise InvalidCalendar(
        _("Calendar %(name)r has no opening hours: add opening intervals or mark it 24x7.")
        % {"name": name}
    )


def check_24x7_without_hours(name: str, is_24x7: bool, weekly: tuple[Intervals, ...]) -> None:
    """Raise InvalidCalendar for a calendar open 24x7 that also has weekly opening intervals.

    Open 24x7 replaces the weekly hours in ``BusinessCalendar.intervals_on``,
    so the intervals would count for nothing. Only writes check this: a
    record saved with both before counts as open 24x7.
    """
    if is_24x7 and any(weekly):
        raise InvalidCalendar(
            _(
                "Calendar %(name)r is open 24x7 and also has opening intervals, which 24x7 "
                "replaces: remove the intervals or turn open 24x7 off."
            )
            % {"name": name}
        )


def check_priority(priority: str) -> str:
    if priority not in Priority.values:
        raise InvalidSlaPolicy(
            _("Priority %(value)r is invalid: use one of %(choices)s.")
            % {"value": priority, "choices": ", ".join(Priority.values)}
        )
    return priority


def check_target_minutes(label: str, value: object) -> int:
    """Return ``value`` if it is a whole number of minutes from 1 to MAX_TARGET_MINUTES.

    Raises InvalidSlaPolicy naming the target by ``label``, such as "Resolution minutes".
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_TARGET_MINUTES
    ):
        raise InvalidSlaPolicy(
            _(
                "%(field)s %(value)s is out of range: "
                "use a whole number from 1 to %(maximum)s (one year)."
            )
            % {"field": label, "value": value, "maximum": format_minutes(MAX_TARGET_MINUTES)}
        )
    return value


def format_minutes(minutes: int) -> str:
    """Return ``minutes`` with the thousands grouped as the active language writes them."""
    return number_format(minutes, force_grouping=True)


def check_incident_minutes(triage: int, workaround: int, resolution: int) -> None:
    """Raise InvalidSlaPolicy unless each target is in range and triage <= workaround <= resolution.

    An incident is triaged before it gets a workaround and has a workaround
    before its resolution, so a later stage with a shorter target could
    never be met after the earlier one.
    """
    targets = [
        (str(IncidentPolicy._meta.get_field(name).verbose_name), value)
        for name, value in (
            ("triage_minutes", triage),
            ("workaround_minutes", workaround),
            ("resolution_minutes", resolution),
        )
    ]
    for label, value in targets:
        check_target_minutes(capfirst(label), value)
    for (earlier, first), (later, second) in itertools.pairwise(targets):
        if first > second:
            raise InvalidSlaPolicy(
                _(
                    "%(earlier)s %(first)s exceed %(later)s %(second)s, a later stage of "
                    "the incident: shorten the first or lengthen the second."
                )
                % {
                    "earlier": capfirst(earlier),
                    "first": format_minutes(first),
                    "later": later,
                    "second": format_minutes(second),
                }
            )


def check_sla_minutes(first_response: int, next_response: int, resolution: int) -> None:
    """Raise InvalidSlaPolicy unless every target is in range and none exceeds resolution."""
    targets = {
        "first_response_minutes": first_response,
        "next_response_minutes": next_response,
        "resolution_minutes": resolution,
    }
    for name, value in targets.items():
        check_target_minutes(capfirst(SlaPolicy._meta.get_field(name).verbose_name), value)
    if first_response > resolution:
        raise InvalidSlaPolicy(
            _(
                "First response target %(first)s minutes exceeds the resolution target "
                "%(resolution)s minutes: shorten the first or lengthen the second."
            )
            % {"first": first_response, "resolution": resolution}
        )
