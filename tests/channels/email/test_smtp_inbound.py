"""The SMTP endpoint, driven by real SMTP conversations from smtplib."""

import errno
import logging
import os
import re
import signal
import smtplib
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from relaydesk.channels.email.models import RawMessage, RawState, Source
from relaydesk.channels.email.smtp_inbound import InboundHandler, InboundSmtpServer
from relaydesk.channels.email.store import StoredRaw
from relaydesk.tickets import actions
from relaydesk.tickets.models import DeliveryStatus, Direction, MessageKind, Ticket
from tests.factories import AgentFactory
from tests.ports import busy_port, free_port

# The endpoint stores from its own thread, which reads only committed rows.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLIENT = "ana@client.example"


def client_email(subject: str = "Export fails", message_id: str = "<e1@client.example>") -> bytes:
    email = EmailMessage()
    email["From"] = f"Ana Lima <{CLIENT}>"
    email["To"] = "support@localhost"
    email["Subject"] = subject
    email["Message-ID"] = message_id
    email.set_content("The export button does nothing since this morning.\n")
    return email.as_bytes()


def start_endpoint(handler: InboundHandler | None = None) -> InboundSmtpServer:
    server = InboundSmtpServer("127.0.0.1", free_port(), handler=handler)
    server.start()
    return server


@pytest.fixture(autouse=True)
def _support_address(settings):
    """Use the fresh-install support address, in place of the package conftest's."""
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": "support@localhost"}


@pytest.fixture
def endpoint() -> Iterator[InboundSmtpServer]:
    server = start_endpoint()
    yield server
    server.stop()


def connect(server: InboundSmtpServer) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", server.port, timeout=30)
    client.ehlo("client.example")
    return client


def send(server: InboundSmtpServer, content: bytes, to: str = "support@localhost") -> tuple:
    """Run MAIL, RCPT and DATA by hand and return the reply to DATA."""
    with connect(server) as client:
        client.mail(CLIENT)
        code, text = client.rcpt(to)
        assert code == 250, text
        return client.data(content)


def raw_pk_from(reply: bytes) -> int:
    match = re.search(rb"raw (\d+)", reply)
    assert match is not None, reply
    return int(match.group(1))


def test_smtp_accepts_support_address(endpoint):
    code, _reply = send(endpoint, client_email())
    assert code == 250
    assert RawMessage.objects.count() == 1


def test_smtp_250_names_committed_row(endpoint):
    code, reply = send(endpoint, client_email())
    raw = RawMessage.objects.get(pk=raw_pk_from(reply))
    assert code == 250
    assert raw.source == Source.SMTP
    assert raw.envelope_from == CLIENT
    assert raw.envelope_to == ["support@localhost"]


def test_smtp_stores_bytes_as_received(endpoint):
    content = client_email().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    _code, reply = send(endpoint, content)
    raw = RawMessage.objects.get(pk=raw_pk_from(reply))
    assert bytes(raw.content) == content
    assert raw.message_id == "<e1@client.example>"


def test_smtp_accepts_plus_address(endpoint):
    code, reply = send(endpoint, client_email(), to="support+CS-12@localhost")
    raw = RawMessage.objects.get(pk=raw_pk_from(reply))
    assert code == 250
    assert raw.envelope_to == ["support+CS-12@localhost"]


def test_smtp_rejects_unknown_recipient(endpoint):
    with connect(endpoint) as client:
        client.mail(CLIENT)
        code, text = client.rcpt("sales@localhost")
    assert code == 550
    assert b"no such support address" in text
    assert RawMessage.objects.count() == 0


def test_smtp_sendmail_unknown_recipient_refused(endpoint):
    with connect(endpoint) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        client.sendmail(CLIENT, ["nobody@localhost"], client_email())
    assert refused.value.recipients["nobody@localhost"][0] == 550


def test_smtp_keeps_only_accepted_recipients(endpoint):
    with connect(endpoint) as client:
        refused = client.sendmail(CLIENT, ["support@localhost", "sales@localhost"], client_email())
    raw = RawMessage.objects.get()
    assert refused == {"sales@localhost": (550, refused["sales@localhost"][1])}
    assert raw.envelope_to == ["support@localhost"]


def test_smtp_recipients_follow_setting(settings):
    settings.RELAYDESK = {
        **settings.RELAYDESK,
        "SUPPORT_ADDRESSES": "help@acme.example, billing@acme.example",
    }
    server = start_endpoint()
    try:
        with connect(server) as client:
            client.mail(CLIENT)
            accepted, _text = client.rcpt("Billing@Acme.example")
            rejected, _text = client.rcpt("support@localhost")
    finally:
        server.stop()
    assert accepted == 250
    assert rejected == 550


def test_smtp_ehlo_advertises_size(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "MAX_MESSAGE_BYTES": 4096}
    server = start_endpoint()
    try:
        with connect(server) as client:
            size = client.esmtp_features.get("size")
    finally:
        server.stop()
    assert size == "4096"


def test_smtp_oversize_rejected_at_mail(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "MAX_MESSAGE_BYTES": 1024}
    server = start_endpoint()
    big = client_email() + b"more detail\r\n" * 200
    try:
        # sendmail() declares SIZE= because the server advertises it.
        with connect(server) as client, pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail(CLIENT, ["support@localhost"], big)
    finally:
        server.stop()
    assert refused.value.smtp_code == 552
    assert b"exceeds the limit of 1024 bytes" in refused.value.smtp_error
    assert RawMessage.objects.count() == 0


def test_smtp_oversize_rejected_at_data(settings, caplog):
    settings.RELAYDESK = {**settings.RELAYDESK, "MAX_MESSAGE_BYTES": 1024}
    server = start_endpoint()
    big = client_email() + b"more detail\r\n" * 200
    try:
        with caplog.at_level(logging.INFO, logger="relaydesk.channels.email.smtp_inbound"):
            code, reply = send(server, big)
    finally:
        server.stop()
    assert (code, reply) == (552, b"5.3.4 Message size exceeds the limit of 1024 bytes")
    assert "smtp message rejected as too large" in caplog.messages
    assert RawMessage.objects.count() == 0


def test_smtp_bare_line_feeds_explained(endpoint, caplog):
    # A client that sends LF line endings sends the whole message as one line.
    message = client_email().replace(b"\r\n", b"\n") + b"more detail\n" * 100
    with caplog.at_level(logging.INFO, logger="relaydesk.channels.email.smtp_inbound"):
        code, reply = send(endpoint, message)
    assert code == 500
    assert b"send CRLF line endings, not bare LF" in reply
    assert "smtp message rejected for a line too long" in caplog.messages
    assert RawMessage.objects.count() == 0


def test_smtp_storage_failure_answers_451():
    # Storage failure is the one place this suite uses a test double: taking
    # the test database away under a running server would also break the
    # test's own checks.
    def failing_store(content: bytes, envelope_from: str, envelope_to: list[str]) -> StoredRaw:
        raise DatabaseError("could not connect to server")

    server = start_endpoint(InboundHandler(store=failing_store))
    try:
        code, reply = send(server, client_email())
    finally:
        server.stop()
    assert code == 451
    assert b"try again later" in reply
    assert RawMessage.objects.count() == 0


def test_smtp_redelivery_stored_as_duplicate(endpoint):
    send(endpoint, client_email())
    code, reply = send(endpoint, client_email())
    second = RawMessage.objects.get(pk=raw_pk_from(reply))
    assert code == 250
    assert second.state == RawState.DUPLICATE
    assert RawMessage.objects.count() == 2


def test_smtp_rejection_log_hides_address(endpoint, caplog):
    caplog.set_level(logging.INFO, logger="relaydesk")
    with connect(endpoint) as client:
        client.mail(CLIENT)
        client.rcpt("secret.person@localhost")
    rejected = [record for record in caplog.records if record.msg == "smtp recipient rejected"]
    assert len(rejected) == 1
    assert rejected[0].recipient == "s***@localhost"
    assert "secret.person" not in caplog.text


def test_smtp_inbound_command_rejects_bad_port():
    with pytest.raises(CommandError) as raised:
        call_command("smtp-inbound", "--port", "70000")
    assert str(raised.value) == (
        "Port 70000 of the SMTP inbound endpoint is invalid: "
        "use a number from 1 to 65535 with --port."
    )


def test_smtp_inbound_command_busy_port_names_fix():
    output = StringIO()
    with busy_port() as busy:
        with pytest.raises(CommandError) as raised:
            call_command("smtp-inbound", "--port", str(busy), stdout=output)
    assert str(raised.value) == (
        f"127.0.0.1:{busy} is already in use, so the SMTP inbound endpoint cannot start: "
        f"stop the program that uses it, or choose a free port with --port {busy + 1}."
    )
    assert "listening" not in output.getvalue()


def test_smtp_inbound_command_port_taken_after_check(monkeypatch):
    # Another program may take the port between the check and the bind.
    def bind_fails(self: InboundSmtpServer) -> None:
        raise OSError(errno.EADDRINUSE, "Address already in use")

    monkeypatch.setattr(InboundSmtpServer, "start", bind_fails)
    output = StringIO()
    port = free_port()
    with pytest.raises(CommandError) as raised:
        call_command("smtp-inbound", "--port", str(port), stdout=output)
    assert str(raised.value).startswith(f"127.0.0.1:{port} is already in use")
    assert "listening" not in output.getvalue()


def test_smtp_inbound_command_listens_before_saying_so(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "relaydesk.cli", "smtp-inbound", "--port", str(port)],
        env={**os.environ, "RELAYDESK_DATA_DIR": str(tmp_path), "DATABASE_URL": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        # No retry: the port accepts connections once the line is printed.
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            code, _reply = client.noop()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert line == f"SMTP endpoint listening on 127.0.0.1:{port}; stop with Ctrl+C.\n"
    assert code == 250


# -- through the intake pipeline -----------------------------------------------------


def test_smtp_message_becomes_ticket(endpoint):
    _code, reply = send(endpoint, client_email(subject="Report export is empty"))
    raw = RawMessage.objects.get(pk=raw_pk_from(reply))
    ticket = Ticket.objects.get()
    assert raw.state == RawState.PROCESSED
    assert raw.ticket_id == ticket.pk
    assert ticket.subject == "Report export is empty"
    assert ticket.messages.filter(direction=Direction.INBOUND).count() == 1


def test_smtp_new_ticket_acknowledged(endpoint, settings):
    send(endpoint, client_email())
    ticket = Ticket.objects.get()
    acknowledgement = ticket.messages.get(kind=MessageKind.ACKNOWLEDGEMENT)
    outbox = Path(settings.RELAYDESK["OUTBOX_DIR"])
    assert acknowledgement.delivery_status == DeliveryStatus.SENT
    assert (outbox / f"CS-{ticket.number}-message-{acknowledgement.pk}.eml").exists()


def test_smtp_utf8_sender_opens_ticket(endpoint, settings):
    sender = "inês.araújo@correio.example"
    email = EmailMessage()
    email["From"] = f"Inês Araújo <{sender}>"
    email["To"] = "support@localhost"
    email["Subject"] = "Acesso ao portal"
    email["Message-ID"] = "<eai-smtp-1@correio.example>"
    email.set_content("Não consigo entrar no portal.\n")
    content = email.as_bytes(policy=email.policy.clone(utf8=True))
    with connect(endpoint) as client:
        refused = client.sendmail(sender, ["support@localhost"], content, ["SMTPUTF8"])
    ticket = Ticket.objects.get()
    acknowledgement = ticket.messages.get(kind=MessageKind.ACKNOWLEDGEMENT)
    outbox = Path(settings.RELAYDESK["OUTBOX_DIR"])
    written = (outbox / f"CS-{ticket.number}-message-{acknowledgement.pk}.eml").read_bytes()
    assert refused == {}
    assert ticket.contact.emails.get().address == sender
    assert acknowledgement.delivery_status == DeliveryStatus.SENT
    assert f'To: "Inês Araújo" <{sender}>'.encode() in written


def test_smtp_unusable_message_quarantined_with_250(endpoint):
    code, reply = send(endpoint, b"this is not an e-mail message\r\n")
    raw = RawMessage.objects.get(pk=raw_pk_from(reply))
    assert code == 250
    assert raw.state == RawState.QUARANTINED
    assert Ticket.objects.count() == 0


def test_smtp_redelivery_creates_no_ticket(endpoint):
    send(endpoint, client_email())
    send(endpoint, client_email())
    assert Ticket.objects.count() == 1


def test_smtp_client_reply_threads_back(endpoint, settings):
    send(endpoint, client_email())
    ticket = Ticket.objects.get()
    answer = actions.reply(ticket, author=AgentFactory(), text="Which browser do you use?")
    answer.refresh_from_db()

    follow_up = EmailMessage()
    follow_up["From"] = CLIENT
    follow_up["To"] = "support@localhost"
    follow_up["Subject"] = f"Re: [CS-{ticket.number}] Export fails"
    follow_up["Message-ID"] = "<e2@client.example>"
    follow_up["In-Reply-To"] = answer.message_id
    follow_up["References"] = f"<e1@client.example> {answer.message_id}"
    follow_up.set_content("Firefox, on Debian.\n")
    send(endpoint, follow_up.as_bytes())

    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(direction=Direction.INBOUND).count() == 2
