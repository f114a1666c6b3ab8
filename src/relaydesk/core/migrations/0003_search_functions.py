"""Create the PostgreSQL side of full-text search (core.search); SQLite needs nothing here."""

from django.db import DatabaseError, migrations, transaction

from relaydesk.core.search import (
    DROP_POSTGRESQL_FUNCTIONS,
    POSTGRESQL_EXTENSION,
    POSTGRESQL_FUNCTIONS,
)


def create_functions(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(POSTGRESQL_EXTENSION)
    except DatabaseError as error:
        raise RuntimeError(
            f"The unaccent extension could not be created ({error}). Ask the database's "
            f"administrator to run 'CREATE EXTENSION unaccent;' in database "
            f"{connection.settings_dict['NAME']!r}, then run 'relaydesk migrate' again."
        ) from error
    for statement in POSTGRESQL_FUNCTIONS:
        schema_editor.execute(statement)


def drop_functions(apps, schema_editor):
    # The unaccent extension stays: other software may use it.
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_POSTGRESQL_FUNCTIONS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_fold_function")]

    operations = [migrations.RunPython(create_functions, drop_functions)]
