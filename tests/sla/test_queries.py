"""Reading calendars and SLA policies from the database."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from relaydesk.core import memo
from relaydesk.customers.models import Plan
from relaydesk.sla.business_time import OpenInterval, add_business_minutes
from relaydesk.sla.errors import (
    InvalidCalendar,
    InvalidCalendarDate,
    InvalidHolidayRegion,
    InvalidOpeningInterval,
    InvalidTimeZone,
)
from relaydesk.sla.models import Calendar
from relaydesk.sla.queries import calendar_from_record, policy_with_calendar, sla_policy_for
from tests.factories import CalendarFactory, OpeningIntervalFactory

pytestmark = pytest.mark.django_db

LISBON = ZoneInfo("Europe/Lisbon")


def test_calendar_from_record_reads_intervals():
    calendar = CalendarFactory(holiday_subdivision="11")
    OpeningIntervalFactory(calendar=calendar, weekday=0, start_time=time(14), end_time=None)
    OpeningIntervalFactory(calendar=calendar, weekday=0, start_time=time(9), end_time=time(13))
    value = calendar_from_record(calendar)
    assert value.name == calendar.name
    assert value.time_zone == "Europe/Lisbon"
    assert value.holiday_country == "PT"
    assert value.holiday_subdivision == "11"
    assert value.weekly_hours[0] == (OpenInterval(540, 780), OpenInterval(840, 1440))
    assert value.weekly_hours[1] == ()


def test_calendar_from_record_reads_custom_dates():
    calendar = CalendarFactory()
    OpeningIntervalFactory(calendar=calendar)
    calendar.dates.create(date=date(2026, 1, 5), kind="closed")
    calendar.dates.create(date=date(2026, 12, 8), kind="open", intervals=[["10:00", "12:00"]])
    value = calendar_from_record(calendar)
    assert value.closed_dates == frozenset({date(2026, 1, 5)})
    assert value.open_dates[date(2026, 12, 8)] == (OpenInterval(600, 720),)


def test_calendar_from_record_reads_24x7():
    value = calendar_from_record(CalendarFactory(is_24x7=True, holiday_country=""))
    start = datetime(2026, 12, 25, 12, tzinfo=UTC)
    assert add_business_minutes(value, start, 60) == datetime(2026, 12, 25, 13, tzinfo=UTC)


def test_calendar_from_record_24x7_wins_over_hours():
    # Saved before the admin rejected the pair: open 24x7 replaces the weekly hours.
    calendar = CalendarFactory(is_24x7=True, holiday_country="")
    OpeningIntervalFactory(calendar=calendar, weekday=0, start_time=time(9), end_time=time(13))
    value = calendar_from_record(calendar)
    monday_evening = datetime(2026, 1, 5, 20, tzinfo=UTC)
    assert add_business_minutes(value, monday_evening, 60) == datetime(2026, 1, 5, 21, tzinfo=UTC)


def test_shipped_universal_calendar_computes_due_time():
    # Monday 2026-12-07 17:30 + 120 minutes: 30 on Monday, none on Tuesday (a
    # public holiday), 90 from Wednesday 09:00. Lisbon is on UTC in December.
    calendar = calendar_from_record(Calendar.objects.get(name="Universal limited line"))
    start = datetime(2026, 12, 7, 17, 30, tzinfo=LISBON)
    assert add_business_minutes(calendar, start, 120) == datetime(2026, 12, 9, 10, 30, tzinfo=UTC)


def test_shipped_premium_calendar_opens_saturday_morning():
    calendar = calendar_from_record(Calendar.objects.get(name="Premium extended hours"))
    start = datetime(2026, 12, 4, 19, 30, tzinfo=LISBON)
    assert add_business_minutes(calendar, start, 60) == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def test_calendar_from_record_rejects_bad_time_zone():
    calendar = CalendarFactory(name="Typo zone", time_zone="Europe/Lisbn")
    with pytest.raises(InvalidTimeZone) as raised:
        calendar_from_record(calendar)
    assert raised.value.code == "invalid_time_zone"
    assert "'Typo zone'" in raised.value.message
    assert "'Europe/Lisbn'" in raised.value.message


def test_calendar_from_record_rejects_bad_subdivision():
    calendar = CalendarFactory(holiday_subdivision="99")
    with pytest.raises(InvalidHolidayRegion):
        calendar_from_record(calendar)


def test_calendar_from_record_rejects_overlapping_intervals():
    calendar = CalendarFactory()
    OpeningIntervalFactory(calendar=calendar, start_time=time(9), end_time=time(13))
    OpeningIntervalFactory(calendar=calendar, start_time=time(12), end_time=time(18))
    with pytest.raises(InvalidOpeningInterval):
        calendar_from_record(calendar)


def test_calendar_from_record_rejects_closed_date_with_intervals():
    calendar = CalendarFactory()
    OpeningIntervalFactory(calendar=calendar)
    calendar.dates.create(date=date(2026, 1, 5), kind="closed", intervals=[["09:00", "12:00"]])
    with pytest.raises(InvalidCalendarDate):
        calendar_from_record(calendar)


def test_calendar_from_record_rejects_calendar_without_hours():
    calendar = CalendarFactory(name="Empty")
    with pytest.raises(InvalidCalendar) as raised:
        calendar_from_record(calendar)
    assert "'Empty'" in raised.value.message


def test_sla_policy_for_returns_shipped_policy():
    policy = sla_policy_for(Plan.objects.get(code="premium"), "urgent")
    assert policy is not None
    assert policy.first_response_minutes == 30
    assert policy.calendar.name == "Premium extended hours"


def test_sla_policy_for_missing_priority_is_none():
    plan = Plan.objects.get(code="premium")
    plan.sla_policies.filter(priority="low").delete()
    assert sla_policy_for(plan, "low") is None


def test_sla_policy_for_prefetches_calendar_rows(django_assert_num_queries):
    plan = Plan.objects.get(code="universal")
    with django_assert_num_queries(3):
        policy = sla_policy_for(plan, "normal")
    with django_assert_num_queries(0):
        calendar_from_record(policy.calendar)


def test_policy_with_calendar_reads_once_per_memo_scope(django_assert_num_queries):
    plan = Plan.objects.get(code="universal")
    with memo.scope():
        with django_assert_num_queries(3):
            policy, calendar = policy_with_calendar(plan, "normal")
        with django_assert_num_queries(0):
            assert policy_with_calendar(plan, "normal") == (policy, calendar)
    assert calendar.name == policy.calendar.name
    with django_assert_num_queries(3):
        policy_with_calendar(plan, "normal")


def test_policy_with_calendar_without_policy_is_none():
    plan = Plan.objects.get(code="premium")
    plan.sla_policies.filter(priority="low").delete()
    assert policy_with_calendar(plan, "low") is None
