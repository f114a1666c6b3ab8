"""The administration pages for plans, calendars and SLA policies."""

from datetime import date

import pytest

from relaydesk.accounts.models import Role
from relaydesk.customers.models import Plan
from relaydesk.sla.models import (
    Calendar,
    CalendarDate,
    IncidentPolicy,
    OpeningInterval,
    SlaPolicy,
)
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def calendar_form(**fields: str) -> dict[str, str]:
    """The add form of a calendar with one opening interval and no dates."""
    data = {
        "name": "Night line",
        "time_zone": "Europe/Lisbon",
        "holiday_country": "PT",
        "holiday_subdivision": "",
        "opening_intervals-TOTAL_FORMS": "1",
        "opening_intervals-INITIAL_FORMS": "0",
        "opening_intervals-0-weekday": "0",
        "opening_intervals-0-start_time": "20:00",
        "opening_intervals-0-end_time": "",
        "dates-TOTAL_FORMS": "0",
        "dates-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def test_admin_sees_plans_calendars_and_policies(admin_client):
    page = admin_client.get("/admin/")
    assert page.status_code == 200
    for name in (b"Plans", b"Calendars", b"SLA policies", b"Incident policies"):
        assert name in page.content


def test_non_admin_sent_to_login(client):
    client.force_login(AgentFactory(role=Role.CUSTOMER_SERVICE))
    page = client.get("/admin/customers/plan/")
    assert page.status_code == 302
    assert "/admin/login/" in page["Location"]


def test_admin_limits_the_universal_phone_to_support_hours(admin_client):
    plan = Plan.objects.get(code="universal")
    page = admin_client.post(
        f"/admin/customers/plan/{plan.pk}/change/",
        {
            "name": "Universal",
            "channels": ["email", "phone", "portal"],
            "hours_only_channels": ["phone"],
            "informs_client_on_close": "on",
        },
    )
    assert page.status_code == 302
    plan.refresh_from_db()
    assert plan.channels == ["email", "phone", "portal"]
    assert plan.hours_only_channels == ["phone"]


def test_hours_only_channel_outside_plan_rejected(admin_client):
    plan = Plan.objects.get(code="universal")
    before = (plan.channels, plan.hours_only_channels)
    page = admin_client.post(
        f"/admin/customers/plan/{plan.pk}/change/",
        {"name": "Universal", "channels": ["email"], "hours_only_channels": ["phone"]},
    )
    assert page.status_code == 200
    assert "Phone is not one of the plan&#x27;s channels" in page.content.decode()
    plan.refresh_from_db()
    assert (plan.channels, plan.hours_only_channels) == before


def test_admin_adds_a_calendar_with_its_hours(admin_client):
    page = admin_client.post("/admin/sla/calendar/add/", calendar_form())
    assert page.status_code == 302
    calendar = Calendar.objects.get(name="Night line")
    assert [str(row) for row in OpeningInterval.objects.filter(calendar=calendar)] == [
        "Monday 20:00-24:00"
    ]


def test_calendar_with_unknown_time_zone_is_refused(admin_client):
    page = admin_client.post("/admin/sla/calendar/add/", calendar_form(time_zone="Lisbon"))
    assert page.status_code == 200
    assert "Time zone &#x27;Lisbon&#x27; is unknown" in page.content.decode()
    assert not Calendar.objects.filter(name="Night line").exists()


def interval_errors(page) -> list[str]:
    """Return every error shown on the opening interval rows and under the inline."""
    formset = page.context["inline_admin_formsets"][0].formset
    field_errors = [
        message for form in formset.forms for message in form.errors.get("end_time", [])
    ]
    other_errors = [
        message
        for form in formset.forms
        for name, messages in form.errors.items()
        if name != "end_time"
        for message in messages
    ]
    return field_errors + other_errors + list(formset.non_form_errors())


def test_interval_ending_before_it_starts_is_refused(admin_client):
    data = calendar_form(**{"opening_intervals-0-end_time": "08:00"})
    page = admin_client.post("/admin/sla/calendar/add/", data)
    assert page.status_code == 200
    assert interval_errors(page) == [
        "Opening interval 20:00-08:00 is invalid: the start must be before the end. "
        "For hours across midnight, add 20:00-24:00 on this weekday (an end of 24:00 "
        "or empty) and 00:00-08:00 on the next."
    ]
    assert "sla_interval_start_before_end" not in page.content.decode()
    assert not Calendar.objects.filter(name="Night line").exists()


def test_interval_end_2400_stored_empty(admin_client):
    data = calendar_form(**{"opening_intervals-0-end_time": "24:00"})
    page = admin_client.post("/admin/sla/calendar/add/", data)
    assert page.status_code == 302
    interval = OpeningInterval.objects.get(calendar__name="Night line")
    assert interval.end_time is None


@pytest.mark.parametrize("end", ["25:00", "8pm", "24:30"])
def test_interval_with_invalid_end_names_the_format(admin_client, end):
    data = calendar_form(**{"opening_intervals-0-end_time": end})
    page = admin_client.post("/admin/sla/calendar/add/", data)
    assert page.status_code == 200
    assert interval_errors(page) == [
        f"Time {end!r} is invalid: write it as HH:MM, such as 18:00. "
        "For the end of the day, write 24:00 or leave the end empty."
    ]
    assert not Calendar.objects.filter(name="Night line").exists()


def test_changed_backward_interval_keeps_hours(admin_client):
    admin_client.post("/admin/sla/calendar/add/", calendar_form())
    calendar = Calendar.objects.get(name="Night line")
    interval = calendar.opening_intervals.get()
    data = calendar_form(
        **{
            "opening_intervals-INITIAL_FORMS": "1",
            "opening_intervals-0-id": str(interval.pk),
            "opening_intervals-0-calendar": str(calendar.pk),
            "opening_intervals-0-end_time": "08:00",
        }
    )
    page = admin_client.post(f"/admin/sla/calendar/{calendar.pk}/change/", data)
    assert page.status_code == 200
    assert len(interval_errors(page)) == 1
    assert [str(row) for row in calendar.opening_intervals.all()] == ["Monday 20:00-24:00"]


def date_form(**fields: str) -> dict[str, str]:
    """The calendar add form with one date, closed on 2026-12-31 unless ``fields`` differ."""
    data = {
        "dates-TOTAL_FORMS": "1",
        "dates-0-date": "2026-12-31",
        "dates-0-kind": "closed",
        "dates-0-intervals": "[]",
        "dates-0-note": "",
    }
    data.update({f"dates-0-{name}": value for name, value in fields.items()})
    return calendar_form(**data)


def date_errors(page) -> dict[str, list[str]]:
    return dict(page.context["inline_admin_formsets"][1].formset.forms[0].errors)


@pytest.mark.parametrize("typed", ["31/12/2026", "12/31/2026", "31 Dec 2026"])
def test_calendar_date_not_iso_names_the_format(admin_client, typed):
    page = admin_client.post("/admin/sla/calendar/add/", date_form(date=typed))
    assert page.status_code == 200
    assert date_errors(page) == {
        "date": [f"Date {typed!r} is invalid: write it as YYYY-MM-DD, such as 2026-12-31."]
    }
    assert not Calendar.objects.filter(name="Night line").exists()


def test_calendar_date_in_iso_form_is_saved(admin_client):
    page = admin_client.post("/admin/sla/calendar/add/", date_form())
    assert page.status_code == 302
    assert CalendarDate.objects.get().date == date(2026, 12, 31)


@pytest.mark.parametrize("typed", ["10-12", "[[10:00, 12:00]]"])
def test_calendar_date_intervals_not_json_names_the_shape(admin_client, typed):
    page = admin_client.post("/admin/sla/calendar/add/", date_form(kind="open", intervals=typed))
    assert page.status_code == 200
    assert date_errors(page) == {
        "intervals": [
            f"Intervals {typed!r} are not valid JSON: write a list of "
            '["HH:MM", "HH:MM"] pairs, such as [["10:00", "12:00"]], or leave the field empty.'
        ]
    }
    assert not CalendarDate.objects.exists()


def test_calendar_date_with_empty_intervals_is_saved(admin_client):
    page = admin_client.post("/admin/sla/calendar/add/", date_form(kind="open", intervals=""))
    assert page.status_code == 302
    assert CalendarDate.objects.get().intervals == []


def test_24x7_calendar_with_opening_intervals_is_refused(admin_client):
    page = admin_client.post("/admin/sla/calendar/add/", calendar_form(is_24x7="on"))
    assert page.status_code == 200
    assert interval_errors(page) == [
        "Calendar 'Night line' is open 24x7 and also has opening intervals, which 24x7 "
        "replaces: remove the intervals or turn open 24x7 off."
    ]
    assert not Calendar.objects.filter(name="Night line").exists()


def test_24x7_calendar_without_opening_intervals_is_saved(admin_client):
    data = calendar_form(is_24x7="on", **{"opening_intervals-TOTAL_FORMS": "0"})
    page = admin_client.post("/admin/sla/calendar/add/", data)
    assert page.status_code == 302
    assert Calendar.objects.get(name="Night line").is_24x7


def test_24x7_change_needs_intervals_removed(admin_client):
    admin_client.post("/admin/sla/calendar/add/", calendar_form())
    calendar = Calendar.objects.get(name="Night line")
    interval = calendar.opening_intervals.get()
    stored = {
        "opening_intervals-INITIAL_FORMS": "1",
        "opening_intervals-0-id": str(interval.pk),
        "opening_intervals-0-calendar": str(calendar.pk),
    }
    page = admin_client.post(
        f"/admin/sla/calendar/{calendar.pk}/change/", calendar_form(is_24x7="on", **stored)
    )
    assert page.status_code == 200
    calendar.refresh_from_db()
    assert not calendar.is_24x7
    assert calendar.opening_intervals.count() == 1

    removed = {**stored, "opening_intervals-0-DELETE": "on"}
    page = admin_client.post(
        f"/admin/sla/calendar/{calendar.pk}/change/", calendar_form(is_24x7="on", **removed)
    )
    assert page.status_code == 302
    calendar.refresh_from_db()
    assert calendar.is_24x7
    assert not calendar.opening_intervals.exists()


def test_calendar_without_hours_is_refused(admin_client):
    data = calendar_form(**{"opening_intervals-TOTAL_FORMS": "0"})
    page = admin_client.post("/admin/sla/calendar/add/", data)
    assert page.status_code == 200
    assert "has no opening hours" in page.content.decode()
    assert not Calendar.objects.filter(name="Night line").exists()


def test_calendar_with_only_open_dates_is_refused(admin_client):
    admin_client.post("/admin/sla/calendar/add/", calendar_form())
    calendar = Calendar.objects.get(name="Night line")
    interval = calendar.opening_intervals.get()
    CalendarDate.objects.create(
        calendar=calendar, date=date(2026, 12, 31), kind="open", intervals=[["10:00", "12:00"]]
    )
    removed = {
        "opening_intervals-INITIAL_FORMS": "1",
        "opening_intervals-0-id": str(interval.pk),
        "opening_intervals-0-calendar": str(calendar.pk),
        "opening_intervals-0-DELETE": "on",
    }
    page = admin_client.post(f"/admin/sla/calendar/{calendar.pk}/change/", calendar_form(**removed))
    assert page.status_code == 200
    assert "has no opening hours" in page.content.decode()
    assert calendar.opening_intervals.count() == 1


def policy_form(policy: SlaPolicy, **minutes: str) -> dict[str, str]:
    """The change form of ``policy`` with its stored values, ``minutes`` replacing some."""
    data = {
        "plan": str(policy.plan_id),
        "priority": policy.priority,
        "calendar": str(policy.calendar_id),
        "first_response_minutes": str(policy.first_response_minutes),
        "next_response_minutes": str(policy.next_response_minutes),
        "resolution_minutes": str(policy.resolution_minutes),
    }
    data.update(minutes)
    return data


def stored_minutes(policy: SlaPolicy | IncidentPolicy) -> tuple[int, ...]:
    policy.refresh_from_db()
    if isinstance(policy, IncidentPolicy):
        return (policy.triage_minutes, policy.workaround_minutes, policy.resolution_minutes)
    return (
        policy.first_response_minutes,
        policy.next_response_minutes,
        policy.resolution_minutes,
    )


def premium_urgent() -> SlaPolicy:
    return SlaPolicy.objects.get(plan__code="premium", priority="urgent")


def test_policy_with_first_response_after_resolution_is_refused(admin_client):
    policy = premium_urgent()
    page = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        policy_form(policy, first_response_minutes="600"),
    )
    assert page.status_code == 200
    assert "exceeds the resolution target" in page.content.decode()
    assert stored_minutes(policy) == (30, 60, 240)


def test_policy_zero_minutes_rejected_on_field(admin_client):
    policy = premium_urgent()
    page = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        policy_form(policy, first_response_minutes="0"),
    )
    content = page.content.decode()
    assert page.status_code == 200
    assert "First response minutes 0 is out of range" in content
    assert "sla_policy_minutes_positive" not in content
    assert stored_minutes(policy) == (30, 60, 240)


def test_policy_negative_minutes_shows_one_message(admin_client):
    policy = premium_urgent()
    page = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        policy_form(policy, next_response_minutes="-5"),
    )
    errors = page.context["adminform"].form.errors
    assert page.status_code == 200
    assert errors["next_response_minutes"] == [
        "Next response minutes -5 is out of range: use a whole number from 1 to 525,600 (one year)."
    ]
    assert stored_minutes(policy) == (30, 60, 240)


@pytest.mark.parametrize("minutes", ["525601", "2147483647", "99999999999999"])
def test_policy_above_one_year_rejected_on_field(admin_client, minutes):
    policy = premium_urgent()
    page = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        policy_form(policy, resolution_minutes=minutes),
    )
    errors = page.context["adminform"].form.errors
    assert page.status_code == 200
    assert errors["resolution_minutes"] == [
        f"Resolution minutes {minutes} is out of range: "
        "use a whole number from 1 to 525,600 (one year)."
    ]
    assert stored_minutes(policy) == (30, 60, 240)


def test_policy_of_one_year_is_saved(admin_client):
    policy = premium_urgent()
    page = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        policy_form(policy, resolution_minutes="525600"),
    )
    assert page.status_code == 302
    assert stored_minutes(policy) == (30, 60, 525_600)


@pytest.mark.parametrize(
    ("field", "minutes"), [("triage_minutes", "2147483647"), ("workaround_minutes", "-5")]
)
def test_incident_policy_minutes_out_of_range_rejected(admin_client, field, minutes):
    policy = IncidentPolicy.objects.get(priority="urgent")
    data = {
        "priority": "urgent",
        "calendar": str(policy.calendar_id),
        "triage_minutes": "15",
        "workaround_minutes": "60",
        "resolution_minutes": "180",
        field: minutes,
    }
    page = admin_client.post(f"/admin/sla/incidentpolicy/{policy.pk}/change/", data)
    errors = page.context["adminform"].form.errors
    assert page.status_code == 200
    assert len(errors[field]) == 1
    assert f"{minutes} is out of range" in errors[field][0]
    assert stored_minutes(policy) == (15, 60, 180)


def test_incident_policy_with_workaround_after_resolution_rejected(admin_client):
    policy = IncidentPolicy.objects.get(priority="urgent")
    data = {
        "priority": "urgent",
        "calendar": str(policy.calendar_id),
        "triage_minutes": "15",
        "workaround_minutes": "240",
        "resolution_minutes": "180",
    }
    page = admin_client.post(f"/admin/sla/incidentpolicy/{policy.pk}/change/", data)
    assert page.status_code == 200
    assert page.context["adminform"].form.non_field_errors() == [
        "Workaround minutes 240 exceed resolution minutes 180, a later stage of the "
        "incident: shorten the first or lengthen the second."
    ]
    assert stored_minutes(policy) == (15, 60, 180)


def test_desk_header_links_to_administration_for_admins_only(admin_client, client):
    assert b'href="/admin/"' in admin_client.get("/").content
    client.force_login(AgentFactory(role=Role.CUSTOMER_SERVICE))
    assert b'href="/admin/"' not in client.get("/").content
