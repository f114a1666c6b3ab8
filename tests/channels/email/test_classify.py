from dataclasses import replace

from relaydesk.channels.email.classify import Kind, classify
from relaydesk.channels.email.parse import ParsedEmail, parse_message
from tests.channels.email.conftest import load


def test_classify_rfc3834_auto_reply():
    result = classify(parse_message(load("auto_reply.eml")))
    assert result.kind == Kind.AUTO_REPLY
    assert result.reason == "auto_submitted"


def test_classify_auto_submitted_no_is_personal():
    parsed = ParsedEmail(from_address="a@client.example", headers={"auto-submitted": "no"})
    assert classify(parsed).kind == Kind.PERSONAL


def test_classify_exchange_auto_reply():
    parsed = ParsedEmail(
        subject="Automatic reply: Export fails",
        headers={"x-ms-exchange-generated-message-source": "Mailbox Rules Agent"},
    )
    assert classify(parsed).kind == Kind.AUTO_REPLY


def test_classify_out_of_office_subject_alone_is_personal():
    parsed = ParsedEmail(from_address="a@client.example", subject="Out of Office question")
    assert classify(parsed).kind == Kind.PERSONAL


def test_classify_out_of_office_subject_with_null_sender():
    parsed = ParsedEmail(from_address="a@client.example", subject="Fora do escritório")
    assert classify(parsed, envelope_from="").kind == Kind.AUTO_REPLY


def test_classify_list_mail_is_bulk():
    result = classify(parse_message(load("list_mail.eml")))
    assert result.kind == Kind.BULK
    assert result.may_acknowledge is False


def test_classify_personal_may_acknowledge():
    result = classify(parse_message(load("wrong_charset.eml")))
    assert result.kind == Kind.PERSONAL
    assert result.may_acknowledge is True


def test_classify_dsn_is_bounce_with_original():
    result = classify(parse_message(load("bounce_dsn.eml")))
    assert result.kind == Kind.BOUNCE
    assert result.reason == "delivery_status_report"
    assert result.original_ids[0] == "<reply-outbound-1@desk.example>"


def test_classify_daemon_sender_with_bounce_subject():
    parsed = ParsedEmail(from_address="mailer-daemon@mx.example", subject="failure notice")
    assert classify(parsed).kind == Kind.BOUNCE


def test_classify_x_failed_recipients_is_bounce():
    parsed = ParsedEmail(headers={"x-failed-recipients": "gone@client.example"})
    assert classify(parsed).kind == Kind.BOUNCE


def test_classify_feedback_report_is_complaint():
    parsed = parse_message(load("spam_complaint.eml", original_id="<ack-7@desk.example>"))
    result = classify(parsed)
    assert result.kind == Kind.COMPLAINT
    assert result.reason == "feedback_report"
    assert result.original_ids == ("<ack-7@desk.example>",)
    assert result.may_acknowledge is False


def test_classify_complaint_with_original_headers_only():
    parsed = parse_message(load("spam_complaint_headers.eml", original_id="<ack-8@desk.example>"))
    result = classify(parsed)
    assert result.kind == Kind.COMPLAINT
    assert result.original_ids == ("<ack-8@desk.example>",)


def test_classify_feedback_part_outside_report_is_complaint():
    parsed = ParsedEmail(content_type="multipart/mixed", feedback_report="Feedback-Type: abuse")
    result = classify(parsed)
    assert result.kind == Kind.COMPLAINT
    assert result.reason == "feedback_report_part"


def test_classify_complaint_from_daemon_is_not_bounce():
    parsed = parse_message(load("spam_complaint.eml", original_id="<ack-7@desk.example>"))
    parsed = replace(parsed, from_address="mailer-daemon@feedback.webmail.example")
    assert classify(parsed).kind == Kind.COMPLAINT
