"""Index the text of messages for the inbox search (core.search).

On SQLite a later migration that rebuilds tickets_message drops the
triggers that keep the index in step; tests/tickets/test_search.py fails
when that happens.
"""

from django.db import migrations

from relaydesk.core.search import TextIndex

INDEX = TextIndex("tickets_message", "text")


def create_index(apps, schema_editor):
    INDEX.create(schema_editor)


def drop_index(apps, schema_editor):
    INDEX.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_search_functions"),
        ("tickets", "0002_message_kind_created_index"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
