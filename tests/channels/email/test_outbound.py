"""Outbound e-mail, checked on what a real SMTP server receives."""

from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from relaydesk.channels.email import outbound
from relaydesk.channels.email.mailurl import MailUrlError, parse_smtp_url
from relaydesk.channels.email.parse import parse_message
from relaydesk.core import clock
from relaydesk.core.models import TimelineEvent
from relaydesk.customers.models import Contact
from relaydesk.tickets import actions
from relaydesk.tickets.blobs import store_blob
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import (
    Attachment,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Ticket,
    Visibility,
)
from tests.channels.email.servers import RecordingSmtpServer
from tests.factories import AgentFactory, ContactFactory, OrganizationFactory
from tests.ports import free_port

pytestmark = pytest.mark.django_db

CLIENT = "ana@client.example"
CLIENT_MESSAGE_ID = "<first-1@client.example>"


@pytest.fixture(autouse=True)
def _support_address(settings):
    """Use the fresh-install support address, in place of the package conftest's."""
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": "support@localhost"}


@pytest.fixture
def relay(settings):
    server = RecordingSmtpServer()
    server.start()
    settings.RELAYDESK = {**settings.RELAYDESK, "SMTP_URL": server.url}
    yield server
    server.stop()


def set_option(settings, **values) -> None:
    settings.RELAYDESK = {**settings.RELAYDESK, **values}


def open_ticket(
    *, locale: str = "en", subject: str = "Export fails", address: str = CLIENT
) -> Ticket:
    contact = ContactFactory(
        name="Ana Lima", organization=OrganizationFactory(locale=locale), email=address
    )
    draft = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="The export button does nothing.",
        subject=subject,
        from_address=address,
        to_addresses=("support@localhost",),
        message_id=CLIENT_MESSAGE_ID,
    )
    return actions.create_ticket(
        channel="email", first_message=draft, contact=contact, subject=subject
    )


def agent_reply(capture, ticket: Ticket, text: str = "Please try again now.") -> Message:
    with capture(execute=True):
        message = actions.reply(ticket, author=AgentFactory(), text=text)
    message.refresh_from_db()
    return message


def follow_up(text: str, contact: Contact) -> MessageDraft:
    """Return an inbound e-mail from ``contact``'s first address."""
    return MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text=text,
        from_address=contact.emails.first().address,
    )


def first_message(ticket: Ticket) -> Message:
    return ticket.messages.order_by("id").first()


# -- replies through the relay -------------------------------------------------


def test_reply_reaches_relay_once(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    assert len(relay.handler.received) == 1
    assert relay.handler.received[0].rcpt_tos == [CLIENT]
    assert relay.handler.received[0].mail_from == "support@localhost"
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.delivery_attempts == 1


def test_reply_message_id_stored_on_row(relay, django_capture_on_commit_callbacks):
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    sent = relay.handler.received[0].email
    assert message.message_id
    assert sent["Message-ID"] == message.message_id
    assert message.message_id.endswith("@localhost>")


def test_reply_threads_to_client_message(relay, django_capture_on_commit_callbacks):
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    sent = relay.handler.received[0].email
    assert sent["In-Reply-To"] == CLIENT_MESSAGE_ID
    assert sent["References"] == CLIENT_MESSAGE_ID
    assert message.in_reply_to == ""  # the row keeps what reply() stored


def test_reply_references_whole_conversation(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    first = agent_reply(django_capture_on_commit_callbacks, ticket, "First answer.")
    follow_up = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="Still broken.",
        from_address=CLIENT,
        message_id="<second-2@client.example>",
    )
    actions.add_client_message(ticket, follow_up, contact=ticket.contact)
    agent_reply(django_capture_on_commit_callbacks, ticket, "Second answer.")
    sent = relay.handler.received[1].email
    assert sent["In-Reply-To"] == "<second-2@client.example>"
    assert sent["References"].split() == [
        CLIENT_MESSAGE_ID,
        first.message_id,
        "<second-2@client.example>",
    ]


def test_reply_references_end_with_parent(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    acknowledgement = actions.reply(
        ticket, author=None, text="We received your message.", automatic=True
    )
    Message.objects.filter(pk=acknowledgement.pk).update(message_id="<ack-1@desk.example>")

    agent_reply(django_capture_on_commit_callbacks, ticket, "Here is the fix.")

    sent = relay.handler.received[-1].email
    assert sent["In-Reply-To"] == CLIENT_MESSAGE_ID
    assert sent["References"].split() == ["<ack-1@desk.example>", CLIENT_MESSAGE_ID]


def test_reply_subject_has_one_tag(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket(subject="RE: [CS-7] Re: Export fails")
    agent_reply(django_capture_on_commit_callbacks, ticket)
    sent = relay.handler.received[0].email
    assert sent["Subject"] == f"[CS-{ticket.number}] Export fails"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Export fails", "Export fails"),
        ("Re: Export fails", "Export fails"),
        ("RE: Fwd: Export fails", "Export fails"),
        ("Res: Exportação falha", "Exportação falha"),
        ("[CS-3] Re: [CS-3] Export fails", "Export fails"),
        ("Re: Re[2]: Export fails", "Export fails"),
    ],
)
def test_subject_for_strips_prefixes(subject, expected):
    ticket = Ticket(number=41, subject=subject)
    assert outbound.subject_for(ticket) == f"[CS-41] {expected}"


def test_subject_for_empty_subject():
    assert outbound.subject_for(Ticket(number=5, subject="Re:")) == "[CS-5] Your support request"


def test_reply_headers_from_and_to(relay, django_capture_on_commit_callbacks, settings):
    set_option(settings, FROM_NAME="Acme Support")
    agent_reply(django_capture_on_commit_callbacks, open_ticket())
    sent = relay.handler.received[0].email
    assert sent["From"].addresses[0].addr_spec == "support@localhost"
    assert sent["From"].addresses[0].display_name == "Acme Support"
    assert sent["To"].addresses[0].addr_spec == CLIENT
    assert sent["To"].addresses[0].display_name == "Ana Lima"


def test_sent_message_keeps_the_sender_name(relay, django_capture_on_commit_callbacks, settings):
    # The ticket page shows the stored sender, so it reads as the e-mail did.
    set_option(settings, FROM_NAME="Acme Support")
    ticket = open_ticket()
    agent_reply(django_capture_on_commit_callbacks, ticket)
    sent = ticket.messages.get(direction=Direction.OUTBOUND)
    assert (sent.from_name, sent.from_address) == ("Acme Support", "support@localhost")


def test_reply_to_multiline_subject_sent(relay, django_capture_on_commit_callbacks):
    # Subjects stored before they were kept on one line must not stop replies.
    ticket = open_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(subject="Export\r\nBcc: x@example.org")
    ticket.refresh_from_db()
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    assert message.delivery_status == DeliveryStatus.SENT
    sent = relay.handler.received[0].email
    assert sent["Subject"] == f"[{ticket.reference}] Export Bcc: x@example.org"
    assert sent["Bcc"] is None


def test_message_that_cannot_be_built_fails_visibly(
    relay, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(message, recipients):
        raise ValueError("a template went missing")

    monkeypatch.setattr(outbound, "compose", broken)
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "a template went missing" in message.delivery_error
    assert relay.handler.received == []


def test_reply_is_not_auto_submitted(relay, django_capture_on_commit_callbacks):
    agent_reply(django_capture_on_commit_callbacks, open_ticket())
    sent = relay.handler.received[0].email
    assert sent["Auto-Submitted"] is None


def test_reply_body_has_text_and_reference(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    agent_reply(django_capture_on_commit_callbacks, ticket, "Please clear the cache <now>.")
    sent = relay.handler.received[0].email
    plain = sent.get_body(preferencelist=("plain",)).get_content()
    html = sent.get_body(preferencelist=("html",)).get_content()
    assert "Please clear the cache <now>." in plain
    assert f"[CS-{ticket.number}]" in plain
    assert "Please clear the cache &lt;now&gt;." in html


def test_reply_language_follows_contact(relay, django_capture_on_commit_callbacks):
    agent_reply(django_capture_on_commit_callbacks, open_ticket(locale="pt-pt"))
    sent = relay.handler.received[0].email
    assert sent["Content-Language"] == "pt-PT"


def test_reply_language_english_default(relay, django_capture_on_commit_callbacks):
    agent_reply(django_capture_on_commit_callbacks, open_ticket())
    assert relay.handler.received[0].email["Content-Language"] == "en"


def test_reply_goes_to_address_client_wrote_from(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    follow_up = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="Writing from my other address.",
        from_address="ana.lima@home.example",
    )
    actions.add_client_message(ticket, follow_up, contact=ticket.contact)
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    assert relay.handler.received[0].rcpt_tos == ["ana.lima@home.example"]
    assert message.to_addresses == ["ana.lima@home.example"]


def test_reply_to_colleague_copies_contact(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    colleague = ContactFactory(
        name="Rui Costa", organization=ticket.organization, email="rui@client.example"
    )
    actions.add_client_message(
        ticket, follow_up("Ana is away; I am following this up.", colleague), contact=colleague
    )
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    sent = relay.handler.received[0]
    assert sent.rcpt_tos == ["rui@client.example", CLIENT]
    assert sent.email["To"] == "Rui Costa <rui@client.example>"
    assert sent.email["Cc"] == f"Ana Lima <{CLIENT}>"
    assert (message.to_addresses, message.cc_addresses) == (["rui@client.example"], [CLIENT])


def test_reply_to_outsider_copies_nobody(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    outsider = ContactFactory(name="Partner IT", email="helpdesk@partner.example")
    actions.add_client_message(
        ticket, follow_up("We host their server; any news?", outsider), contact=outsider
    )
    agent_reply(django_capture_on_commit_callbacks, ticket)
    sent = relay.handler.received[0]
    assert sent.rcpt_tos == ["helpdesk@partner.example"]
    assert sent.email["Cc"] is None


def test_retry_keeps_first_recipients(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    other = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="From my phone.",
        from_address="rui@client.example",
    )
    actions.add_client_message(
        ticket, other, contact=ContactFactory(organization=ticket.organization)
    )
    assert outbound.recipients_for(message) == outbound.Recipients(CLIENT)
    assert outbound.reply_recipients(ticket) == outbound.Recipients("rui@client.example", (CLIENT,))


def test_reply_skips_auto_reply_sender(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    out_of_office = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.AUTO_REPLY,
        visibility=Visibility.INTERNAL,
        text="I am away until Monday.",
        from_address="autoresponder@client.example",
        message_id="<away-1@client.example>",
        automatic=True,
    )
    actions.add_system_message(ticket, out_of_office)
    agent_reply(django_capture_on_commit_callbacks, ticket)
    sent = relay.handler.received[0]
    assert sent.rcpt_tos == [CLIENT]
    assert sent.email["In-Reply-To"] == CLIENT_MESSAGE_ID
    assert "<away-1@client.example>" not in sent.email["References"]


def test_reply_without_inbound_goes_to_primary(relay, django_capture_on_commit_callbacks):
    contact = ContactFactory(email="primary@client.example")
    draft = MessageDraft(direction=Direction.INBOUND, kind=MessageKind.CALL, text="Called us.")
    ticket = actions.create_ticket(channel="phone", first_message=draft, contact=contact)
    agent_reply(django_capture_on_commit_callbacks, ticket)
    assert relay.handler.received[0].rcpt_tos == ["primary@client.example"]


def test_reply_carries_attachment(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = actions.reply(ticket, author=AgentFactory(), text="Log attached.")
    Attachment.objects.create(
        message=message,
        blob=store_blob(b"line one\nline two\n", "export.log"),
        filename="export.log",
        declared_type="text/plain",
    )
    for callback in callbacks:
        callback()
    sent = relay.handler.received[0].email
    attachments = list(sent.iter_attachments())
    assert [part.get_filename() for part in attachments] == ["export.log"]
    assert attachments[0].get_content() == "line one\nline two\n"


def test_deliver_twice_sends_once(relay, django_capture_on_commit_callbacks):
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    result = outbound.deliver(message.pk)
    assert result.status == DeliveryStatus.SENT
    assert len(relay.handler.received) == 1


def test_delivery_recorded_on_timeline(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    events = TimelineEvent.objects.filter(
        subject_type="ticket", subject_id=ticket.pk, kind="message_delivery"
    )
    assert [event.data["status"] for event in events] == ["sent"]
    assert events[0].data["message"] == message.pk


# -- retries and failures --------------------------------------------------------


def test_reply_retried_after_temporary_rejection(relay, django_capture_on_commit_callbacks):
    relay.handler.replies = ["451 4.3.0 Try again later"]
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.delivery_attempts == 2
    assert message.delivery_error == ""
    assert len(relay.handler.received) == 1


def test_reply_permanent_rejection_fails_at_once(relay, django_capture_on_commit_callbacks):
    relay.handler.replies = ["554 5.7.1 Message rejected as spam"]
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_attempts == 1
    assert "554" in message.delivery_error


def test_reply_fails_after_max_attempts(settings, django_capture_on_commit_callbacks):
    # Nothing listens on this port, so every attempt gets "connection refused".
    set_option(settings, SMTP_URL=f"smtp://127.0.0.1:{free_port()}", DELIVERY_MAX_ATTEMPTS=3)
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_attempts == 3
    assert "connection to relay 127.0.0.1" in message.delivery_error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retry_enqueued_with_backoff(
    relay, settings, database_tasks, django_capture_on_commit_callbacks
):
    set_option(settings, DELIVERY_RETRY_SECONDS=60)
    relay.handler.replies = ["421 4.7.0 Too busy, come back later"]
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    before = clock.now()
    run_mail_worker()

    message.refresh_from_db()
    retry = DBTaskResult.objects.get(status="READY")
    assert message.delivery_status == DeliveryStatus.RETRYING
    assert "421" in message.delivery_error
    assert retry.task_path == "relaydesk.channels.email.tasks.deliver_message"
    assert retry.run_after >= before + timedelta(seconds=59)
    assert retry.run_after <= clock.now() + timedelta(seconds=61)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_retry_runs_when_due(relay, settings, database_tasks, django_capture_on_commit_callbacks):
    relay.handler.replies = ["421 4.7.0 Too busy, come back later"]
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    run_mail_worker()
    # Make the waiting attempt due, as if the delay had passed.
    DBTaskResult.objects.filter(status="READY").update(run_after=clock.now())
    run_mail_worker()

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.delivery_attempts == 2
    assert len(relay.handler.received) == 1
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reply_task_commits_with_reply(relay, database_tasks):
    ticket = open_ticket()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.reply(ticket, author=AgentFactory(), text="Never sent.")
        raise RuntimeError("the request failed after the reply")
    # Rolled back together: neither the reply nor its delivery task is left.
    assert not ticket.messages.filter(text="Never sent.").exists()
    assert not DBTaskResult.objects.exists()

    message = actions.reply(ticket, author=AgentFactory(), text="Sent once.")
    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [message.pk], "kwargs": {}}
    run_mail_worker()
    assert len(relay.handler.received) == 1


def test_retry_delay_doubles_and_caps(settings):
    set_option(settings, DELIVERY_RETRY_SECONDS=60)
    assert outbound.retry_delay(1) == timedelta(seconds=60)
    assert outbound.retry_delay(2) == timedelta(seconds=120)
    assert outbound.retry_delay(4) == timedelta(seconds=480)
    assert outbound.retry_delay(20) == timedelta(hours=6)


def run_mail_worker() -> None:
    call_command(
        "db_worker", "--batch", "--queue-name", "mail", "--no-startup-delay", "--no-reload"
    )


# -- internationalized addresses ----------------------------------------------------

UTF8_CLIENT = "inês.araújo@correio.example"


@pytest.fixture
def utf8_relay(settings):
    server = RecordingSmtpServer(smtputf8=True)
    server.start()
    settings.RELAYDESK = {**settings.RELAYDESK, "SMTP_URL": server.url}
    yield server
    server.stop()


def test_reply_to_utf8_address_through_smtputf8_relay(
    utf8_relay, django_capture_on_commit_callbacks
):
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket(address=UTF8_CLIENT))
    sent = utf8_relay.handler.received[0]
    assert message.delivery_status == DeliveryStatus.SENT
    assert sent.rcpt_tos == [UTF8_CLIENT]
    assert f'To: "Ana Lima" <{UTF8_CLIENT}>'.encode() in sent.content


def test_reply_to_utf8_address_fails_without_smtputf8(relay, django_capture_on_commit_callbacks):
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket(address=UTF8_CLIENT))
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_attempts == 1
    assert "does not accept internationalized addresses (SMTPUTF8)" in message.delivery_error
    assert relay.handler.received == []


def test_reply_to_unicode_domain_uses_ascii_form(relay, django_capture_on_commit_callbacks):
    message = agent_reply(
        django_capture_on_commit_callbacks, open_ticket(address="ana@exémplo.example")
    )
    sent = relay.handler.received[0]
    assert message.delivery_status == DeliveryStatus.SENT
    assert sent.rcpt_tos == ["ana@xn--exmplo-cva.example"]
    assert sent.email["To"].addresses[0].addr_spec == "ana@xn--exmplo-cva.example"


def test_outbox_writes_utf8_address_unencoded(settings, django_capture_on_commit_callbacks):
    set_option(settings, SMTP_URL="")
    ticket = open_ticket(address=UTF8_CLIENT)
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    path = Path(settings.RELAYDESK["OUTBOX_DIR"]) / f"CS-{ticket.number}-message-{message.pk}.eml"
    content = path.read_bytes()
    assert message.delivery_status == DeliveryStatus.SENT
    assert f'To: "Ana Lima" <{UTF8_CLIENT}>'.encode() in content
    assert parse_message(content).to == (UTF8_CLIENT,)


def test_outbox_encodes_name_of_ascii_address(settings, django_capture_on_commit_callbacks):
    set_option(settings, SMTP_URL="")
    ticket = open_ticket()
    Contact.objects.filter(pk=ticket.contact_id).update(name="Inês Araújo")
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    path = Path(settings.RELAYDESK["OUTBOX_DIR"]) / f"CS-{ticket.number}-message-{message.pk}.eml"
    head = path.read_bytes().split(b"\r\n\r\n", 1)[0]
    assert head.isascii()


@pytest.mark.parametrize(
    ("name", "address", "expected"),
    [
        ("Ana Lima", "ana@client.example", "Ana Lima <ana@client.example>"),
        ("Inês", UTF8_CLIENT, f'"Inês" <{UTF8_CLIENT}>'),
        ("", UTF8_CLIENT, f"<{UTF8_CLIENT}>"),
        ('Ana "AL" Lima', UTF8_CLIENT, f'"Ana \\"AL\\" Lima" <{UTF8_CLIENT}>'),
        ("Ana\r\nBcc: x", UTF8_CLIENT, f'"Ana Bcc: x" <{UTF8_CLIENT}>'),
        ("Ana", "ana@exémplo.example", "Ana <ana@xn--exmplo-cva.example>"),
    ],
)
def test_mailbox_header_forms(name, address, expected):
    assert outbound.mailbox(name, address) == expected


# -- outbox mode -------------------------------------------------------------------


def test_outbox_mode_writes_eml(settings, django_capture_on_commit_callbacks):
    set_option(settings, SMTP_URL="")
    ticket = open_ticket()
    message = agent_reply(django_capture_on_commit_callbacks, ticket)
    outbox = Path(settings.RELAYDESK["OUTBOX_DIR"])
    files = sorted(path.name for path in outbox.iterdir())
    assert files == [f"CS-{ticket.number}-message-{message.pk}.eml"]
    written = message_from_bytes((outbox / files[0]).read_bytes(), policy=policy.default)
    assert written["Message-ID"] == message.message_id
    assert written["Subject"] == f"[CS-{ticket.number}] Export fails"
    assert message.delivery_status == DeliveryStatus.SENT


def test_outbox_unwritable_retries(settings, tmp_path, django_capture_on_commit_callbacks):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the outbox folder should be")
    set_option(settings, SMTP_URL="", OUTBOX_DIR=str(blocker), DELIVERY_MAX_ATTEMPTS=2)
    message = agent_reply(django_capture_on_commit_callbacks, open_ticket())
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.delivery_attempts == 2
    assert "outbox folder" in message.delivery_error


# -- relay URL -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "scheme", "host", "port", "username", "password"),
    [
        ("smtp://127.0.0.1:2526", "smtp", "127.0.0.1", 2526, "", ""),
        ("smtp://relay.example", "smtp", "relay.example", 25, "", ""),
        ("smtp+starttls://bot:p%40ss@relay.example", "smtp+starttls", "relay.example", 587,
         "bot", "p@ss"),
        ("smtps://bot:pw@relay.example:2465", "smtps", "relay.example", 2465, "bot", "pw"),
    ],
)  # fmt: skip
def test_parse_smtp_url_accepts(url, scheme, host, port, username, password):
    server = parse_smtp_url(url)
    assert server is not None
    assert (server.scheme, server.host, server.port) == (scheme, host, port)
    assert (server.username, server.password) == (username, password)


def test_parse_smtp_url_empty_means_outbox():
    assert parse_smtp_url("  ") is None


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://relay.example", "unsupported scheme 'http'"),
        ("smtp://", "no host name"),
        ("smtp://relay.example:notaport", "is invalid"),
        ("smtp://relay.example/outbox", "has a path"),
        ("smtp://a.example,smtp://b.example", "contains a comma"),
        ("smtp://relay.example?tls=1", "query or fragment"),
    ],
)
def test_parse_smtp_url_rejects(url, fragment):
    with pytest.raises(MailUrlError) as raised:
        parse_smtp_url(url)
    assert fragment in str(raised.value)
    assert "RELAYDESK_SMTP_URL" in str(raised.value)


def test_parse_smtp_url_hides_password():
    with pytest.raises(MailUrlError) as raised:
        parse_smtp_url("ftp://bot:hunter2@relay.example")
    assert "hunter2" not in str(raised.value)
    assert "bot:***@relay.example" in str(raised.value)


def test_bad_smtp_url_leaves_message_queued(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        message = actions.reply(open_ticket(), author=AgentFactory(), text="Hello.")
    set_option(settings, SMTP_URL="smtp//relay.example")
    with pytest.raises(MailUrlError):
        outbound.deliver(message.pk)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert message.delivery_attempts == 0


# -- acknowledgements -------------------------------------------------------------


def acknowledge(capture, ticket: Ticket) -> None:
    with capture(execute=True):
        outbound.queue_acknowledgement(ticket, first_message(ticket))


def test_acknowledgement_sent_auto_submitted(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    acknowledge(django_capture_on_commit_callbacks, ticket)
    sent = relay.handler.received[0]
    assert sent.email["Auto-Submitted"] == "auto-replied"
    assert sent.email["X-Auto-Response-Suppress"] == "All"
    assert sent.email["In-Reply-To"] == CLIENT_MESSAGE_ID
    assert sent.rcpt_tos == [CLIENT]


def test_acknowledgement_uses_null_return_path(relay, django_capture_on_commit_callbacks):
    acknowledge(django_capture_on_commit_callbacks, open_ticket())
    assert relay.handler.received[0].mail_from in ("", "<>")


def test_acknowledgement_stored_as_automatic(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    acknowledge(django_capture_on_commit_callbacks, ticket)
    acknowledgement = ticket.messages.get(direction=Direction.OUTBOUND)
    assert acknowledgement.kind == MessageKind.ACKNOWLEDGEMENT
    assert acknowledgement.automatic is True
    assert acknowledgement.delivery_status == DeliveryStatus.SENT
    assert f"CS-{ticket.number}" in acknowledgement.text
    assert "Export fails" in acknowledgement.text


def test_acknowledgement_keeps_ticket_new(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket()
    acknowledge(django_capture_on_commit_callbacks, ticket)
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_acknowledgement_language_follows_contact(relay, django_capture_on_commit_callbacks):
    acknowledge(django_capture_on_commit_callbacks, open_ticket(locale="pt-pt"))
    assert relay.handler.received[0].email["Content-Language"] == "pt-PT"


def test_acknowledgement_rate_limited_per_address(
    relay, settings, django_capture_on_commit_callbacks
):
    set_option(settings, ACKS_PER_ADDRESS_PER_HOUR=2)
    first = open_ticket()
    tickets = [first]
    for subject in ("Second problem", "Third problem"):
        draft = MessageDraft(
            direction=Direction.INBOUND,
            kind=MessageKind.EMAIL,
            text="Another one.",
            subject=subject,
            from_address=CLIENT,
        )
        tickets.append(
            actions.create_ticket(channel="email", first_message=draft, contact=first.contact)
        )
    for ticket in tickets:
        acknowledge(django_capture_on_commit_callbacks, ticket)

    assert len(relay.handler.received) == 2
    skipped = TimelineEvent.objects.get(kind="acknowledgement_skipped")
    assert skipped.subject_id == tickets[2].pk
    assert skipped.data["reason"] == "rate_limited"
    assert not tickets[2].messages.filter(direction=Direction.OUTBOUND).exists()


def test_acknowledgement_limit_is_per_address(relay, settings, django_capture_on_commit_callbacks):
    set_option(settings, ACKS_PER_ADDRESS_PER_HOUR=1)
    acknowledge(django_capture_on_commit_callbacks, open_ticket())
    acknowledge(django_capture_on_commit_callbacks, open_ticket(address="rui@client.example"))
    assert len(relay.handler.received) == 2


def test_acknowledgement_limit_resets_after_hour(
    relay, settings, django_capture_on_commit_callbacks
):
    set_option(settings, ACKS_PER_ADDRESS_PER_HOUR=1)
    ticket = open_ticket()
    acknowledge(django_capture_on_commit_callbacks, ticket)
    later = clock.now() + timedelta(minutes=61)
    with clock.frozen_at(later):
        draft = MessageDraft(
            direction=Direction.INBOUND,
            kind=MessageKind.EMAIL,
            text="New issue.",
            subject="Another",
            from_address=CLIENT,
        )
        second = actions.create_ticket(channel="email", first_message=draft, contact=ticket.contact)
        acknowledge(django_capture_on_commit_callbacks, second)
    assert len(relay.handler.received) == 2


def test_acknowledgement_skips_automatic_message(relay, django_capture_on_commit_callbacks):
    contact = ContactFactory(email=CLIENT)
    draft = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.AUTO_REPLY,
        text="I am out of the office.",
        from_address=CLIENT,
        automatic=True,
    )
    ticket = actions.create_ticket(channel="email", first_message=draft, contact=contact)
    acknowledge(django_capture_on_commit_callbacks, ticket)
    assert relay.handler.received == []
    skipped = TimelineEvent.objects.get(kind="acknowledgement_skipped")
    assert skipped.data["reason"] == "automatic_message"


def test_acknowledgement_skips_support_address(relay, django_capture_on_commit_callbacks):
    ticket = open_ticket(address="Support+CS-1@localhost")
    acknowledge(django_capture_on_commit_callbacks, ticket)
    assert relay.handler.received == []
    skipped = TimelineEvent.objects.get(kind="acknowledgement_skipped")
    assert skipped.data["reason"] == "sender_is_support_address"


def test_acknowledgement_without_contact_uses_sender(relay, django_capture_on_commit_callbacks):
    draft = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="Who am I?",
        subject="Unknown sender",
        from_address="stranger@elsewhere.example",
    )
    ticket = actions.create_ticket(channel="email", first_message=draft)
    acknowledge(django_capture_on_commit_callbacks, ticket)
    assert relay.handler.received[0].rcpt_tos == ["stranger@elsewhere.example"]
