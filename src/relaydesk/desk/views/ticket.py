"""The ticket page: header, conversation, timeline and the forms that act on it."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from relaydesk.channels.email import outbound
from relaydesk.core import clock, timeline
from relaydesk.core.models import TimelineEvent
from relaydesk.desk import events, html
from relaydesk.desk.access import agent_required
from relaydesk.desk.forms import AssignForm, NoteForm, PriorityForm, ReplyForm, StatusForm
from relaydesk.desk.views import ticket_case
from relaydesk.sla import notifications
from relaydesk.sla import queries as sla_queries
from relaydesk.tickets import queries
from relaydesk.tickets.models import DeliveryStatus, Direction, Message, Ticket, Visibility


@dataclass(frozen=True)
class MessageView:
    """One conversation entry with what the template needs to show it."""

    message: Message
    is_note: bool
    # Production Operations' answer: public, but never e-mailed by itself.
    is_back_office_answer: bool
    # Whether a reply to the client, by hand or automatic, came after this back-office answer.
    answer_passed_on: bool
    shows_full_text: bool
    frame_document: str
    has_remote_images: bool
    remote_allowed: bool
    # An outbound message's To and Cc addresses, each as "Name <address>".
    sent_to: list[str]
    copied_to: list[str]


def get_ticket(number: int) -> Ticket:
    try:
        return queries.ticket_by_number(number)
    except Ticket.DoesNotExist:
        raise Http404(f"ticket CS-{number} not found") from None


def _cid_urls(ticket: Ticket, message: Message) -> dict[str, str]:
    return {
        attachment.content_id.strip("<>"): reverse(
            "desk:attachment_inline", args=[ticket.number, attachment.pk]
        )
        for attachment in message.attachments.all()
        if attachment.content_id
    }


def _labelled(addresses: list[str], names: dict[str, str]) -> list[str]:
    return [
        f"{names[address]} <{address}>" if address in names else address for address in addresses
    ]


def _message_view(
    ticket: Ticket,
    message: Message,
    remote_message_id: int | None,
    names: dict[str, str],
    reply_to: outbound.Recipients,
    last_reply_at: datetime | None,
) -> MessageView:
    remote_allowed = message.pk == remote_message_id
    frame_document = ""
    has_remote_images = False
    if message.html:
        safe = html.sanitize(
            message.html, cid_urls=_cid_urls(ticket, message), allow_remote=remote_allowed
        )
        frame_document = html.frame_document(safe, allow_remote=remote_allowed)
        has_remote_images = safe.has_remote_images
    recipients = outbound.Recipients("")
    if message.direction == Direction.OUTBOUND:
        recipients = outbound.Recipients(
            message.to_addresses[0] if message.to_addresses else "", tuple(message.cc_addresses)
        )
        if not recipients.to and message.delivery_status == DeliveryStatus.QUEUED:
            # Delivery stores the addresses; until then they are where it will send.
            recipients = reply_to
    is_back_office_answer = (
        message.visibility == Visibility.PUBLIC and message.direction == Direction.INTERNAL
    )
    return MessageView(
        message=message,
        is_note=message.visibility == Visibility.INTERNAL,
        is_back_office_answer=is_back_office_answer,
        answer_passed_on=(
            is_back_office_answer
            and last_reply_at is not None
            and last_reply_at > message.created_at
        ),
        shows_full_text=message.text.strip() != message.display_text.strip(),
        frame_document=frame_document,
        has_remote_images=has_remote_images,
        remote_allowed=remote_allowed,
        sent_to=_labelled(recipients.addresses[:1], names),
        copied_to=_labelled(list(recipients.cc), names),
    )


def _remote_message_id(request: HttpRequest) -> int | None:
    value = request.GET.get("remote", "")
    return int(value) if value.isdigit() else None


def default_forms(ticket: Ticket) -> dict[str, object]:
    return {
        "reply_form": ReplyForm(ticket=ticket),
        "note_form": NoteForm(),
        "assign_form": AssignForm(initial={"assignee": ticket.assignee_id, "team": ticket.team_id}),
        "status_form": StatusForm(ticket=ticket),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
    }


def sla_context(ticket: Ticket, ticket_events: list[TimelineEvent]) -> dict[str, object]:
    """Return what ``desk/sla/_clocks.html`` needs: the clocks and their history."""
    return {
        "sla_clocks": sla_queries.ticket_clock_views(ticket, clock.now()),
        "sla_history": events.sla_lines(ticket_events),
    }


def render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound_forms: dict[str, object] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the ticket page, showing ``bound_forms`` (with their errors) in place of blanks."""
    remote_message_id = _remote_message_id(request)
    messages = list(queries.conversation(ticket, include_internal=True))
    reply_to = outbound.reply_recipients(ticket)
    names = outbound.display_names(
        [
            *reply_to.addresses,
            *(
                address
                for message in messages
                if message.direction == Direction.OUTBOUND
                for address in [*message.to_addresses, *message.cc_addresses]
            ),
        ]
    )
    last_reply_at = max(
        (
            message.created_at
            for message in messages
            if message.direction == Direction.OUTBOUND and message.visibility == Visibility.PUBLIC
        ),
        default=None,
    )
    conversation = [
        _message_view(ticket, message, remote_message_id, names, reply_to, last_reply_at)
        for message in messages
    ]
    organization = ticket.organization
    ticket_events = list(timeline.events_for(ticket))
    context = {
        "ticket": ticket,
        "csm": organization.premium_csm if organization else None,
        "conversation": conversation,
        "reply_to": _labelled(reply_to.addresses[:1], names),
        "reply_copied_to": _labelled(list(reply_to.cc), names),
        "timeline": events.lines(ticket_events),
        **sla_context(ticket, ticket_events),
        **default_forms(ticket),
        **ticket_case.case_context(request, ticket, [entry.message for entry in conversation]),
        **(bound_forms or {}),
    }
    response = render(request, "desk/ticket.html", context, status=status)
    allow_remote = any(entry.remote_allowed and entry.frame_document for entry in conversation)
    response["Content-Security-Policy"] = html.page_policy(allow_remote=allow_remote)
    return response


@agent_required
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = get_ticket(number)
    # Opening the ticket is reading what the agent was notified about.
    notifications.mark_ticket_read(request.user, ticket, now=clock.now())
    return render_ticket(request, ticket)
