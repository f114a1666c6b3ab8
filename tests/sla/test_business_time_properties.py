"""Properties of business-time arithmetic, checked with hypothesis; no database.

Instants fall on whole minutes, so every count of open time is exact, and are
drawn both across two years and around the 2026 Lisbon daylight-saving changes.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from relaydesk.sla.business_time import (
    add_business_minutes,
    business_minutes_between,
    next_opening,
)
from tests.sla.calendars import ALWAYS_UTC, EXTENDED, LUNCH_BREAK, NIGHT, OFFICE

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
DST_CHANGES = (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC))
TWO_DAYS = 2 * 24 * 60

calendars = st.sampled_from([OFFICE, LUNCH_BREAK, EXTENDED, NIGHT, ALWAYS_UTC])
anywhere = st.integers(0, 2 * 366 * 24 * 60).map(lambda minute: EPOCH + timedelta(minutes=minute))
near_dst_change = st.builds(
    lambda change, minute: change + timedelta(minutes=minute),
    st.sampled_from(DST_CHANGES),
    st.integers(-TWO_DAYS, TWO_DAYS),
)
instants = st.one_of(anywhere, near_dst_change)
minutes = st.integers(0, 5_000)
pauses = st.integers(0, 3 * 24 * 60).map(lambda minute: timedelta(minutes=minute))

modest = settings(max_examples=60, deadline=None)


@modest
@given(calendar=calendars, start=instants, count=minutes)
def test_add_then_measure_gives_minutes(calendar, start, count):
    # Holds for a closed start too: closed time before the opening counts nothing.
    end = add_business_minutes(calendar, start, count)
    assert business_minutes_between(calendar, start, end) == count


@modest
@given(calendar=calendars, start=instants, count=minutes)
def test_add_from_closed_start_counts_from_opening(calendar, start, count):
    opening = next_opening(calendar, start)
    assert opening >= start
    assert add_business_minutes(calendar, start, count) == add_business_minutes(
        calendar, opening, count
    )


@modest
@given(calendar=calendars, start=instants, end=instants)
def test_measure_then_add_stays_within_end(calendar, start, end):
    measured = business_minutes_between(calendar, start, end)
    if measured > 0:
        assert add_business_minutes(calendar, start, measured) <= end


@modest
@given(calendar=calendars, first=instants, second=instants, third=instants)
def test_between_adds_up_over_a_split(calendar, first, second, third):
    start, middle, end = sorted((first, second, third))
    whole = business_minutes_between(calendar, start, end)
    parts = business_minutes_between(calendar, start, middle) + business_minutes_between(
        calendar, middle, end
    )
    assert parts == whole


@modest
@given(calendar=calendars, start=instants, fewer=minutes, more=minutes)
def test_add_is_monotonic_in_minutes(calendar, start, fewer, more):
    fewer, more = sorted((fewer, more))
    assert add_business_minutes(calendar, start, fewer) <= add_business_minutes(
        calendar, start, more
    )


@modest
@given(calendar=calendars, first=instants, second=instants, count=minutes)
def test_add_is_monotonic_in_start(calendar, first, second, count):
    earlier, later = sorted((first, second))
    assert add_business_minutes(calendar, earlier, count) <= add_business_minutes(
        calendar, later, count
    )


@modest
@given(calendar=calendars, start=instants, count=minutes)
def test_add_elapses_at_least_minutes(calendar, start, count):
    assert add_business_minutes(calendar, start, count) - start >= timedelta(minutes=count)


@modest
@given(calendar=calendars, start=instants, before=minutes, after=minutes, pause=pauses)
def test_pause_only_delays_due_time(calendar, start, before, after, pause):
    # A clock that runs ``before`` minutes, stops for ``pause`` and runs
    # ``after`` more is never due earlier than one that ran without stopping.
    paused_at = add_business_minutes(calendar, start, before)
    resumed = add_business_minutes(calendar, paused_at + pause, after)
    assert resumed >= add_business_minutes(calendar, start, before + after)
