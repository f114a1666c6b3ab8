import hashlib
import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relaydesk.core import clock
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import AttachmentDraft, MessageDraft
from relaydesk.tickets.models import Direction, MessageKind, Status, Ticket
from tests.factories import AgentFactory, ContactFactory, PremiumOrganizationFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4 not really a pdf, but it starts like one\n"


def export(*args: str) -> list[dict]:
    out = StringIO()
    call_command("export-tickets", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def open_ticket(text: str = "The export fails.", **draft_fields) -> Ticket:
    contact = ContactFactory(name="Ana Sousa")
    draft = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text=text,
        subject="Export",
        from_address=contact.emails.get().address,
        message_id=f"<first-{contact.pk}@client.example>",
        **draft_fields,
    )
    return actions.create_ticket(channel="email", first_message=draft, contact=contact)


def test_export_writes_one_parsable_line_per_ticket():
    tickets = [open_ticket() for _ in range(3)]
    records = export()
    assert [record["number"] for record in records] == [ticket.number for ticket in tickets]


def test_export_round_trips_ticket_fields():
    organization = PremiumOrganizationFactory(name="Câmara Municipal")
    contact = ContactFactory(name="Ana", email="ana@camara.example", organization=organization)
    draft = MessageDraft(direction=Direction.INBOUND, kind=MessageKind.EMAIL, text="Help")
    ticket = actions.create_ticket(
        channel="email", first_message=draft, contact=contact, subject="Login", priority="high"
    )
    agent = AgentFactory(username="rita")
    actions.assign(ticket, actor=agent, assignee=agent)
    ticket.refresh_from_db()

    [record] = export()
    assert record["reference"] == ticket.reference
    assert record["subject"] == "Login"
    assert record["status"] == "new"
    assert record["priority"] == "high"
    assert record["channel"] == "email"
    assert record["assignee"] == "rita"
    assert record["organization"] == {
        "id": organization.pk,
        "name": "Câmara Municipal",
        "plan": "premium",
    }
    assert record["contact"]["name"] == "Ana"
    assert record["contact"]["email"] == "ana@camara.example"
    assert datetime.fromisoformat(record["created_at"]) == ticket.created_at


def test_export_round_trips_message_fields():
    ticket = open_ticket()
    [record] = export()
    [message] = record["messages"]
    stored = ticket.messages.get()
    assert message["message_id"] == f"<first-{ticket.contact_id}@client.example>"
    assert message["direction"] == "inbound"
    assert message["kind"] == "email"
    assert message["visibility"] == "public"
    assert message["from"] == ticket.contact.emails.get().address
    assert message["subject"] == "Export"
    assert message["text"] == "The export fails."
    assert message["sent_at"] is None
    assert datetime.fromisoformat(message["created_at"]) == stored.created_at


def test_export_queued_reply_status():
    ticket = open_ticket()
    actions.reply(ticket, author=AgentFactory(), text="Clear the cache, please.")

    [record] = export()

    inbound, queued = record["messages"]
    assert inbound["delivery_status"] is None
    assert queued["delivery_status"] == "queued"
    assert queued["message_id"] == ""


def test_export_keeps_non_ascii_and_newlines():
    text = "Olá,\nA exportação falhou — «erro 500» 🙁\n日本語のテキスト\r\nfim"
    open_ticket(text)
    out = StringIO()
    call_command("export-tickets", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert "exportação" in lines[0]
    assert json.loads(lines[0])["messages"][0]["text"] == text


def test_export_attachment_sha256_matches_content():
    open_ticket(attachments=(AttachmentDraft("relatório.pdf", PDF_BYTES, "application/pdf"),))
    [attachment] = export()[0]["messages"][0]["attachments"]
    assert attachment["filename"] == "relatório.pdf"
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == len(PDF_BYTES)
    assert attachment["sha256"] == hashlib.sha256(PDF_BYTES).hexdigest()


def test_export_includes_internal_notes_by_default():
    ticket = open_ticket()
    actions.add_note(ticket, author=AgentFactory(), text="Old build.")
    messages = export()[0]["messages"]
    assert [message["visibility"] for message in messages] == ["public", "internal"]
    assert messages[1]["kind"] == "note"
    assert export("--include-internal") == export()


def test_export_public_only_leaves_out_notes():
    ticket = open_ticket()
    actions.add_note(ticket, author=AgentFactory(), text="Old build.")
    messages = export("--public-only")[0]["messages"]
    assert [message["visibility"] for message in messages] == ["public"]


def test_export_filters_status():
    solved = open_ticket()
    open_ticket()
    actions.change_status(solved, actor=None, status=Status.SOLVED)
    assert [record["number"] for record in export("--status", "solved")] == [solved.number]
    assert len(export("--status", "solved", "--status", "new")) == 2


def test_export_filters_since():
    start = clock.now()
    with clock.frozen_at(start - timedelta(days=3)):
        open_ticket()
    with clock.frozen_at(start):
        recent = open_ticket()
    since = (start - timedelta(hours=1)).isoformat()
    assert [record["number"] for record in export("--since", since)] == [recent.number]
    day = (start - timedelta(days=1)).date().isoformat()
    assert [record["number"] for record in export("--since", day)] == [recent.number]


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-01-31T25:00", ""])
def test_export_rejects_invalid_since(value):
    with pytest.raises(CommandError, match="--since"):
        call_command("export-tickets", "--since", value, "--public-only", stdout=StringIO())


def test_export_rejects_unknown_status():
    with pytest.raises(CommandError, match="sleeping"):
        call_command("export-tickets", "--status", "sleeping", stdout=StringIO())


def test_export_rejects_zero_chunk_size():
    with pytest.raises(CommandError, match="--chunk-size"):
        call_command("export-tickets", "--chunk-size", "0", stdout=StringIO())


def test_export_crosses_chunk_boundaries():
    tickets = [open_ticket() for _ in range(5)]
    records = export("--chunk-size", "2")
    assert [record["number"] for record in records] == [ticket.number for ticket in tickets]


def test_export_query_count_does_not_grow_with_tickets():
    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as captured:
            export("--chunk-size", "100")
        return len(captured)

    for _ in range(2):
        open_ticket(attachments=(AttachmentDraft("a.txt", b"a", "text/plain"),))
    few = queries_for_export()
    for _ in range(6):
        open_ticket(attachments=(AttachmentDraft("b.txt", b"b", "text/plain"),))
    assert queries_for_export() == few


def test_export_of_empty_database_is_empty():
    assert export() == []
