import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relaydesk.channels.email.models import RawMessage, RawState, Source
from relaydesk.channels.email.store import store_raw, store_raw_batch
from tests.channels.email.conftest import load

pytestmark = pytest.mark.django_db


def test_store_raw_batch_stores_in_order():
    stored = store_raw_batch(
        [(load("wrong_charset.eml"), "a.eml"), (load("list_mail.eml"), "b.eml")],
        source=Source.IMPORT,
    )
    assert [item.raw.source_ref for item in stored] == ["a.eml", "b.eml"]
    assert [item.raw.state for item in stored] == [RawState.RECEIVED, RawState.RECEIVED]
    assert stored[0].raw.pk < stored[1].raw.pk
    assert bytes(RawMessage.objects.get(pk=stored[0].raw.pk).content) == load("wrong_charset.eml")


def test_store_raw_batch_duplicate_inside_batch_points_at_first():
    content = load("wrong_charset.eml")
    first, second = store_raw_batch([(content, "a.eml"), (content, "b.eml")], source=Source.IMPORT)
    assert first.duplicate_of is None
    assert second.duplicate_of == first.raw.pk
    assert second.raw.state == RawState.DUPLICATE


def test_store_raw_batch_duplicate_of_earlier_row():
    earlier = store_raw(load("wrong_charset.eml"), source=Source.SMTP)
    [again] = store_raw_batch([(load("wrong_charset.eml"), "a.eml")], source=Source.IMPORT)
    assert again.duplicate_of == earlier.raw.pk


def test_store_raw_batch_one_lookup_one_insert():
    """One look-up of earlier copies and one INSERT, besides reserving the keys."""
    messages = [
        (load(name), name) for name in ("wrong_charset.eml", "list_mail.eml", "bad_date.eml")
    ]
    with CaptureQueriesContext(connection) as queries:
        stored = store_raw_batch(messages, source=Source.IMPORT)
    table = connection.ops.quote_name(RawMessage._meta.db_table)
    statements = [query["sql"] for query in queries]
    assert sum(sql.startswith("SELECT") and table in sql for sql in statements) == 1
    # Django records a statement run for many rows as "3 times: INSERT ...".
    assert sum(f"INSERT INTO {table}" in sql for sql in statements) == 1
    assert RawMessage.objects.filter(pk__in=[item.raw.pk for item in stored]).count() == 3


def crlf(content: bytes) -> bytes:
    return content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.mark.parametrize("name", ["wrong_charset.eml", "undeclared_8bit.eml"])
def test_file_and_smtp_copies_are_duplicates(name):
    """A Maildir or .eml file often contains LF line endings, and SMTP and IMAP deliver CRLF."""
    lf = load(name).replace(b"\r\n", b"\n")
    [from_file] = store_raw_batch([(lf, name)], source=Source.IMPORT)
    by_smtp = store_raw(crlf(lf) + b"\r\n", source=Source.SMTP)
    assert by_smtp.duplicate_of == from_file.raw.pk
    assert by_smtp.raw.state == RawState.DUPLICATE


def test_changed_body_is_no_duplicate():
    content = load("wrong_charset.eml")
    store_raw(content, source=Source.SMTP)
    edited = store_raw(content.rstrip() + b"\nOne more line.\n", source=Source.SMTP)
    assert edited.duplicate_of is None


def test_migration_rekeys_stored_rows():
    migration = importlib.import_module(
        "relaydesk.channels.email.migrations.0003_dedupe_keys_ignore_line_endings"
    )
    stored = store_raw(load("wrong_charset.eml"), source=Source.IMPORT)
    RawMessage.objects.filter(pk=stored.raw.pk).update(dedupe_key="key-before-the-migration")
    migration.recompute_keys(django_apps, None)
    assert RawMessage.objects.get(pk=stored.raw.pk).dedupe_key == stored.raw.dedupe_key
