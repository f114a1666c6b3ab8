"""Values that cross into the tickets app from channels and the API."""

from dataclasses import dataclass, field
from datetime import datetime

from relaydesk.tickets.models import Direction, MessageKind, Visibility


@dataclass(frozen=True)
class AttachmentDraft:
    filename: str
    content: bytes
    declared_type: str = "application/octet-stream"
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class MessageDraft:
    """A message about to be added to a ticket, already parsed and sanitized."""

    direction: Direction
    kind: MessageKind
    text: str
    visibility: Visibility = Visibility.PUBLIC
    display_text: str = ""
    html: str = ""
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    to_addresses: tuple[str, ...] = ()
    cc_addresses: tuple[str, ...] = ()
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    raw_id: int | None = None
    sent_at: datetime | None = None
    automatic: bool = False
    attachments: tuple[AttachmentDraft, ...] = ()
