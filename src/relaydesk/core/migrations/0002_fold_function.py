"""Create relaydesk_fold() on PostgreSQL; SQLite gets it on each connection."""

from django.db import migrations

from relaydesk.core.folding import FUNCTION_NAME, POSTGRESQL_FUNCTION


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION_NAME}(text)")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_function, drop_function)]
