"""Read-only ticket queries; they own select_related and prefetch_related."""

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
