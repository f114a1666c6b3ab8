"""Find the ticket an inbound message continues.

The name avoids shadowing the standard library's ``threading``. Matching goes
from the most to the least reliable evidence. Message-IDs in In-Reply-To and
References come first, then the ``[CS-<n>]`` subject tag from a participant of that
ticket, then a plus address such as ``support+CS-12@example.com``. The last
resort is a reply-prefixed subject equal to one of the sender's open tickets.
"""

import re
from dataclasses import dataclass

from django.db.models import F

from relaydesk.channels.email.parse import ParsedEmail
from relaydesk.core import config, inserts, memo
from relaydesk.core.addresses import address_forms
from relaydesk.customers.models import Contact, ContactEmail
from relaydesk.tickets import actions
from relaydesk.tickets.models import OPEN_STATUSES, Message, Ticket

_SUBJECT_TAG = re.compile(r"\[CS-(\d{1,18})\]", re.IGNORECASE)
_PLUS_TAG = re.compile(r"^(?P<base>[^+@]+)\+cs-(?P<number>\d{1,18})@(?P<domain>.+)$", re.IGNORECASE)
# Reply and forward prefixes of common clients: English, Portuguese (RES, ENC),
# German (AW, WG), French (TR), Spanish (RV), Nordic (SV, VS), Dutch (Antw),
# Italian (R, RIF), Polish (Odp) and Turkish (YNT), with counters such as "Re[2]:".
_REPLY_PREFIX = re.compile(
    r"^\s*((re|fwd?|aw|wg|res|enc|tr|rv|sv|vs|antw|antwort|rif|r|odp|ynt|ref)"
    r"\s*(\[\d+\]|\(\d+\))?\s*:\s*)+",
    re.IGNORECASE,
)
# How many of the sender's open tickets the subject fallback compares.
_SUBJECT_CANDIDATES = 20


@dataclass(frozen=True)
class ThreadMatch:
    """The ticket a message continues, and the evidence that decided it."""

    ticket: Ticket
    via: str  # "message_id", "subject_tag", "plus_address" or "subject"


def normalize_subject(subject: str) -> str:
    """Return ``subject`` without reply prefixes and ticket tag, for comparing."""
    stripped = _SUBJECT_TAG.sub(" ", subject)
    while True:
        shorter = _REPLY_PREFIX.sub("", stripped)
        if shorter == stripped:
            break
        stripped = shorter
    return re.sub(r"\s+", " ", stripped).strip().casefold()


def has_reply_prefix(subject: str) -> bool:
    return bool(_REPLY_PREFIX.match(_SUBJECT_TAG.sub("", subject)))


def find_ticket(
    parsed: ParsedEmail,
    *,
    sender: str,
    contact: Contact | None = None,
    envelope_to: list[str] | tuple[str, ...] = (),
) -> ThreadMatch | None:
    """Return the ticket ``parsed`` continues, or None for a new conversation.

    ``sender`` is the validated From address. The subject tag counts only
    when the sender is a participant of the tagged ticket, so a stranger
    cannot write into someone else's ticket by guessing its number.
    """
    ticket = match_by_message_ids(parsed)
    if ticket is not None:
        return ThreadMatch(ticket, "message_id")
    ticket = _match_by_subject_tag(parsed.subject, sender=sender, contact=contact)
    if ticket is not None:
        return ThreadMatch(ticket, "subject_tag")
    ticket = _match_by_plus_address([*parsed.to, *parsed.cc, *envelope_to])
    if ticket is not None:
        return ThreadMatch(ticket, "plus_address")
    if contact is not None and has_reply_prefix(parsed.subject):
        ticket = _match_by_subject(parsed.subject, contact)
        if ticket is not None:
            return ThreadMatch(ticket, "subject")
    return None


def _referenced_ids(parsed: ParsedEmail) -> tuple[list[str], list[str]]:
    """Return the IDs ``parsed`` refers to, most recent first, and the values to look up."""
    ids = [parsed.in_reply_to, *reversed(parsed.references)]
    ids = [value for value in dict.fromkeys(ids) if value]
    # Stored IDs normally keep their angle brackets; bare ones are matched too.
    return ids, ids + [value.strip("<>") for value in ids]


def prefetch(messages: list[ParsedEmail]) -> None:
    """Look up every Message-ID that ``messages`` refer to with one query, for this memo scope.

    Inside a ``memo.scope()`` (an import batch), ``match_by_message_ids``
    then returns tickets from this look-up and from the messages the batch
    stores itself (``remember``), without a query. The tickets found are
    locked for the batch's actions. Outside a scope this does nothing.
    """
    if not memo.active():
        return
    lookup = {value for parsed in messages for value in _referenced_ids(parsed)[1]}
    if not lookup:
        return
    found = dict(
        Message.objects.filter(message_id__in=lookup).values_list("message_id", "ticket_id")
    )
    locked = actions.lock_tickets(sorted(set(found.values())))
    known = _known_ids()
    for value in lookup:
        known.setdefault(value, locked.get(found.get(value)))


def remember(message_id: str, ticket: Ticket) -> None:
    """Record that this memo scope stored a message with ``message_id`` on ``ticket``."""
    if message_id and memo.active():
        _known_ids()[message_id] = ticket


def _known_ids() -> dict:
    """Message-IDs looked up or stored in this memo scope, with their ticket or None."""
    return memo.held("thread_match.message_ids")


def match_by_message_ids(parsed: ParsedEmail) -> Ticket | None:
    """Return the ticket of the newest referenced message we stored, inbound or outbound."""
    ids, lookup = _referenced_ids(parsed)
    if not ids:
        return None
    known = _known_ids()
    if all(value in known for value in lookup):
        for value in ids:
            ticket = known[value] or known[value.strip("<>")]
            if ticket is not None:
                return ticket
        return None
    # One query returns each matching ticket with the Message-ID that matched
    # it. Messages an import batch has not inserted yet are looked at here.
    with inserts.stored_only():
        tickets = (
            Ticket.objects.filter(messages__message_id__in=lookup)
            .annotate(matched_id=F("messages__message_id"))
            .order_by()
        )
        found = {ticket.matched_id: ticket for ticket in tickets}
    found.update((message.message_id, message.ticket) for message in held_messages(lookup))
    for value in ids:
        ticket = found.get(value) or found.get(value.strip("<>"))
        if ticket is not None:
            return ticket
    return None


def held_messages(message_ids: list[str]) -> list[Message]:
    """Return the messages with one of ``message_ids`` that wait for their INSERT."""
    lookup = set(message_ids)
    return [message for message in inserts.held_rows(Message) if message.message_id in lookup]


def is_participant(ticket: Ticket, *, sender: str, contact: Contact | None) -> bool:
    """Return True when ``sender`` is the ticket's contact or has written on it."""
    if contact is not None and ticket.contact_id == contact.pk:
        return True
    if (
        ticket.contact_id is not None
        and ContactEmail.objects.filter(
            contact_id=ticket.contact_id, address__in=address_forms(sender)
        ).exists()
    ):
        return True
    return Message.objects.filter(ticket=ticket, from_address=sender).exists()


def _match_by_subject_tag(subject: str, *, sender: str, contact: Contact | None) -> Ticket | None:
    for number in _SUBJECT_TAG.findall(subject):
        ticket = Ticket.objects.filter(number=int(number)).first()
        if ticket is not None and is_participant(ticket, sender=sender, contact=contact):
            return ticket
    return None


def _match_by_plus_address(addresses: list[str]) -> Ticket | None:
    support = set(config.support_addresses())
    for address in addresses:
        match = _PLUS_TAG.match(address.strip().strip("<>").lower())
        if match is None or f"{match['base']}@{match['domain']}" not in support:
            continue
        ticket = Ticket.objects.filter(number=int(match["number"])).first()
        if ticket is not None:
            return ticket
    return None


def _match_by_subject(subject: str, contact: Contact) -> Ticket | None:
    wanted = normalize_subject(subject)
    if not wanted:
        return None
    candidates = Ticket.objects.filter(contact=contact, status__in=OPEN_STATUSES).order_by(
        "-updated_at"
    )[:_SUBJECT_CANDIDATES]
    for ticket in candidates:
        if normalize_subject(ticket.subject) == wanted:
            return ticket
    return None
