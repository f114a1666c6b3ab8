"""Creating and changing calendars and SLA policies."""

from datetime import date, time

import pytest

from relaydesk.customers.models import Plan
from relaydesk.sla import actions
from relaydesk.sla.business_time import OpenInterval
from relaydesk.sla.errors import (
    InvalidCalendar,
    InvalidCalendarDate,
    InvalidHolidayRegion,
    InvalidOpeningInterval,
    InvalidSlaPolicy,
    InvalidTimeZone,
)
from relaydesk.sla.models import Calendar, SlaPolicy
from relaydesk.sla.queries import calendar_from_record
from tests.factories import CalendarFactory, OpeningIntervalFactory

pytestmark = pytest.mark.django_db

MONDAY_MORNING = [(0, time(9), time(13))]


def test_create_calendar_stores_intervals_and_region():
    calendar = actions.create_calendar(
        name=" Lisbon desk ",
        holiday_country="pt",
        holiday_subdivision="PT-11",
        opening_hours=[(0, time(9), time(13)), (0, time(14), None)],
    )
    assert calendar.name == "Lisbon desk"
    assert calendar.holiday_country == "PT"
    assert calendar.holiday_subdivision == "11"
    value = calendar_from_record(calendar)
    assert value.weekly_hours[0] == (OpenInterval(540, 780), OpenInterval(840, 1440))


def test_create_calendar_rejects_empty_name():
    with pytest.raises(InvalidCalendar):
        actions.create_calendar(name="  ", opening_hours=MONDAY_MORNING)


def test_create_calendar_rejects_taken_name():
    CalendarFactory(name="Desk")
    with pytest.raises(InvalidCalendar) as raised:
        actions.create_calendar(name="Desk", opening_hours=MONDAY_MORNING)
    assert "'Desk'" in raised.value.message


def test_create_calendar_rejects_unknown_time_zone():
    with pytest.raises(InvalidTimeZone):
        actions.create_calendar(name="Desk", time_zone="Lisbon", opening_hours=MONDAY_MORNING)
    assert not Calendar.objects.filter(name="Desk").exists()


def test_create_calendar_rejects_unknown_country():
    with pytest.raises(InvalidHolidayRegion):
        actions.create_calendar(name="Desk", holiday_country="ZZ", opening_hours=MONDAY_MORNING)
    assert not Calendar.objects.filter(name="Desk").exists()


def test_create_calendar_rejects_overnight_interval():
    with pytest.raises(InvalidOpeningInterval) as raised:
        actions.create_calendar(name="Desk", opening_hours=[(4, time(18), time(9))])
    assert "18:00-09:00" in raised.value.message
    assert not Calendar.objects.filter(name="Desk").exists()


def test_replace_opening_hours_rejects_overlap():
    calendar = CalendarFactory()
    OpeningIntervalFactory(calendar=calendar)
    with pytest.raises(InvalidOpeningInterval):
        actions.replace_opening_hours(calendar, [(1, time(9), time(13)), (1, time(12), time(14))])
    assert calendar.opening_intervals.count() == 1


def test_replace_opening_hours_replaces_rows():
    calendar = CalendarFactory()
    OpeningIntervalFactory(calendar=calendar)
    actions.replace_opening_hours(calendar, [(5, time(9), time(13))])
    assert list(calendar.opening_intervals.values_list("weekday", flat=True)) == [5]


def test_set_calendar_date_stores_normalised_intervals():
    calendar = CalendarFactory()
    entry = actions.set_calendar_date(
        calendar, date(2026, 12, 8), kind="open", intervals=[["14:00", "24:00"], ["9:00", "12:00"]]
    )
    assert entry.intervals == [["09:00", "12:00"], ["14:00", "24:00"]]


def test_set_calendar_date_replaces_earlier_entry():
    calendar = CalendarFactory()
    actions.set_calendar_date(calendar, date(2026, 12, 8), kind="open")
    actions.set_calendar_date(calendar, date(2026, 12, 8), kind="closed", note="Inventory")
    assert calendar.dates.get().kind == "closed"


def test_set_calendar_date_rejects_closed_with_intervals():
    calendar = CalendarFactory()
    with pytest.raises(InvalidCalendarDate):
        actions.set_calendar_date(
            calendar, date(2026, 12, 8), kind="closed", intervals=[["09:00", "12:00"]]
        )
    assert not calendar.dates.exists()


def test_set_sla_policy_changes_shipped_targets():
    plan = Plan.objects.get(code="premium")
    calendar = Calendar.objects.get(name="Premium extended hours")
    actions.set_sla_policy(
        plan=plan,
        priority="urgent",
        calendar=calendar,
        first_response_minutes=15,
        next_response_minutes=30,
        resolution_minutes=120,
    )
    policy = SlaPolicy.objects.get(plan=plan, priority="urgent")
    assert policy.first_response_minutes == 15
    assert SlaPolicy.objects.filter(plan=plan).count() == 4


def test_set_sla_policy_rejects_zero_minutes():
    plan = Plan.objects.get(code="premium")
    calendar = Calendar.objects.get(name="Premium extended hours")
    with pytest.raises(InvalidSlaPolicy):
        actions.set_sla_policy(
            plan=plan,
            priority="urgent",
            calendar=calendar,
            first_response_minutes=0,
            next_response_minutes=30,
            resolution_minutes=120,
        )
    assert SlaPolicy.objects.get(plan=plan, priority="urgent").first_response_minutes == 30


def test_set_sla_policy_rejects_never_open_calendar():
    with pytest.raises(InvalidCalendar):
        actions.set_sla_policy(
            plan=Plan.objects.get(code="universal"),
            priority="low",
            calendar=CalendarFactory(name="Empty"),
            first_response_minutes=60,
            next_response_minutes=60,
            resolution_minutes=600,
        )
    policy = SlaPolicy.objects.get(plan__code="universal", priority="low")
    assert policy.calendar.name == "Universal limited line"


@pytest.mark.parametrize("minutes", [525_601, 2_147_483_647, 99_999_999_999_999])
def test_set_sla_policy_rejects_more_than_one_year(minutes):
    plan = Plan.objects.get(code="premium")
    with pytest.raises(InvalidSlaPolicy) as raised:
        actions.set_sla_policy(
            plan=plan,
            priority="urgent",
            calendar=Calendar.objects.get(name="Premium extended hours"),
            first_response_minutes=30,
            next_response_minutes=60,
            resolution_minutes=minutes,
        )
    assert "525,600" in raised.value.message
    assert SlaPolicy.objects.get(plan=plan, priority="urgent").resolution_minutes == 240


def test_create_calendar_rejects_24x7_with_opening_hours():
    with pytest.raises(InvalidCalendar) as raised:
        actions.create_calendar(name="Always", is_24x7=True, opening_hours=MONDAY_MORNING)
    assert raised.value.code == "invalid_calendar"
    assert raised.value.message == (
        "Calendar 'Always' is open 24x7 and also has opening intervals, which 24x7 "
        "replaces: remove the intervals or turn open 24x7 off."
    )
    assert not Calendar.objects.filter(name="Always").exists()


def test_create_calendar_accepts_24x7_without_opening_hours():
    calendar = actions.create_calendar(name="Always", is_24x7=True)
    assert calendar_from_record(calendar).is_24x7


def test_replace_opening_hours_rejects_hours_on_24x7_calendar():
    calendar = actions.create_calendar(name="Always", is_24x7=True)
    with pytest.raises(InvalidCalendar):
        actions.replace_opening_hours(calendar, MONDAY_MORNING)
    assert not calendar.opening_intervals.exists()
