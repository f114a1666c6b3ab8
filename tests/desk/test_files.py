import pytest
from django.test import Client

from relaydesk.channels.email.models import Source
from relaydesk.channels.email.store import store_raw
from relaydesk.desk.views.files import served_type
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import AttachmentDraft

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% test file\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def ticket_with(make_ticket, *attachments: AttachmentDraft):
    ticket = make_ticket(draft={"attachments": attachments})
    return ticket, list(ticket.messages.get().attachments.all())


def test_served_type_uses_declared_type_when_content_agrees():
    assert served_type("application/PDF; name=a.pdf", PDF) == "application/pdf"


def test_served_type_falls_back_when_content_disagrees():
    assert served_type("image/png", b"<svg onload='x()'></svg>") == "application/octet-stream"


def test_served_type_accepts_csv_for_text():
    assert served_type("text/csv", b"a,b\n1,2\n") == "text/csv"


def test_served_type_without_declared_type_is_octet_stream():
    assert served_type("", PDF) == "application/octet-stream"


def test_attachment_download_headers(agent_client: Client, make_ticket):
    ticket, [attachment] = ticket_with(
        make_ticket, AttachmentDraft("invoice 12.pdf", PDF, "application/pdf")
    )
    response = agent_client.get(f"/tickets/{ticket.number}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice 12.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PDF


def test_attachment_with_false_type_is_octet_stream(agent_client: Client, make_ticket):
    # Declared as a PDF, but the bytes are an HTML page.
    ticket, [attachment] = ticket_with(
        make_ticket, AttachmentDraft("report.pdf", b"<html><script>x</script>", "application/pdf")
    )
    response = agent_client.get(f"/tickets/{ticket.number}/attachments/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_attachment_non_ascii_filename_is_encoded(agent_client: Client, make_ticket):
    ticket, [attachment] = ticket_with(
        make_ticket, AttachmentDraft("fatura março.pdf", PDF, "application/pdf")
    )
    response = agent_client.get(f"/tickets/{ticket.number}/attachments/{attachment.pk}/")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''fatura%20mar%C3%A7o.pdf"


def test_attachment_of_other_ticket_is_404(agent_client: Client, make_ticket):
    _ticket, [attachment] = ticket_with(
        make_ticket, AttachmentDraft("a.pdf", PDF, "application/pdf")
    )
    other = make_ticket()
    response = agent_client.get(f"/tickets/{other.number}/attachments/{attachment.pk}/")
    assert response.status_code == 404


def test_attachment_listed_with_size_and_type(agent_client: Client, make_ticket):
    ticket, [attachment] = ticket_with(
        make_ticket, AttachmentDraft("invoice.pdf", PDF, "application/pdf")
    )
    content = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert (
        f'href="/tickets/{ticket.number}/attachments/{attachment.pk}/" download>invoice.pdf'
        in content
    )
    assert "21\xa0bytes, application/pdf" in content


def test_inline_image_is_served_inline(agent_client: Client, make_ticket):
    ticket, [attachment] = ticket_with(
        make_ticket, AttachmentDraft("logo.png", PNG, "image/png", content_id="<l@x>", inline=True)
    )
    response = agent_client.get(f"/tickets/{ticket.number}/attachments/{attachment.pk}/inline/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_inline_view_refuses_non_images(agent_client: Client, make_ticket):
    ticket, [attachment] = ticket_with(
        make_ticket, AttachmentDraft("page.html", b"<html></html>", "text/html", content_id="<p@x>")
    )
    response = agent_client.get(f"/tickets/{ticket.number}/attachments/{attachment.pk}/inline/")
    assert response.status_code == 404


def test_raw_source_download(agent_client: Client, make_ticket):
    source = b"Subject: Export\r\nMessage-ID: <r1@client.example>\r\n\r\nBody\r\n"
    stored = store_raw(source, source=Source.SMTP)
    ticket = make_ticket(draft={"raw_id": stored.raw.pk})
    message = ticket.messages.get()
    response = agent_client.get(f"/tickets/{ticket.number}/messages/{message.pk}/source/")
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == (
        f'attachment; filename="CS-{ticket.number}-message-{message.pk}.eml"'
    )
    assert response.content == source


def test_raw_source_of_note_is_404(agent_client: Client, agent, make_ticket):
    ticket = make_ticket()
    note = actions.add_note(ticket, author=agent, text="internal")
    response = agent_client.get(f"/tickets/{ticket.number}/messages/{note.pk}/source/")
    assert response.status_code == 404
