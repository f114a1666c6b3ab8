from datetime import UTC, datetime

import pytest

from relaydesk.channels.email.parse import normalize_message_id, parse_message
from tests.channels.email.conftest import load


def test_parse_wrong_charset_falls_back_to_utf8():
    parsed = parse_message(load("wrong_charset.eml"))
    assert "Não consigo exportar o relatório de março." in parsed.text


def test_parse_undeclared_8bit_detects_latin1():
    parsed = parse_message(load("undeclared_8bit.eml"))
    assert "fatura de março está errada" in parsed.text
    assert "não corresponde" in parsed.text


def test_parse_utf8_declared_latin1_text():
    parsed = parse_message(load("utf8_declared_latin1.eml"))
    assert parsed.text == "O relatório de março não abre na aplicação."


def test_parse_utf8_declared_windows_1252_html():
    parsed = parse_message(load("utf8_declared_latin1.eml"))
    assert "<p>O relatório de março não abre na aplicação.</p>" in parsed.html


def test_parse_utf8_declared_latin1_subject():
    parsed = parse_message(load("utf8_declared_latin1.eml"))
    assert parsed.subject == "Relatório de março"


def test_parse_unquoted_boundary_with_equals_sign():
    parsed = parse_message(load("unquoted_boundary.eml"))
    assert parsed.text == 'The badge scanner at the Porto entrance says "cartão inválido".'
    assert "Content-Type" not in parsed.text
    assert "<p>The badge scanner" in parsed.html


def test_parse_unquoted_boundary_in_nested_part():
    parsed = parse_message(load("unquoted_boundary_nested.eml"))
    assert parsed.text == "The log of the rejected badges is attached."
    assert [item.filename for item in parsed.attachments] == ["scans.csv"]
    assert parsed.attachments[0].content == b"badge,result\n1017,rejected\n"


def test_parse_boundary_found_nowhere_keeps_body_text():
    content = (
        b"From: tiago.reis@client.example\n"
        b"Subject: Broken boundary\n"
        b"Content-Type: multipart/mixed; boundary=----=_NotInTheBody\n\n"
        b"The body has no delimiter lines at all.\n"
    )
    parsed = parse_message(content)
    assert parsed.text == "The body has no delimiter lines at all."


def test_parse_flowed_text_is_joined():
    parsed = parse_message(load("flowed_delsp.eml"))
    assert parsed.text == (
        "The invoices for November are still missing from the portal after "
        "the fix you mentioned. Could you check again?\n"
        "\n"
        "> Please try again tomorrow; the import runs overnight.\n"
        "\n"
        "-- \n"
        "Marta Pinto\nFinance"
    )


def test_parse_folds_quote_and_signature_for_display():
    parsed = parse_message(load("flowed_delsp.eml"))
    assert parsed.display_text == (
        "The invoices for November are still missing from the portal after "
        "the fix you mentioned. Could you check again?"
    )


def test_parse_text_without_format_flowed_keeps_lines():
    parsed = parse_message(load("fixed_trailing_space.eml"))
    assert parsed.text == "Line one ends with a space \nline two is its own line."


def test_parse_feedback_report_fields():
    parsed = parse_message(load("spam_complaint.eml", original_id="<ack-7@desk.example>"))
    assert parsed.report_type == "feedback-report"
    assert parsed.feedback_report.startswith("Feedback-Type: abuse\nUser-Agent: WebmailFBL/2.1")
    assert parsed.embedded_message_ids == ("<ack-7@desk.example>",)
    assert [item.declared_type for item in parsed.attachments] == ["message/rfc822"]


def test_parse_rfc2047_subject_and_name():
    parsed = parse_message(load("rfc2047_subject.eml"))
    assert parsed.subject == "Fatura de março não chegou"
    assert parsed.from_name == "João Marques"
    assert parsed.from_address == "joao@client.example"


def test_parse_rfc2231_filename():
    parsed = parse_message(load("rfc2231_filename.eml"))
    assert [item.filename for item in parsed.attachments] == ["relatório março.pdf"]
    assert parsed.attachments[0].content.startswith(b"%PDF-")
    assert parsed.text == "The report is attached."


def test_parse_html_only_derives_text():
    parsed = parse_message(load("html_only.eml"))
    assert "The dashboard is blank since Monday." in parsed.text
    assert "alert" not in parsed.text


def test_parse_html_only_sanitizes_html():
    html = parse_message(load("html_only.eml")).html
    assert "<script" not in html
    assert "onclick" not in html
    assert "style" not in html
    assert "javascript:" not in html
    assert 'data-remote-src="https://tracker.example/pixel.png"' in html
    assert ' src="https://tracker.example' not in html


def test_parse_attachment_only():
    parsed = parse_message(load("attachment_only.eml"))
    assert parsed.text == ""
    assert [item.filename for item in parsed.attachments] == ["export.csv"]
    assert parsed.attachments[0].content == b"id,total\n1,20"


def test_parse_malformed_from_keeps_address():
    parsed = parse_message(load("malformed_from.eml"))
    assert parsed.from_address == "eva.lopes@client.example"


def test_parse_utf8_sender_address():
    parsed = parse_message(load("eai_sender.eml"))
    assert parsed.from_address == "inês.araújo@correio.example"
    assert parsed.from_name == "Inês Araújo"


def test_parse_utf8_sender_without_brackets():
    parsed = parse_message("From: 秘书@例子.example\nSubject: Hi\n\nText\n".encode())
    assert parsed.from_address == "秘书@例子.example"


@pytest.mark.parametrize(
    "header",
    [
        "Ana “ana@client.example”",
        "«ana@client.example»",
        "ana@client.example（Ana）",
        "「Ana」ana@client.example",
    ],
)
def test_parse_quotes_around_sender_left_out(header):
    parsed = parse_message(f"From: {header}\nSubject: Hi\n\nText\n".encode())
    assert parsed.from_address == "ana@client.example"


def test_parse_sender_accents_composed():
    parsed = parse_message("From: Jose\u0301 <JOSE\u0301@client.example>\n\nText\n".encode())
    assert parsed.from_address == "josé@client.example"


def test_parse_utf8_message_ids():
    content = (
        "From: inês@exémplo.example\n"
        "Message-ID: <a1@exémplo.example>\n"
        "In-Reply-To: <CS-1.x@desk.example>\n"
        "References: <r0@exémplo.example> <CS-1.x@desk.example>\n\nText\n"
    ).encode()
    parsed = parse_message(content)
    assert parsed.message_id == "<a1@exémplo.example>"
    assert parsed.in_reply_to == "<CS-1.x@desk.example>"
    assert parsed.references == ("<r0@exémplo.example>", "<CS-1.x@desk.example>")


@pytest.mark.parametrize(
    "header",
    [
        "Rui Costa <rui costa@client.example>",
        "Rui <rui@cli ent.example>",
        "Rui <rui@client.exa mple>",
    ],
)
def test_parse_space_inside_sender_unusable(header):
    parsed = parse_message(f"From: {header}\nSubject: Hi\n\nText\n".encode())
    assert parsed.from_address == ""


@pytest.mark.parametrize(
    "header",
    [
        "Rui <rui@ client.example>",
        "Rui <rui @ client . example>",
        "Rui <rui(work)@client.example>",
        "Rui < rui@client.example >",
        "<mailto:rui@client.example>",
    ],
)
def test_parse_space_beside_separators_kept(header):
    parsed = parse_message(f"From: {header}\nSubject: Hi\n\nText\n".encode())
    assert parsed.from_address == "rui@client.example"


def test_parse_space_inside_one_recipient_drops_it():
    content = b"From: a@x.example\nCc: B <b@y.example>, C <c@z.exa mple>\n\nText\n"
    assert parse_message(content).cc == ("b@y.example",)


def test_parse_unusable_from_has_no_address():
    parsed = parse_message(load("unusable_from.eml"))
    assert parsed.from_address == ""


def test_parse_bad_date_is_none():
    parsed = parse_message(load("bad_date.eml"))
    assert parsed.date is None
    assert parsed.subject == "Sync delayed"


def test_parse_good_date_is_aware():
    parsed = parse_message(load("wrong_charset.eml"))
    assert parsed.date == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_parse_rfc822_part_attached_as_eml():
    parsed = parse_message(load("rfc822_part.eml"))
    assert [item.filename for item in parsed.attachments] == ["Job 42 failed.eml"]
    assert b"Job 42 failed at step 3." in parsed.attachments[0].content
    assert parsed.embedded_message_ids == ("<job-42@app.example>",)


def test_parse_inline_cid_image():
    parsed = parse_message(load("inline_cid.eml"))
    image = parsed.attachments[0]
    assert image.content_id == "logo.123@client.example"
    assert image.inline is True
    assert image.content.startswith(b"\x89PNG")
    assert 'src="cid:logo.123@client.example"' in parsed.html


def test_parse_threading_headers():
    parsed = parse_message(load("reply_references.eml"))
    assert parsed.message_id == "<reply-refs-1@client.example>"
    assert parsed.references == (
        "<unknown-1@elsewhere.example>",
        "<wrong-charset-1@client.example>",
        "<unknown-2@elsewhere.example>",
    )


def test_parse_keeps_headers_of_interest():
    parsed = parse_message(load("list_mail.eml"))
    assert parsed.headers["list-id"] == "Vendor news <news.vendor.example>"
    assert parsed.headers["precedence"] == "list"
    assert "subject" not in parsed.headers


def test_parse_empty_input_gives_empty_message():
    parsed = parse_message(b"")
    assert parsed.from_address == ""
    assert parsed.text == ""


def test_normalize_message_id_adds_brackets():
    assert normalize_message_id("abc@example.com") == "<abc@example.com>"
    assert normalize_message_id(" <abc@example.com> (comment)") == "<abc@example.com>"
    assert normalize_message_id("two words") == ""
