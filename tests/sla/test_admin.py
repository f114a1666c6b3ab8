"""The administration pages for plans, calendars and SLA policies."""

import pytest

from relaydesk.accounts.models import Role
from relaydesk.customers.models import Plan
from relaydesk.sla.models import Calendar, OpeningInterval, SlaPolicy
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


def test_interval_ending_before_it_starts_is_refused(admin_client):
    data = calendar_form(**{"opening_intervals-0-end_time": "08:00"})
    page = admin_client.post("/admin/sla/calendar/add/", data)
    assert page.status_code == 200
    assert "the start must be before the end" in page.content.decode()
    assert not Calendar.objects.filter(name="Night line").exists()


def test_calendar_without_hours_is_refused(admin_client):
    data = calendar_form(**{"opening_intervals-TOTAL_FORMS": "0"})
    page = admin_client.post("/admin/sla/calendar/add/", data)
    assert page.status_code == 200
    assert "has no opening hours" in page.content.decode()
    assert not Calendar.objects.filter(name="Night line").exists()


def test_policy_with_first_response_after_resolution_is_refused(admin_client):
    policy = SlaPolicy.objects.get(plan__code="premium", priority="urgent")
    page = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        {
            "plan": policy.plan_id,
            "priority": "urgent",
            "calendar": policy.calendar_id,
            "first_response_minutes": "600",
            "next_response_minutes": "60",
            "resolution_minutes": "240",
        },
    )
    assert page.status_code == 200
    assert "exceeds the resolution target" in page.content.decode()
    policy.refresh_from_db()
    assert policy.first_response_minutes == 30


def test_policy_zero_minutes_rejected_on_field(admin_client):
    policy = SlaPolicy.objects.get(plan__code="premium", priority="urgent")
    page = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/",
        {
            "plan": policy.plan_id,
            "priority": "urgent",
            "calendar": policy.calendar_id,
            "first_response_minutes": "0",
            "next_response_minutes": "60",
            "resolution_minutes": "240",
        },
    )
    content = page.content.decode()
    assert page.status_code == 200
    assert "greater than or equal to 1" in content
    assert "sla_policy_minutes_positive" not in content
    policy.refresh_from_db()
    assert policy.first_response_minutes == 30


def test_desk_header_links_to_administration_for_admins_only(admin_client, client):
    assert b'href="/admin/"' in admin_client.get("/").content
    client.force_login(AgentFactory(role=Role.CUSTOMER_SERVICE))
    assert b'href="/admin/"' not in client.get("/").content
