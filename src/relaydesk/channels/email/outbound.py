"""Outbound e-mail: agent replies and acknowledgements of new tickets.

``tickets.actions.reply`` creates the outbound message and schedules its
delivery. The ``deliver_message`` task (``tasks.py``) then calls ``deliver``
here, which composes the e-mail in the contact's language, hands it to the
relay (``relay.py``) and records the attempt with
``tickets.actions.record_delivery``.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from relaydesk.channels.email import relay
from relaydesk.channels.email.recipients import base_address, is_support_address, redact
from relaydesk.core import clock, config, locks, memo, timeline
from relaydesk.core.addresses import transport_address
from relaydesk.core.text import one_line
from relaydesk.customers.models import ContactEmail
from relaydesk.tickets import actions
from relaydesk.tickets.blobs import read_blob
from relaydesk.tickets.models import (
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Status,
    Ticket,
    Visibility,
)
from relaydesk.tickets.queries import locale_for

logger = logging.getLogger(__name__)

# A reply's References lists the conversation's Message-IDs. Long
# conversations keep the first one (the thread root) and the latest ones, so
# the header stays short.
MAX_REFERENCES = 20
MAX_RETRY_DELAY = timedelta(hours=6)

_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|aw|wg|res|enc|rv|sv|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.I
)
_TICKET_TAG = re.compile(r"\s*\[CS-\d+\]\s*", re.I)


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one ``deliver`` call; ``retry_after`` is set when another attempt is due."""

    status: str
    retry_after: timedelta | None = None


def deliver(message_pk: int) -> DeliveryResult:
    """Send outbound message ``message_pk`` once and record the attempt.

    Does nothing for a message already sent or failed, so running twice is
    harmless. A 5xx rejection fails the message at once; other failures are
    retried until ``DELIVERY_MAX_ATTEMPTS`` attempts were made.
    """
    message = (
        Message.objects.select_related("ticket__contact__organization")
        .filter(pk=message_pk, direction=Direction.OUTBOUND)
        .first()
    )
    if message is None:
        logger.warning("outbound message not found", extra={"message_pk": message_pk})
        return DeliveryResult(status="")
    if message.delivery_status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        return DeliveryResult(status=message.delivery_status)

    recipients = recipients_for(message)
    if not recipients.to:
        actions.record_delivery(
            message,
            status=DeliveryStatus.FAILED,
            error="The ticket has no contact e-mail address to send to.",
        )
        return DeliveryResult(status=DeliveryStatus.FAILED)

    try:
        email = compose(message, recipients)
    except Exception as error:  # noqa: BLE001 - a message that cannot be built never will be
        logger.exception("outbound message could not be built", extra={"message_pk": message.pk})
        actions.record_delivery(
            message,
            status=DeliveryStatus.FAILED,
            error=_("The e-mail could not be built, so it was not sent: %(error)s")
            % {"error": error},
        )
        return DeliveryResult(status=DeliveryStatus.FAILED)
    # RFC 3834 asks for a null return path on automatic responses, so a
    # bounce of one cannot start a loop.
    envelope_from = "" if message.automatic else support_address_for(message.ticket)
    try:
        destination = relay.send(
            email,
            envelope_from=envelope_from,
            recipients=[transport_address(address) for address in recipients.addresses],
            file_stem=f"CS-{message.ticket.number}-message-{message.pk}",
        )
    except relay.DeliveryFailed as failure:
        return _record_failure(message, failure)

    actions.record_delivery(message, status=DeliveryStatus.SENT)
    logger.info(
        "outbound message sent",
        extra={
            "message_pk": message.pk,
            "ticket": message.ticket.number,
            "to": [redact(address) for address in recipients.addresses],
            "destination": destination,
        },
    )
    return DeliveryResult(status=DeliveryStatus.SENT)


def retry_delay(attempt: int) -> timedelta:
    """Return the wait before attempt ``attempt + 1``: the base delay doubled per attempt."""
    base = timedelta(seconds=config.get("DELIVERY_RETRY_SECONDS"))
    return min(base * 2 ** (attempt - 1), MAX_RETRY_DELAY)


def _record_failure(message: Message, failure: relay.DeliveryFailed) -> DeliveryResult:
    attempt = message.delivery_attempts + 1
    out_of_attempts = attempt >= config.get("DELIVERY_MAX_ATTEMPTS")
    status = (
        DeliveryStatus.FAILED if failure.permanent or out_of_attempts else DeliveryStatus.RETRYING
    )
    actions.record_delivery(message, status=status, error=failure.detail)
    log_data = {"message_pk": message.pk, "attempt": attempt, "permanent": failure.permanent}
    if status == DeliveryStatus.FAILED:
        logger.error("outbound message failed: %s", failure.detail, extra=log_data)
        return DeliveryResult(status=status)
    logger.warning("outbound message will be retried: %s", failure.detail, extra=log_data)
    return DeliveryResult(status=status, retry_after=retry_delay(attempt))


@dataclass(frozen=True)
class Recipients:
    """The addresses of an outbound message: one ``to`` address and any ``cc`` addresses."""

    to: str
    cc: tuple[str, ...] = ()

    @property
    def addresses(self) -> list[str]:
        return [self.to, *self.cc] if self.to else []


def recipients_for(message: Message) -> Recipients:
    """Return where ``message`` goes.

    Addresses already stored on the message win, so retries go where the
    first attempt went. Otherwise they are those of ``reply_recipients``.
    """
    if message.to_addresses:
        return Recipients(
            str(message.to_addresses[0]), tuple(str(cc) for cc in message.cc_addresses or ())
        )
    return reply_recipients(message.ticket)


def reply_recipients(ticket: Ticket) -> Recipients:
    """Return where an agent's reply on ``ticket`` goes now.

    It goes to the address the client last wrote from on the ticket, then to
    the primary (first) address of the ticket's contact. When a colleague of
    the ticket's contact (another contact of its organization) wrote last,
    the contact's primary address is copied, so the person who opened the
    ticket keeps hearing about it. Someone from outside the organization
    never gets the contact's address this way.
    """
    contact = ticket.contact
    primary = contact.emails.order_by("id").first() if contact is not None else None
    requester = primary.address if primary is not None else ""
    # Bounces and auto-replies are stored as automatic internal messages:
    # answering their sender would write to a mailer daemon.
    last_inbound = (
        Message.objects.filter(
            ticket_id=ticket.pk,
            direction=Direction.INBOUND,
            visibility=Visibility.PUBLIC,
            automatic=False,
        )
        .exclude(from_address="")
        .order_by("-created_at", "-id")
        .values_list("from_address", "contact_id", "contact__organization_id")
        .first()
    )
    if last_inbound is None:
        return Recipients(requester)
    address, writer_id, writer_organization_id = last_inbound
    writer = address.strip().lower()
    colleague = (
        contact is not None
        and writer_id not in (None, contact.pk)
        and writer_organization_id is not None
        and writer_organization_id == ticket.organization_id
    )
    return Recipients(writer, (requester,)) if colleague and requester else Recipients(writer)


def display_names(addresses: list[str]) -> dict[str, str]:
    """Return the name of the contact each of ``addresses`` belongs to, where one does."""
    return dict(
        ContactEmail.objects.filter(address__in=addresses).values_list("address", "contact__name")
    )


def support_address_for(ticket: Ticket) -> str:
    """Return the support address the client wrote to on ``ticket``, else the first configured."""
    configured = config.support_addresses()
    written_to = Message.objects.filter(
        ticket_id=ticket.pk, direction=Direction.INBOUND
    ).values_list("to_addresses", "cc_addresses")
    for to_addresses, cc_addresses in written_to:
        for address in [*(to_addresses or []), *(cc_addresses or [])]:
            if base_address(str(address)) in configured:
                return base_address(str(address))
    return configured[0] if configured else config.DEFAULT_SUPPORT_ADDRESS


def compose(message: Message, recipients: Recipients) -> EmailMessage:
    """Build the e-mail for outbound ``message`` in its contact's language.

    Gives the message a Message-ID on first use and stores it with the
    sender and recipients on the row, so the client's reply threads back and
    a retry sends the same Message-ID again.
    """
    ticket = message.ticket
    sender = support_address_for(ticket)
    message_id = _assign_message_id(message, sender=sender, recipients=recipients)
    locale = locale_for(ticket)
    names = display_names(recipients.addresses)

    email = EmailMessage()
    email["From"] = mailbox(config.get("FROM_NAME"), sender)
    email["To"] = mailbox(names.get(recipients.to, ""), recipients.to)
    if recipients.cc:
        email["Cc"] = ", ".join(mailbox(names.get(cc, ""), cc) for cc in recipients.cc)
    email["Date"] = format_datetime(clock.now())
    email["Message-ID"] = message_id
    _add_threading_headers(email, message)
    email["X-Relaydesk-Ticket"] = ticket.reference
    if message.automatic:
        email["Auto-Submitted"] = "auto-replied"
        # Asks Microsoft Exchange not to send out-of-office replies to it.
        email["X-Auto-Response-Suppress"] = "All"
    with translation.override(locale):
        email["Subject"] = subject_for(ticket)
        _add_body(email, message, language_tag(locale))
    _add_attachments(email, message)
    # Last: set_content() and add_attachment() move or drop Content-* headers.
    email["Content-Language"] = language_tag(locale)
    return email


def mailbox(name: str, address: str) -> str:
    """Return the header form of ``address`` with display name ``name``.

    The address is written as ``transport_address`` gives it, which is the
    same form its envelope recipient has.
    """
    address = transport_address(address)
    if address.isascii():
        return formataddr((name, address))
    # formataddr() and headerregistry.Address reject a UTF-8 local part
    # (RFC 6532), but the header parser takes it, and the relay or the outbox
    # writes it unencoded with SMTPUTF8.
    if not name:
        return f"<{address}>"
    quoted = " ".join(name.split()).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def subject_for(ticket: Ticket) -> str:
    """Return ``[CS-<n>] <subject>`` without reply prefixes or earlier ticket tags."""
    # Outside the f-string because xgettext 0.21 does not look inside f-strings.
    fallback = _("Your support request")
    # one_line: a subject stored before subjects were cleaned may hold a line break.
    return f"[{ticket.reference}] {_plain_subject(one_line(ticket.subject)) or fallback}"


def _plain_subject(subject: str) -> str:
    """Return ``subject`` without reply prefixes and ticket tags, such as those of a follow-up."""
    subject = _TICKET_TAG.sub(" ", subject)
    subject = _REPLY_PREFIX.sub("", subject).strip()
    return _TICKET_TAG.sub(" ", subject).strip()


def language_tag(language: str) -> str:
    """Return a BCP 47 tag (``pt-PT``) for a Django language code (``pt-pt``)."""
    primary, _sep, region = language.replace("_", "-").partition("-")
    if not region:
        return primary.lower()
    return f"{primary.lower()}-{region.upper() if len(region) == 2 else region}"


def _assign_message_id(message: Message, *, sender: str, recipients: Recipients) -> str:
    if message.message_id:
        return message.message_id
    domain = sender.rpartition("@")[2] or "localhost"
    message_id = make_msgid(idstring=f"CS-{message.ticket.number}", domain=domain)
    # Conditional, so two attempts racing on one message keep one Message-ID.
    Message.objects.filter(pk=message.pk, message_id="").update(
        message_id=message_id,
        from_name=config.get("FROM_NAME"),
        from_address=sender,
        to_addresses=[recipients.to],
        cc_addresses=list(recipients.cc),
    )
    message.refresh_from_db(
        fields=["message_id", "from_name", "from_address", "to_addresses", "cc_addresses"]
    )
    return message.message_id


def _add_threading_headers(email: EmailMessage, message: Message) -> None:
    earlier = list(
        Message.objects.filter(ticket_id=message.ticket_id, created_at__lte=message.created_at)
        .exclude(pk=message.pk)
        .exclude(message_id="")
        .exclude(visibility=Visibility.INTERNAL)
        .order_by("created_at", "id")
        .values_list("message_id", "direction")
    )
    if not earlier:
        return
    inbound = [message_id for message_id, direction in earlier if direction == Direction.INBOUND]
    parent = inbound[-1] if inbound else earlier[-1][0]
    # RFC 5322 ends References with the parent, the message In-Reply-To names,
    # even when later messages (an acknowledgement) followed it.
    references = [_bracketed(message_id) for message_id, _ in earlier if message_id != parent]
    references.append(_bracketed(parent))
    if len(references) > MAX_REFERENCES:
        references = references[:1] + references[-(MAX_REFERENCES - 1) :]
    email["In-Reply-To"] = _bracketed(parent)
    email["References"] = " ".join(references)


def _add_body(email: EmailMessage, message: Message, language: str) -> None:
    context = {
        "text": message.text,
        "reference": message.ticket.reference,
        # A client's reply to a closed ticket opens a follow-up ticket
        # (intake), so the footer does not invite them to add to this one.
        "closed": message.ticket.status == Status.CLOSED,
        "subject": email["Subject"],
        "language_tag": language,
    }
    email.set_content(render_to_string("email/outbound.txt", context))
    email.add_alternative(render_to_string("email/outbound.html", context), subtype="html")


def _add_attachments(email: EmailMessage, message: Message) -> None:
    for attachment in message.attachments.select_related("blob"):
        maintype, _slash, subtype = attachment.declared_type.partition("/")
        if not maintype or not subtype:
            maintype, subtype = "application", "octet-stream"
        email.add_attachment(
            read_blob(attachment.blob),
            maintype=maintype,
            subtype=subtype,
            filename=attachment.filename,
        )


def _contact_name(ticket: Ticket) -> str:
    return ticket.contact.name if ticket.contact is not None else ""


def _bracketed(message_id: str) -> str:
    message_id = message_id.strip()
    if message_id.startswith("<"):
        return message_id
    return f"<{message_id}>"


# -- acknowledgements ---------------------------------------------------------


def queue_acknowledgement(ticket: Ticket, message: Message) -> None:
    """Acknowledge a new ticket to the client who opened it, within the rate limit.

    The intake pipeline calls this on commit for a new ticket whose first
    message is not an auto-reply, bounce, bulk or list mail. At most
    ``ACKS_PER_ADDRESS_PER_HOUR`` acknowledgements go to one address per hour,
    which stops a loop with another automatic responder. A skipped
    acknowledgement is recorded as an ``acknowledgement_skipped`` timeline event.
    """
    recipient = acknowledgement_recipient(message)
    # Inside an import's transaction no savepoint is needed: a failure rolls
    # the acknowledgements back and they are queued again one by one.
    # Inside the scope, reply() reuses the ticket locked here instead of locking it again.
    with memo.scope(), transaction.atomic(savepoint=False):
        # Every path locks tickets before addresses. An import batch locks the
        # tickets its replies land on before it acknowledges, so taking the
        # address first here could deadlock with it.
        actions.lock_tickets([ticket.pk])
        # Two new tickets from one address, processed at once, count and write
        # their acknowledgements one after the other, so the limit holds.
        locks.hold(_lock_name(recipient))
        reason = _acknowledgement_skip_reason(message, recipient)
        if reason:
            timeline.record(ticket, "acknowledgement_skipped", reason=reason, message=message.pk)
            logger.info(
                "acknowledgement skipped", extra={"ticket": ticket.number, "reason": reason}
            )
            return

        # The acknowledgement goes to the address the ticket came from, also when
        # the ticket has no contact.
        actions.reply(
            ticket,
            author=None,
            text=_acknowledgement_text(ticket, message),
            automatic=True,
            kind=MessageKind.ACKNOWLEDGEMENT,
            to_address=recipient,
        )
        counted = _counted_acknowledgements()
        if recipient in counted:
            counted[recipient] += 1
    logger.info("acknowledgement queued", extra={"ticket": ticket.number})


def prepare_acknowledgements(pending: list[tuple[Ticket, Message]]) -> None:
    """Lock, count and read for several acknowledgements at once, before queueing them.

    Inside a ``memo.scope()`` and its transaction, ``queue_acknowledgement``
    then takes no lock, counts no recent acknowledgements and reads no
    ticket of its own. One statement locks the tickets, one the recipients'
    addresses (in sorted order, as every caller does), and one counts their
    acknowledgements of the last hour.
    """
    recipients = sorted({acknowledgement_recipient(message) for _, message in pending} - {""})
    # Tickets before addresses, as in queue_acknowledgement.
    actions.lock_tickets([ticket.pk for ticket, _ in pending])
    locks.hold_all([_lock_name(recipient) for recipient in recipients])
    counted = _counted_acknowledgements()
    counted.update(dict.fromkeys(recipients, 0))
    if recipients:
        # An IN list, unlike an OR of equalities, lets the database look each
        # recent acknowledgement up among the recipients (PostgreSQL hashes a
        # long list) instead of comparing it with every recipient in turn.
        matches = [[recipient] for recipient in recipients]
        for addresses in (
            _recent_acknowledgements()
            .filter(to_addresses__in=matches)
            .values_list("to_addresses", flat=True)
        ):
            if len(addresses) == 1 and addresses[0] in counted:
                counted[addresses[0]] += 1


def _lock_name(recipient: str) -> str:
    return f"acknowledgement:{recipient}"


def _counted_acknowledgements() -> dict:
    """Acknowledgements of the last hour per address, for the addresses this scope has locked."""
    return memo.held("acknowledgements.recent")


def acknowledgement_recipient(message: Message) -> str:
    """Return the address that acknowledges ``message``: its sender's, lower-cased."""
    return message.from_address.strip().lower()


def acknowledgements_sent_recently(recipient: str) -> int:
    """Count outbound acknowledgements to ``recipient`` created in the last hour."""
    counted = _counted_acknowledgements()
    if recipient in counted:
        return counted[recipient]  # type: ignore[no-any-return]
    return _recent_acknowledgements().filter(to_addresses=[recipient]).count()


def _recent_acknowledgements() -> QuerySet[Message]:
    return Message.objects.filter(
        direction=Direction.OUTBOUND,
        kind=MessageKind.ACKNOWLEDGEMENT,
        created_at__gte=clock.now() - timedelta(hours=1),
    )


def _acknowledgement_skip_reason(message: Message, recipient: str) -> str:
    if message.automatic or message.kind in (
        MessageKind.BOUNCE,
        MessageKind.COMPLAINT,
        MessageKind.AUTO_REPLY,
    ):
        return "automatic_message"
    if not recipient:
        return "no_sender_address"
    if is_support_address(recipient):
        return "sender_is_support_address"
    if acknowledgements_sent_recently(recipient) >= config.get("ACKS_PER_ADDRESS_PER_HOUR"):
        return "rate_limited"
    return ""


# A provider returns another template and extra context for the acknowledgement
# of a ticket, or None. The sla app registers one that tells a client writing
# outside support hours when the line opens.
AcknowledgementTemplate = Callable[[Ticket, Message], tuple[str, dict[str, Any]] | None]

_acknowledgement_templates: list[AcknowledgementTemplate] = []


def register_acknowledgement_template(provider: AcknowledgementTemplate) -> None:
    """Let ``provider`` choose the acknowledgement template; the first non-None answer wins."""
    if provider not in _acknowledgement_templates:
        _acknowledgement_templates.append(provider)


def _acknowledgement_text(ticket: Ticket, message: Message) -> str:
    context = {
        "name": _contact_name(ticket),
        "reference": ticket.reference,
        "subject": _plain_subject(ticket.subject) or message.subject,
    }
    template = "email/acknowledgement.txt"
    with translation.override(locale_for(ticket)):
        # Providers run in the client's language, so dates they format match it.
        for provider in _acknowledgement_templates:
            chosen = provider(ticket, message)
            if chosen is not None:
                template, extra = chosen
                context.update(extra)
                break
        return render_to_string(template, context).strip()
