"""Read-only ticket queries; they own select_related and prefetch_related."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from relaydesk.accounts.models import Team, User
from relaydesk.core.folding import Fold, fold
from relaydesk.core.search import MAX_WORDS, TextIndex
from relaydesk.customers.models import Contact, ContactEmail, Organization, PlanCode
from relaydesk.tickets.models import OPEN_STATUSES, Attachment, Message, Ticket, Visibility

MESSAGE_TEXT = TextIndex(Message._meta.db_table, "text")


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


INBOX_VIEWS = ("unassigned", "mine", "team", "clients", "open")


@dataclass(frozen=True)
class InboxFilters:
    """Inbox filters an agent requested; an empty string means any value."""

    view: str = "open"
    status: str = ""
    priority: str = ""
    plan: str = ""
    channel: str = ""
    organization_id: int | None = None
    search: str = ""


def inbox(agent: User, filters: InboxFilters) -> QuerySet[Ticket]:
    """Return the tickets of one inbox view, newest activity first.

    Without a status filter only open tickets (see ``OPEN_STATUSES``) are
    listed. A status filter replaces that restriction, so an agent can list
    their own solved or closed tickets. Raises ValueError for an unknown view.
    """
    tickets = ticket_list()
    if filters.view == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    elif filters.view == "mine":
        tickets = tickets.filter(assignee=agent)
    elif filters.view == "team":
        tickets = tickets.filter(team__in=Team.objects.filter(members=agent))
    elif filters.view == "clients":
        # The Premium organizations whose Customer Success Manager the agent is.
        tickets = tickets.filter(organization__csm=agent, organization__plan__code=PlanCode.PREMIUM)
    elif filters.view != "open":
        raise ValueError(f"inbox view {filters.view!r} is unknown: use one of {INBOX_VIEWS}")

    if filters.status:
        tickets = tickets.filter(status=filters.status)
    else:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.plan:
        tickets = tickets.filter(organization__plan__code=filters.plan)
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.organization_id is not None:
        tickets = tickets.filter(organization_id=filters.organization_id)
    if filters.search:
        tickets = search_tickets(tickets, filters.search)
    return tickets.prefetch_related("contact__emails").order_by("-updated_at", "-id")


def search_tickets(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Narrow ``tickets`` to those where every term of ``text`` matches somewhere.

    Terms are separated by spaces, and each may match a different place.
    The subject and the client match a term anywhere: the contact's name or
    one of their e-mail addresses, or the organization's name. In message
    text, found through its full-text index (``core.search``), each word of
    a term must begin a word. Both match without regard to accents or case
    ("camara" finds "Câmara"). ``42`` also matches ticket number 42, and
    ``CS-42`` matches that ticket only: acknowledgements quote ticket
    references, so as words "CS" and "42" would match many tickets.
    """
    terms = text.split()[:MAX_WORDS]
    if not terms:
        return tickets
    reference = re.fullmatch(r"cs-(\d{1,18})", text.strip(), flags=re.IGNORECASE)
    if reference:
        return tickets.filter(number=int(reference.group(1)))
    tickets = tickets.alias(
        subject_folded=Fold("subject"),
        contact_folded=Fold("contact__name"),
        organization_folded=Fold("organization__name"),
    )
    matches = Q()
    for term in terms:
        matches &= _term_matches(term)
    number = re.fullmatch(r"\d{1,18}", text.strip())
    if number:
        matches |= Q(number=int(number.group()))
    return tickets.filter(matches)


def _term_matches(term: str) -> Q:
    folded = fold(term)
    matches = (
        Q(subject_folded__contains=folded)
        | Q(contact_folded__contains=folded)
        | Q(organization_folded__contains=folded)
        | Exists(ContactEmail.objects.filter(contact=OuterRef("contact"), address__icontains=term))
    )
    in_text = MESSAGE_TEXT.matching(term)
    if in_text is not None:
        # One lookup in the full-text index per term, not one per ticket.
        matches |= Q(pk__in=Message.objects.filter(in_text).values("ticket_id"))
    return matches


def tickets_for_organization(organization: Organization) -> QuerySet[Ticket]:
    """Return the organization's tickets, open or not, most recently updated first.

    The query is not sliced, so callers can annotate it (``sla.queries.with_sla``)
    before they take the first rows.
    """
    return _recently_updated(ticket_list().filter(organization=organization))


def tickets_for_contact(contact: Contact) -> QuerySet[Ticket]:
    """Return the contact's tickets, open or not, most recently updated first, not sliced."""
    return _recently_updated(ticket_list().filter(contact=contact))


def _recently_updated(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.prefetch_related("contact__emails").order_by("-updated_at", "-id")


def attachment_of_ticket(number: int, attachment_id: int) -> Attachment:
    """Return one attachment of ticket ``CS-<number>``; raises Attachment.DoesNotExist."""
    return Attachment.objects.select_related("blob", "message").get(
        pk=attachment_id, message__ticket__number=number
    )


def message_of_ticket(number: int, message_id: int) -> Message:
    """Return one message of ticket ``CS-<number>`` with its raw source; raises DoesNotExist."""
    return Message.objects.select_related("raw").get(pk=message_id, ticket__number=number)


def locale_for(ticket: Ticket) -> str:
    """Return the language of the ticket's client: the contact's, else the organization's."""
    if ticket.contact is not None:
        return ticket.contact.effective_locale
    if ticket.organization is not None:
        return ticket.organization.locale
    return settings.LANGUAGE_CODE
