from email.message import EmailMessage

import pytest

from relaydesk.channels.email import intake
from relaydesk.channels.email.intake import ingest, process_raw
from relaydesk.channels.email.models import RawMessage, RawState, Source
from relaydesk.channels.email.store import store_raw
from relaydesk.core.models import TimelineEvent
from relaydesk.customers.models import ContactEmail
from relaydesk.tickets import actions
from relaydesk.tickets.models import (
    DeliveryStatus,
    Message,
    MessageKind,
    Status,
    Ticket,
    Visibility,
)
from tests.channels.email.conftest import load
from tests.factories import AgentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def receive(name: str, **fields: object) -> intake.IntakeResult:
    return ingest(load(name, **fields), source=Source.IMPORT, source_ref=name)


def first_ticket() -> Ticket:
    return Ticket.objects.get(number=receive("wrong_charset.eml").ticket_number)


def test_ingest_creates_ticket_with_contact():
    result = receive("wrong_charset.eml")
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert result.outcome == "ticket_created"
    assert ticket.subject == "Export fails"
    assert ticket.channel == "email"
    assert ticket.contact == ContactEmail.objects.get(address="ana.silva@client.example").contact


def test_ingest_stores_message_fields():
    result = receive("reply_res_prefix.eml")
    message = Message.objects.get(pk=result.message_pk)
    assert message.from_address == "ana.silva@client.example"
    assert message.message_id == "<reply-res-1@client.example>"
    assert message.display_text == "Uso o Firefox 120."
    assert "escreveu:" in message.text
    assert message.raw_id == result.raw_id


def test_ingest_marks_raw_processed():
    result = receive("wrong_charset.eml")
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert raw.state == RawState.PROCESSED
    assert raw.outcome == "ticket_created"
    assert raw.ticket.number == result.ticket_number


def test_ingest_acknowledges_new_ticket(acknowledgements, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive("wrong_charset.eml")
    assert acknowledgements == [(result.ticket_number, result.message_pk)]


def test_ingest_list_mail_gets_no_acknowledgement(
    acknowledgements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive("list_mail.eml")
    assert result.outcome == "ticket_created"
    assert acknowledgements == []


def test_ingest_duplicate_delivery_makes_one_ticket():
    first = receive("wrong_charset.eml")
    second = receive("wrong_charset.eml")
    assert second.outcome == "duplicate"
    assert second.ticket_number == first.ticket_number
    assert Ticket.objects.count() == 1


def test_ingest_attachment_stored():
    result = receive("rfc2231_filename.eml")
    attachment = Message.objects.get(pk=result.message_pk).attachments.get()
    assert attachment.filename == "relatório março.pdf"
    assert attachment.blob.detected_type == "application/pdf"


def test_ingest_inline_image_keeps_content_id():
    result = receive("inline_cid.eml")
    attachment = Message.objects.get(pk=result.message_pk).attachments.get()
    assert attachment.content_id == "logo.123@client.example"
    assert attachment.inline is True


def test_ingest_attachment_only_makes_ticket():
    result = receive("attachment_only.eml")
    assert result.outcome == "ticket_created"
    assert Message.objects.get(pk=result.message_pk).attachments.count() == 1


def test_ingest_malformed_from_still_identifies_sender():
    result = receive("malformed_from.eml")
    assert result.outcome == "ticket_created"
    assert Message.objects.get(pk=result.message_pk).from_address == "eva.lopes@client.example"


def test_ingest_unusable_sender_quarantined():
    result = receive("unusable_from.eml")
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "quarantined"
    assert result.reason == "sender_unusable"
    assert raw.state == RawState.QUARANTINED
    assert raw.error_code == "sender_unusable"
    assert Ticket.objects.count() == 0


def test_ingest_space_in_sender_quarantined():
    result = receive("space_in_from.eml")
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "quarantined"
    assert raw.error_code == "sender_unusable"
    assert Ticket.objects.count() == 0
    assert not ContactEmail.objects.filter(address="costa@client.example").exists()


def test_ingest_utf8_sender_opens_ticket():
    result = receive("eai_sender.eml")
    message = Message.objects.get(pk=result.message_pk)
    assert result.outcome == "ticket_created"
    assert message.from_address == "inês.araújo@correio.example"
    assert message.from_name == "Inês Araújo"
    assert ContactEmail.objects.get().address == "inês.araújo@correio.example"


def test_ingest_utf8_sender_acknowledged(acknowledgements, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive("eai_sender.eml")
    assert acknowledgements == [(result.ticket_number, result.message_pk)]


def test_ingest_utf8_sender_joins_organization_by_ascii_domain():
    organization = OrganizationFactory(domain="xn--exmplo-cva.example")
    content = load("eai_sender.eml").replace(b"@correio.example>", "@exémplo.example>".encode())
    result = ingest(content, source=Source.IMPORT)
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.contact.organization == organization
    assert ticket.contact.emails.get().address == "inês.araújo@exémplo.example"


def test_ingest_decomposed_sender_stored_composed():
    decomposed = "ine\u0302s.arau\u0301jo@correio.example".encode()
    content = load("eai_sender.eml").replace("inês.araújo@correio.example".encode(), decomposed)
    result = ingest(content, source=Source.IMPORT)
    assert Message.objects.get(pk=result.message_pk).from_address == "inês.araújo@correio.example"


@pytest.mark.parametrize(
    "address",
    ["inês..araújo@correio.example", "inês.araújo@-correio-.example", "inês.araújo@correio"],
)
def test_ingest_malformed_utf8_sender_quarantined(address):
    content = load("eai_sender.eml").replace(
        "inês.araújo@correio.example".encode(), address.encode()
    )
    result = ingest(content, source=Source.IMPORT)
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "quarantined"
    assert raw.error_code == "sender_unusable"
    assert raw.error_detail == "the From address is invalid"
    assert Ticket.objects.count() == 0


def test_ingest_overlong_sender_quarantined():
    sender = "a" * 250 + "@client.example"
    content = load("wrong_charset.eml").replace(b"ana.silva@client.example", sender.encode())
    result = ingest(content, source=Source.IMPORT)
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "quarantined"
    assert raw.error_code == "sender_unusable"
    assert "longer than 254 characters" in raw.error_detail
    assert Ticket.objects.count() == 0


def test_ingest_from_support_address_quarantined():
    content = load("wrong_charset.eml").replace(
        b"Ana Silva <ana.silva@client.example>", b"support@desk.example"
    )
    result = ingest(content, source=Source.IMPORT)
    assert result.reason == "sender_is_support_address"


def test_ingest_from_dotless_support_address_quarantined_as_ours(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": "support@localhost"}
    content = load("wrong_charset.eml").replace(
        b"Ana Silva <ana.silva@client.example>", b"support@localhost"
    )
    result = ingest(content, source=Source.IMPORT)
    assert result.reason == "sender_is_support_address"


def test_ingest_not_an_email_quarantined():
    result = ingest(b"just some words\nwithout any header\n", source=Source.IMPORT)
    assert result.outcome == "quarantined"
    assert result.reason == "not_an_email"


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n"])
def test_ingest_empty_message_quarantined(content):
    result = ingest(content, source=Source.IMPORT)
    assert (result.outcome, result.reason) == ("quarantined", "not_an_email")
    assert RawMessage.objects.get().error_detail == "the message is empty"


def test_ingest_too_large_quarantined(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "MAX_MESSAGE_BYTES": 100}
    result = receive("wrong_charset.eml")
    assert result.reason == "too_large"
    assert "over the limit of 100 bytes (RELAYDESK_MAX_MESSAGE_BYTES)" in (
        RawMessage.objects.get().error_detail
    )


def test_ingest_crash_quarantines_and_next_message_continues(monkeypatch):
    real_parse = intake.parse_message

    def parse_or_crash(content: bytes, **kwargs):
        if b"<bad-date-1@client.example>" in content:
            raise RuntimeError("parser bug")
        return real_parse(content, **kwargs)

    monkeypatch.setattr(intake, "parse_message", parse_or_crash)
    crashed = receive("bad_date.eml")
    following = receive("wrong_charset.eml")

    raw = RawMessage.objects.get(pk=crashed.raw_id)
    assert crashed.outcome == "quarantined"
    assert raw.error_code == "processing_failed"
    assert "RuntimeError: parser bug" in raw.error_detail
    assert following.outcome == "ticket_created"
    assert Ticket.objects.count() == 1


def test_ingest_failure_leaves_no_half_ticket(monkeypatch):
    def fail_after_ticket(*args, **kwargs):
        raise RuntimeError("failed after the ticket was created")

    monkeypatch.setattr(intake, "_set_processed", fail_after_ticket)
    result = receive("wrong_charset.eml")
    assert result.outcome == "quarantined"
    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0


def test_late_failure_quarantines_without_ticket(monkeypatch):
    def fail_on_save(raw):
        raise RuntimeError("failed while saving the outcome")

    hooks = intake.IntakeHooks(save_processed=fail_on_save)
    stored = store_raw(load("wrong_charset.eml"), source=Source.IMPORT)
    result = process_raw(stored.raw, hooks=hooks)

    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "quarantined"
    assert (raw.state, raw.ticket_id, raw.attempts) == ("quarantined", None, 1)
    assert Ticket.objects.count() == 0


def test_process_raw_twice_changes_nothing():
    result = receive("wrong_charset.eml")
    again = process_raw(RawMessage.objects.get(pk=result.raw_id))
    assert again.outcome == "ticket_created"
    assert again.ticket_number == result.ticket_number
    assert Message.objects.count() == 1


def test_reply_threads_by_in_reply_to():
    ticket = first_ticket()
    result = receive("reply_in_reply_to.eml")
    assert result.outcome == "message_added"
    assert result.ticket_number == ticket.number


def test_reply_threads_by_references():
    ticket = first_ticket()
    result = receive("reply_references.eml")
    assert result.ticket_number == ticket.number


def test_reply_threads_by_outbound_message_id():
    ticket = first_ticket()
    sent = actions.reply(ticket, author=AgentFactory(), text="Which browser?")
    Message.objects.filter(pk=sent.pk).update(message_id="<reply-outbound-1@desk.example>")
    content = load("reply_in_reply_to.eml").replace(
        b"<wrong-charset-1@client.example>", b"<reply-outbound-1@desk.example>"
    )
    result = ingest(content, source=Source.IMPORT)
    assert result.ticket_number == ticket.number


def test_reply_threads_by_subject_tag():
    ticket = first_ticket()
    result = receive("reply_subject_tag.eml", number=ticket.number)
    assert result.outcome == "message_added"
    assert result.ticket_number == ticket.number


def test_subject_tag_from_stranger_opens_new_ticket():
    ticket = first_ticket()
    content = load("reply_subject_tag.eml", number=ticket.number).replace(
        b"ana.silva@client.example", b"stranger@other.example"
    )
    result = ingest(content, source=Source.IMPORT)
    assert result.outcome == "ticket_created"
    assert result.ticket_number != ticket.number


def test_reply_threads_by_plus_address():
    ticket = first_ticket()
    result = receive("reply_plus_address.eml", number=ticket.number)
    assert result.outcome == "message_added"
    assert result.ticket_number == ticket.number


def test_reply_threads_by_portuguese_res_prefix():
    ticket = first_ticket()
    result = receive("reply_res_prefix.eml")
    assert result.outcome == "message_added"
    assert result.ticket_number == ticket.number


def test_reply_reopens_pending_ticket():
    ticket = first_ticket()
    actions.reply(ticket, author=AgentFactory(), text="Which browser?", status="pending_client")
    receive("reply_in_reply_to.eml")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_reply_to_closed_ticket_opens_follow_up():
    ticket = first_ticket()
    actions.change_status(ticket, actor=None, status=Status.CLOSED)
    result = receive("reply_in_reply_to.eml")
    follow_up = Ticket.objects.get(number=result.ticket_number)
    event = TimelineEvent.objects.get(
        subject_type="ticket", subject_id=follow_up.pk, kind="follow_up_of"
    )
    assert result.outcome == "ticket_created"
    assert follow_up.number != ticket.number
    assert event.data == {"previous": ticket.reference}


def test_auto_reply_attached_without_reopening():
    ticket = first_ticket()
    ack = actions.reply(ticket, author=None, text="We received it.", automatic=True)
    Message.objects.filter(pk=ack.pk).update(message_id="<ack-1@desk.example>")
    actions.change_status(ticket, actor=None, status=Status.PENDING_CLIENT)
    result = receive("auto_reply.eml")
    message = Message.objects.get(pk=result.message_pk)
    ticket.refresh_from_db()
    assert result.outcome == "auto_reply"
    assert message.kind == MessageKind.AUTO_REPLY
    assert message.visibility == Visibility.INTERNAL
    assert ticket.status == Status.PENDING_CLIENT


def test_auto_reply_without_ticket_recorded_only(acknowledgements):
    result = receive("auto_reply.eml")
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "auto_reply"
    assert result.ticket_number is None
    assert raw.state == RawState.PROCESSED
    assert Ticket.objects.count() == 0
    assert ContactEmail.objects.count() == 0


def test_bounce_attached_to_ticket_and_marks_delivery_failed(acknowledgements):
    ticket = first_ticket()
    sent = actions.reply(ticket, author=AgentFactory(), text="Which browser?")
    Message.objects.filter(pk=sent.pk).update(message_id="<reply-outbound-1@desk.example>")
    result = receive("bounce_dsn.eml")
    bounce = Message.objects.get(pk=result.message_pk)
    sent.refresh_from_db()
    assert result.outcome == "bounce"
    assert result.ticket_number == ticket.number
    assert bounce.kind == MessageKind.BOUNCE
    assert bounce.visibility == Visibility.INTERNAL
    assert "Status: 5.1.1" in bounce.text
    assert sent.delivery_status == DeliveryStatus.FAILED
    assert Ticket.objects.count() == 1


def test_bounce_of_unknown_message_makes_no_ticket(acknowledgements):
    result = receive("bounce_dsn.eml")
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "bounce"
    assert result.ticket_number is None
    assert raw.state == RawState.PROCESSED
    assert Ticket.objects.count() == 0
    assert acknowledgements == []


def test_complaint_attached_to_reported_ticket():
    ticket = first_ticket()
    ack = actions.reply(ticket, author=None, text="We received it.", automatic=True)
    Message.objects.filter(pk=ack.pk).update(message_id="<ack-7@desk.example>")
    ack.refresh_from_db()
    status_before = ack.delivery_status
    result = receive("spam_complaint.eml", original_id="<ack-7@desk.example>")
    complaint = Message.objects.get(pk=result.message_pk)
    ack.refresh_from_db()
    assert result.outcome == "bounce"
    assert result.reason == "feedback_report"
    assert result.ticket_number == ticket.number
    assert complaint.kind == MessageKind.COMPLAINT
    assert complaint.visibility == Visibility.INTERNAL
    assert complaint.automatic is True
    assert "Feedback-Type: abuse" in complaint.text
    assert ack.delivery_status == status_before
    assert Ticket.objects.count() == 1


def test_complaint_never_acknowledged(acknowledgements, django_capture_on_commit_callbacks):
    ticket = first_ticket()
    ack = actions.reply(ticket, author=None, text="We received it.", automatic=True)
    Message.objects.filter(pk=ack.pk).update(message_id="<ack-7@desk.example>")
    with django_capture_on_commit_callbacks(execute=True):
        receive("spam_complaint.eml", original_id="<ack-7@desk.example>")
        receive("spam_complaint.eml", original_id="<unknown-ack@desk.example>")
    assert acknowledgements == []


def test_complaint_with_original_headers_only_attached():
    ticket = first_ticket()
    sent = actions.reply(ticket, author=AgentFactory(), text="Which browser?")
    Message.objects.filter(pk=sent.pk).update(message_id="<reply-9@desk.example>")
    result = receive("spam_complaint_headers.eml", original_id="<reply-9@desk.example>")
    assert result.outcome == "bounce"
    assert result.ticket_number == ticket.number
    assert Message.objects.get(pk=result.message_pk).kind == MessageKind.COMPLAINT


def test_complaint_of_unknown_message_makes_no_ticket():
    result = receive("spam_complaint.eml", original_id="<never-stored@desk.example>")
    raw = RawMessage.objects.get(pk=result.raw_id)
    assert result.outcome == "bounce"
    assert result.reason == "original_unknown"
    assert result.ticket_number is None
    assert raw.state == RawState.PROCESSED
    assert Ticket.objects.count() == 0
    assert ContactEmail.objects.count() == 0


def test_tnef_attachment_unpacked(corpora):
    message = EmailMessage()
    message["From"] = "outlook.user@client.example"
    message["To"] = "support@desk.example"
    message["Subject"] = "Files from Outlook"
    message.set_content("See the files.")
    tnef = (corpora / "email" / "mimekit-tnef" / "two-files.tnef").read_bytes()
    message.add_attachment(tnef, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    result = ingest(message.as_bytes(), source=Source.IMPORT)
    names = sorted(
        Message.objects.get(pk=result.message_pk).attachments.values_list("filename", flat=True)
    )
    assert names == ["AUTHORS", "README"]
