"""Validation of calendar and SLA policy values; no database."""

from datetime import date, time

import pytest

from relaydesk.sla import checks
from relaydesk.sla.business_time import OpenInterval
from relaydesk.sla.errors import (
    InvalidCalendar,
    InvalidCalendarDate,
    InvalidHolidayRegion,
    InvalidOpeningInterval,
    InvalidSlaPolicy,
    InvalidTimeZone,
)

DAY = date(2026, 12, 24)


def test_check_time_zone_accepts_iana_name():
    assert checks.check_time_zone("Europe/Lisbon") == "Europe/Lisbon"


@pytest.mark.parametrize("name", ["Europe/Lisbn", "Lisbon", "WET+1", ""])
def test_check_time_zone_rejects_unknown(name):
    with pytest.raises(InvalidTimeZone) as raised:
        checks.check_time_zone(name)
    assert raised.value.code == "invalid_time_zone"
    assert repr(name) in raised.value.message
    assert "Europe/Lisbon" in raised.value.message


def test_check_holiday_region_normalises_country():
    assert checks.check_holiday_region(" pt ") == ("PT", "")


@pytest.mark.parametrize("subdivision", ["11", "PT-11", "pt-11", "Lisboa"])
def test_check_holiday_region_accepts_subdivision_forms(subdivision):
    assert checks.check_holiday_region("PT", subdivision) == ("PT", "11")


def test_check_holiday_region_allows_none():
    assert checks.check_holiday_region("", "") == ("", "")


def test_check_holiday_region_rejects_unknown_country():
    with pytest.raises(InvalidHolidayRegion) as raised:
        checks.check_holiday_region("XX")
    assert raised.value.code == "invalid_holiday_region"
    assert "'XX'" in raised.value.message
    assert "ISO 3166-1" in raised.value.message


def test_check_holiday_region_rejects_unknown_subdivision():
    with pytest.raises(InvalidHolidayRegion) as raised:
        checks.check_holiday_region("PT", "99")
    assert "'99'" in raised.value.message
    assert "11" in raised.value.message


def test_check_holiday_region_rejects_subdivision_without_country():
    with pytest.raises(InvalidHolidayRegion) as raised:
        checks.check_holiday_region("", "11")
    assert "needs a holiday country" in raised.value.message


def test_check_opening_interval_returns_minutes():
    assert checks.check_opening_interval(time(9), time(13)) == OpenInterval(540, 780)


def test_check_opening_interval_reads_empty_end_as_midnight():
    assert checks.check_opening_interval(time(18), None) == OpenInterval(1080, 1440)


def test_check_opening_interval_rejects_overnight():
    with pytest.raises(InvalidOpeningInterval) as raised:
        checks.check_opening_interval(time(18), time(9))
    assert raised.value.code == "invalid_opening_interval"
    assert "18:00-09:00" in raised.value.message
    assert "24:00" in raised.value.message


def test_check_opening_interval_rejects_empty():
    with pytest.raises(InvalidOpeningInterval):
        checks.check_opening_interval(time(9), time(9))


def test_check_weekly_hours_groups_by_weekday():
    morning, afternoon = OpenInterval(540, 780), OpenInterval(840, 1080)
    weekly = checks.check_weekly_hours([(0, afternoon), (0, morning), (5, morning)])
    assert weekly[0] == (morning, afternoon)
    assert weekly[5] == (morning,)
    assert weekly[6] == ()


def test_check_weekly_hours_rejects_overlap():
    with pytest.raises(InvalidOpeningInterval) as raised:
        checks.check_weekly_hours([(2, OpenInterval(540, 780)), (2, OpenInterval(720, 1080))])
    assert "09:00-13:00" in raised.value.message
    assert "12:00-18:00" in raised.value.message
    assert "Wednesday" in raised.value.message


def test_check_weekly_hours_rejects_weekday_seven():
    with pytest.raises(InvalidOpeningInterval) as raised:
        checks.check_weekly_hours([(7, OpenInterval(540, 780))])
    assert "Weekday 7" in raised.value.message


def test_check_calendar_date_parses_intervals():
    intervals = checks.check_calendar_date("open", [["14:00", "24:00"], ["09:00", "12:00"]], DAY)
    assert intervals == (OpenInterval(540, 720), OpenInterval(840, 1440))


def test_check_calendar_date_accepts_closed_without_intervals():
    assert checks.check_calendar_date("closed", [], DAY) == ()


def test_check_calendar_date_rejects_closed_with_intervals():
    with pytest.raises(InvalidCalendarDate) as raised:
        checks.check_calendar_date("closed", [["09:00", "12:00"]], DAY)
    assert raised.value.code == "invalid_calendar_date"
    assert "2026-12-24" in raised.value.message


def test_check_calendar_date_rejects_unknown_kind():
    with pytest.raises(InvalidCalendarDate) as raised:
        checks.check_calendar_date("holiday", [], DAY)
    assert "'holiday'" in raised.value.message


@pytest.mark.parametrize(
    "raw",
    [
        {"09:00": "12:00"},
        [["12:00", "09:00"]],
        [["09:00"]],
        [["9h", "12h"]],
        [[900, 1200]],
        [["09:00", "24:30"]],
    ],
)
def test_check_calendar_date_rejects_bad_intervals(raw):
    with pytest.raises(InvalidCalendarDate) as raised:
        checks.check_calendar_date("open", raw, DAY)
    assert "2026-12-24" in raised.value.message


def test_check_calendar_date_rejects_overlap():
    with pytest.raises(InvalidOpeningInterval):
        checks.check_calendar_date("open", [["09:00", "12:00"], ["11:00", "13:00"]], DAY)


def test_check_calendar_has_hours_rejects_never_open():
    with pytest.raises(InvalidCalendar) as raised:
        checks.check_calendar_has_hours("Nights", False, ((),) * 7, {})
    assert raised.value.code == "invalid_calendar"
    assert "'Nights'" in raised.value.message


def test_check_calendar_has_hours_accepts_24x7():
    checks.check_calendar_has_hours("Always", True, ((),) * 7, {})


def test_check_priority_rejects_unknown():
    with pytest.raises(InvalidSlaPolicy) as raised:
        checks.check_priority("critical")
    assert raised.value.code == "invalid_sla_policy"
    assert "urgent" in raised.value.message


@pytest.mark.parametrize("targets", [(0, 60, 240), (30, -1, 240), (30, 60, 2.5), (30, 60, True)])
def test_check_sla_minutes_rejects_non_positive(targets):
    with pytest.raises(InvalidSlaPolicy) as raised:
        checks.check_sla_minutes(*targets)
    assert "use a whole number from 1 to 525,600" in raised.value.message


def test_check_sla_minutes_rejects_first_response_after_resolution():
    with pytest.raises(InvalidSlaPolicy) as raised:
        checks.check_sla_minutes(600, 60, 480)
    assert "600" in raised.value.message
    assert "480" in raised.value.message


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ((600, 240, 1_440), "Triage minutes 600 exceed workaround minutes 240"),
        ((30, 2_000, 1_440), "Workaround minutes 2,000 exceed resolution minutes 1,440"),
    ],
)
def test_check_incident_minutes_rejects_stages_out_of_order(targets, message):
    with pytest.raises(InvalidSlaPolicy) as raised:
        checks.check_incident_minutes(*targets)
    assert raised.value.code == "invalid_sla_policy"
    assert raised.value.message.startswith(message)
    assert raised.value.message.endswith("shorten the first or lengthen the second.")


def test_check_incident_minutes_accepts_equal_stages():
    checks.check_incident_minutes(60, 60, 60)


def test_check_incident_minutes_names_field():
    with pytest.raises(InvalidSlaPolicy) as raised:
        checks.check_incident_minutes(15, 0, 180)
    assert raised.value.message.startswith("Workaround minutes 0 is out of range")


def test_check_sla_minutes_accepts_one_year():
    checks.check_sla_minutes(30, 60, 525_600)


@pytest.mark.parametrize("minutes", [525_601, 2_147_483_647, 99_999_999_999_999])
def test_check_sla_minutes_rejects_above_one_year(minutes):
    with pytest.raises(InvalidSlaPolicy) as raised:
        checks.check_sla_minutes(30, 60, minutes)
    assert raised.value.code == "invalid_sla_policy"
    assert "Resolution minutes" in raised.value.message
    assert str(minutes) in raised.value.message
    assert "525,600" in raised.value.message


def test_check_sla_minutes_names_the_field_below_one():
    with pytest.raises(InvalidSlaPolicy) as raised:
        checks.check_sla_minutes(30, -5, 240)
    assert "Next response minutes -5" in raised.value.message


def test_check_24x7_without_hours_rejects_weekly_intervals():
    weekly = ((OpenInterval.parse("09:00", "13:00"),),) + ((),) * 6
    with pytest.raises(InvalidCalendar) as raised:
        checks.check_24x7_without_hours("Always", True, weekly)
    assert raised.value.code == "invalid_calendar"
    assert "'Always'" in raised.value.message


def test_check_24x7_without_hours_accepts_either_alone():
    weekly = ((OpenInterval.parse("09:00", "13:00"),),) + ((),) * 6
    checks.check_24x7_without_hours("Office", False, weekly)
    checks.check_24x7_without_hours("Always", True, ((),) * 7)
