from django.db import migrations

SHIPPED_PLANS = [
    {
        "code": "premium",
        "name": "Premium",
        "channels": ["email", "phone", "assistant", "portal", "api"],
        "csm_required": True,
        "informs_client_on_close": False,
    },
    {
        "code": "universal",
        "name": "Universal",
        "channels": ["email", "portal", "api"],
        "csm_required": False,
        "informs_client_on_close": True,
    },
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("customers", "Plan")
    for plan in SHIPPED_PLANS:
        Plan.objects.update_or_create(code=plan["code"], defaults=plan)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
