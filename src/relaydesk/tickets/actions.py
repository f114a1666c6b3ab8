"""State changes of tickets and their conversations.

Every function here checks its preconditions, changes state in a
transaction, records one timeline event per change and schedules side effects
on commit. Views, API endpoints and channel adapters call these and nothing
else to change a ticket.

Called inside a caller's transaction, an action opens no savepoint of its
own (``atomic(savepoint=False)``): an error inside it rolls back the caller's
whole transaction. A caller that goes on after a failed action wraps the call
in its own savepoint, as the e-mail intake does for each message. An import
saves two statements per action this way.
"""

import logging
from contextlib import AbstractContextManager
from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from relaydesk.accounts import permissions
from relaydesk.accounts.models import Team, User
from relaydesk.core import clock, inserts, memo, sequences, timeline
from relaydesk.core.choices import quoted_labels
from relaydesk.core.text import MAX_TEXT_LENGTH, one_line
from relaydesk.customers.models import Contact, Organization
from relaydesk.tickets import delivery
from relaydesk.tickets.blobs import store_blob
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.errors import InvalidAssignee, InvalidMessage, InvalidTransition, NotAllowed
from relaydesk.tickets.models import (
    Attachment,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    Visibility,
)

logger = logging.getLogger(__name__)

# Statuses an agent may set by hand. ``escalated`` and ``solution_received``
# belong to the hand-off with Production Operations and are set by its actions.
MANUAL_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.PENDING_CLIENT, Status.SOLVED, Status.CLOSED},
    Status.OPEN: {Status.PENDING_CLIENT, Status.SOLVED, Status.CLOSED},
    Status.PENDING_CLIENT: {Status.OPEN, Status.SOLVED, Status.CLOSED},
    Status.ESCALATED: set(),
    Status.SOLUTION_RECEIVED: {Status.OPEN, Status.PENDING_CLIENT, Status.SOLVED},
    Status.SOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}

# A client writing again reopens these; a closed ticket stays closed and the
# channel opens a follow-up ticket instead.
REOPEN_ON_CLIENT_MESSAGE = {Status.PENDING_CLIENT, Status.SOLVED, Status.SOLUTION_RECEIVED}


class OpenedTicket(NamedTuple):
    """A ticket that was just created, and its first message."""

    ticket: Ticket
    message: Message


def create_ticket(
    *,
    channel: str,
    first_message: MessageDraft,
    contact: Contact | None = None,
    organization: Organization | None = None,
    subject: str = "",
    priority: str = Priority.NORMAL,
    actor: User | None = None,
) -> Ticket:
    """Open a new ticket ``CS-<n>`` with its first message; see ``open_ticket``."""
    require_client_recorder(actor)
    return open_ticket(
        channel=channel,
        first_message=first_message,
        contact=contact,
        organization=organization,
        subject=subject,
        priority=priority,
        actor=actor,
    ).ticket


def open_ticket(
    *,
    channel: str,
    first_message: MessageDraft,
    contact: Contact | None = None,
    organization: Organization | None = None,
    subject: str = "",
    priority: str = Priority.NORMAL,
    actor: User | None = None,
) -> OpenedTicket:
    """Open a new ticket ``CS-<n>`` and return it with its first message.

    The organization defaults to the contact's. Records ``ticket_created`` and
    the first message's event.
    """
    if priority not in Priority.values:
        raise InvalidMessage(
            _("Priority %(value)r is invalid: use one of %(choices)s.")
            % {"value": priority, "choices": ", ".join(Priority.values)}
        )
    if organization is None and contact is not None:
        organization = contact.organization

    with transaction.atomic(savepoint=False):
        now = clock.now()
        ticket = Ticket(
            number=sequences.next_value("ticket"),
            subject=one_line(subject or first_message.subject)[:500],
            priority=priority,
            channel=channel,
            contact=contact,
            organization=organization,
            created_at=now,
            updated_at=now,
            last_client_message_at=now if first_message.direction == Direction.INBOUND else None,
        )
        # Inside an import batch the INSERT waits for the batch's others.
        inserts.add(ticket)
        timeline.record(ticket, "ticket_created", actor=actor, channel=channel)
        message = _insert_message(ticket, first_message, contact=contact, author=actor)
    logger.info("ticket created", extra={"ticket": ticket.number, "channel": channel})
    return OpenedTicket(ticket, message)


def reserve_ticket_numbers(count: int) -> AbstractContextManager[None]:
    """Take ``count`` ticket numbers at once for the tickets opened inside the block.

    See ``sequences.reserved``: the numbers not used go back when the block
    ends, so ticket numbers keep counting without gaps.
    """
    return sequences.reserved("ticket", count)


def add_client_message(
    ticket: Ticket, draft: MessageDraft, *, contact: Contact | None = None
) -> Message:
    """Add an inbound message from the client, reopening a waiting or solved ticket."""
    if draft.direction != Direction.INBOUND:
        raise InvalidMessage(_("A client message must be inbound."))

    with transaction.atomic(savepoint=False):
        ticket = _locked(ticket)
        message = _insert_message(ticket, draft, contact=contact, author=None)
        ticket.last_client_message_at = ticket.updated_at = message.created_at
        reopened = ticket.status in REOPEN_ON_CLIENT_MESSAGE
        if reopened:
            _set_status(ticket, Status.OPEN, actor=None, reason="client_replied")
        _save(ticket, ["status", "last_client_message_at", "updated_at"])
    logger.info(
        "client message added",
        extra={"ticket": ticket.number, "kind": str(draft.kind), "reopened": reopened},
    )
    return message


def add_system_message(ticket: Ticket, draft: MessageDraft) -> Message:
    """Attach a message that changes nothing else, such as a bounce or auto-reply."""
    with transaction.atomic(savepoint=False):
        message = _insert_message(ticket, draft, contact=None, author=None)
        _touch(ticket, message.created_at)
    return message


def reply(
    ticket: Ticket,
    *,
    author: User | None,
    text: str,
    html: str = "",
    status: str | None = None,
    automatic: bool = False,
    kind: str = MessageKind.REPLY,
    to_address: str = "",
) -> Message:
    """Send a public reply to the ticket's contact and queue its delivery.

    ``status`` optionally moves the ticket in the same step (for example to
    ``pending_client`` when the agent asks a question). ``to_address`` sends
    it to that address instead of the contact's, also on a ticket without a
    contact. Raises InvalidMessage for an empty reply and InvalidTransition
    for a status the ticket cannot take.
    """
    _require_front_office(author)
    text = _typed_text(text)
    if status == Status.NEW:
        # A reply opens a new ticket, so it cannot also keep it new.
        raise InvalidTransition(
            _("A reply moves a new ticket to “Open”: choose another status, or none.")
        )
    if status is not None:
        _check_manual_transition(ticket, status)

    with transaction.atomic(savepoint=False):
        ticket = _locked(ticket)
        draft = MessageDraft(
            direction=Direction.OUTBOUND,
            kind=MessageKind(kind),
            text=text,
            display_text=text,
            html=html,
            subject=ticket.subject,
            to_addresses=[to_address] if to_address else [],
            automatic=automatic,
        )
        # An outbound message stores no contact, so ticket.contact is not loaded.
        deliver = ticket.contact_id is not None or bool(to_address)
        message = _insert_message(
            ticket,
            draft,
            contact=None,
            author=author,
            delivery_status=DeliveryStatus.QUEUED if deliver else DeliveryStatus.NOT_APPLICABLE,
        )
        ticket.updated_at = message.created_at
        if status is not None and status != ticket.status:
            _set_status(ticket, status, actor=author)
        elif ticket.status == Status.NEW and not automatic:
            _set_status(ticket, Status.OPEN, actor=author, reason="first_reply")
        _save(ticket, ["status", "updated_at"])
        if deliver:
            delivery.schedule_delivery("email", message.pk)
    return message


def add_note(ticket: Ticket, *, author: User, text: str) -> Message:
    """Add an internal note that clients never see."""
    text = _typed_text(text)
    draft = MessageDraft(
        direction=Direction.INTERNAL,
        kind=MessageKind.NOTE,
        visibility=Visibility.INTERNAL,
        text=text,
        display_text=text,
    )
    with transaction.atomic(savepoint=False):
        message = _insert_message(ticket, draft, contact=None, author=author)
        _touch(ticket, message.created_at)
    return message


def assign(
    ticket: Ticket, *, actor: User | None, assignee: User | None, team: Team | None = None
) -> Ticket:
    """Set the ticket's assignee and team.

    An assignee must be an active agent who may reply to clients: a back-office
    agent could neither reply nor change the ticket's status.
    """
    _require_front_office(actor)
    if assignee is not None and not assignee.is_active:
        raise InvalidAssignee(
            _("Agent %(name)s is inactive and cannot be assigned.") % {"name": assignee}
        )
    if assignee is not None and not permissions.can_answer_clients(assignee):
        raise InvalidAssignee(
            _(
                "Agent %(name)s has the role %(role)s and cannot reply to clients: assign "
                "the ticket to a Customer Service agent or a CSM."
            )
            % {"name": assignee, "role": assignee.get_role_display()}
        )
    if (
        assignee is not None
        and team is not None
        and not team.members.filter(pk=assignee.pk).exists()
    ):
        raise InvalidAssignee(
            _("Agent %(name)s is not a member of team %(team)s.") % {"name": assignee, "team": team}
        )

    with transaction.atomic(savepoint=False):
        ticket = _locked(ticket)
        before = (ticket.assignee_id, ticket.team_id)
        ticket.assignee = assignee
        if team is not None or assignee is None:
            ticket.team = team
        if (ticket.assignee_id, ticket.team_id) == before:
            return ticket
        ticket.updated_at = clock.now()
        _save(ticket, ["assignee", "team", "updated_at"])
        timeline.record(
            ticket,
            "ticket_assigned",
            actor=actor,
            assignee=assignee.username if assignee else None,
            team=ticket.team.slug if ticket.team else None,
            # The names as they read when the ticket was assigned, for the timeline.
            assignee_name=str(assignee) if assignee else None,
            team_name=ticket.team.name if ticket.team else None,
        )
    return ticket


def change_status(ticket: Ticket, *, actor: User | None, status: str) -> Ticket:
    """Move the ticket to ``status`` by hand; raises InvalidTransition if not allowed.

    A ticket already in ``status`` is left as it is, with no timeline event.
    """
    _require_front_office(actor)
    _check_manual_transition(ticket, status)
    with transaction.atomic(savepoint=False):
        ticket = _locked(ticket)
        _check_manual_transition(ticket, status)
        if ticket.status == status:
            return ticket
        _set_status(ticket, status, actor=actor)
        _save(ticket, ["status", "updated_at"])
    return ticket


def change_priority(ticket: Ticket, *, actor: User | None, priority: str) -> Ticket:
    _require_front_office(actor)
    if priority not in Priority.values:
        raise InvalidMessage(
            _("Priority %(value)r is invalid: use one of %(choices)s.")
            % {"value": priority, "choices": ", ".join(Priority.values)}
        )
    with transaction.atomic(savepoint=False):
        ticket = _locked(ticket)
        if ticket.priority == priority:
            return ticket
        before = ticket.priority
        ticket.priority = priority
        ticket.updated_at = clock.now()
        _save(ticket, ["priority", "updated_at"])
        timeline.record(ticket, "priority_changed", actor=actor, before=before, after=priority)
    return ticket


def record_delivery(message: Message, *, status: str, error: str = "") -> None:
    """Store the outcome of one delivery attempt of an outbound message."""
    with transaction.atomic(savepoint=False):
        Message.objects.filter(pk=message.pk).update(
            delivery_status=status,
            delivery_attempts=message.delivery_attempts + 1,
            delivery_error=error[:2000],
            sent_at=clock.now() if status == DeliveryStatus.SENT else message.sent_at,
        )
        timeline.record(
            message.ticket,
            "message_delivery",
            message=message.pk,
            status=status,
            attempt=message.delivery_attempts + 1,
        )


def _locked(ticket: Ticket) -> Ticket:
    """Read ``ticket`` again and lock its row until the transaction ends.

    A ticket whose INSERT an import batch still holds is the batch's own,
    and one this ``memo.scope()`` has locked already stays locked, so those
    instances are returned as they are.
    """
    held_ticket = inserts.held_instance(ticket)
    if held_ticket is not None:
        return held_ticket
    locked = _locked_tickets()
    if ticket.pk in locked:
        return locked[ticket.pk]  # type: ignore[return-value]
    # A stored row's lock and update never need the held rows inserted first.
    with inserts.stored_only():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    locked[ticket.pk] = ticket
    return ticket


def lock_tickets(pks: list[int]) -> dict[int, Ticket]:
    """Lock the rows of tickets ``pks`` with one statement, for the actions of this memo scope.

    Inside a ``memo.scope()`` the actions then use these instances without
    reading the tickets again; outside one this only takes the locks.
    Returns every ticket the scope has locked, by key.
    """
    locked = _locked_tickets()
    unlocked = [pk for pk in pks if pk not in locked]
    if unlocked:
        with inserts.stored_only():
            found = Ticket.objects.select_for_update().filter(pk__in=unlocked).order_by("pk")
            locked.update((ticket.pk, ticket) for ticket in found)
    return locked  # type: ignore[return-value]


def locked_in_scope() -> list[int]:
    """Return the keys of the stored tickets this memo scope has locked."""
    return list(_locked_tickets())


def _locked_tickets() -> dict:
    return memo.held("tickets.locked")


def _save(ticket: Ticket, fields: list[str]) -> None:
    """Write ``fields`` of a ticket from ``_locked``; a held ticket's INSERT writes them."""
    if not inserts.is_held(ticket):
        inserts.save_later(ticket, fields)


def _touch(ticket: Ticket, when: datetime) -> None:
    """Set the ticket's ``updated_at`` without reading it."""
    known = inserts.held_instance(ticket) or _locked_tickets().get(ticket.pk)
    if known is not None:
        # The instance's own INSERT or held UPDATE writes it.
        known.updated_at = when
        _save(known, ["updated_at"])
        return
    with inserts.stored_only():
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=when)


def _require_front_office(actor: User | None) -> None:
    """Raise NotAllowed for an agent of the back office; ``None`` is relaydesk itself."""
    if _in_back_office(actor):
        raise NotAllowed(
            _(
                "Only Customer Service agents and CSMs reply to clients and change a "
                "ticket's assignee, status or priority: add an internal note, or answer "
                "through the ticket's incident."
            )
        )


def require_client_recorder(agent: User | None) -> None:
    """Raise NotAllowed unless ``agent`` may open tickets and record clients' messages.

    Like replies, that is the front office's work. ``None`` is relaydesk
    itself, as in mail intake.
    """
    if _in_back_office(agent):
        raise NotAllowed(
            _(
                "Only Customer Service agents and CSMs open tickets and record clients' "
                "messages: ask Customer Service to, or add an internal note."
            )
        )


def _in_back_office(agent: User | None) -> bool:
    return agent is not None and not permissions.can_answer_clients(agent)


def _check_manual_transition(ticket: Ticket, status: str) -> None:
    if status not in Status.values:
        raise InvalidTransition(
            _("Status %(value)r is invalid: use one of %(choices)s.")
            % {"value": status, "choices": ", ".join(Status.values)}
        )
    if status == ticket.status or status in MANUAL_TRANSITIONS[ticket.status]:
        return
    names = {"current": Status(ticket.status).label, "status": Status(status).label}
    if ticket.status == Status.ESCALATED:
        message = _(
            "A ticket in status “%(current)s” cannot be moved to “%(status)s” by hand: "
            "it moves when Production Operations answers through its incident."
        )
    elif ticket.status == Status.CLOSED:
        message = _(
            "A closed ticket cannot be moved to “%(status)s”: a new message from the "
            "client opens a follow-up ticket instead."
        )
    else:
        message = _(
            "A ticket in status “%(current)s” cannot be moved to “%(status)s”: "
            "from there it can move to %(allowed)s."
        )
        names["allowed"] = quoted_labels(Status, MANUAL_TRANSITIONS[ticket.status])
    allowed = [value for value in Status.values if value in MANUAL_TRANSITIONS[ticket.status]]
    raise InvalidTransition(message % names, current=str(ticket.status), allowed=allowed)


def _set_status(ticket: Ticket, status: str, *, actor: User | None, reason: str = "") -> None:
    before = ticket.status
    ticket.status = status
    ticket.updated_at = clock.now()
    timeline.record(
        ticket, "status_changed", actor=actor, before=before, after=status, reason=reason
    )


def _typed_text(text: str) -> str:
    """Return an agent's text with ``\n`` line endings.

    Raises InvalidMessage when it is empty or longer than MAX_TEXT_LENGTH.
    Browsers send a textarea's lines ending in CRLF, and the API passes on
    whatever its caller sends, while mail intake stores ``\n``.
    """
    if not text or not text.strip():
        raise InvalidMessage(_("The message text is empty: write something before sending."))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidMessage(
            _("The message text is %(length)d characters long: shorten it to %(max)d.")
            % {"length": len(text), "max": MAX_TEXT_LENGTH}
        )
    return text


def _insert_message(
    ticket: Ticket,
    draft: MessageDraft,
    *,
    contact: Contact | None,
    author: User | None,
    delivery_status: str = DeliveryStatus.NOT_APPLICABLE,
) -> Message:
    now = clock.now()
    message = Message(
        ticket=ticket,
        direction=draft.direction,
        kind=draft.kind,
        visibility=draft.visibility,
        author=author,
        contact=contact if draft.direction == Direction.INBOUND else None,
        from_address=draft.from_address,
        from_name=draft.from_name[:200],
        to_addresses=list(draft.to_addresses),
        cc_addresses=list(draft.cc_addresses),
        subject=draft.subject[:1000],
        message_id=draft.message_id,
        in_reply_to=draft.in_reply_to,
        references=list(draft.references),
        text=draft.text,
        display_text=draft.display_text or draft.text,
        html=draft.html,
        headers=draft.headers,
        raw_id=draft.raw_id,
        sent_at=draft.sent_at,
        created_at=now,
        automatic=draft.automatic,
        delivery_status=delivery_status,
    )
    inserts.add(message)
    inserts.add_all(
        Attachment(
            message=message,
            blob=store_blob(item.content, item.filename),
            filename=item.filename[:500],
            declared_type=item.declared_type[:200],
            content_id=item.content_id[:500],
            inline=item.inline,
        )
        for item in draft.attachments
    )
    timeline.record(
        ticket,
        "message_added",
        actor=author,
        actor_label=draft.from_address if author is None and draft.from_address else "",
        message=message.pk,
        kind=draft.kind,
        visibility=draft.visibility,
        direction=draft.direction,
        automatic=draft.automatic,
    )
    return message


# Statuses that only the back office sets: the escalation and the answer that
# comes back from Production Operations.
BACK_OFFICE_STATUSES = {Status.ESCALATED, Status.SOLUTION_RECEIVED}


def set_status_from_back_office(
    ticket: Ticket, status: str, *, actor: User | None, reason: str
) -> Ticket:
    """Move the ticket to ``escalated`` or ``solution_received`` for the back office.

    These statuses are outside ``MANUAL_TRANSITIONS`` on purpose. A closed
    ticket stays closed and raises InvalidTransition; a ticket already in
    ``status`` is left as it is and records nothing.
    """
    if status not in BACK_OFFICE_STATUSES:
        raise InvalidTransition(
            _("Status %(value)r is not set by the back office: use one of %(choices)s.")
            % {"value": status, "choices": ", ".join(sorted(BACK_OFFICE_STATUSES))}
        )
    with transaction.atomic(savepoint=False):
        ticket = _locked(ticket)
        if ticket.status == Status.CLOSED:
            raise InvalidTransition(
                _("Ticket %(ticket)s is closed and cannot be moved to %(status)s.")
                % {"ticket": ticket.reference, "status": Status(status).label}
            )
        if ticket.status != status:
            _set_status(ticket, status, actor=actor, reason=reason)
            _save(ticket, ["status", "updated_at"])
    return ticket


def add_back_office_answer(ticket: Ticket, *, text: str, actor: User | None) -> Message:
    """Add Production Operations' answer to the ticket and mark the solution received.

    The answer is a public ``reply`` with direction ``internal``: the client
    may see it (a portal, for example) but it is not e-mailed. Customer
    Service passes it on with ``reply``. A closed ticket gets the entry and
    keeps its status.
    """
    text = _typed_text(text)
    draft = MessageDraft(
        direction=Direction.INTERNAL,
        kind=MessageKind.REPLY,
        visibility=Visibility.PUBLIC,
        text=text,
        display_text=text,
    )
    with transaction.atomic(savepoint=False):
        ticket = _locked(ticket)
        message = _insert_message(ticket, draft, contact=None, author=actor)
        ticket.updated_at = message.created_at
        if ticket.status != Status.CLOSED and ticket.status != Status.SOLUTION_RECEIVED:
            _set_status(ticket, Status.SOLUTION_RECEIVED, actor=actor, reason="back_office_answer")
        _save(ticket, ["status", "updated_at"])
    return message
