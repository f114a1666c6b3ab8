"""IMAP polling against a real Dovecot started for each test."""

import logging
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult
from imap_tools import MailMessageFlags

from relaydesk.channels.email import tasks
from relaydesk.channels.email.mailurl import MailUrlError, parse_imap_urls
from relaydesk.channels.email.models import ImapCursor, RawMessage, RawState, Source
from relaydesk.tickets.models import Ticket
from tests.channels.email.dovecot import Dovecot, start_dovecot
from tests.ports import free_port

pytestmark = pytest.mark.django_db

USERS = {"desk": "desk-secret", "billing": "billing-secret"}


@pytest.fixture(autouse=True)
def _support_address(settings):
    """Use the fresh-install support address, in place of the package conftest's."""
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": "support@localhost"}


@pytest.fixture
def dovecot(tmp_path) -> Iterator[Dovecot]:
    server = start_dovecot(tmp_path, USERS)
    yield server
    server.stop()


def set_option(settings, **values) -> None:
    settings.RELAYDESK = {**settings.RELAYDESK, **values}


def client_email(number: int, sender: str = "ana@client.example") -> bytes:
    email = EmailMessage()
    email["From"] = f"Client {number} <{sender}>"
    email["To"] = "support@localhost"
    email["Subject"] = f"Problem number {number}"
    email["Message-ID"] = f"<problem-{number}@client.example>"
    email.set_content(f"Problem {number} happens every time I open the report.\n")
    return email.as_bytes()


def append(server: Dovecot, *numbers: int, folder: str = "INBOX", user: str = "desk") -> None:
    with server.mailbox(user) as mailbox:
        for number in numbers:
            mailbox.append(client_email(number), folder)


def flags_in(server: Dovecot, folder: str = "INBOX") -> list[tuple[str, ...]]:
    with server.mailbox() as mailbox:
        mailbox.folder.set(folder)
        return [message.flags for message in mailbox.fetch(mark_seen=False)]


def count_in(server: Dovecot, folder: str) -> int:
    with server.mailbox() as mailbox:
        return mailbox.folder.status(folder, ["MESSAGES"])["MESSAGES"]


# -- fetching ------------------------------------------------------------------


@pytest.mark.imap
def test_fetch_mail_stores_new_messages(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1, 2)
    call_command("fetch-mail")
    raws = list(RawMessage.objects.order_by("pk"))
    assert [raw.source for raw in raws] == [Source.IMAP, Source.IMAP]
    assert [raw.message_id for raw in raws] == [
        "<problem-1@client.example>",
        "<problem-2@client.example>",
    ]


@pytest.mark.imap
def test_fetch_mail_source_ref_names_uid(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1)
    call_command("fetch-mail")
    cursor = ImapCursor.objects.get()
    raw = RawMessage.objects.get()
    assert raw.source_ref == (f"imap:desk@127.0.0.1:{dovecot.port}:INBOX:{cursor.uidvalidity}:1")
    assert cursor.last_uid == 1


@pytest.mark.imap
def test_fetch_mail_reports_quarantined_and_duplicates(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1, 1)
    with dovecot.mailbox() as mailbox:
        mailbox.append(b"Subject: no sender\r\n\r\nWho sent this?\r\n", "INBOX")
    out = StringIO()
    call_command("fetch-mail", stdout=out)
    report = out.getvalue()
    assert "3 stored, 2 processed, 1 quarantined, 1 duplicates, 0 failed to process" in report
    assert "reprocess-quarantine --list" in report


@pytest.mark.imap
def test_fetch_mail_flags_seen(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1, 2)
    call_command("fetch-mail")
    assert all("\\Seen" in flags for flags in flags_in(dovecot))
    assert len(flags_in(dovecot)) == 2


@pytest.mark.imap
def test_fetch_mail_moves_to_processed(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url(), IMAP_PROCESSED_FOLDER="Processed")
    append(dovecot, 1, 2)
    call_command("fetch-mail")
    assert count_in(dovecot, "INBOX") == 0
    assert count_in(dovecot, "Processed") == 2
    assert all("\\Seen" in flags for flags in flags_in(dovecot, "Processed"))
    assert RawMessage.objects.count() == 2


@pytest.mark.imap
def test_fetch_mail_rerun_stores_nothing(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1, 2)
    call_command("fetch-mail")
    call_command("fetch-mail")
    assert RawMessage.objects.count() == 2


@pytest.mark.imap
def test_fetch_mail_without_new_mail_reads_nothing(dovecot, settings):
    # A poll that finds no new UID must not fetch (and flag) the whole folder.
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1, 2)
    call_command("fetch-mail")
    with dovecot.mailbox() as mailbox:
        mailbox.folder.set("INBOX")
        mailbox.flag("1", MailMessageFlags.SEEN, False)
    out = StringIO()

    call_command("fetch-mail", stdout=out)

    assert "0 stored, 0 processed, 0 quarantined, 0 duplicates" in out.getvalue()
    assert sorted("\\Seen" in flags for flags in flags_in(dovecot)) == [False, True]


@pytest.mark.imap
def test_fetch_mail_continues_from_cursor(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1)
    call_command("fetch-mail")
    append(dovecot, 2)
    call_command("fetch-mail")
    assert RawMessage.objects.count() == 2
    assert ImapCursor.objects.get().last_uid == 2


@pytest.mark.imap
def test_fetch_mail_ignores_seen_flag(dovecot, settings):
    # The cursor, not the \Seen flag, decides what is new: an agent reading
    # the mailbox in a mail client must not hide a message from relaydesk.
    set_option(settings, IMAP_URL=dovecot.url())
    with dovecot.mailbox() as mailbox:
        mailbox.append(client_email(1), "INBOX", flag_set=["\\Seen"])
    call_command("fetch-mail")
    assert RawMessage.objects.count() == 1


@pytest.mark.imap
def test_fetch_mail_uidvalidity_change_no_duplicates(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url(folder="Support"))
    with dovecot.mailbox() as mailbox:
        mailbox.folder.create("Support")
    append(dovecot, 1, 2, folder="Support")
    call_command("fetch-mail")
    first_validity = ImapCursor.objects.get().uidvalidity

    # A folder deleted and created again gets a new UIDVALIDITY, and the same
    # messages come back with UIDs that start over.
    with dovecot.mailbox() as mailbox:
        mailbox.folder.delete("Support")
        mailbox.folder.create("Support")
    append(dovecot, 1, 2, folder="Support")
    call_command("fetch-mail")

    cursor = ImapCursor.objects.get()
    assert cursor.uidvalidity != first_validity
    assert cursor.last_uid == 2
    assert RawMessage.objects.count() == 4
    assert RawMessage.objects.filter(state=RawState.DUPLICATE).count() == 2


@pytest.mark.imap
def test_fetch_mail_reads_several_mailboxes(dovecot, settings):
    set_option(settings, IMAP_URL=f"{dovecot.url('desk')}, {dovecot.url('billing')}")
    append(dovecot, 1, user="desk")
    append(dovecot, 2, user="billing")
    call_command("fetch-mail")
    accounts = sorted(ImapCursor.objects.values_list("account", flat=True))
    assert RawMessage.objects.count() == 2
    assert accounts == [
        f"billing@127.0.0.1:{dovecot.port}",
        f"desk@127.0.0.1:{dovecot.port}",
    ]


@pytest.mark.imap
def test_fetch_mail_unknown_folder_fails(dovecot, settings, caplog):
    set_option(settings, IMAP_URL=dovecot.url(folder="NoSuchFolder"))
    with pytest.raises(CommandError) as raised:
        call_command("fetch-mail")
    assert "1 of 1 mailboxes failed" in str(raised.value)
    assert "folder not found or not readable" in caplog.text


@pytest.mark.imap
def test_fetch_mail_wrong_password_fails(dovecot, settings, caplog):
    set_option(settings, IMAP_URL=f"imap://desk:wrong@127.0.0.1:{dovecot.port}")
    with pytest.raises(CommandError):
        call_command("fetch-mail")
    assert "imap fetch failed: login as 'desk'" in caplog.text
    assert "check the user name and password" in caplog.text
    assert "wrong" not in caplog.text


@pytest.mark.imap
def test_fetch_mail_one_failing_mailbox_others_read(dovecot, settings):
    broken = f"imap://desk:wrong@127.0.0.1:{dovecot.port}"
    set_option(settings, IMAP_URL=f"{broken},{dovecot.url('billing')}")
    append(dovecot, 1, user="billing")
    with pytest.raises(CommandError):
        call_command("fetch-mail")
    assert RawMessage.objects.count() == 1


@pytest.mark.imap
def test_fetch_mail_starttls_without_tls_names_the_schemes(dovecot, settings, caplog):
    set_option(settings, IMAP_URL=dovecot.url().replace("imap://", "imap+starttls://"))
    with pytest.raises(CommandError):
        call_command("fetch-mail")
    assert "does not offer STARTTLS: use imaps://" in caplog.text


def test_fetch_mail_connection_refused(settings, caplog):
    caplog.set_level(logging.ERROR, logger="relaydesk")
    set_option(settings, IMAP_URL=f"imap://desk:pw@127.0.0.1:{free_port()}")
    with pytest.raises(CommandError) as raised:
        call_command("fetch-mail")
    assert "the next run retries" in str(raised.value)
    assert "refused the connection: check the host and port" in caplog.text


def test_fetch_mail_bad_url_names_value(settings):
    set_option(settings, IMAP_URL="pop3://desk:pw@mail.example")
    with pytest.raises(CommandError) as raised:
        call_command("fetch-mail")
    assert "pop3://desk:***@mail.example" in str(raised.value)
    assert "imaps://user:password@" in str(raised.value)


def test_fetch_mail_without_url_explains(settings):
    set_option(settings, IMAP_URL="")
    with pytest.raises(CommandError) as raised:
        call_command("fetch-mail")
    assert "RELAYDESK_IMAP_URL is not set" in str(raised.value)


@pytest.mark.imap
def test_fetch_mail_creates_tickets(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1, 2)
    call_command("fetch-mail")
    subjects = sorted(Ticket.objects.values_list("subject", flat=True))
    assert subjects == ["Problem number 1", "Problem number 2"]
    assert RawMessage.objects.filter(state=RawState.PROCESSED).count() == 2


@pytest.mark.imap
def test_fetch_mail_rerun_creates_no_ticket(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1, 2)
    call_command("fetch-mail")
    call_command("fetch-mail")
    assert Ticket.objects.count() == 2


@pytest.mark.imap
def test_fetch_mail_new_uidvalidity_no_new_tickets(dovecot, settings):
    set_option(settings, IMAP_URL=dovecot.url(folder="Support"))
    with dovecot.mailbox() as mailbox:
        mailbox.folder.create("Support")
    append(dovecot, 1, 2, folder="Support")
    call_command("fetch-mail")
    with dovecot.mailbox() as mailbox:
        mailbox.folder.delete("Support")
        mailbox.folder.create("Support")
    append(dovecot, 1, 2, folder="Support")
    call_command("fetch-mail")
    assert Ticket.objects.count() == 2


@pytest.mark.imap
def test_fetch_mail_processed_message_after_restart(dovecot, settings):
    # A run that stored a message but stopped before marking it: the next run
    # finds the stored row by its source reference and stores nothing new.
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1)
    call_command("fetch-mail")
    ImapCursor.objects.update(last_uid=0)
    call_command("fetch-mail")
    assert RawMessage.objects.count() == 1
    assert Ticket.objects.count() == 1


# -- URL parsing -----------------------------------------------------------------


def test_parse_imap_urls_reads_each_scheme():
    servers = parse_imap_urls(
        "imaps://a:1@mail.example, imap+starttls://b:2@mail.example, imap://c:3@127.0.0.1:1143"
    )
    assert [(s.scheme, s.port) for s in servers] == [
        ("imaps", 993),
        ("imap+starttls", 143),
        ("imap", 1143),
    ]


def test_parse_imap_urls_folder_and_escapes():
    (server,) = parse_imap_urls("imaps://help%40acme.example:p%2Cw@mail.example/INBOX/Support")
    assert server.username == "help@acme.example"
    assert server.password == "p,w"
    assert server.folder == "INBOX/Support"
    assert server.account == "help@acme.example@mail.example:993"


def test_parse_imap_urls_empty():
    assert parse_imap_urls("") == []


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("pop3://a:b@mail.example", "unsupported scheme 'pop3'"),
        ("imaps://mail.example", "no user name or password"),
        ("imaps://user@mail.example", "no user name or password"),
        ("imaps://a:b@", "no host name"),
        ("imaps://a:b@mail.example:99999", "is invalid"),
        ("imap+starttls://a:b@mail.example:993", "use imaps:// for port 993"),
    ],
)
def test_parse_imap_urls_rejects(url, fragment):
    with pytest.raises(MailUrlError) as raised:
        parse_imap_urls(url)
    assert fragment in str(raised.value)
    assert "RELAYDESK_IMAP_URL" in str(raised.value)


# -- the periodic task -------------------------------------------------------------


def pending_fetches() -> int:
    return DBTaskResult.objects.filter(
        task_path="relaydesk.channels.email.tasks.fetch_mail", status="READY"
    ).count()


def run_mail_worker() -> None:
    call_command(
        "db_worker", "--batch", "--queue-name", "mail", "--no-startup-delay", "--no-reload"
    )


def test_schedule_fetch_mail_needs_url(settings, database_tasks):
    set_option(settings, IMAP_URL="")
    assert tasks.schedule_fetch_mail() is False
    assert pending_fetches() == 0


def test_schedule_fetch_mail_keeps_one_pending(settings, database_tasks):
    set_option(settings, IMAP_URL="imap://desk:pw@127.0.0.1:1143")
    assert tasks.schedule_fetch_mail() is True
    assert tasks.schedule_fetch_mail() is False
    assert tasks.schedule_fetch_mail(delay=None) is False
    assert pending_fetches() == 1


def test_schedule_fetch_mail_skips_immediate_backend(settings):
    set_option(settings, IMAP_URL="imap://desk:pw@127.0.0.1:1143")
    assert tasks.schedule_fetch_mail() is False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fetch_task_reschedules_after_failure(settings, database_tasks):
    set_option(settings, IMAP_URL=f"imap://desk:pw@127.0.0.1:{free_port()}", IMAP_POLL_SECONDS=60)
    tasks.schedule_fetch_mail(delay=timedelta(0))
    run_mail_worker()
    waiting = DBTaskResult.objects.get(status="READY")
    finished = DBTaskResult.objects.exclude(status="READY").get()
    assert finished.status == "SUCCESSFUL"
    assert waiting.task_path.endswith("tasks.fetch_mail")
    assert waiting.run_after > finished.finished_at


@pytest.mark.imap
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_fetch_task_runs_in_worker(dovecot, settings, database_tasks):
    set_option(settings, IMAP_URL=dovecot.url())
    append(dovecot, 1)
    tasks.schedule_fetch_mail(delay=timedelta(0))
    run_mail_worker()
    assert RawMessage.objects.count() == 1
    assert pending_fetches() == 1
