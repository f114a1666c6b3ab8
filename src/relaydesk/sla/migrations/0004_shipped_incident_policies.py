"""Ship Production Operations' internal incident targets, one row per priority.

docs/sla.md explains the numbers. They count on the Premium extended hours
calendar, the hours in which Production Operations is staffed.
"""

from django.db import migrations

CALENDAR = "Premium extended hours"

# Business minutes: (triage, workaround, resolution).
SHIPPED_TARGETS = {
    "urgent": (15, 60, 180),
    "high": (30, 120, 360),
    "normal": (60, 480, 1200),
    "low": (120, 960, 2400),
}


def create_incident_policies(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    IncidentPolicy = apps.get_model("sla", "IncidentPolicy")
    calendar = Calendar.objects.filter(name=CALENDAR).first()
    if calendar is None:
        return
    for priority, (triage, workaround, resolution) in SHIPPED_TARGETS.items():
        IncidentPolicy.objects.update_or_create(
            priority=priority,
            defaults={
                "calendar": calendar,
                "triage_minutes": triage,
                "workaround_minutes": workaround,
                "resolution_minutes": resolution,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("sla", "0003_clocks_and_notifications")]

    operations = [migrations.RunPython(create_incident_policies, migrations.RunPython.noop)]
