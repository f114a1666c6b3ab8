"""Business calendars shared by the business-time tests, built in code."""

from relaydesk.sla.business_time import BusinessCalendar, OpenInterval

WORKDAYS = 5
WEEKEND = ((), ())


def weekdays(*intervals: tuple[str, str]) -> tuple[tuple[OpenInterval, ...], ...]:
    """Return weekly hours with ``intervals`` on Monday to Friday and a closed weekend."""
    day = tuple(OpenInterval.parse(start, end) for start, end in intervals)
    return (day,) * WORKDAYS + WEEKEND


def every_day(*intervals: tuple[str, str]) -> tuple[tuple[OpenInterval, ...], ...]:
    day = tuple(OpenInterval.parse(start, end) for start, end in intervals)
    return (day,) * 7


OFFICE = BusinessCalendar(
    name="Office",
    time_zone="Europe/Lisbon",
    weekly_hours=weekdays(("09:00", "18:00")),
    holiday_country="PT",
)

LUNCH_BREAK = BusinessCalendar(
    name="Lunch break",
    time_zone="Europe/Lisbon",
    weekly_hours=weekdays(("09:00", "13:00"), ("14:00", "18:00")),
    holiday_country="PT",
)

EXTENDED = BusinessCalendar(
    name="Extended",
    time_zone="Europe/Lisbon",
    weekly_hours=weekdays(("08:00", "20:00"))[:5] + ((OpenInterval.parse("09:00", "13:00"),), ()),
    holiday_country="PT",
)

NIGHT = BusinessCalendar(
    name="Night",
    time_zone="Europe/Lisbon",
    weekly_hours=every_day(("00:30", "02:30"), ("22:00", "24:00")),
)

ALWAYS_UTC = BusinessCalendar(name="Always UTC", time_zone="UTC", is_24x7=True)

ALWAYS_LISBON = BusinessCalendar(name="Always Lisbon", time_zone="Europe/Lisbon", is_24x7=True)
