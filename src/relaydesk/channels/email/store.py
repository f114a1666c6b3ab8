"""Store inbound e-mail exactly as received, before anything parses it."""

import hashlib
import logging
import re
from dataclasses import dataclass

from django.db import transaction

from relaydesk.channels.email.models import RawMessage, RawState, Source
from relaydesk.core import clock, inserts

logger = logging.getLogger(__name__)

# Only the header block is scanned, and only for Message-ID, so that storing
# never depends on a parser that could fail on broken mail.
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class StoredRaw:
    raw: RawMessage
    duplicate_of: int | None


def split_head(content: bytes) -> tuple[bytes, bytes]:
    match = _HEADER_END.search(content)
    if match is None:
        return content, b""
    return content[: match.start()], content[match.end() :]


def extract_message_id(head: bytes) -> str:
    match = _MESSAGE_ID.search(head)
    if match is None:
        return ""
    value = re.sub(rb"\s+", b"", match.group(1)).decode("ascii", "replace")
    return value[:998]


def dedupe_key_for(content: bytes) -> tuple[str, str]:
    """Return (message_id, key) identifying a re-delivery of the same message.

    Relays add trace headers (Received, Delivered-To) on every delivery, so
    with a Message-ID only the ID and the body are compared. Line endings
    and trailing blank lines are compared as LF without a tail: SMTP and
    IMAP deliver CRLF, while Maildir, mbox and .eml files often hold LF, and
    the same message can arrive both ways.
    """
    head, body = split_head(content)
    message_id = extract_message_id(head)
    if message_id:
        digest = hashlib.sha256(message_id.encode() + b"\0" + _canonical(body)).hexdigest()
    else:
        digest = hashlib.sha256(_canonical(content)).hexdigest()
    return message_id, digest


def _canonical(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").rstrip(b"\n")


def store_raw(
    content: bytes,
    *,
    source: Source,
    source_ref: str = "",
    envelope_from: str = "",
    envelope_to: list[str] | None = None,
) -> StoredRaw:
    """Durably store one inbound message and say whether it was seen before.

    The row is committed when this returns, so callers may acknowledge receipt
    (SMTP 250, IMAP flag or move) only after it. A re-delivery is stored as
    ``duplicate`` and never processed into a ticket.
    """
    message_id, key = dedupe_key_for(content)
    with transaction.atomic():
        earlier = (
            RawMessage.objects.filter(dedupe_key=key)
            .exclude(state=RawState.DUPLICATE)
            .values_list("pk", flat=True)
            .first()
        )
        raw = RawMessage.objects.create(
            source=source,
            source_ref=source_ref[:500],
            envelope_from=envelope_from[:320],
            envelope_to=envelope_to or [],
            content=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            message_id=message_id,
            dedupe_key=key,
            received_at=clock.now(),
            state=RawState.DUPLICATE if earlier else RawState.RECEIVED,
        )
    logger.info(
        "raw message stored",
        extra={"raw": raw.pk, "source": source, "duplicate_of": earlier, "size": len(content)},
    )
    return StoredRaw(raw=raw, duplicate_of=earlier)


def store_raw_batch(
    messages: list[tuple[bytes, str]], *, source: Source, hold: bool = False
) -> list[StoredRaw]:
    """Store (content, source reference) pairs with one query and one INSERT.

    The caller must hold a transaction: the rows are durable only when it
    commits, which is why SMTP and IMAP, which acknowledge each message,
    use ``store_raw``. A message whose dedupe key was seen before, in an
    earlier row or earlier in ``messages``, is stored as ``duplicate``.

    With ``hold`` inside an ``inserts.deferred()`` block, the rows get their
    keys now and their INSERT waits for the block's, so the outcomes set on
    them before then need no UPDATE (``save_outcomes`` skips held rows).
    """
    keyed = [(content, reference, *dedupe_key_for(content)) for content, reference in messages]
    earlier = _earlier_by_key({key for _content, _reference, _id, key in keyed})
    first_in_batch: dict[str, RawMessage] = {}
    now = clock.now()
    rows = []
    for content, reference, message_id, key in keyed:
        duplicate = key in earlier or key in first_in_batch
        raw = RawMessage(
            source=source,
            source_ref=reference[:500],
            content=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            message_id=message_id,
            dedupe_key=key,
            received_at=now,
            state=RawState.DUPLICATE if duplicate else RawState.RECEIVED,
        )
        if not duplicate:
            first_in_batch[key] = raw
        rows.append(raw)
    if hold:
        inserts.add_all(rows)
    else:
        inserts.insert_now(rows)

    stored = []
    for raw in rows:
        duplicate_of = None
        if raw.state == RawState.DUPLICATE:
            duplicate_of = earlier.get(raw.dedupe_key) or first_in_batch[raw.dedupe_key].pk
        logger.info(
            "raw message stored",
            extra={"raw": raw.pk, "source": source, "duplicate_of": duplicate_of, "size": raw.size},
        )
        stored.append(StoredRaw(raw=raw, duplicate_of=duplicate_of))
    return stored


def _earlier_by_key(keys: set[str]) -> dict[str, int]:
    """Return the lowest non-duplicate raw id stored for each of ``keys`` that has one."""
    earlier: dict[str, int] = {}
    found = (
        RawMessage.objects.filter(dedupe_key__in=keys)
        .exclude(state=RawState.DUPLICATE)
        .order_by("pk")
        .values_list("dedupe_key", "pk")
    )
    for key, pk in found:
        earlier.setdefault(key, pk)
    return earlier


# The RawMessage fields that processing a message sets.
OUTCOME_FIELDS = (
    "state",
    "outcome",
    "ticket",
    "error_code",
    "error_detail",
    "attempts",
    "processed_at",
)


def save_outcomes(raws: list[RawMessage]) -> None:
    """Write the processing outcome fields of ``raws`` with one statement run for each row.

    An import saves a whole batch's outcomes this way. The rows are sent with
    ``executemany`` because a queryset update per row costs far more in
    Django than in the database, and ``bulk_update``'s CASE expression more
    still.
    """
    # A held row's INSERT, still to come, writes its outcome.
    stored = [raw for raw in raws if not inserts.is_held(raw)]
    if stored:
        inserts.update_now(RawMessage, stored, OUTCOME_FIELDS)
