"""Read-only ticket queries; they own select_related and prefetch_related."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from relaydesk.tickets.models import Attachment, Message, Ticket, Visibility


def ticket_list() -> QuerySet[Ticket]:
    return Ticket.objects.select_related(
        "organization", "organization__plan", "contact", "assignee", "team"
    )


def ticket_by_number(number: int) -> Ticket:
    """Return ticket ``CS-<number>``; raises Ticket.DoesNotExist."""
    return ticket_list().select_related("organization__csm").get(number=number)


def conversation(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    messages = Message.objects.filter(ticket=ticket).select_related("author", "contact")
    if not include_internal:
        messages = messages.filter(visibility=Visibility.PUBLIC)
    return messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.select_related("blob"))
    ).order_by("created_at", "id")


def filter_tickets(
    *,
    statuses: Sequence[str] = (),
    priorities: Sequence[str] = (),
    channels: Sequence[str] = (),
    organization_id: int | None = None,
    assignee_username: str | None = None,
    unassigned: bool = False,
) -> QuerySet[Ticket]:
    """Tickets matching every given filter, newest first with ``id`` breaking ties.

    Empty sequences and None leave that field unfiltered. The ordering is total,
    so limit/offset pages neither repeat nor skip tickets while none are added.
    """
    tickets = ticket_list().prefetch_related("contact__emails")
    if statuses:
        tickets = tickets.filter(status__in=statuses)
    if priorities:
        tickets = tickets.filter(priority__in=priorities)
    if channels:
        tickets = tickets.filter(channel__in=channels)
    if organization_id is not None:
        tickets = tickets.filter(organization_id=organization_id)
    if unassigned:
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee_username is not None:
        tickets = tickets.filter(assignee__username=assignee_username)
    return tickets.order_by("-created_at", "-id")


def tickets_for_export(
    *, statuses: Sequence[str] = (), since: datetime | None = None, include_internal: bool = True
) -> QuerySet[Ticket]:
    """Tickets with everything an export line needs, oldest first.

    Meant for ``.iterator(chunk_size=...)``: Django then runs the prefetches
    once per chunk, so memory stays bounded however many tickets there are.
    """
    messages = Message.objects.select_related("author").order_by("created_at", "id")
    if not include_internal:
        messages = messages.filter(visibility=Visibility.PUBLIC)
    tickets = ticket_list().prefetch_related(
        "contact__emails",
        Prefetch("messages", queryset=messages),
        Prefetch("messages__attachments", queryset=Attachment.objects.select_related("blob")),
    )
    if statuses:
        tickets = tickets.filter(status__in=statuses)
    if since is not None:
        tickets = tickets.filter(created_at__gte=since)
    return tickets.order_by("created_at", "id")
