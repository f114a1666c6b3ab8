from django.db import migrations, models

# Universal is a limited line: its phone line is open only during its support
# hours. The shipped record is updated only while an admin has not changed it.
SHIPPED_UNIVERSAL_CHANNELS = ["email", "portal", "api"]


def open_universal_phone_in_hours(apps, schema_editor):
    Plan = apps.get_model("customers", "Plan")
    plan = Plan.objects.filter(code="universal").first()
    if plan is None or plan.channels != SHIPPED_UNIVERSAL_CHANNELS:
        return
    plan.channels = ["email", "phone", "portal", "api"]
    plan.hours_only_channels = ["phone"]
    plan.save(update_fields=["channels", "hours_only_channels"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_shipped_plans")]
    operations = [
        migrations.AddField(
            model_name="plan",
            name="hours_only_channels",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Channels the plan may use only while its support hours are open.",
            ),
        ),
        migrations.RunPython(open_universal_phone_in_hours, migrations.RunPython.noop),
    ]
