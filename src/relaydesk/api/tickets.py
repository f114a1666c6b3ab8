"""Ticket and message endpoints. Every write goes through ``tickets.actions``."""

import re

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as StatusResponse

from relaydesk.accounts.models import User
from relaydesk.api.auth import ticket_agent
from relaydesk.api.errors import (
    InvalidTicketNumber,
    UnknownAgent,
    UnknownContact,
)
from relaydesk.api.filters import check_organization_filter
from relaydesk.api.pagination import PageBase, PageParams, paginate
from relaydesk.api.problems import Problem
from relaydesk.api.schemas import (
    CreatedTicketOut,
    MessageIn,
    MessageOut,
    RowId,
    TicketIn,
    TicketOut,
)
from relaydesk.core import clock
from relaydesk.customers.actions import contact_for_sender
from relaydesk.customers.models import Channel, Contact
from relaydesk.sla.entitlements import check_channel
from relaydesk.sla.out_of_hours import line_closed_notice, line_opens_at
from relaydesk.tickets import actions, queries
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.errors import TicketNotFound
from relaydesk.tickets.models import Direction, MessageKind, Priority, Status, Ticket
from relaydesk.tickets.queries import locale_for

router = Router(tags=["tickets"])

# 18 digits stay below the largest PositiveBigIntegerField value (2**63 - 1).
_TICKET_NUMBER = re.compile(r"(?:CS-)?([1-9][0-9]{0,17})", re.IGNORECASE)

ERRORS = frozenset({400, 401, 403, 404, 409, 413, 415, 422})


class TicketPage(PageBase):
    items: list[TicketOut]


class MessagePage(PageBase):
    items: list[MessageOut]


class TicketFilters(Schema):
    status: list[Status] | None = Field(None, description="Repeat to match any of several.")
    priority: list[Priority] | None = Field(None, description="Repeat to match any of several.")
    channel: list[Channel] | None = Field(None, description="Repeat to match any of several.")
    organization: RowId | None = Field(None, description="Organization id.")
    assignee: str | None = Field(
        None, description="An agent's username, 'me' for yourself, or 'none' for unassigned."
    )


@router.get("/tickets", response={200: TicketPage, ERRORS: Problem}, summary="List tickets")
def list_tickets(
    request: HttpRequest, filters: Query[TicketFilters], page: Query[PageParams]
) -> dict:
    agent = ticket_agent(request)
    assignee = agent.username if filters.assignee == "me" else filters.assignee
    _check_filters(assignee, filters.organization)
    tickets = queries.filter_tickets(
        statuses=filters.status or (),
        priorities=filters.priority or (),
        channels=filters.channel or (),
        organization_id=filters.organization,
        assignee_username=None if assignee == "none" else assignee,
        unassigned=assignee == "none",
    )
    return paginate(request, tickets, page)


def _check_filters(assignee: str | None, organization_id: int | None) -> None:
    """Reject a filter naming an agent or organization that does not exist.

    Such a filter would match no ticket, and a client would take the empty
    list for a result.
    """
    if assignee not in (None, "none") and not User.objects.filter(username=assignee).exists():
        raise UnknownAgent(
            _("No agent has the username %(value)r: use an agent's username, 'me' or 'none'.")
            % {"value": assignee}
        )
    check_organization_filter(organization_id)


@router.post(
    "/tickets", response={201: CreatedTicketOut, ERRORS: Problem}, summary="Create a ticket"
)
def create_ticket(
    request: HttpRequest, payload: TicketIn, response: HttpResponse
) -> StatusResponse:
    agent = ticket_agent(request)
    ticket = _open_ticket(agent, payload)
    response["Location"] = reverse("api:ticket", kwargs={"number": str(ticket.number)})
    created = _load_ticket(ticket.number)
    created.support_line = _support_line(created)
    return StatusResponse(201, created)


def _support_line(ticket: Ticket) -> dict | None:
    """Return when the ticket's closed line opens, with a notice in the client's language."""
    opens_at = line_opens_at(ticket, ticket.created_at)
    if opens_at is None:
        return None
    with translation.override(locale_for(ticket)):
        notice = line_closed_notice(ticket, opens_at)
    return {"opens_at": opens_at, "notice": notice}


@router.get(
    "/tickets/{number}",
    response={200: TicketOut, ERRORS: Problem},
    summary="Get a ticket by number (123 or CS-123)",
    url_name="ticket",
)
def get_ticket(request: HttpRequest, number: str) -> Ticket:
    ticket_agent(request)
    return _load_ticket(parse_ticket_number(number))


@router.get(
    "/tickets/{number}/messages",
    response={200: MessagePage, ERRORS: Problem},
    summary="List a ticket's messages, internal notes included",
)
def list_messages(request: HttpRequest, number: str, page: Query[PageParams]) -> dict:
    ticket_agent(request)
    ticket = _load_ticket(parse_ticket_number(number))
    return paginate(request, queries.conversation(ticket, include_internal=True), page)


@router.post(
    "/tickets/{number}/messages",
    response={201: MessageOut, ERRORS: Problem},
    summary="Add a reply, an internal note or a client message",
)
def add_message(request: HttpRequest, number: str, payload: MessageIn) -> StatusResponse:
    agent = ticket_agent(request)
    ticket = _load_ticket(parse_ticket_number(number))
    if payload.kind == "reply":
        message = actions.reply(ticket, author=agent, text=payload.text, status=payload.status)
    elif payload.kind == "note":
        message = actions.add_note(ticket, author=agent, text=payload.text)
    else:
        actions.require_client_recorder(agent)
        message = actions.add_client_message(
            ticket, _client_draft(ticket.contact, payload.text), contact=ticket.contact
        )
    return StatusResponse(
        201, queries.conversation(ticket, include_internal=True).get(pk=message.pk)
    )


def parse_ticket_number(value: str) -> int:
    """Return the number in ``123`` or ``CS-123``; raises InvalidTicketNumber."""
    match = _TICKET_NUMBER.fullmatch(value.strip())
    if match is None:
        raise InvalidTicketNumber(
            _("Ticket number %(value)r is invalid: write it as 123 or CS-123.") % {"value": value}
        )
    return int(match.group(1))


def _load_ticket(number: int) -> Ticket:
    try:
        return queries.ticket_by_number(number)
    except Ticket.DoesNotExist:
        raise TicketNotFound(
            _("Ticket CS-%(number)s not found: check the number.") % {"number": number}
        ) from None


# The kind of a ticket's first message, by the channel that opened it.
_FIRST_MESSAGE_KINDS = {
    Channel.API: MessageKind.API,
    Channel.PHONE: MessageKind.CALL,
    Channel.ASSISTANT: MessageKind.ASSISTANT,
    Channel.PORTAL: MessageKind.PORTAL,
}


def _open_ticket(agent: User, payload: TicketIn) -> Ticket:
    # One transaction, so a contact created from the e-mail address disappears
    # again if the ticket cannot be created.
    with transaction.atomic():
        contact = _contact_for(payload)
        channel = Channel(payload.channel)
        check_channel(
            contact.organization,
            channel,
            clock.now(),
            payload.priority,
            client_locale=contact.effective_locale,
        )
        draft = _client_draft(
            contact,
            payload.text,
            subject=payload.subject.strip(),
            kind=_FIRST_MESSAGE_KINDS[channel],
        )
        return actions.create_ticket(
            channel=channel,
            first_message=draft,
            contact=contact,
            subject=draft.subject,
            priority=payload.priority,
            actor=agent,
        )


def _contact_for(payload: TicketIn) -> Contact:
    if payload.email is not None:
        return contact_for_sender(payload.email, payload.name)
    contact = Contact.objects.filter(pk=payload.contact_id).first()
    if contact is None:
        raise UnknownContact(
            _("Contact %(id)s not found: use the id of an existing contact or give email.")
            % {"id": payload.contact_id}
        )
    return contact


def _client_draft(
    contact: Contact | None, text: str, *, subject: str = "", kind: str = MessageKind.API
) -> MessageDraft:
    email = contact.emails.first() if contact is not None else None
    return MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind(kind),
        text=text,
        subject=subject,
        from_address=email.address if email else "",
        from_name=contact.name if contact is not None else "",
    )
