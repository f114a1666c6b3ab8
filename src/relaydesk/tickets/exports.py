"""Tickets as plain JSON-ready records, for backups and migration.

One record per ticket with its whole conversation. ``text`` is the full
decoded text of each message, not the display text with quotes folded away.
Times are ISO 8601 with their UTC offset.
"""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from relaydesk.customers.models import Contact, Organization
from relaydesk.tickets import queries
from relaydesk.tickets.models import Attachment, Message, Ticket

DEFAULT_CHUNK_SIZE = 500


def export_records(
    *,
    statuses: Sequence[str] = (),
    since: datetime | None = None,
    include_internal: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[dict[str, Any]]:
    """Yield one record per ticket, oldest first, reading ``chunk_size`` tickets at a time.

    Each chunk runs a fixed number of queries (tickets, then each prefetch),
    so neither memory nor the query count per ticket grows with the total.
    """
    tickets = queries.tickets_for_export(
        statuses=statuses, since=since, include_internal=include_internal
    )
    for ticket in tickets.iterator(chunk_size=chunk_size):
        yield ticket_record(ticket)


def ticket_record(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "organization": _organization_record(ticket.organization),
        "contact": _contact_record(ticket.contact),
        "assignee": ticket.assignee.username if ticket.assignee else None,
        "team": ticket.team.slug if ticket.team else None,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "messages": [message_record(message) for message in ticket.messages.all()],
    }


def message_record(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "message_id": message.message_id,
        "direction": message.direction,
        "kind": message.kind,
        "visibility": message.visibility,
        "from": message.from_address,
        "from_name": message.from_name,
        "author": message.author.username if message.author else None,
        "to": message.to_addresses,
        "cc": message.cc_addresses,
        "subject": message.subject,
        "sent_at": _iso(message.sent_at),
        # Outbound only: "queued" until sent, when message_id and from are filled in.
        "delivery_status": message.delivery_status or None,
        "created_at": _iso(message.created_at),
        "text": message.text,
        "attachments": [_attachment_record(item) for item in message.attachments.all()],
    }


def _attachment_record(attachment: Attachment) -> dict[str, Any]:
    return {
        "filename": attachment.filename,
        "content_type": attachment.declared_type or attachment.blob.detected_type,
        "detected_type": attachment.blob.detected_type,
        "size": attachment.blob.size,
        "sha256": attachment.blob.sha256,
        "inline": attachment.inline,
    }


def _organization_record(organization: Organization | None) -> dict[str, Any] | None:
    if organization is None:
        return None
    return {"id": organization.pk, "name": organization.name, "plan": organization.plan.code}


def _contact_record(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    emails = [email.address for email in contact.emails.all()]
    return {
        "id": contact.pk,
        "name": contact.name,
        "email": emails[0] if emails else None,
        "emails": emails,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
