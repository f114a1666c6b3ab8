import json
from datetime import UTC, datetime

import pytest

from relaydesk.core import clock
from relaydesk.customers.models import Contact, ContactEmail
from relaydesk.tickets import actions
from relaydesk.tickets.models import (
    DeliveryStatus,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    Visibility,
)
from tests.api.helpers import assert_problem, row_counts
from tests.factories import AgentFactory, ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def new_ticket_body(contact: Contact, **fields) -> dict:
    return {"contact_id": contact.pk, "subject": "Export fails", "text": "It fails.", **fields}


# Listing


def test_list_tickets_returns_page(api, make_ticket):
    first = make_ticket()
    second = make_ticket()
    body = api.get("/api/tickets").json()
    assert body["count"] == 2
    assert [item["number"] for item in body["items"]] == [second.number, first.number]
    assert body["next"] is None
    assert body["previous"] is None


def test_list_tickets_item_fields(api, make_ticket):
    contact = ContactFactory(email="ana@client.example")
    ticket = make_ticket(contact)
    item = api.get("/api/tickets").json()["items"][0]
    assert item["reference"] == f"CS-{ticket.number}"
    assert item["status"] == "new"
    assert item["priority"] == "normal"
    assert item["channel"] == "email"
    assert item["contact"] == {
        "id": contact.pk,
        "name": contact.name,
        "email": "ana@client.example",
    }
    assert item["organization"]["id"] == contact.organization_id
    assert item["organization"]["plan"] == "universal"
    assert item["assignee"] is None


def test_list_tickets_paginates_without_overlap(api, make_ticket):
    numbers = {make_ticket().number for _ in range(5)}
    first = api.get("/api/tickets", {"limit": 2}).json()
    assert first["count"] == 5
    assert first["next"].endswith("limit=2&offset=2")
    second = api.client.get(first["next"]).json()
    third = api.client.get(second["next"]).json()
    seen = [item["number"] for page in (first, second, third) for item in page["items"]]
    assert sorted(seen) == sorted(numbers)
    assert third["next"] is None
    assert third["previous"].endswith("limit=2&offset=2")


def test_list_tickets_orders_same_time_by_id(api, make_ticket):
    tickets = [make_ticket() for _ in range(3)]
    Ticket.objects.update(created_at=tickets[0].created_at)
    numbers = [item["number"] for item in api.get("/api/tickets").json()["items"]]
    assert numbers == [ticket.number for ticket in reversed(tickets)]


def test_list_tickets_filters_status(api, make_ticket, agent):
    opened = make_ticket()
    make_ticket()
    actions.change_status(opened, actor=agent, status=Status.OPEN)
    body = api.get("/api/tickets", {"status": "open"}).json()
    assert [item["number"] for item in body["items"]] == [opened.number]


def test_list_tickets_filters_several_priorities(api, make_ticket):
    urgent = make_ticket(priority=Priority.URGENT)
    high = make_ticket(priority=Priority.HIGH)
    make_ticket()
    body = api.get("/api/tickets?priority=urgent&priority=high").json()
    assert {item["number"] for item in body["items"]} == {urgent.number, high.number}


def test_list_tickets_filters_organization(api, make_ticket):
    ticket = make_ticket()
    make_ticket()
    body = api.get("/api/tickets", {"organization": ticket.organization_id}).json()
    assert [item["number"] for item in body["items"]] == [ticket.number]


def test_list_tickets_filters_channel(api, make_ticket):
    by_phone = make_ticket(channel="phone")
    make_ticket()
    body = api.get("/api/tickets", {"channel": "phone"}).json()
    assert [item["number"] for item in body["items"]] == [by_phone.number]


def test_list_tickets_filters_assignee(api, make_ticket, agent):
    mine = make_ticket()
    other = make_ticket()
    unassigned = make_ticket()
    colleague = AgentFactory()
    actions.assign(mine, actor=agent, assignee=agent)
    actions.assign(other, actor=agent, assignee=colleague)

    def numbers(assignee: str) -> list[int]:
        items = api.get("/api/tickets", {"assignee": assignee}).json()["items"]
        return [item["number"] for item in items]

    assert numbers("me") == [mine.number]
    assert numbers(colleague.username) == [other.number]
    assert numbers("none") == [unassigned.number]


@pytest.mark.parametrize(
    ("query", "code", "named"),
    [
        ({"assignee": "nobody"}, "unknown_agent", "'nobody'"),
        ({"organization": 999999}, "unknown_organization", "999999"),
    ],
)
def test_list_tickets_rejects_unknown_filter(api, make_ticket, query, code, named):
    make_ticket()
    problem = assert_problem(api.get("/api/tickets", query), 422, code)
    assert named in problem["detail"]


def test_list_tickets_rejects_unknown_status(api):
    body = assert_problem(api.get("/api/tickets", {"status": "sleeping"}), 422, "invalid_request")
    assert body["errors"][0]["field"] == "status.0"
    assert body["errors"][0]["location"] == "query"


def test_list_tickets_rejects_limit_above_maximum(api):
    body = assert_problem(api.get("/api/tickets", {"limit": 1000}), 422, "invalid_request")
    assert body["errors"][0]["field"] == "limit"


def test_list_tickets_rejects_negative_offset(api):
    assert_problem(api.get("/api/tickets", {"offset": -1}), 422, "invalid_request")


HUGE = 721648718826860969984  # beyond any 64-bit integer


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/tickets", {"organization": HUGE}, "organization"),
        ("/api/contacts", {"organization": HUGE}, "organization"),
    ],
)
def test_lists_reject_an_id_beyond_any_integer_column(api, path, query, field):
    problem = assert_problem(api.get(path, query), 422, "invalid_request")
    assert problem["errors"][0]["field"] == field


@pytest.mark.parametrize("path", [f"/api/contacts/{HUGE}", f"/api/organizations/{HUGE}"])
def test_reads_reject_an_id_beyond_any_integer_column(api, path):
    assert_problem(api.get(path), 422, "invalid_request")


def test_create_ticket_rejects_huge_contact_id(api):
    response = api.post(
        "/api/tickets",
        {"contact_id": HUGE, "subject": "Export fails", "text": "It fails.", "channel": "phone"},
    )
    assert_problem(response, 422, "invalid_request")
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("path", ["/api/tickets", "/api/contacts", "/api/incidents"])
def test_lists_reject_an_offset_beyond_any_integer_column(api, path):
    # The database cannot take it: a 64-bit overflow used to be a 500.
    problem = assert_problem(
        api.get(path, {"offset": 721648718826860969984}), 422, "invalid_request"
    )
    assert problem["errors"][0]["field"] == "offset"


# Reading one


def test_get_ticket_by_number(api, make_ticket):
    ticket = make_ticket()
    body = api.get(f"/api/tickets/{ticket.number}").json()
    assert body["number"] == ticket.number
    assert body["subject"] == "Export"


def test_get_ticket_by_reference(api, make_ticket):
    ticket = make_ticket()
    for reference in (f"CS-{ticket.number}", f"cs-{ticket.number}"):
        response = api.get(f"/api/tickets/{reference}")
        assert response.status_code == 200
        assert response.json()["number"] == ticket.number


def test_get_ticket_unknown_number(api):
    body = assert_problem(api.get("/api/tickets/99999"), 404, "ticket_not_found")
    assert "CS-99999" in body["detail"]


@pytest.mark.parametrize("number", ["abc", "CS-", "PO-12", "0", "12.5", "1" * 19])
def test_get_ticket_rejects_malformed_number(api, number):
    body = assert_problem(api.get(f"/api/tickets/{number}"), 422, "invalid_ticket_number")
    assert number in body["detail"]


# Creating


def test_create_ticket_for_contact_id(api, agent):
    contact = ContactFactory()
    response = api.post("/api/tickets", new_ticket_body(contact, priority="high"))
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert response["Location"] == f"/api/tickets/{ticket.number}"
    assert ticket.contact == contact
    assert ticket.organization == contact.organization
    assert ticket.channel == "api"
    assert ticket.priority == "high"
    assert ticket.subject == "Export fails"
    message = ticket.messages.get()
    assert message.kind == MessageKind.API
    assert message.text == "It fails."
    assert message.author == agent


def test_create_ticket_for_new_email_creates_contact(api):
    organization = OrganizationFactory(domain="client.example")
    body = {"email": "Rui@Client.example", "name": "Rui", "subject": "Login", "text": "Locked out."}
    response = api.post("/api/tickets", body)
    assert response.status_code == 201, response.content
    contact = ContactEmail.objects.get(address="rui@client.example").contact
    assert contact.name == "Rui"
    assert contact.organization == organization
    assert response.json()["contact"]["id"] == contact.pk


def test_create_ticket_for_known_email_reuses_contact(api):
    contact = ContactFactory(email="known@client.example")
    body = {"email": "known@client.example", "subject": "Again", "text": "Still broken."}
    response = api.post("/api/tickets", body)
    assert response.status_code == 201
    assert response.json()["contact"]["id"] == contact.pk
    assert Contact.objects.count() == 1


def test_create_ticket_keeps_non_ascii_text(api):
    contact = ContactFactory()
    text = "A exportação falhou às 09:30 — 日本語も"
    response = api.post("/api/tickets", new_ticket_body(contact, subject="Exportação", text=text))
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.subject == "Exportação"
    assert ticket.messages.get().text == text


BAD_TICKET_BODIES = [
    ("unknown priority", {"priority": "whenever"}, "priority"),
    ("empty text", {"text": ""}, "text"),
    ("blank text", {"text": "  \n "}, "text"),
    ("text too long", {"text": "x" * 100_001}, "text"),
    ("empty subject", {"subject": ""}, "subject"),
    ("subject too long", {"subject": "s" * 501}, "subject"),
    ("missing text", {"text": None}, "text"),
    ("text not a string", {"text": 12}, "text"),
    ("contact id not a number", {"contact_id": "seven"}, "contact_id"),
    ("contact id as text", {"contact_id": "1"}, "contact_id"),
    ("contact id as true", {"contact_id": True}, "contact_id"),
    ("contact id as a fraction", {"contact_id": 1.0}, "contact_id"),
    ("subject with a line break", {"subject": "Export\r\nBcc: x@example.org"}, "subject"),
    ("subject with a control character", {"subject": "Export \x00 fails"}, "subject"),
    ("misspelt field", {"priorty": "urgent"}, "priorty"),
]


@pytest.mark.parametrize(
    ("case", "change", "field"), BAD_TICKET_BODIES, ids=[case[0] for case in BAD_TICKET_BODIES]
)
def test_create_ticket_rejects_bad_field(api, case, change, field):
    body = new_ticket_body(ContactFactory(), **change)
    body = {key: value for key, value in body.items() if value is not None}
    before = row_counts()
    problem = assert_problem(api.post("/api/tickets", body), 422, "invalid_request")
    assert field in [error["field"] for error in problem["errors"]]
    assert row_counts() == before


def test_create_ticket_rejects_bad_email(api):
    before = row_counts()
    body = {"email": "not-an-address", "subject": "Help", "text": "Broken."}
    problem = assert_problem(api.post("/api/tickets", body), 422, "invalid_request")
    assert problem["errors"][0]["field"] == "email"
    assert "not-an-address" in problem["errors"][0]["message"]
    assert row_counts() == before


def test_create_ticket_rejects_support_address(api):
    before = row_counts()
    body = {"email": "support@localhost", "subject": "Loop", "text": "Call note."}
    problem = assert_problem(api.post("/api/tickets", body), 422, "invalid_request")
    assert "support addresses" in problem["errors"][0]["message"]
    assert row_counts() == before


def test_create_ticket_rejects_contact_and_email_together(api):
    contact = ContactFactory()
    before = row_counts()
    body = new_ticket_body(contact, email="other@client.example")
    problem = assert_problem(api.post("/api/tickets", body), 422, "invalid_request")
    assert problem["errors"][0]["field"] == "email"
    assert row_counts() == before


def test_create_ticket_rejects_neither_contact_nor_email(api):
    before = row_counts()
    body = {"subject": "Help", "text": "Broken."}
    problem = assert_problem(api.post("/api/tickets", body), 422, "invalid_request")
    assert problem["errors"][0]["field"] == "email"
    assert problem["errors"][0]["message"] == "give exactly one of contact_id and email"
    assert row_counts() == before


def test_create_ticket_rejects_unknown_contact_id(api):
    before = row_counts()
    body = {"contact_id": 424242, "subject": "Help", "text": "Broken."}
    problem = assert_problem(api.post("/api/tickets", body), 422, "unknown_contact")
    assert "424242" in problem["detail"]
    assert row_counts() == before


def test_create_ticket_rejects_malformed_json(api):
    before = row_counts()
    response = api.post_raw("/api/tickets", b'{"subject": "Help", "text": ')
    assert_problem(response, 400, "malformed_json")
    assert row_counts() == before


def test_malformed_json_names_where_it_breaks(api):
    response = api.post_raw("/api/tickets", b'{\n  "subject": "Help",\n}')
    problem = assert_problem(response, 400, "malformed_json")
    assert "at line 3, column 1" in problem["detail"]


def test_body_that_is_not_utf8_names_the_byte(api):
    response = api.post_raw("/api/tickets", b'{"subject": "Cora\xe7\xe3o"}')
    problem = assert_problem(response, 400, "malformed_json")
    assert "byte 0xe7 at position 17" in problem["detail"]


def test_create_ticket_rejects_invalid_utf8(api):
    before = row_counts()
    response = api.post_raw("/api/tickets", b'{"subject": "\xff\xfe"}')
    assert_problem(response, 400, "malformed_json")
    assert row_counts() == before


@pytest.mark.parametrize(
    ("content_type", "detail"),
    [
        ("text/plain", "Content type 'text/plain' is not JSON"),
        ("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded' is not JSON"),
        ("", "has a body but no Content-Type"),
    ],
)
def test_create_ticket_rejects_non_json_body(api, content_type, detail):
    before = row_counts()
    body = json.dumps({"email": "ana@client.example", "subject": "Help", "text": "Broken."})
    response = api.client.post("/api/tickets", body, content_type=content_type)
    problem = assert_problem(response, 415, "unsupported_media_type")
    assert detail in problem["detail"]
    assert problem["detail"].endswith("with Content-Type: application/json.")
    assert row_counts() == before


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/merge-patch+json"]
)
def test_create_ticket_takes_json_media_types(api, content_type):
    body = json.dumps({"email": "ana@client.example", "subject": "Help", "text": "Broken."})
    response = api.client.post("/api/tickets", body, content_type=content_type)
    assert response.status_code == 201, response.content


def test_create_ticket_rejects_json_array(api):
    before = row_counts()
    response = api.post_raw("/api/tickets", b"[1, 2]")
    assert_problem(response, 422, "invalid_request")
    assert row_counts() == before


def test_create_ticket_rejects_empty_body(api):
    before = row_counts()
    assert_problem(api.post_raw("/api/tickets", b""), 422, "invalid_request")
    assert row_counts() == before


# Messages


def test_list_messages_includes_internal_notes(api, make_ticket, agent):
    ticket = make_ticket()
    actions.add_note(ticket, author=agent, text="Customer is on the old build.")
    body = api.get(f"/api/tickets/CS-{ticket.number}/messages").json()
    assert body["count"] == 2
    first, note = body["items"]
    assert first["direction"] == "inbound"
    assert first["text"] == "The export fails."
    assert note["visibility"] == "internal"
    assert note["author"]["username"] == agent.username


def test_message_shows_why_its_delivery_failed(api, make_ticket, agent):
    ticket = make_ticket()
    reply = actions.reply(ticket, author=agent, text="Try again now.")
    error = "connection to relay 127.0.0.1:2912 failed: [Errno 111] Connection refused"
    actions.record_delivery(reply, status=DeliveryStatus.RETRYING, error=error)
    body = api.get(f"/api/tickets/CS-{ticket.number}/messages").json()
    sent = body["items"][-1]
    assert (sent["delivery_status"], sent["delivery_error"]) == ("retrying", error)
    assert body["items"][0]["delivery_error"] == ""


def test_list_messages_paginates(api, make_ticket, agent):
    ticket = make_ticket()
    for index in range(3):
        actions.add_note(ticket, author=agent, text=f"note {index}")
    body = api.get(f"/api/tickets/{ticket.number}/messages", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 4
    assert [item["text"] for item in body["items"]] == ["note 1", "note 2"]


def test_list_messages_unknown_ticket(api):
    assert_problem(api.get("/api/tickets/404/messages"), 404, "ticket_not_found")


def test_add_reply_sends_public_message(api, make_ticket, agent):
    ticket = make_ticket()
    response = api.post(f"/api/tickets/{ticket.number}/messages", {"kind": "reply", "text": "Hi."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "reply"
    assert body["direction"] == "outbound"
    assert body["visibility"] == "public"
    assert body["author"]["username"] == agent.username
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_add_reply_with_status(api, make_ticket):
    ticket = make_ticket()
    body = {"kind": "reply", "text": "Which browser?", "status": "pending_client"}
    api.post(f"/api/tickets/{ticket.number}/messages", body)
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CLIENT


def test_add_note_is_internal(api, make_ticket):
    ticket = make_ticket()
    response = api.post(f"/api/tickets/{ticket.number}/messages", {"kind": "note", "text": "FYI"})
    assert response.status_code == 201
    message = Message.objects.get(pk=response.json()["id"])
    assert message.visibility == Visibility.INTERNAL
    assert message.kind == MessageKind.NOTE


def test_add_client_message_reopens_pending_ticket(api, make_ticket, agent):
    contact = ContactFactory(email="client@client.example")
    ticket = make_ticket(contact)
    actions.reply(ticket, author=agent, text="Which browser?", status=Status.PENDING_CLIENT)
    body = {"kind": "client", "text": "Firefox, said on the phone."}
    response = api.post(f"/api/tickets/{ticket.number}/messages", body)
    assert response.status_code == 201
    assert response.json()["direction"] == "inbound"
    assert response.json()["contact_id"] == contact.pk
    assert response.json()["from_address"] == "client@client.example"
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


BAD_MESSAGE_BODIES = [
    ("unknown kind", {"kind": "shout", "text": "Hi"}, "kind"),
    ("empty text", {"kind": "reply", "text": ""}, "text"),
    ("blank text", {"kind": "note", "text": "   "}, "text"),
    ("unknown status", {"kind": "reply", "text": "Hi", "status": "done"}, "status"),
]


@pytest.mark.parametrize(
    ("case", "body", "field"), BAD_MESSAGE_BODIES, ids=[case[0] for case in BAD_MESSAGE_BODIES]
)
def test_add_message_rejects_bad_field(api, make_ticket, case, body, field):
    ticket = make_ticket()
    before = row_counts()
    response = api.post(f"/api/tickets/{ticket.number}/messages", body)
    problem = assert_problem(response, 422, "invalid_request")
    assert field in [error["field"] for error in problem["errors"]]
    assert row_counts() == before


def test_add_message_rejects_status_on_note(api, make_ticket):
    ticket = make_ticket()
    before = row_counts()
    body = {"kind": "note", "text": "FYI", "status": "solved"}
    response = api.post(f"/api/tickets/{ticket.number}/messages", body)
    problem = assert_problem(response, 422, "invalid_request")
    assert problem["errors"][0]["field"] == "status"
    assert row_counts() == before


def test_add_reply_rejects_forbidden_transition(api, make_ticket):
    ticket = make_ticket()
    before = row_counts()
    body = {"kind": "reply", "text": "Escalating.", "status": "escalated"}
    response = api.post(f"/api/tickets/{ticket.number}/messages", body)
    problem = assert_problem(response, 409, "invalid_status_transition")
    assert problem["ticket_status"] == "new"
    assert problem["allowed_statuses"] == ["open", "pending_client", "solved", "closed"]
    assert row_counts() == before


def test_reply_asking_to_stay_new_is_conflict(api, make_ticket):
    ticket = make_ticket()
    before = row_counts()
    body = {"kind": "reply", "text": "Looking into it.", "status": "new"}
    response = api.post(f"/api/tickets/{ticket.number}/messages", body)
    problem = assert_problem(response, 409, "invalid_status_transition")
    assert "A reply moves a new ticket to “Open”" in problem["detail"]
    assert row_counts() == before


def test_add_message_to_unknown_ticket(api):
    before = row_counts()
    response = api.post("/api/tickets/CS-777/messages", {"kind": "note", "text": "Hi"})
    assert_problem(response, 404, "ticket_not_found")
    assert row_counts() == before


def test_add_message_rejects_malformed_json(api, make_ticket):
    ticket = make_ticket()
    before = row_counts()
    response = api.post_raw(f"/api/tickets/{ticket.number}/messages", b"{kind: note}")
    assert_problem(response, 400, "malformed_json")
    assert row_counts() == before


# Channels and the plan's support hours


def test_phone_ticket_in_support_hours(api):
    contact = ContactFactory(organization=OrganizationFactory())
    with clock.frozen_at(datetime(2026, 3, 9, 10, 0, tzinfo=UTC)):
        response = api.post("/api/tickets", new_ticket_body(contact, channel="phone"))
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.channel == "phone"
    assert ticket.messages.get().kind == MessageKind.CALL


def test_phone_ticket_outside_hours_rejected(api):
    contact = ContactFactory(organization=OrganizationFactory())
    before = row_counts()
    with clock.frozen_at(datetime(2026, 3, 7, 10, 0, tzinfo=UTC)):
        response = api.post("/api/tickets", new_ticket_body(contact, channel="phone"))
    body = assert_problem(response, 422, "support_line_closed")
    assert body["opens_at"] == "2026-03-09T09:00:00Z"
    assert body["notice"].startswith("This support line is closed now")
    assert row_counts() == before


def test_closed_line_notice_in_contact_language(api):
    contact = ContactFactory(organization=OrganizationFactory(), locale="pt-pt")
    with clock.frozen_at(datetime(2026, 3, 7, 10, 0, tzinfo=UTC)):
        response = api.post("/api/tickets", new_ticket_body(contact, channel="phone"))
    body = assert_problem(response, 422, "support_line_closed")
    assert body["detail"].startswith("Plan Universal takes contacts")
    assert body["notice"].startswith("Esta linha de apoio está fechada")


def test_channel_outside_plan_rejected(api):
    contact = ContactFactory(organization=OrganizationFactory())
    before = row_counts()
    response = api.post("/api/tickets", new_ticket_body(contact, channel="assistant"))
    body = assert_problem(response, 422, "channel_not_in_plan")
    assert "opens_at" not in body
    assert row_counts() == before


def test_channel_outside_plan_names_the_api_values(api):
    contact = ContactFactory(organization=OrganizationFactory())
    response = api.post("/api/tickets", new_ticket_body(contact, channel="assistant"))
    body = assert_problem(response, 422, "channel_not_in_plan")
    assert body["channel"] == "assistant"
    assert "email" in body["allowed_channels"]
    assert "assistant" not in body["allowed_channels"]


def test_unknown_channel_invalid(api):
    contact = ContactFactory()
    response = api.post("/api/tickets", new_ticket_body(contact, channel="fax"))
    body = assert_problem(response, 422, "invalid_request")
    assert body["errors"][0]["field"] == "channel"


def test_portal_ticket_outside_hours_gets_opening(api):
    contact = ContactFactory(organization=OrganizationFactory(), locale="pt-pt")
    with clock.frozen_at(datetime(2026, 3, 7, 10, 0, tzinfo=UTC)):
        response = api.post("/api/tickets", new_ticket_body(contact, channel="portal"))
    assert response.status_code == 201, response.content
    line = response.json()["support_line"]
    assert line["opens_at"] == "2026-03-09T09:00:00Z"
    assert line["notice"].startswith("Neste momento, a linha de apoio do seu plano está encerrada.")
    assert "segunda-feira, 9 de março de 2026, às 09:00" in line["notice"]


def test_ticket_in_hours_has_no_notice(api):
    contact = ContactFactory(organization=OrganizationFactory())
    with clock.frozen_at(datetime(2026, 3, 9, 10, 0, tzinfo=UTC)):
        response = api.post("/api/tickets", new_ticket_body(contact, channel="portal"))
    assert response.status_code == 201, response.content
    assert response.json()["support_line"] is None
