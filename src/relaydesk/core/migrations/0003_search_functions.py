"""Create the PostgreSQL functions of full-text search (core.search); SQLite needs none."""

from django.db import migrations

from relaydesk.core.search import DROP_POSTGRESQL_FUNCTIONS, POSTGRESQL_FUNCTIONS


def create_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_FUNCTIONS:
            schema_editor.execute(statement)


def drop_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_POSTGRESQL_FUNCTIONS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_fold_function")]

    operations = [migrations.RunPython(create_functions, drop_functions)]
