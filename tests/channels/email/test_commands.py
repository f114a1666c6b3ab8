import importlib
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import connection, reset_queries

from relaydesk.channels.email import intake
from relaydesk.channels.email.batch import BatchImporter
from relaydesk.channels.email.models import RawMessage, RawState
from relaydesk.core.timeline import events_for
from relaydesk.tickets.models import Message, MessageKind, Ticket
from tests.channels.email.conftest import FIXTURES, load

pytestmark = pytest.mark.django_db

# The command's module; its file name has a hyphen, so no import statement reaches it.
IMPORT_MAIL = importlib.import_module("relaydesk.channels.email.management.commands.import-mail")


def import_mail(*paths: Path) -> dict[str, int]:
    out = StringIO()
    call_command("import-mail", *[str(path) for path in paths], "--json", stdout=out)
    return json.loads(out.getvalue())


def reprocess(*args: str) -> dict[str, int]:
    out = StringIO()
    call_command("reprocess-quarantine", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_import_mail_single_file_counts():
    summary = import_mail(FIXTURES / "wrong_charset.eml")
    assert summary["stored"] == 1
    assert summary["tickets_created"] == 1
    assert summary["quarantined"] == 0


def test_import_mail_skips_system_checks(capsys):
    """An import needs no URL or admin checks; a failing one must not stop it."""

    def failing_check(**kwargs):
        return [checks.Error("a check that always fails", id="tests.E001")]

    checks.register(failing_check)
    try:
        argv = ["relaydesk", "import-mail", str(FIXTURES / "wrong_charset.eml"), "--json"]
        IMPORT_MAIL.Command().run_from_argv(argv)
    finally:
        checks.registry.registry.registered_checks.discard(failing_check)
    assert json.loads(capsys.readouterr().out)["tickets_created"] == 1


@pytest.mark.parametrize(
    ("options", "acknowledgements"), [((), 1), (("--no-acknowledgements",), 0)]
)
def test_import_mail_acknowledges_unless_told_not_to(options, acknowledgements):
    out = StringIO()
    call_command("import-mail", str(FIXTURES / "wrong_charset.eml"), "--json", *options, stdout=out)
    assert json.loads(out.getvalue())["tickets_created"] == 1
    sent = Message.objects.filter(kind=MessageKind.ACKNOWLEDGEMENT)
    assert sent.count() == acknowledgements


def test_import_mail_directory_skips_non_mail(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(FIXTURES / "wrong_charset.eml", folder / "a.eml")
    shutil.copy(FIXTURES / "list_mail.eml", folder / "nested" / "b")
    (folder / "notes.json").write_text('{"not": "mail"}')
    summary = import_mail(folder)
    assert summary["stored"] == 2
    assert summary["tickets_created"] == 2
    assert summary["skipped_files"] == 1


def test_import_mail_directory_quarantines_broken_eml_files(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "empty.eml").write_bytes(b"")
    (folder / "words.eml").write_bytes(b"just some words\nwithout any header\n")
    summary = import_mail(folder)
    assert summary["quarantined"] == 2
    assert summary["skipped_files"] == 0
    reasons = dict(RawMessage.objects.values_list("source_ref", "error_code"))
    assert set(reasons) == {str(folder / "empty.eml"), str(folder / "words.eml")}


def test_import_mail_names_each_skipped_file(tmp_path, caplog):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "notes.json").write_text('{"not": "mail"}')
    import_mail(folder)
    skipped = [record for record in caplog.records if record.msg.startswith("file skipped")]
    assert [record.path for record in skipped] == [str(folder / "notes.json")]


def test_import_mail_skipped_files_count(tmp_path):
    # Hidden folders and a Maildir's own bookkeeping files are not looked at,
    # so they are not reported as skipped either.
    folder = tmp_path / "archive"
    maildir = folder / "support-maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    shutil.copy(FIXTURES / "wrong_charset.eml", maildir / "new" / "1.host")
    (maildir / "dovecot-uidlist").write_text("3 V1 N2\n")
    (folder / ".sync").mkdir()
    (folder / ".sync" / "state.txt").write_text("last run: yesterday\n")
    (folder / "readme.txt").write_text("Mail exported from the old desk.\n")

    summary = import_mail(folder)

    assert summary["tickets_created"] == 1
    assert summary["skipped_files"] == 1


def test_import_mail_mbox_splits_messages(tmp_path):
    mbox = tmp_path / "archive.mbox"
    with mbox.open("wb") as handle:
        for name in ("wrong_charset.eml", "reply_in_reply_to.eml", "bounce_dsn.eml"):
            handle.write(b"From sender@client.example Tue Dec  1 10:00:00 2026\n")
            handle.write(load(name).replace(b"\nFrom ", b"\n>From ") + b"\n")
    summary = import_mail(mbox)
    assert summary["stored"] == 3
    assert summary["tickets_created"] == 1
    assert summary["messages_added"] == 1
    assert summary["bounces"] == 1


def test_import_mail_counts_complaints_as_bounces(tmp_path):
    complaint = tmp_path / "complaint.eml"
    complaint.write_bytes(load("spam_complaint.eml", original_id="<ack-3@desk.example>"))
    summary = import_mail(complaint)
    assert summary["bounces"] == 1
    assert summary["tickets_created"] == 0
    assert Ticket.objects.count() == 0


def test_import_mail_maildir(tmp_path):
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "Maildir" / sub).mkdir(parents=True)
    shutil.copy(FIXTURES / "wrong_charset.eml", tmp_path / "Maildir" / "new" / "1.host")
    shutil.copy(FIXTURES / "auto_reply.eml", tmp_path / "Maildir" / "cur" / "2.host:2,S")
    summary = import_mail(tmp_path / "Maildir")
    assert summary["stored"] == 2
    assert summary["tickets_created"] == 1
    assert summary["auto_replies"] == 1


def test_import_mail_counts_duplicates_and_quarantine():
    summary = import_mail(
        FIXTURES / "wrong_charset.eml",
        FIXTURES / "wrong_charset.eml",
        FIXTURES / "unusable_from.eml",
    )
    assert summary["duplicates"] == 1
    assert summary["quarantined"] == 1
    assert Ticket.objects.count() == 1


def test_import_mail_text_summary_explains_stored_duplicates():
    out = StringIO()
    call_command("import-mail", str(FIXTURES / "wrong_charset.eml"), stdout=out)
    call_command("import-mail", str(FIXTURES / "wrong_charset.eml"), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines.count("stored: 1 (messages read and kept raw, duplicates included)") == 2
    assert "duplicates: 1 (already imported: no new ticket or message)" in lines
    assert "tickets_created: 1" in lines


def test_import_mail_missing_path_names_it(tmp_path):
    missing = tmp_path / "nowhere.eml"
    with pytest.raises(CommandError, match="nowhere.eml"):
        import_mail(missing)
    assert RawMessage.objects.count() == 0


def test_reprocess_quarantine_after_fix(monkeypatch):
    def crash(content: bytes, **kwargs):
        raise RuntimeError("parser bug")

    with monkeypatch.context() as patch:
        patch.setattr(intake, "parse_message", crash)
        import_mail(FIXTURES / "wrong_charset.eml")
    assert RawMessage.objects.get().state == RawState.QUARANTINED

    summary = reprocess()
    assert summary["retried"] == 1
    assert summary["ticket_created"] == 1
    assert RawMessage.objects.get().state == RawState.PROCESSED


def test_reprocess_quarantine_is_idempotent():
    import_mail(FIXTURES / "wrong_charset.eml", FIXTURES / "unusable_from.eml")
    first = reprocess()
    second = reprocess()
    assert first["still_quarantined"] == 1
    assert second["still_quarantined"] == 1
    assert Ticket.objects.count() == 1


def test_reprocess_quarantine_by_id_reports_others():
    import_mail(FIXTURES / "wrong_charset.eml", FIXTURES / "unusable_from.eml")
    processed = RawMessage.objects.get(state=RawState.PROCESSED)
    quarantined = RawMessage.objects.get(state=RawState.QUARANTINED)
    summary = reprocess("--id", str(processed.pk), "--id", str(quarantined.pk))
    assert summary["retried"] == 1
    assert summary["not_quarantined"] == 1


@pytest.mark.parametrize("missing", ["999999", "-5"])
def test_reprocess_quarantine_unknown_id_changes_nothing(missing):
    import_mail(FIXTURES / "unusable_from.eml")
    quarantined = RawMessage.objects.get()
    with pytest.raises(CommandError, match=f"no inbound message has id {missing}: run"):
        reprocess("--id", str(quarantined.pk), "--id", missing)
    quarantined.refresh_from_db()
    assert (quarantined.state, quarantined.attempts) == (RawState.QUARANTINED, 1)


def test_reprocess_quarantine_lists_reasons():
    import_mail(FIXTURES / "wrong_charset.eml", FIXTURES / "unusable_from.eml")
    quarantined = RawMessage.objects.get(state=RawState.QUARANTINED)
    out, err = StringIO(), StringIO()
    call_command("reprocess-quarantine", "--list", stdout=out, stderr=err)
    [line] = out.getvalue().splitlines()
    assert line.startswith(f"{quarantined.pk}\t")
    assert f"\t{quarantined.error_code}\t" in line
    assert "1 quarantined message(s)" in err.getvalue()
    out = StringIO()
    call_command("reprocess-quarantine", "--list", "--json", stdout=out)
    [entry] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (entry["id"], entry["error_code"]) == (quarantined.pk, quarantined.error_code)
    assert entry["error_detail"]
    quarantined.refresh_from_db()
    assert quarantined.attempts == 1


def test_reprocess_quarantine_names_what_is_still_held():
    import_mail(FIXTURES / "wrong_charset.eml", FIXTURES / "unusable_from.eml")
    quarantined = RawMessage.objects.get(state=RawState.QUARANTINED)
    out = StringIO()

    call_command("reprocess-quarantine", stdout=out)

    lines = out.getvalue().splitlines()
    assert "still_quarantined: 1" in lines
    assert "Still quarantined:" in lines
    assert lines[-1].startswith(f"{quarantined.pk}\t")
    assert f"\t{quarantined.error_code}\t" in lines[-1]
    assert reprocess()["still_quarantined_ids"] == [quarantined.pk]


def test_reprocess_quarantine_discards_junk_and_keeps_its_bytes():
    import_mail(FIXTURES / "wrong_charset.eml", FIXTURES / "unusable_from.eml")
    processed = RawMessage.objects.get(state=RawState.PROCESSED)
    junk = RawMessage.objects.get(state=RawState.QUARANTINED)

    summary = reprocess("--discard", "--id", str(junk.pk), "--id", str(processed.pk))

    assert summary == {"discarded": [junk.pk], "not_quarantined": [processed.pk]}
    junk.refresh_from_db()
    assert junk.state == RawState.DISCARDED
    assert junk.content
    assert events_for(junk).get().kind == "quarantine_discarded"
    out = StringIO()
    call_command("reprocess-quarantine", "--list", stdout=out, stderr=StringIO())
    assert out.getvalue() == ""
    assert reprocess()["retried"] == 0


def test_reprocess_quarantine_discard_needs_ids():
    import_mail(FIXTURES / "unusable_from.eml")
    with pytest.raises(CommandError, match="--discard needs the messages to discard: give --id"):
        reprocess("--discard")
    assert RawMessage.objects.get().state == RawState.QUARANTINED


def test_reprocess_quarantine_discard_and_list_conflict():
    with pytest.raises(CommandError, match="--list and --discard do not go together"):
        reprocess("--discard", "--list")


def test_import_mail_logs_no_queries_under_debug(settings):
    settings.DEBUG = True
    reset_queries()
    summary = import_mail(FIXTURES / "wrong_charset.eml")
    assert summary["tickets_created"] == 1
    assert len(connection.queries) == 0
    assert settings.DEBUG is True


def copy_fixtures(folder: Path, names: list[str]) -> Path:
    """Copy fixtures into ``folder`` with numbered names, so they import in this order."""
    folder.mkdir()
    for index, name in enumerate(names):
        shutil.copy(FIXTURES / name, folder / f"{index:02d}-{name}")
    return folder


@pytest.mark.parametrize("workers", ["0", "2"])
def test_import_mail_workers_give_same_counts(tmp_path, workers):
    names = ["wrong_charset.eml", "reply_in_reply_to.eml", "list_mail.eml", "unusable_from.eml"]
    folder = copy_fixtures(tmp_path / "inbox", names)
    out = StringIO()
    call_command("import-mail", str(folder), "--json", "--workers", workers, stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["tickets_created"] == 2
    assert summary["messages_added"] == 1
    assert summary["quarantined"] == 1


def test_import_mail_small_batches_thread_across_them(tmp_path):
    names = ["wrong_charset.eml", "list_mail.eml", "html_only.eml", "reply_in_reply_to.eml"]
    folder = copy_fixtures(tmp_path / "inbox", names)
    out = StringIO()
    call_command("import-mail", str(folder), "--json", "--batch-size", "2", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["stored"] == 4
    assert summary["messages_added"] == 1
    assert Ticket.objects.count() == 3


def test_import_mail_crash_in_parser_process_quarantines_one(tmp_path, monkeypatch):
    real_parse = intake.parse_message

    def parse_or_crash(content: bytes, **kwargs):
        if b"<bad-date-1@client.example>" in content:
            raise RuntimeError("parser bug")
        return real_parse(content, **kwargs)

    monkeypatch.setattr(intake, "parse_message", parse_or_crash)
    folder = copy_fixtures(
        tmp_path / "inbox", ["wrong_charset.eml", "bad_date.eml", "list_mail.eml"]
    )
    out = StringIO()
    call_command("import-mail", str(folder), "--json", "--workers", "2", stdout=out)
    summary = json.loads(out.getvalue())
    raw = RawMessage.objects.get(state=RawState.QUARANTINED)
    assert summary["quarantined"] == 1
    assert summary["tickets_created"] == 2
    assert "RuntimeError: parser bug" in raw.error_detail


@pytest.mark.parametrize(("option", "value"), [("--batch-size", "0"), ("--workers", "-1")])
def test_import_mail_rejects_invalid_numbers(option, value):
    with pytest.raises(CommandError, match=f"'{value}' is invalid"):
        call_command("import-mail", str(FIXTURES / "wrong_charset.eml"), option, value)
    assert RawMessage.objects.count() == 0


def test_import_mail_batch_ends_at_byte_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(IMPORT_MAIL, "BATCH_MAX_BYTES", 1)
    batches: list[int] = []
    real_import_batch = BatchImporter.import_batch

    def count_batch(self, batch):
        batches.append(len(batch))
        return real_import_batch(self, batch)

    monkeypatch.setattr(BatchImporter, "import_batch", count_batch)
    folder = copy_fixtures(tmp_path / "inbox", ["wrong_charset.eml", "list_mail.eml"])
    import_mail(folder)
    assert batches == [1, 1]


def test_import_progress_ends_with_total(capsys):
    progress = IMPORT_MAIL.Progress(total_bytes=3000, enabled=True)
    progress.update(2500, 3000)
    progress.finish(3000)
    lines = capsys.readouterr().err.split("\r")
    assert lines[1].startswith("2500 messages, ")
    assert lines[2].startswith("3000 messages, ")
    assert " done in " in lines[2]
    assert lines[2].endswith("\n")


def test_import_mail_progress_off_writes_nothing(capsys):
    progress = IMPORT_MAIL.Progress(total_bytes=3000, enabled=False)
    progress.update(2500, 3000)
    progress.finish(3000)
    assert capsys.readouterr().err == ""
