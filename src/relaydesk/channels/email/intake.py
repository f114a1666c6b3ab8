"""The inbound e-mail pipeline: store raw, parse, classify, identify, thread, apply.

Each message is processed on its own, in one transaction (a savepoint when
the caller already holds one, as ``import-mail`` does for a batch), so a
failure leaves no half ticket and never stops the next message. An unusable message
(no sender address, not an e-mail at all) is quarantined with its reason and
logged at info. A failure of ours is logged at error with the exception and
quarantined as ``processing_failed``. In both cases the raw bytes stay, so
``reprocess-quarantine`` can retry them after a fix.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from relaydesk.channels.email import outbound, thread_match
from relaydesk.channels.email.classify import Classification, Kind, classify
from relaydesk.channels.email.errors import UnusableMessage
from relaydesk.channels.email.identify import sender_address
from relaydesk.channels.email.models import Outcome, RawMessage, RawState, Source
from relaydesk.channels.email.parse import ParsedEmail, parse_message
from relaydesk.channels.email.quotes import display_text
from relaydesk.channels.email.store import save_outcomes, store_raw
from relaydesk.channels.email.thread_match import (
    find_ticket,
    held_messages,
    match_by_message_ids,
)
from relaydesk.core import clock, config, inserts, timeline
from relaydesk.customers.actions import contact_for_sender
from relaydesk.customers.models import Contact
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import (
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Status,
    Ticket,
    Visibility,
)

logger = logging.getLogger(__name__)

DUPLICATE = "duplicate"
QUARANTINED = "quarantined"
PROCESSING_FAILED = "processing_failed"


@dataclass(frozen=True)
class IntakeResult:
    """The outcome of processing one inbound message."""

    raw_id: int
    # "ticket_created" | "message_added" | "duplicate" | "auto_reply" | "bounce" | "quarantined"
    outcome: str
    ticket_number: int | None = None
    message_pk: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class ParseFailure:
    """The parser raised on a message in a parser process; ``detail`` is the traceback."""

    detail: str


class ParserFailed(Exception):
    """Raised in the main process for a message whose parse failed elsewhere."""

    def __init__(self, detail: str) -> None:
        super().__init__("the parser failed in a parser process")
        self.detail = detail


def acknowledge_on_commit(ticket: Ticket, message: Message) -> None:
    """Queue the acknowledgement of a new ticket once the transaction commits."""
    transaction.on_commit(lambda: outbound.queue_acknowledgement(ticket, message))


def save_processed(raw: RawMessage) -> None:
    """Write the processing outcome that ``process_raw`` set on ``raw``."""
    save_outcomes([raw])


@dataclass(frozen=True)
class IntakeHooks:
    """How processing finds contacts, acknowledges new tickets and saves the outcome.

    ``import-mail`` replaces all three: contacts come from a per-run cache,
    acknowledgements are queued after each batch commits, and the raw rows'
    outcomes are written together at the end of the batch, in its transaction.
    """

    find_contact: Callable[[str, str], Contact] = contact_for_sender
    acknowledge: Callable[[Ticket, Message], None] = acknowledge_on_commit
    save_processed: Callable[[RawMessage], None] = save_processed


def parse_content(content: bytes) -> ParsedEmail | ParseFailure:
    """Parse ``content`` without raising, for a parser process.

    Any exception becomes a ParseFailure carrying the traceback, so the main
    process can quarantine the message with it.
    """
    try:
        return parse_message(content)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not stop the import
        return ParseFailure("".join(traceback.format_exception(exc, limit=-8)))


def ingest(
    content: bytes,
    *,
    source: Source,
    source_ref: str = "",
    envelope_from: str = "",
    envelope_to: list[str] | None = None,
    hooks: IntakeHooks | None = None,
) -> IntakeResult:
    """store_raw() first (committed), then process_raw(); never raises for a bad message.

    Failures while processing are caught and quarantined; only a failure to
    store the raw bytes (the database is down) raises, so the caller can
    answer with a temporary error and the sender retries.
    """
    stored = store_raw(
        content,
        source=source,
        source_ref=source_ref,
        envelope_from=envelope_from,
        envelope_to=envelope_to,
    )
    if stored.duplicate_of is not None:
        return duplicate_result(stored.raw, stored.duplicate_of)
    return process_raw(stored.raw, hooks=hooks)


def process_raw(
    raw: RawMessage,
    *,
    parsed: ParsedEmail | ParseFailure | None = None,
    hooks: IntakeHooks | None = None,
    savepoint: bool = True,
) -> IntakeResult:
    """Parse and apply one stored raw message; unusable input -> quarantined with reason.

    ``parsed`` is the message already parsed in a parser process; without it
    the raw content is parsed here. Safe to call again: a processed message
    returns its stored outcome and a duplicate returns ``duplicate``, both
    without changing anything.

    With ``savepoint=False`` inside a caller's transaction, a failure while
    applying the message is raised instead of quarantined, because the
    caller's transaction must roll back; ``import-mail`` then replays its
    batch with a savepoint per message. Unusable input is found before
    anything is written and is quarantined either way.
    """
    if raw.state == RawState.DUPLICATE:
        return duplicate_result(raw, None)
    if raw.state == RawState.PROCESSED:
        return _stored_result(raw)
    # A failure may come after the outcome was set on ``raw``; the
    # quarantine starts again from the values before this attempt.
    attempts = raw.attempts
    try:
        checked = _check(raw, parsed)
    except Exception as exc:
        return _quarantine_after(raw, attempts, exc)
    try:
        # The timeline events of this message go in with one INSERT, inside
        # the same transaction as the changes they record.
        with transaction.atomic(savepoint=savepoint), timeline.deferred():
            return _apply(raw, checked, hooks or _DEFAULT_HOOKS)
    except Exception as exc:
        if not savepoint:
            raise
        return _quarantine_after(raw, attempts, exc)


_DEFAULT_HOOKS = IntakeHooks()


@dataclass(frozen=True)
class _Checked:
    """A parsed message found usable, with its kind and, for a client message, its sender."""

    parsed: ParsedEmail
    classification: Classification
    sender: str


def _check(raw: RawMessage, parsed: ParsedEmail | ParseFailure | None) -> _Checked:
    """Parse and classify ``raw`` without writing; raise UnusableMessage for unusable input."""
    limit = config.get("MAX_MESSAGE_BYTES")
    if raw.size > limit:
        raise UnusableMessage(
            "too_large",
            f"{raw.size} bytes is over the limit of {limit} bytes (RELAYDESK_MAX_MESSAGE_BYTES)",
        )
    if parsed is None:
        parsed = parse_message(bytes(raw.content))
    elif isinstance(parsed, ParseFailure):
        raise ParserFailed(parsed.detail)
    if not (parsed.from_address or parsed.from_name or parsed.subject or parsed.message_id):
        if not bytes(raw.content).strip():
            raise UnusableMessage("not_an_email", "the message is empty")
        raise UnusableMessage("not_an_email", "no From, Subject or Message-ID header found")
    # Only SMTP receives the envelope sender. An empty one there is the null
    # sender ("<>") that RFC 5321 reserves for notifications.
    envelope_from = raw.envelope_from if raw.source == Source.SMTP else None
    classification = classify(parsed, envelope_from=envelope_from)
    sender = ""
    if classification.kind not in (Kind.BOUNCE, Kind.COMPLAINT, Kind.AUTO_REPLY):
        sender = sender_address(parsed)
    return _Checked(parsed, classification, sender)


def _apply(raw: RawMessage, checked: _Checked, hooks: IntakeHooks) -> IntakeResult:
    parsed, classification = checked.parsed, checked.classification
    if classification.kind in (Kind.BOUNCE, Kind.COMPLAINT):
        result = _apply_report(raw, parsed, classification)
    elif classification.kind == Kind.AUTO_REPLY:
        result = _apply_auto_reply(raw, parsed)
    else:
        result = _apply_client_message(raw, checked, hooks)
    hooks.save_processed(raw)
    return result


def _quarantine_after(raw: RawMessage, attempts: int, exc: Exception) -> IntakeResult:
    """Quarantine ``raw`` after ``exc``: unusable input at info, a failure of ours at error."""
    if isinstance(exc, UnusableMessage):
        logger.info("inbound message quarantined", extra={"raw": raw.pk, "reason": exc.code})
        code, detail = exc.code, exc.detail
    else:
        logger.error("inbound message processing failed", extra={"raw": raw.pk}, exc_info=exc)
        code = PROCESSING_FAILED
        if isinstance(exc, ParserFailed):
            detail = exc.detail
        else:
            detail = "".join(traceback.format_exception(exc, limit=-8))
    _quarantine(raw, attempts, code, detail)
    return IntakeResult(raw.pk, QUARANTINED, reason=code)


def _apply_client_message(raw: RawMessage, checked: _Checked, hooks: IntakeHooks) -> IntakeResult:
    parsed, classification, sender = checked.parsed, checked.classification, checked.sender
    contact = hooks.find_contact(sender, parsed.from_name)
    match = find_ticket(parsed, sender=sender, contact=contact, envelope_to=raw.envelope_to)
    draft = _client_draft(raw, parsed)

    if match is not None and match.ticket.status != Status.CLOSED:
        message = actions.add_client_message(match.ticket, draft, contact=contact)
        thread_match.remember(message.message_id, match.ticket)
        _set_processed(raw, Outcome.MESSAGE_ADDED, match.ticket)
        return IntakeResult(raw.pk, Outcome.MESSAGE_ADDED, match.ticket.number, message.pk)

    ticket, message = actions.open_ticket(
        channel="email", first_message=draft, contact=contact, subject=parsed.subject
    )
    thread_match.remember(message.message_id, ticket)
    if match is not None:
        _record_follow_up(closed=match.ticket, follow_up=ticket)
    if classification.may_acknowledge:
        hooks.acknowledge(ticket, message)
    _set_processed(raw, Outcome.TICKET_CREATED, ticket)
    return IntakeResult(raw.pk, Outcome.TICKET_CREATED, ticket.number, message.pk)


def _apply_report(
    raw: RawMessage, parsed: ParsedEmail, classification: Classification
) -> IntakeResult:
    """Attach a bounce or spam complaint to the ticket of the message it reports.

    Never opens a ticket. Both have the outcome ``bounce``. A bounce also
    marks the outbound message that bounced failed. A complaint does not,
    because the message it reports was delivered.
    """
    original = _original_message(classification.original_ids)
    if original is None:
        _set_processed(raw, Outcome.BOUNCE, None)
        return IntakeResult(raw.pk, Outcome.BOUNCE, reason="original_unknown")

    ticket = original.ticket
    bounce = classification.kind == Kind.BOUNCE
    if bounce:
        draft = _system_draft(raw, parsed, MessageKind.BOUNCE, parsed.delivery_status)
    else:
        draft = _system_draft(raw, parsed, MessageKind.COMPLAINT, parsed.feedback_report)
    message = actions.add_system_message(ticket, draft)
    thread_match.remember(message.message_id, ticket)
    if (
        bounce
        and original.direction == Direction.OUTBOUND
        and original.delivery_status != DeliveryStatus.FAILED
    ):
        error = parsed.delivery_status or parsed.subject
        actions.record_delivery(original, status=DeliveryStatus.FAILED, error=error)
    _set_processed(raw, Outcome.BOUNCE, ticket)
    return IntakeResult(raw.pk, Outcome.BOUNCE, ticket.number, message.pk, classification.reason)


def _apply_auto_reply(raw: RawMessage, parsed: ParsedEmail) -> IntakeResult:
    """Attach an auto-reply to the ticket it replies to, without reopening it; never open one."""
    ticket = match_by_message_ids(parsed)
    if ticket is None and parsed.from_address:
        match = find_ticket(parsed, sender=parsed.from_address, envelope_to=raw.envelope_to)
        ticket = match.ticket if match is not None and match.via != "subject" else None
    if ticket is None:
        _set_processed(raw, Outcome.AUTO_REPLY, None)
        return IntakeResult(raw.pk, Outcome.AUTO_REPLY, reason="no_ticket")

    message = actions.add_system_message(
        ticket, _system_draft(raw, parsed, MessageKind.AUTO_REPLY, "")
    )
    thread_match.remember(message.message_id, ticket)
    _set_processed(raw, Outcome.AUTO_REPLY, ticket)
    return IntakeResult(raw.pk, Outcome.AUTO_REPLY, ticket.number, message.pk)


def _original_message(ids: tuple[str, ...]) -> Message | None:
    if not ids:
        return None
    lookup = list(ids) + [value.strip("<>") for value in ids]
    with inserts.stored_only():
        candidates = list(Message.objects.filter(message_id__in=lookup).select_related("ticket"))
    candidates += held_messages(lookup)
    candidates.sort(key=lambda message: message.direction != Direction.OUTBOUND)
    return candidates[0] if candidates else None


def _record_follow_up(*, closed: Ticket, follow_up: Ticket) -> None:
    timeline.record(follow_up, "follow_up_of", previous=closed.reference)
    timeline.record(closed, "follow_up_opened", follow_up=follow_up.reference)
    logger.info(
        "follow-up ticket opened for closed ticket",
        extra={"ticket": follow_up.number, "previous": closed.number},
    )


def _client_draft(raw: RawMessage, parsed: ParsedEmail) -> MessageDraft:
    return MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text=parsed.text,
        display_text=parsed.display_text or display_text(parsed.text),
        html=parsed.html,
        subject=parsed.subject,
        from_address=parsed.from_address[:320],
        from_name=parsed.from_name,
        to_addresses=parsed.to,
        cc_addresses=parsed.cc,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        headers=parsed.headers,
        raw_id=raw.pk,
        sent_at=parsed.date,
        attachments=parsed.attachments,
    )


def _system_draft(
    raw: RawMessage, parsed: ParsedEmail, kind: MessageKind, extra: str
) -> MessageDraft:
    text = parsed.text if not extra else f"{parsed.text}\n\n{extra}".strip()
    return MessageDraft(
        direction=Direction.INBOUND,
        kind=kind,
        visibility=Visibility.INTERNAL,
        text=text,
        display_text=text,
        subject=parsed.subject,
        from_address=parsed.from_address[:320],
        from_name=parsed.from_name,
        to_addresses=parsed.to,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        headers=parsed.headers,
        raw_id=raw.pk,
        sent_at=parsed.date,
        automatic=True,
    )


def _set_processed(raw: RawMessage, outcome: str, ticket: Ticket | None) -> None:
    """Set the outcome on ``raw``; ``_process`` has the hooks save it."""
    raw.state = RawState.PROCESSED
    raw.outcome = outcome
    raw.ticket = ticket
    raw.error_code = ""
    raw.error_detail = ""
    raw.attempts += 1
    raw.processed_at = clock.now()


def _quarantine(raw: RawMessage, attempts: int, code: str, detail: str) -> None:
    raw.state = RawState.QUARANTINED
    raw.outcome = ""
    raw.ticket = None
    raw.error_code = code[:64]
    raw.error_detail = detail[:10000]
    raw.attempts = attempts + 1
    raw.processed_at = clock.now()
    save_outcomes([raw])


def duplicate_result(raw: RawMessage, duplicate_of: int | None) -> IntakeResult:
    """Return the result for a re-delivery, naming the ticket of the message it repeats."""
    earlier = RawMessage.objects.filter(dedupe_key=raw.dedupe_key).exclude(state=RawState.DUPLICATE)
    if duplicate_of is not None:
        earlier = earlier.filter(pk=duplicate_of)
    ticket_number = earlier.values_list("ticket__number", flat=True).first()
    return IntakeResult(raw.pk, DUPLICATE, ticket_number, reason="same Message-ID and body")


def _stored_result(raw: RawMessage) -> IntakeResult:
    number = Ticket.objects.filter(pk=raw.ticket_id).values_list("number", flat=True).first()
    message_pk = Message.objects.filter(raw=raw).values_list("pk", flat=True).first()
    return IntakeResult(raw.pk, raw.outcome, number, message_pk)
