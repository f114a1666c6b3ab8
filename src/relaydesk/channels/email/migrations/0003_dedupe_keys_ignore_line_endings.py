"""Recompute the dedupe keys of stored raw messages with line endings made uniform.

The same message delivered by SMTP (CRLF) and imported from a Maildir file (LF)
had two keys, so it became two tickets. Keys now compare bodies with LF line
endings; stored rows get the new key so a later delivery still matches them.
"""

from django.db import migrations

CHUNK = 500


def recompute_keys(apps, schema_editor):
    from relaydesk.channels.email.store import dedupe_key_for

    RawMessage = apps.get_model("email", "RawMessage")
    changed = []
    rows = RawMessage.objects.only("pk", "content", "dedupe_key").order_by("pk")
    for raw in rows.iterator(chunk_size=CHUNK):
        _message_id, key = dedupe_key_for(bytes(raw.content))
        if key != raw.dedupe_key:
            raw.dedupe_key = key
            changed.append(raw)
        if len(changed) >= CHUNK:
            RawMessage.objects.bulk_update(changed, ["dedupe_key"])
            changed = []
    RawMessage.objects.bulk_update(changed, ["dedupe_key"])


class Migration(migrations.Migration):
    dependencies = [("email", "0002_initial")]

    operations = [migrations.RunPython(recompute_keys, migrations.RunPython.noop, elidable=True)]
