"""Business-time arithmetic over a business calendar: pure functions, no database.

A calendar opens during local intervals of its time zone. Every computation
converts those local bounds to real instants and measures real elapsed time,
so an interval 00:30-02:30 in Europe/Lisbon lasts 60 minutes on the day the
clocks go forward and 180 minutes on the day they go back.

Local times that a daylight-saving change makes odd are converted this way:

- An ambiguous local time (the repeated hour when the clocks go back) means
  its first occurrence, as ``fold=0`` does in zoneinfo.
- A non-existent local time (the hour skipped when the clocks go forward)
  means the instant the clocks jump, the first moment after the gap. So an
  interval that lies wholly inside the gap has no open time, and the gap
  inside a longer interval counts for nothing.

The functions walk over open intervals day by day, never minute by minute.
They return UTC datetimes: Python never considers an ambiguous local time
equal to a datetime in another zone (PEP 495), so a result in local time
could compare unequal to the same instant.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = 7
# A search for the next open time gives up after this many consecutive closed
# days, so a calendar without opening hours raises instead of looping forever.
MAX_CLOSED_DAYS = 3 * 366
# A walk over open time gives up this many days (about 200 years) after its
# start. Without the bound, a target on a calendar open a minute a week walks
# day by day for seconds and then fails past the year 9999. One year of
# business minutes, the largest SLA target, on a calendar open an hour a
# week ends 168 years ahead, within the bound.
MAX_DAYS_AHEAD = 200 * 366

Span = tuple[datetime, datetime]


class NoOpenTime(ValueError):
    """The calendar has no open time within ``MAX_CLOSED_DAYS`` of an instant."""


class TooFarAhead(ValueError):
    """The open time asked for ends more than ``MAX_DAYS_AHEAD`` days after the start."""


def parse_clock_time(text: str) -> int:
    """Return the minutes after midnight of ``text`` in ``HH:MM`` form, ``24:00`` included."""
    hours, separator, minutes = text.strip().partition(":")
    if not (separator and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"clock time {text!r} is invalid: write it as HH:MM, such as 09:30")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > MINUTES_PER_DAY:
        raise ValueError(f"clock time {text!r} is out of range: use 00:00 to 24:00")
    return value


def format_clock_time(minute: int) -> str:
    """Return ``HH:MM`` for ``minute`` after midnight, writing 1440 as ``24:00``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, order=True)
class OpenInterval:
    """Opening hours within one local day, as minutes after local midnight.

    ``end_minute`` 1440 means 24:00, the end of the day.
    """

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError(
                f"opening interval {self} is invalid: the start must be before the end, "
                "both within 00:00-24:00"
            )

    @classmethod
    def parse(cls, start: str, end: str) -> OpenInterval:
        """Build an interval from ``HH:MM`` texts, where ``end`` may be ``24:00``."""
        return cls(parse_clock_time(start), parse_clock_time(end))

    @classmethod
    def from_times(cls, start: time, end: time | None) -> OpenInterval:
        """Build an interval from clock times, where ``end=None`` means 24:00."""
        end_minute = MINUTES_PER_DAY if end is None else end.hour * 60 + end.minute
        return cls(start.hour * 60 + start.minute, end_minute)

    def __str__(self) -> str:
        return f"{format_clock_time(self.start_minute)}-{format_clock_time(self.end_minute)}"


WHOLE_DAY = (OpenInterval(0, MINUTES_PER_DAY),)
Intervals = tuple[OpenInterval, ...]


def _sorted_intervals(intervals: Intervals, where: str) -> Intervals:
    ordered = tuple(sorted(intervals))
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later.start_minute < earlier.end_minute:
            raise ValueError(f"opening intervals {earlier} and {later} on {where} overlap")
    return ordered


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Return the public holidays of one year from the ``holidays`` package, cached."""
    table = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(table.keys())


@dataclass(frozen=True)
class BusinessCalendar:
    """The open hours that business time counts, in one IANA time zone.

    ``weekly_hours`` has seven entries, Monday first. ``is_24x7`` replaces the
    weekly hours with whole days. Public holidays and custom dates still apply,
    so an always-open calendar leaves ``holiday_country`` empty. A date in
    ``open_dates`` is open even on a public holiday: with its own intervals, or
    with the weekday's hours when its intervals are empty. A date in
    ``closed_dates`` is closed whatever the weekday.
    """

    name: str
    time_zone: str
    weekly_hours: tuple[Intervals, ...] = ((),) * WEEKDAYS
    holiday_country: str = ""
    holiday_subdivision: str = ""
    closed_dates: frozenset[date] = frozenset()
    open_dates: Mapping[date, Intervals] = field(default_factory=dict)
    is_24x7: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"calendar {self.name!r}: time zone {self.time_zone!r} is unknown"
            ) from None
        if len(self.weekly_hours) != WEEKDAYS:
            raise ValueError(f"calendar {self.name!r} needs 7 weekdays of hours, Monday first")
        weekly = tuple(
            _sorted_intervals(tuple(hours), f"weekday {index}")
            for index, hours in enumerate(self.weekly_hours)
        )
        open_dates = {
            day: _sorted_intervals(tuple(hours), day.isoformat())
            for day, hours in self.open_dates.items()
        }
        both = self.closed_dates.intersection(open_dates)
        if both:
            first = min(both).isoformat()
            raise ValueError(f"calendar {self.name!r} has {first} both as closed and open date")
        if self.holiday_country:
            self._check_holiday_region()
        object.__setattr__(self, "weekly_hours", weekly)
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        object.__setattr__(self, "open_dates", MappingProxyType(open_dates))

    def _check_holiday_region(self) -> None:
        try:
            holidays.country_holidays(self.holiday_country, subdiv=self.holiday_subdivision or None)
        except NotImplementedError:
            region = "-".join(filter(None, (self.holiday_country, self.holiday_subdivision)))
            raise ValueError(
                f"calendar {self.name!r}: holiday region {region!r} is unknown "
                "to the holidays package"
            ) from None

    def __hash__(self) -> int:
        # Computed once: the value is immutable, and caches hash it often.
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (
                    self.name,
                    self.time_zone,
                    self.weekly_hours,
                    self.holiday_country,
                    self.holiday_subdivision,
                    self.closed_dates,
                    frozenset(self.open_dates.items()),
                    self.is_24x7,
                )
            )
            object.__setattr__(self, "_hash", cached)
        return cached

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_public_holiday(self, day: date) -> bool:
        if not self.holiday_country:
            return False
        return day in public_holidays(self.holiday_country, self.holiday_subdivision, day.year)

    def intervals_on(self, day: date) -> Intervals:
        """Return the local opening intervals of ``day``, after holidays and custom dates."""
        regular = WHOLE_DAY if self.is_24x7 else self.weekly_hours[day.weekday()]
        if day in self.open_dates:
            return self.open_dates[day] or regular
        if day in self.closed_dates or self.is_public_holiday(day):
            return ()
        return regular


def _check_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} {value.isoformat()} is naive: pass an aware datetime")


def _gap_end(local: datetime, zone: ZoneInfo) -> datetime:
    """Return the instant the clocks jump over the non-existent local time ``local``."""
    # With the offset after the jump the local time lands before the jump, and
    # with the offset before it, after. Bisect whole seconds between the two, since
    # tz database transitions fall on whole seconds.
    before = int(local.replace(tzinfo=zone, fold=1).timestamp())
    after = int(local.replace(tzinfo=zone, fold=0).timestamp())
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= local:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _to_instant(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of local ``day`` plus ``minute``, with fold=0 and gaps skipped."""
    local = datetime.combine(day, time()) + timedelta(minutes=minute)
    instant = local.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local:
        return instant
    return _gap_end(local, zone)


# Clocks of one plan ask for the same few weeks of days again and again.
@functools.lru_cache(maxsize=4096)
def _day_spans(calendar: BusinessCalendar, day: date, zone: ZoneInfo) -> tuple[Span, ...]:
    """Return the open spans of local ``day`` as UTC instants, in order."""
    spans = []
    for interval in calendar.intervals_on(day):
        start = _to_instant(day, interval.start_minute, zone)
        end = _to_instant(day, interval.end_minute, zone)
        if end > start:
            spans.append((start, end))
    return tuple(spans)


def _open_spans(calendar: BusinessCalendar, since: datetime) -> Iterator[Span]:
    """Yield the open spans that end after ``since``, in order, the first clipped to ``since``.

    Raises NoOpenTime after ``MAX_CLOSED_DAYS`` consecutive days without an open
    span, and TooFarAhead after ``MAX_DAYS_AHEAD`` days. A caller that stops
    early never reaches either bound.
    """
    zone = calendar.zone
    # Start one day early: the spans of a local day lie within its local
    # midnights, and this keeps the instant's own day covered around DST changes.
    day = since.astimezone(zone).date() - timedelta(days=1)
    last_day = day + timedelta(days=MAX_DAYS_AHEAD)
    closed_days = 0
    while closed_days <= MAX_CLOSED_DAYS:
        if day > last_day:
            raise _too_far_ahead(calendar, since)
        spans = [(max(start, since), end) for start, end in _day_spans(calendar, day, zone)]
        spans = [span for span in spans if span[1] > since]
        closed_days = 0 if spans else closed_days + 1
        yield from spans
        day += timedelta(days=1)
    raise NoOpenTime(
        f"calendar {calendar.name!r} has no open time in the {MAX_CLOSED_DAYS} days after "
        f"{since.isoformat()}: give it opening hours or remove closed dates"
    )


def _too_far_ahead(calendar: BusinessCalendar, since: datetime) -> TooFarAhead:
    return TooFarAhead(
        f"calendar {calendar.name!r} has not enough open time in the {MAX_DAYS_AHEAD} days "
        f"after {since.isoformat()}: ask for fewer minutes or give the calendar more "
        "opening hours"
    )


def is_open(calendar: BusinessCalendar, instant: datetime) -> bool:
    """Return whether the calendar is open at ``instant`` (an interval's end is closed)."""
    _check_aware("instant", instant)
    zone = calendar.zone
    day = instant.astimezone(zone).date()
    for offset in (-1, 0):
        for start, end in _day_spans(calendar, day + timedelta(days=offset), zone):
            if start <= instant < end:
                return True
    return False


def next_opening(calendar: BusinessCalendar, instant: datetime) -> datetime:
    """Return ``instant`` if the calendar is open then, else the next opening, in UTC.

    Raises NoOpenTime when the
    calendar stays closed for ``MAX_CLOSED_DAYS`` days.
    """
    _check_aware("instant", instant)
    start, _end = next(_open_spans(calendar, instant))
    return start.astimezone(UTC)


def add_business_minutes(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    """Return the instant ``minutes`` of open time after ``start``, in UTC.

    Counting begins at ``start`` if the calendar is open then, else at the next
    opening, so ``minutes=0`` returns ``next_opening(calendar, start)``. A
    result that falls exactly on an interval's end stays there rather than
    moving to the next opening. Raises ValueError for a naive ``start`` or
    negative ``minutes``, NoOpenTime when the calendar stays closed for
    ``MAX_CLOSED_DAYS`` days, and TooFarAhead when the result lies more than
    ``MAX_DAYS_AHEAD`` days ahead.
    """
    _check_aware("start", start)
    if minutes < 0:
        raise ValueError(f"minutes {minutes} is negative: business time only moves forward")
    if minutes > 2 * MAX_DAYS_AHEAD * MINUTES_PER_DAY:
        # Even an always-open calendar cannot give that many within the bound,
        # and a large enough count would overflow timedelta.
        raise _too_far_ahead(calendar, start)
    remaining = timedelta(minutes=minutes)
    for span_start, span_end in _open_spans(calendar, start):
        if remaining <= span_end - span_start:
            return (span_start + remaining).astimezone(UTC)
        remaining -= span_end - span_start
    raise AssertionError("_open_spans ends only by raising NoOpenTime or TooFarAhead")


def business_minutes_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Return the whole minutes of open time from ``start`` to ``end``, or 0 if ``end <= start``.

    Seconds left over are dropped. Never raises NoOpenTime: the walk stops at ``end``.
    """
    _check_aware("start", start)
    _check_aware("end", end)
    if end <= start:
        return 0
    zone = calendar.zone
    total = timedelta()
    day = start.astimezone(zone).date() - timedelta(days=1)
    # One day beyond the end's local date covers an end inside a repeated hour.
    last_day = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last_day:
        for span_start, span_end in _day_spans(calendar, day, zone):
            overlap = min(span_end, end) - max(span_start, start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return total // timedelta(minutes=1)
