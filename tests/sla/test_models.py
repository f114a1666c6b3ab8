"""Calendar and SLA policy records: shipped defaults and database constraints."""

from datetime import time

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from relaydesk.customers.models import Plan
from relaydesk.sla.models import Calendar, OpeningInterval, SlaPolicy
from relaydesk.tickets.models import Priority
from tests.factories import CalendarFactory, OpeningIntervalFactory

pytestmark = pytest.mark.django_db

PREMIUM_CALENDAR = "Premium extended hours"
UNIVERSAL_CALENDAR = "Universal limited line"


def hours_of(name: str) -> list[tuple[int, str, str | None]]:
    rows = OpeningInterval.objects.filter(calendar__name=name).order_by("weekday", "start_time")
    return [
        (
            row.weekday,
            row.start_time.strftime("%H:%M"),
            row.end_time.strftime("%H:%M") if row.end_time else None,
        )
        for row in rows
    ]


def test_shipped_calendars_use_lisbon_and_portuguese_holidays():
    for name in (PREMIUM_CALENDAR, UNIVERSAL_CALENDAR):
        calendar = Calendar.objects.get(name=name)
        assert calendar.time_zone == "Europe/Lisbon"
        assert calendar.holiday_country == "PT"
        assert not calendar.is_24x7


def test_shipped_premium_calendar_has_extended_hours():
    expected = [(day, "08:00", "20:00") for day in range(5)] + [(5, "09:00", "13:00")]
    assert hours_of(PREMIUM_CALENDAR) == expected


def test_shipped_universal_calendar_has_lunch_break():
    halves = [("09:00", "13:00"), ("14:00", "18:00")]
    expected = [(day, start, end) for day in range(5) for start, end in halves]
    assert hours_of(UNIVERSAL_CALENDAR) == expected


def test_shipped_policies_cover_every_plan_and_priority():
    for plan in Plan.objects.all():
        priorities = set(plan.sla_policies.values_list("priority", flat=True))
        assert priorities == set(Priority.values), plan.code


def test_shipped_premium_targets_are_tighter():
    for priority in Priority.values:
        premium = SlaPolicy.objects.get(plan__code="premium", priority=priority)
        universal = SlaPolicy.objects.get(plan__code="universal", priority=priority)
        assert premium.first_response_minutes < universal.first_response_minutes, priority
        assert premium.resolution_minutes < universal.resolution_minutes, priority


def test_shipped_policies_use_their_plan_calendar():
    assert {policy.calendar.name for policy in SlaPolicy.objects.filter(plan__code="premium")} == {
        PREMIUM_CALENDAR
    }
    assert {
        policy.calendar.name for policy in SlaPolicy.objects.filter(plan__code="universal")
    } == {UNIVERSAL_CALENDAR}


def test_opening_interval_rejects_start_after_end():
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningIntervalFactory(start_time=time(18), end_time=time(9))


def test_opening_interval_allows_empty_end_as_midnight():
    interval = OpeningIntervalFactory(start_time=time(18), end_time=None)
    assert str(interval) == "Monday 18:00-24:00"


def test_opening_interval_rejects_weekday_seven():
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningIntervalFactory(weekday=7)


def test_calendar_date_is_unique_per_calendar():
    calendar = CalendarFactory()
    calendar.dates.create(date="2026-12-24", kind="closed")
    with pytest.raises(IntegrityError), transaction.atomic():
        calendar.dates.create(date="2026-12-24", kind="open")


def test_sla_policy_is_unique_per_plan_and_priority():
    existing = SlaPolicy.objects.get(plan__code="premium", priority="urgent")
    with pytest.raises(IntegrityError), transaction.atomic():
        SlaPolicy.objects.create(
            plan=existing.plan,
            priority="urgent",
            first_response_minutes=10,
            next_response_minutes=10,
            resolution_minutes=10,
            calendar=existing.calendar,
        )


def test_sla_policy_rejects_zero_minutes():
    policy = SlaPolicy.objects.get(plan__code="premium", priority="low")
    policy.resolution_minutes = 0
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_calendar_in_use_cannot_be_deleted():
    with pytest.raises(ProtectedError):
        Calendar.objects.get(name=PREMIUM_CALENDAR).delete()
