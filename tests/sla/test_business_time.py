"""Hand-computed cases for business-time arithmetic; no database."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from relaydesk.sla.business_time import (
    BusinessCalendar,
    NoOpenTime,
    OpenInterval,
    TooFarAhead,
    add_business_minutes,
    business_minutes_between,
    format_clock_time,
    is_open,
    next_opening,
    parse_clock_time,
)
from tests.sla.calendars import (
    ALWAYS_LISBON,
    ALWAYS_UTC,
    LUNCH_BREAK,
    NIGHT,
    OFFICE,
    every_day,
    weekdays,
)

LISBON = ZoneInfo("Europe/Lisbon")


def lisbon(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LISBON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Weekends and interval ends


def test_add_friday_evening_lands_monday():
    # 2026-01-09 is a Friday: 60 minutes on Friday, 60 on Monday.
    assert add_business_minutes(OFFICE, lisbon(2026, 1, 9, 17), 120) == lisbon(2026, 1, 12, 10)


def test_add_ending_on_interval_end_stays_there():
    assert add_business_minutes(OFFICE, lisbon(2026, 1, 9, 17), 60) == lisbon(2026, 1, 9, 18)


def test_add_one_past_interval_end_moves_on():
    result = add_business_minutes(OFFICE, lisbon(2026, 1, 9, 17), 61)
    assert result == lisbon(2026, 1, 12, 9, 1)


def test_add_from_weekend_starts_at_opening():
    assert add_business_minutes(OFFICE, lisbon(2026, 1, 10, 11), 30) == lisbon(2026, 1, 12, 9, 30)


def test_add_zero_minutes_when_closed_is_next_opening():
    assert add_business_minutes(OFFICE, lisbon(2026, 1, 10, 11), 0) == lisbon(2026, 1, 12, 9)


def test_add_zero_minutes_when_open_is_start():
    assert add_business_minutes(OFFICE, lisbon(2026, 1, 12, 11), 0) == lisbon(2026, 1, 12, 11)


def test_add_returns_utc():
    result = add_business_minutes(OFFICE, lisbon(2026, 7, 6, 10), 10)
    assert result.tzinfo == UTC
    assert result == utc(2026, 7, 6, 9, 10)


def test_add_ten_thousand_minutes():
    # 540 minutes a day: 18 full days (9,720 minutes) from Monday 2026-01-05
    # end on Wednesday 2026-01-28; the other 280 minutes end at 13:40 next day.
    result = add_business_minutes(OFFICE, lisbon(2026, 1, 5, 9), 10_000)
    assert result == lisbon(2026, 1, 29, 13, 40)


def test_between_counts_only_open_time():
    # Friday 17:00 to Monday 10:00: one hour each side of the weekend.
    assert business_minutes_between(OFFICE, lisbon(2026, 1, 9, 17), lisbon(2026, 1, 12, 10)) == 120


def test_between_reversed_is_zero():
    assert business_minutes_between(OFFICE, lisbon(2026, 1, 12, 10), lisbon(2026, 1, 9, 17)) == 0


def test_between_same_instant_is_zero():
    assert business_minutes_between(OFFICE, lisbon(2026, 1, 12, 10), lisbon(2026, 1, 12, 10)) == 0


def test_between_drops_leftover_seconds():
    start = lisbon(2026, 1, 12, 10)
    assert business_minutes_between(OFFICE, start, start + timedelta(seconds=119)) == 1


def test_next_opening_at_interval_end_is_next_interval():
    assert next_opening(OFFICE, lisbon(2026, 1, 9, 18)) == lisbon(2026, 1, 12, 9)


def test_next_opening_at_interval_start_is_itself():
    assert next_opening(OFFICE, lisbon(2026, 1, 12, 9)) == lisbon(2026, 1, 12, 9)


def test_is_open_excludes_interval_end():
    assert is_open(OFFICE, lisbon(2026, 1, 9, 17, 59))
    assert not is_open(OFFICE, lisbon(2026, 1, 9, 18))
    assert not is_open(OFFICE, lisbon(2026, 1, 10, 12))


# Public holidays and custom dates


def test_add_skips_immaculate_conception():
    # 2026-12-08 (Tuesday) is a national holiday in Portugal.
    assert add_business_minutes(OFFICE, lisbon(2026, 12, 7, 17), 120) == lisbon(2026, 12, 9, 10)


def test_add_skips_christmas_and_weekend():
    # 2026-12-25 is a Friday.
    assert add_business_minutes(OFFICE, lisbon(2026, 12, 24, 17), 120) == lisbon(2026, 12, 28, 10)


def test_between_over_restoration_of_independence():
    # 2026-12-01 (Tuesday) is closed: Monday and Wednesday count 540 each.
    start, end = lisbon(2026, 11, 30, 9), lisbon(2026, 12, 2, 18)
    assert business_minutes_between(OFFICE, start, end) == 1080


def test_subdivision_adds_regional_holiday():
    # 2025-06-13 (Friday) is Saint Anthony's Day, a holiday in Lisbon only.
    lisbon_office = BusinessCalendar(
        name="Lisbon office",
        time_zone="Europe/Lisbon",
        weekly_hours=weekdays(("09:00", "18:00")),
        holiday_country="PT",
        holiday_subdivision="11",
    )
    assert next_opening(OFFICE, lisbon(2025, 6, 13, 8)) == lisbon(2025, 6, 13, 9)
    assert next_opening(lisbon_office, lisbon(2025, 6, 13, 8)) == lisbon(2025, 6, 16, 9)


def test_closed_date_skips_weekday():
    calendar = BusinessCalendar(
        name="Closed Wednesday",
        time_zone="Europe/Lisbon",
        weekly_hours=weekdays(("09:00", "18:00")),
        closed_dates=frozenset({date(2026, 1, 7)}),
    )
    assert add_business_minutes(calendar, lisbon(2026, 1, 6, 17), 120) == lisbon(2026, 1, 8, 10)


def test_open_date_with_intervals_opens_holiday():
    calendar = BusinessCalendar(
        name="Holiday shift",
        time_zone="Europe/Lisbon",
        weekly_hours=weekdays(("09:00", "18:00")),
        holiday_country="PT",
        open_dates={date(2026, 12, 8): (OpenInterval.parse("10:00", "12:00"),)},
    )
    assert add_business_minutes(calendar, lisbon(2026, 12, 7, 17), 120) == lisbon(2026, 12, 8, 11)


def test_open_date_without_intervals_keeps_weekday_hours():
    calendar = BusinessCalendar(
        name="Works on holidays",
        time_zone="Europe/Lisbon",
        weekly_hours=weekdays(("09:00", "18:00")),
        holiday_country="PT",
        open_dates={date(2026, 12, 8): ()},
    )
    assert next_opening(calendar, lisbon(2026, 12, 8, 8)) == lisbon(2026, 12, 8, 9)


def test_open_date_opens_weekend():
    calendar = BusinessCalendar(
        name="Saturday release",
        time_zone="Europe/Lisbon",
        weekly_hours=weekdays(("09:00", "18:00")),
        open_dates={date(2026, 1, 10): (OpenInterval.parse("10:00", "14:00"),)},
    )
    assert add_business_minutes(calendar, lisbon(2026, 1, 9, 17), 120) == lisbon(2026, 1, 10, 11)


# Daylight-saving changes in Europe/Lisbon (both on Sundays in 2026)


def test_spring_forward_interval_lasts_one_hour():
    # 00:30-02:30 on 2026-03-29: 00:30 WET is 00:30 UTC, 02:30 WEST is 01:30 UTC.
    day_start, noon = lisbon(2026, 3, 29), lisbon(2026, 3, 29, 12)
    assert business_minutes_between(NIGHT, day_start, noon) == 60


def test_fall_back_interval_lasts_three_hours():
    # 00:30-02:30 on 2026-10-25: 00:30 WEST is 23:30 UTC, 02:30 WET is 02:30 UTC.
    day_start, noon = lisbon(2026, 10, 25), lisbon(2026, 10, 25, 12)
    assert business_minutes_between(NIGHT, day_start, noon) == 180


def test_ordinary_night_interval_lasts_two_hours():
    day_start, noon = lisbon(2026, 3, 28), lisbon(2026, 3, 28, 12)
    assert business_minutes_between(NIGHT, day_start, noon) == 120


def test_add_fills_spring_forward_interval():
    start = lisbon(2026, 3, 29, 0, 30)
    assert add_business_minutes(NIGHT, start, 60) == utc(2026, 3, 29, 1, 30)
    assert add_business_minutes(NIGHT, start, 61) == lisbon(2026, 3, 29, 22, 1)


def test_add_reaches_repeated_hour_on_fall_back():
    # 120 minutes after 00:30 WEST (23:30 UTC) is the second 01:30, in WET.
    result = add_business_minutes(NIGHT, lisbon(2026, 10, 25, 0, 30), 120)
    assert result == utc(2026, 10, 25, 1, 30)


def test_always_open_day_of_spring_forward_is_short():
    start = lisbon(2026, 3, 28, 12)
    assert add_business_minutes(ALWAYS_LISBON, start, 1440) == lisbon(2026, 3, 29, 13)
    assert business_minutes_between(ALWAYS_LISBON, start, lisbon(2026, 3, 29, 12)) == 1380


def test_always_open_day_of_fall_back_is_long():
    start = lisbon(2026, 10, 24, 12)
    assert add_business_minutes(ALWAYS_LISBON, start, 1440) == lisbon(2026, 10, 25, 11)
    assert business_minutes_between(ALWAYS_LISBON, start, lisbon(2026, 10, 25, 12)) == 1500


def test_interval_inside_gap_has_no_open_time():
    # Lisbon local times from 01:00 to 02:00 do not exist on 2026-03-29.
    calendar = BusinessCalendar(
        name="Gap", time_zone="Europe/Lisbon", weekly_hours=every_day(("01:15", "01:45"))
    )
    day_start, noon = lisbon(2026, 3, 29), lisbon(2026, 3, 29, 12)
    assert business_minutes_between(calendar, day_start, noon) == 0
    assert next_opening(calendar, day_start) == lisbon(2026, 3, 30, 1, 15)


def test_interval_starting_in_gap_starts_at_jump():
    calendar = BusinessCalendar(
        name="Gap start", time_zone="Europe/Lisbon", weekly_hours=every_day(("01:30", "03:00"))
    )
    assert next_opening(calendar, lisbon(2026, 3, 29)) == utc(2026, 3, 29, 1)
    assert business_minutes_between(calendar, lisbon(2026, 3, 29), lisbon(2026, 3, 29, 12)) == 60


def test_ambiguous_interval_uses_first_occurrence():
    # 01:00-01:30 on 2026-10-25 means the WEST occurrence (fold=0): 00:00-00:30 UTC.
    calendar = BusinessCalendar(
        name="Repeated hour", time_zone="Europe/Lisbon", weekly_hours=every_day(("01:00", "01:30"))
    )
    day_start, noon = lisbon(2026, 10, 25), lisbon(2026, 10, 25, 12)
    assert business_minutes_between(calendar, day_start, noon) == 30
    assert next_opening(calendar, day_start) == utc(2026, 10, 25, 0, 0)


# Midnight, 24:00 and 24x7


def test_add_across_midnight_intervals():
    # 22:00-24:00 then 00:30-02:30 the next day.
    assert add_business_minutes(NIGHT, lisbon(2026, 1, 12, 23), 90) == lisbon(2026, 1, 13, 1)


def test_interval_ending_at_midnight_is_closed_at_midnight():
    assert add_business_minutes(NIGHT, lisbon(2026, 1, 12, 23), 60) == lisbon(2026, 1, 13)
    assert not is_open(NIGHT, lisbon(2026, 1, 13))


def test_contiguous_midnight_intervals_count_fully():
    calendar = BusinessCalendar(
        name="Late shift",
        time_zone="Europe/Lisbon",
        weekly_hours=every_day(("00:00", "02:00"), ("22:00", "24:00")),
    )
    assert add_business_minutes(calendar, lisbon(2026, 1, 12, 23), 120) == lisbon(2026, 1, 13, 1)
    assert is_open(calendar, lisbon(2026, 1, 13))


def test_always_open_adds_wall_minutes():
    start = utc(2026, 2, 27, 13, 7)
    assert add_business_minutes(ALWAYS_UTC, start, 10_000) == start + timedelta(minutes=10_000)


def test_always_open_between_is_wall_minutes():
    assert business_minutes_between(ALWAYS_UTC, utc(2026, 1, 1), utc(2027, 1, 1)) == 525_600


# Lunch break


def test_add_skips_lunch_break():
    assert add_business_minutes(LUNCH_BREAK, lisbon(2026, 1, 12, 12, 30), 60) == lisbon(
        2026, 1, 12, 14, 30
    )


def test_between_skips_lunch_break():
    start, end = lisbon(2026, 1, 12, 12), lisbon(2026, 1, 12, 15)
    assert business_minutes_between(LUNCH_BREAK, start, end) == 120


def test_next_opening_during_lunch_is_afternoon():
    assert next_opening(LUNCH_BREAK, lisbon(2026, 1, 12, 13, 30)) == lisbon(2026, 1, 12, 14)


# Bad input


def test_add_rejects_naive_start():
    with pytest.raises(ValueError, match="naive"):
        add_business_minutes(OFFICE, datetime(2026, 1, 12, 10), 10)


def test_between_rejects_naive_end():
    with pytest.raises(ValueError, match="naive"):
        business_minutes_between(OFFICE, lisbon(2026, 1, 12), datetime(2026, 1, 13))


def test_add_rejects_negative_minutes():
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(OFFICE, lisbon(2026, 1, 12, 10), -1)


def test_add_without_open_time_raises_naming_calendar():
    calendar = BusinessCalendar(name="Never open", time_zone="Europe/Lisbon")
    with pytest.raises(NoOpenTime, match="'Never open'"):
        add_business_minutes(calendar, lisbon(2026, 1, 12), 1)


def test_next_opening_after_last_open_date_raises():
    calendar = BusinessCalendar(
        name="One day only",
        time_zone="Europe/Lisbon",
        open_dates={date(2026, 1, 10): (OpenInterval.parse("10:00", "12:00"),)},
    )
    assert next_opening(calendar, lisbon(2026, 1, 1)) == lisbon(2026, 1, 10, 10)
    with pytest.raises(NoOpenTime):
        next_opening(calendar, lisbon(2026, 1, 10, 12))


def test_between_without_open_time_is_zero():
    calendar = BusinessCalendar(name="Never open", time_zone="Europe/Lisbon")
    assert business_minutes_between(calendar, lisbon(2026, 1, 1), lisbon(2030, 1, 1)) == 0


def test_calendar_rejects_unknown_time_zone():
    with pytest.raises(ValueError, match="Europe/Lisbn"):
        BusinessCalendar(name="Typo", time_zone="Europe/Lisbn")


def test_calendar_rejects_unknown_holiday_subdivision():
    with pytest.raises(ValueError, match="PT-99"):
        BusinessCalendar(
            name="Typo", time_zone="UTC", holiday_country="PT", holiday_subdivision="99"
        )


def test_calendar_rejects_overlapping_intervals():
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar(
            name="Overlap",
            time_zone="UTC",
            weekly_hours=weekdays(("09:00", "13:00"), ("12:00", "18:00")),
        )


def test_calendar_rejects_six_weekdays():
    with pytest.raises(ValueError, match="7 weekdays"):
        BusinessCalendar(name="Short week", time_zone="UTC", weekly_hours=((),) * 6)


def test_calendar_rejects_date_both_closed_and_open():
    with pytest.raises(ValueError, match="2026-01-07"):
        BusinessCalendar(
            name="Both",
            time_zone="UTC",
            closed_dates=frozenset({date(2026, 1, 7)}),
            open_dates={date(2026, 1, 7): ()},
        )


def test_calendar_is_hashable_and_comparable():
    copy = BusinessCalendar(
        name="Office",
        time_zone="Europe/Lisbon",
        weekly_hours=weekdays(("09:00", "18:00")),
        holiday_country="PT",
    )
    assert copy == OFFICE
    assert hash(copy) == hash(OFFICE)


# Opening intervals and clock times


def test_open_interval_parses_midnight_end():
    interval = OpenInterval.parse("18:00", "24:00")
    assert interval == OpenInterval(1080, 1440)
    assert str(interval) == "18:00-24:00"


@pytest.mark.parametrize(
    ("start", "end"), [("18:00", "09:00"), ("09:00", "09:00"), ("00:00", "24:01")]
)
def test_open_interval_rejects_bad_bounds(start, end):
    with pytest.raises(ValueError):
        OpenInterval.parse(start, end)


@pytest.mark.parametrize("text", ["9", "9:5", "09:60", "25:00", "ab:cd", ""])
def test_parse_clock_time_rejects_bad_text(text):
    with pytest.raises(ValueError, match="clock time"):
        parse_clock_time(text)


def test_format_clock_time_writes_midnight_as_24():
    assert format_clock_time(1440) == "24:00"
    assert format_clock_time(parse_clock_time("07:05")) == "07:05"


def test_add_one_year_on_one_hour_a_week():
    hours = ((OpenInterval.parse("09:00", "10:00"),),) + ((),) * 6
    calendar = BusinessCalendar(name="Monday hour", time_zone="UTC", weekly_hours=hours)
    # 525,600 minutes are 8,760 Monday hours: the last one ends 8,759 weeks on.
    result = add_business_minutes(calendar, utc(2026, 1, 5, 9), 525_600)
    assert result == utc(2026, 1, 5, 10) + timedelta(weeks=8_759)


def test_add_beyond_the_horizon_raises_naming_calendar():
    hours = ((OpenInterval.parse("09:00", "09:01"),),) + ((),) * 6
    calendar = BusinessCalendar(name="Monday minute", time_zone="Europe/Lisbon", weekly_hours=hours)
    # 525,600 Monday minutes lie about 10,000 years ahead, past the horizon.
    with pytest.raises(TooFarAhead, match="'Monday minute'"):
        add_business_minutes(calendar, lisbon(2026, 1, 5), 525_600)


def test_add_beyond_horizon_raises_early():
    with pytest.raises(TooFarAhead, match="'Always UTC'"):
        add_business_minutes(ALWAYS_UTC, utc(2026, 1, 5), 99_999_999_999_999)
