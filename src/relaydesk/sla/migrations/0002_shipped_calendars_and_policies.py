"""Ship the two default calendars and an SLA policy for each plan and priority.

docs/sla.md explains the numbers. Admins change them in the database; running
this migration again (on a fresh database) recreates the shipped values.
"""

import datetime

from django.db import migrations

MONDAY_TO_FRIDAY = range(0, 5)
SATURDAY = 5


def hours(start, end):
    return datetime.time(start), datetime.time(end)


SHIPPED_CALENDARS = {
    # Extended hours: Monday to Friday 08:00-20:00, Saturday 09:00-13:00.
    "Premium extended hours": [(day, *hours(8, 20)) for day in MONDAY_TO_FRIDAY]
    + [(SATURDAY, *hours(9, 13))],
    # Limited line: Monday to Friday 09:00-13:00 and 14:00-18:00.
    "Universal limited line": [(day, *hours(9, 13)) for day in MONDAY_TO_FRIDAY]
    + [(day, *hours(14, 18)) for day in MONDAY_TO_FRIDAY],
}

# Business minutes: (first response, next response, resolution).
SHIPPED_TARGETS = {
    ("premium", "Premium extended hours"): {
        "urgent": (30, 60, 240),
        "high": (60, 120, 480),
        "normal": (120, 240, 1440),
        "low": (240, 480, 2880),
    },
    ("universal", "Universal limited line"): {
        "urgent": (120, 240, 960),
        "high": (240, 480, 1920),
        "normal": (480, 960, 2400),
        "low": (960, 1440, 4800),
    },
}


def create_calendars_and_policies(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    OpeningInterval = apps.get_model("sla", "OpeningInterval")
    Plan = apps.get_model("customers", "Plan")
    SlaPolicy = apps.get_model("sla", "SlaPolicy")

    for name, intervals in SHIPPED_CALENDARS.items():
        calendar, _created = Calendar.objects.update_or_create(
            name=name,
            defaults={"time_zone": "Europe/Lisbon", "holiday_country": "PT", "is_24x7": False},
        )
        calendar.opening_intervals.all().delete()
        OpeningInterval.objects.bulk_create(
            OpeningInterval(calendar=calendar, weekday=day, start_time=start, end_time=end)
            for day, start, end in intervals
        )

    for (plan_code, calendar_name), targets in SHIPPED_TARGETS.items():
        plan = Plan.objects.filter(code=plan_code).first()
        if plan is None:
            continue
        calendar = Calendar.objects.get(name=calendar_name)
        for priority, (first, following, resolution) in targets.items():
            SlaPolicy.objects.update_or_create(
                plan=plan,
                priority=priority,
                defaults={
                    "calendar": calendar,
                    "first_response_minutes": first,
                    "next_response_minutes": following,
                    "resolution_minutes": resolution,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("customers", "0002_shipped_plans")]
    operations = [
        migrations.RunPython(create_calendars_and_policies, migrations.RunPython.noop)
    ]
