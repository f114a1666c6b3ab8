import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relaydesk.channels.email import batch, intake
from relaydesk.channels.email.batch import BatchImporter, ContactCache, IncomingMessage
from relaydesk.channels.email.models import RawMessage, RawState
from relaydesk.core import clock, memo
from relaydesk.core.models import TimelineEvent
from relaydesk.customers.models import Contact, ContactEmail
from relaydesk.sla import tracking
from relaydesk.tickets.models import Message, Ticket
from tests.channels.email.conftest import load
from tests.factories import ContactFactory
from tests.sla.helpers import SUPPORT, client_email, organization_with_domain

pytestmark = pytest.mark.django_db


def incoming(name: str, **fields: object) -> IncomingMessage:
    return IncomingMessage(load(name, **fields), source_ref=name)


def from_sender(name: str, address: bytes) -> IncomingMessage:
    """Return fixture ``name`` with its From header replaced by ``address``."""
    content = re.sub(rb"(?m)^From: .*$", b"From: " + address, load(name), count=1)
    return IncomingMessage(content, source_ref=f"{name} from {address.decode()}")


def crash_on(monkeypatch, marker: bytes) -> None:
    real_parse = intake.parse_message

    def parse_or_crash(content: bytes, **kwargs):
        if marker in content:
            raise RuntimeError("parser bug")
        return real_parse(content, **kwargs)

    monkeypatch.setattr(intake, "parse_message", parse_or_crash)


def test_import_batch_failure_in_middle_quarantines_only_it(monkeypatch):
    crash_on(monkeypatch, b"<bad-date-1@client.example>")
    results = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), incoming("bad_date.eml"), incoming("list_mail.eml")]
    )
    assert [result.outcome for result in results] == [
        "ticket_created",
        "quarantined",
        "ticket_created",
    ]
    assert results[1].reason == "processing_failed"
    assert Ticket.objects.count() == 2


def test_import_batch_quarantined_message_keeps_raw_and_error(monkeypatch):
    crash_on(monkeypatch, b"<bad-date-1@client.example>")
    results = BatchImporter().import_batch([incoming("bad_date.eml"), incoming("list_mail.eml")])
    raw = RawMessage.objects.get(pk=results[0].raw_id)
    assert raw.state == RawState.QUARANTINED
    assert bytes(raw.content) == load("bad_date.eml")
    assert "RuntimeError: parser bug" in raw.error_detail


def test_import_batch_unusable_message_quarantined_with_reason():
    results = BatchImporter().import_batch(
        [incoming("unusable_from.eml"), incoming("wrong_charset.eml")]
    )
    assert results[0].reason == "sender_unusable"
    assert results[1].outcome == "ticket_created"


def test_import_batch_idna_forms_share_contact():
    unicode_form = "Ana <ana@exémplo.example>".encode()
    results = BatchImporter().import_batch(
        [
            from_sender("wrong_charset.eml", unicode_form),
            from_sender("list_mail.eml", b"Ana <ana@xn--exmplo-cva.example>"),
        ]
    )
    assert [result.outcome for result in results] == ["ticket_created", "ticket_created"]
    assert Contact.objects.count() == 1
    assert list(ContactEmail.objects.values_list("address", flat=True)) == ["ana@exémplo.example"]


def test_import_batch_duplicate_inside_batch_detected():
    first, second = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), incoming("wrong_charset.eml")]
    )
    duplicate = RawMessage.objects.get(pk=second.raw_id)
    assert second.outcome == "duplicate"
    assert second.ticket_number == first.ticket_number
    assert duplicate.state == RawState.DUPLICATE
    assert Ticket.objects.count() == 1


def test_import_batch_duplicate_of_earlier_batch_detected():
    importer = BatchImporter()
    [first] = importer.import_batch([incoming("wrong_charset.eml")])
    [again] = importer.import_batch([incoming("wrong_charset.eml")])
    assert again.outcome == "duplicate"
    assert again.ticket_number == first.ticket_number
    assert Ticket.objects.count() == 1


def test_import_batch_reply_threads_to_parent_in_same_batch():
    parent, reply = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), incoming("reply_in_reply_to.eml")]
    )
    assert reply.outcome == "message_added"
    assert reply.ticket_number == parent.ticket_number


def test_import_batch_reply_touches_ticket():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with clock.frozen_at(start):
        [parent] = BatchImporter().import_batch([incoming("wrong_charset.eml")])
    later = start + timedelta(hours=1)
    with clock.frozen_at(later):
        [reply] = BatchImporter().import_batch([incoming("reply_in_reply_to.eml")])
    assert (reply.outcome, reply.ticket_number) == ("message_added", parent.ticket_number)
    ticket = Ticket.objects.get(number=parent.ticket_number)
    assert (ticket.updated_at, ticket.last_client_message_at) == (later, later)


def test_import_batch_stores_every_raw_row():
    results = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), incoming("auto_reply.eml"), incoming("bounce_dsn.eml")]
    )
    states = set(RawMessage.objects.values_list("state", flat=True))
    assert RawMessage.objects.count() == 3
    assert states == {RawState.PROCESSED}
    assert [result.outcome for result in results] == ["ticket_created", "auto_reply", "bounce"]


def test_import_batch_uses_parse_from_parser_process():
    parsed = intake.parse_content(load("wrong_charset.eml"))
    content = load("wrong_charset.eml")
    [result] = BatchImporter().import_batch([IncomingMessage(content, "a.eml", parsed)])
    assert result.outcome == "ticket_created"


def test_import_batch_parse_failure_from_parser_process_quarantined():
    failure = intake.ParseFailure("Traceback ...\nValueError: broken header")
    [result] = BatchImporter().import_batch(
        [IncomingMessage(load("wrong_charset.eml"), "a.eml", failure)]
    )
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.reason == "processing_failed"
    assert raw.error_detail == failure.detail


def test_import_batch_failed_batch_replayed_one_by_one(monkeypatch):
    real_store = batch.store_raw_batch

    def store_then_fail(*args, **kwargs):
        real_store(*args, **kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(batch, "store_raw_batch", store_then_fail)
    results = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), incoming("reply_in_reply_to.eml")]
    )
    assert [result.outcome for result in results] == ["ticket_created", "message_added"]
    assert RawMessage.objects.count() == 2
    assert Ticket.objects.count() == 1


def test_import_batch_acknowledges_new_tickets_after_commit(acknowledgements):
    results = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), incoming("list_mail.eml"), incoming("unusable_from.eml")]
    )
    assert acknowledgements == [(results[0].ticket_number, results[0].message_pk)]


def test_import_batch_no_acknowledgement_for_rolled_back_ticket(monkeypatch, acknowledgements):
    def fail(*args, **kwargs):
        raise RuntimeError("failed after the ticket was created")

    monkeypatch.setattr(intake, "_set_processed", fail)
    [result] = BatchImporter().import_batch([incoming("wrong_charset.eml")])
    assert result.outcome == "quarantined"
    assert acknowledgements == []
    assert Ticket.objects.count() == 0


def test_import_batch_failed_acknowledgement_leaves_others(monkeypatch):
    queued: list[int] = []

    def acknowledge_or_fail(ticket, message):
        if ticket.subject == "Export fails":
            raise RuntimeError("template missing")
        queued.append(ticket.number)

    monkeypatch.setattr(batch.outbound, "queue_acknowledgement", acknowledge_or_fail)
    results = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), from_sender("html_only.eml", b"rui@client.example")]
    )
    assert queued == [results[1].ticket_number]
    assert Ticket.objects.count() == 2


def test_import_batch_same_new_sender_twice_gets_one_contact(monkeypatch):
    real_mark = intake._set_processed

    def fail_first(raw, outcome, ticket):
        # wrong_charset.eml fails on every attempt, after its contact was created.
        if ticket.subject == "Export fails":
            raise RuntimeError("failed after the contact was created")
        real_mark(raw, outcome, ticket)

    monkeypatch.setattr(intake, "_set_processed", fail_first)
    first, second = BatchImporter().import_batch(
        [
            from_sender("wrong_charset.eml", b"new@client.example"),
            from_sender("html_only.eml", b"new@client.example"),
        ]
    )
    message = Message.objects.get(pk=second.message_pk)
    assert first.outcome == "quarantined"
    assert second.outcome == "ticket_created"
    assert message.contact == ContactEmail.objects.get(address="new@client.example").contact
    assert Contact.objects.count() == 1


def test_contact_cache_keeps_contact_after_release(monkeypatch):
    cache = ContactCache()
    contact = cache.find("ana@client.example", "Ana")
    cache.keep_pending()
    monkeypatch.setattr(batch, "contact_for_sender", pytest.fail)
    assert cache.find("ana@client.example", "Ana") == contact


def test_prefetch_finds_known_sender(monkeypatch):
    known = ContactFactory(email="ana@client.example")
    cache = ContactCache()
    cache.prefetch(["ana@client.example", "rui@client.example"])
    monkeypatch.setattr(batch, "contact_for_sender", pytest.fail)
    assert cache.find("ana@client.example", "Ana") == known


def test_prefetch_creates_sender_without_lookup(monkeypatch):
    cache = ContactCache()
    cache.prefetch(["rui@client.example"])
    monkeypatch.setattr(batch, "contact_for_sender", pytest.fail)
    contact = cache.find("rui@client.example", "Rui")
    assert ContactEmail.objects.get(address="rui@client.example").contact == contact


def test_prefetch_sender_created_elsewhere():
    cache = ContactCache()
    cache.prefetch(["rui@client.example"])
    # Another intake creates the contact after the prefetch.
    theirs = ContactFactory(email="rui@client.example")
    assert cache.find("rui@client.example", "Rui") == theirs
    assert Contact.objects.count() == 1


def test_batch_looks_up_senders_once(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": SUPPORT}
    known = ContactFactory(email="ana@senders.example")
    sent = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    messages = [
        IncomingMessage(
            client_email(
                sender=sender, subject="Export fails", sent_at=sent, message_id=f"<{n}@s>"
            ),
            source_ref=str(n),
        )
        for n, sender in enumerate(
            ["ana@senders.example", "rui@senders.example", "eva@senders.example"]
        )
    ]
    table = connection.ops.quote_name(ContactEmail._meta.db_table)
    with CaptureQueriesContext(connection) as queries:
        results = BatchImporter().import_batch(messages)
    assert [result.outcome for result in results] == ["ticket_created"] * 3
    lookups = [
        query for query in queries.captured_queries if query["sql"].startswith(f"SELECT {table}")
    ]
    assert len(lookups) == 1
    assert Ticket.objects.get(number=results[0].ticket_number).contact == known
    assert ContactEmail.objects.filter(address__endswith="@senders.example").count() == 3


def test_contact_cache_drop_pending_forgets_contact():
    cache = ContactCache()
    cache.find("ana@client.example", "Ana")
    cache.drop_pending()
    ContactEmail.objects.all().delete()
    Contact.objects.all().delete()
    again = cache.find("ana@client.example", "Ana")
    assert Contact.objects.filter(pk=again.pk).exists()


def test_contact_cache_forgets_least_recently_used():
    cache = ContactCache(size=2)
    for address in ("a@client.example", "b@client.example", "c@client.example"):
        cache.find(address, "")
        cache.keep_pending()
    ContactEmail.objects.filter(address="a@client.example").delete()
    renewed = cache.find("a@client.example", "")
    assert ContactEmail.objects.get(address="a@client.example").contact == renewed


def test_import_batch_failed_acknowledgement_transaction_keeps_messages(monkeypatch):
    def fail_transaction(*args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(batch, "_queue_one", fail_transaction)
    [result] = BatchImporter().import_batch([incoming("wrong_charset.eml")])
    assert result.outcome == "ticket_created"
    assert Ticket.objects.count() == 1


def savepoints_in(queries) -> int:
    return sum(query["sql"].startswith("SAVEPOINT") for query in queries.captured_queries)


def test_batch_without_failures_skips_savepoints():
    # Known senders, so no contact is created (that opens a savepoint of its own).
    ContactFactory(email="ana@client.example")
    ContactFactory(email="rui@client.example")
    with CaptureQueriesContext(connection) as queries:
        results = BatchImporter().import_batch(
            [
                from_sender("wrong_charset.eml", b"ana@client.example"),
                incoming("unusable_from.eml"),
                from_sender("html_only.eml", b"rui@client.example"),
            ]
        )
    assert [result.outcome for result in results] == [
        "ticket_created",
        "quarantined",
        "ticket_created",
    ]
    assert results[1].reason == "sender_unusable"
    # Inside the test's own transaction the batch and its acknowledgements
    # each open one savepoint; the messages open none.
    assert savepoints_in(queries) == 2


def test_batch_failure_reruns_with_savepoints(monkeypatch):
    real_open = intake.actions.open_ticket

    def open_or_fail(**kwargs):
        if kwargs["subject"] == "Export fails":
            raise RuntimeError("failed while opening the ticket")
        return real_open(**kwargs)

    monkeypatch.setattr(intake.actions, "open_ticket", open_or_fail)
    with CaptureQueriesContext(connection) as queries:
        results = BatchImporter().import_batch(
            [incoming("html_only.eml"), incoming("wrong_charset.eml"), incoming("list_mail.eml")]
        )
    assert [result.outcome for result in results] == [
        "ticket_created",
        "quarantined",
        "ticket_created",
    ]
    raw = RawMessage.objects.get(pk=results[1].raw_id)
    assert "failed while opening the ticket" in raw.error_detail
    assert raw.attempts == 1
    assert Ticket.objects.count() == 2
    assert savepoints_in(queries) >= 3


def test_batch_writes_rows_together(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": SUPPORT}
    organization_with_domain("batch.example")
    sent = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

    def mail(message_id: str, **headers: str) -> IncomingMessage:
        content = client_email(
            sender="ana@batch.example",
            subject="Export fails",
            sent_at=sent,
            message_id=message_id,
            headers=headers,
        )
        return IncomingMessage(content, source_ref=message_id)

    with CaptureQueriesContext(connection) as queries:
        opened, replied, answered = BatchImporter().import_batch(
            [
                mail("<first@batch.example>"),
                mail("<second@batch.example>", **{"In-Reply-To": "<first@batch.example>"}),
                mail(
                    "<away@batch.example>",
                    **{"In-Reply-To": "<second@batch.example>", "Auto-Submitted": "auto-replied"},
                ),
            ]
        )
    assert [opened.outcome, replied.outcome, answered.outcome] == [
        "ticket_created",
        "message_added",
        "auto_reply",
    ]
    assert opened.ticket_number == replied.ticket_number == answered.ticket_number
    ticket = Ticket.objects.get(number=opened.ticket_number)
    second = Message.objects.get(message_id="<second@batch.example>")
    assert ticket.last_client_message_at == second.created_at
    assert sorted(ticket.sla_clocks.values_list("kind", flat=True)) == sorted(
        ["first_response", "resolution"]
    )
    # The three messages went in with one INSERT; the acknowledgement with another.
    message_inserts = [
        query
        for query in queries.captured_queries
        # Django logs a statement run with executemany as "N times: INSERT ...".
        if 'INSERT INTO "tickets_message"' in query["sql"]
    ]
    assert len(message_inserts) == 2


def test_batch_skips_replay_before_first_response(settings, monkeypatch):
    """A message that opens a ticket, and one before its first response, change no clock."""
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": SUPPORT}
    organization_with_domain("batch.example")
    targets_read = []
    real_targets = tracking.ticket_targets
    monkeypatch.setattr(
        tracking,
        "ticket_targets",
        lambda ticket: targets_read.append(ticket.pk) or real_targets(ticket),
    )
    sent = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    first, again = (
        IncomingMessage(
            client_email(
                sender="ana@batch.example",
                subject="Export fails",
                sent_at=sent,
                message_id=message_id,
                headers=headers,
            ),
            source_ref=message_id,
        )
        for message_id, headers in (
            ("<first@batch.example>", {}),
            ("<again@batch.example>", {"In-Reply-To": "<first@batch.example>"}),
        )
    )
    opened, added = BatchImporter().import_batch([first, again])

    ticket = Ticket.objects.get(number=opened.ticket_number)
    assert added.ticket_number == opened.ticket_number
    # Only ticket_created read the targets.
    assert targets_read == [ticket.pk]
    stored = sorted(ticket.sla_clocks.values_list("kind", "cycle", "due_at", "met_at"))
    rebuilt = tracking.recompute_ticket_clocks(ticket)
    assert sorted((row.kind, row.cycle, row.due_at, row.met_at) for row in rebuilt) == stored


def test_batch_numbers_tickets_without_gaps():
    first, reply, second = BatchImporter().import_batch(
        [
            incoming("wrong_charset.eml"),
            incoming("reply_in_reply_to.eml"),
            incoming("html_only.eml"),
        ]
    )
    assert reply.outcome == "message_added"
    assert (first.ticket_number, second.ticket_number) == (1, 2)
    [after] = BatchImporter().import_batch([incoming("list_mail.eml")])
    assert after.ticket_number == 3


def test_batch_rerun_writes_rows_at_once(monkeypatch):
    from relaydesk.core import inserts

    real_open = intake.actions.open_ticket
    holding: list[bool] = []

    def open_and_record(**kwargs):
        holding.append(inserts._current.get() is not None)
        if kwargs["subject"] == "Export fails" and len(holding) == 1:
            raise RuntimeError("failed while opening the ticket")
        return real_open(**kwargs)

    monkeypatch.setattr(intake.actions, "open_ticket", open_and_record)
    results = BatchImporter().import_batch(
        [incoming("wrong_charset.eml"), incoming("html_only.eml")]
    )
    assert [result.outcome for result in results] == ["ticket_created", "ticket_created"]
    # The first attempt held its rows; the rerun with savepoints wrote them at once.
    assert holding == [True, False, False]


def test_domain_owner_seen_after_max_age(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(memo, "_now", lambda: clock[0])
    importer = BatchImporter()

    def contact_organization(address: str) -> object:
        content = client_email(
            sender=address,
            subject="Report is empty",
            sent_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
            message_id=f"<{address}>",
        )
        importer.import_batch([IncomingMessage(content, source_ref=address)])
        return ContactEmail.objects.get(address=address).contact.organization

    with memo.lasting(10):
        assert contact_organization("ana@late.example") is None
        # An administrator gives the domain to an organization mid-run.
        owner = organization_with_domain("late.example")
        # The run still reads the domain as unowned...
        assert contact_organization("rui@late.example") is None
        clock[0] += 11
        # ...until its maximum age has passed.
        assert contact_organization("eva@late.example") == owner


def test_batch_counts_earlier_acknowledgements(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "ACKS_PER_ADDRESS_PER_HOUR": 1}
    BatchImporter().import_batch([from_sender("wrong_charset.eml", b"ana@client.example")])
    second = from_sender("html_only.eml", b"ana@client.example")
    other = from_sender("rfc2047_subject.eml", b"rui@client.example")
    ana_result, rui_result = BatchImporter().import_batch([second, other])

    acknowledged = Message.objects.filter(kind="acknowledgement")
    assert sorted(message.to_addresses[0] for message in acknowledged) == [
        "ana@client.example",
        "rui@client.example",
    ]
    skipped = TimelineEvent.objects.get(kind="acknowledgement_skipped")
    assert skipped.subject_id == Ticket.objects.get(number=ana_result.ticket_number).pk
    assert skipped.data["reason"] == "rate_limited"
    assert rui_result.outcome == "ticket_created"


def test_batch_commits_tickets_with_acknowledgements(monkeypatch):
    # A crash right after the acknowledgements are queued must take the
    # batch's tickets with it, so a crash cannot leave a committed ticket
    # without its acknowledgement.
    real_queue = batch._queue_acknowledgements

    def queue_then_crash(pending):
        real_queue(pending)
        assert Message.objects.filter(kind="acknowledgement").count() == 1
        raise SystemExit("killed")

    monkeypatch.setattr(batch, "_queue_acknowledgements", queue_then_crash)
    with pytest.raises(SystemExit):
        BatchImporter().import_batch([incoming("wrong_charset.eml")])
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0
    assert RawMessage.objects.count() == 0


def test_import_batch_gathers_statistics_after_first_batch_only(monkeypatch):
    analyzed = []
    monkeypatch.setattr(batch, "analyze_new_tables", lambda tables: analyzed.append(tables))
    importer = BatchImporter()
    importer.import_batch([incoming("wrong_charset.eml")])
    importer.import_batch([incoming("list_mail.eml")])
    assert analyzed == [batch.LOOKED_UP_EACH_BATCH]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_analyze_new_tables_fills_only_tables_without_statistics():
    def row_estimate(table: str) -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE rd_new_probe (id integer)")
        cursor.execute("INSERT INTO rd_new_probe SELECT generate_series(1, 50)")
    assert row_estimate("rd_new_probe") < 0
    with CaptureQueriesContext(connection) as queries:
        batch.analyze_new_tables(["rd_new_probe"])
    assert row_estimate("rd_new_probe") == 50
    # Inside the test's transaction the ANALYZE runs in a savepoint.
    assert 'ANALYZE "rd_new_probe"' in [query["sql"] for query in queries]
    with CaptureQueriesContext(connection) as queries:
        batch.analyze_new_tables(["rd_new_probe"])
    assert not any(query["sql"].startswith("ANALYZE") for query in queries)


def test_import_batch_inserts_raw_rows_with_their_outcomes():
    """The first attempt inserts each raw row once, outcome included, and never updates it."""
    with CaptureQueriesContext(connection) as queries:
        results = BatchImporter().import_batch(
            [incoming("wrong_charset.eml"), incoming("list_mail.eml")]
        )
    table = connection.ops.quote_name(RawMessage._meta.db_table)
    assert not [query for query in queries if f"UPDATE {table}" in query["sql"]]
    stored = RawMessage.objects.filter(pk__in=[result.raw_id for result in results])
    assert sorted(stored.values_list("state", flat=True)) == [RawState.PROCESSED] * 2
    assert all(raw.ticket_id is not None for raw in stored)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_analyze_new_tables_failure_logged_not_raised(monkeypatch, caplog):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE rd_failing_probe (id integer)")
    # The look-up finds the table, and the ANALYZE then names one that does not exist.
    monkeypatch.setattr(connection.ops, "quote_name", lambda name: f'"{name}_gone"')
    batch.analyze_new_tables(["rd_failing_probe"])

    assert "planner statistics not gathered" in caplog.text
    assert "rd_failing_probe_gone" in caplog.text
    # The caller's transaction is still usable.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM rd_failing_probe")
        assert cursor.fetchone()[0] == 0
