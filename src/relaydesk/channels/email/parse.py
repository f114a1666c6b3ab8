"""Parse raw e-mail bytes into a ParsedEmail, tolerating the mail people really send.

The MIME tree comes from the standard library with ``policy.default``. The
top-level headers are read from their raw source and decoded here instead, so
that one malformed header (a bad encoded word, an address with a missing
bracket, an unknown charset) costs only that header and never the message.
"""

import email
import email.header
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.message import Message as MimePart
from typing import Any

from relaydesk.channels.email.charsets import decode_bytes, repair_surrogates
from relaydesk.channels.email.flowed import unflow
from relaydesk.channels.email.quotes import display_text
from relaydesk.channels.email.sanitize import html_to_text, sanitize_html
from relaydesk.channels.email.tnef import is_tnef, unpack_tnef
from relaydesk.core.addresses import NON_ASCII_ADDRESS_CHARACTER, normalize_address
from relaydesk.tickets.drafts import AttachmentDraft

# Headers copied to Message.headers: loop and list detection, threading and
# the sending software, which agents use when a client's mail looks odd.
HEADERS_OF_INTEREST = (
    "auto-submitted", "x-autoreply", "x-autorespond", "x-auto-response-suppress", "precedence",
    "list-id", "list-unsubscribe", "list-post", "x-failed-recipients", "return-path",
    "x-ms-exchange-generated-message-source", "x-ms-exchange-inbox-rules-loop", "x-loop",
    "x-mailer", "user-agent", "x-original-to", "delivered-to", "content-language",
    "thread-topic", "importance", "x-priority", "sender", "reply-to", "feedback-id",
    "x-mailgun-sid", "x-ses-outgoing", "x-spam-flag",
)  # fmt: skip

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# A domain without a dot (support@localhost) is an address on this machine.
# RFC 6532 allows UTF-8 in local parts and domains, and check_email_address
# decides later whether the address is valid.
_LOCAL_CHARACTER = rf"(?:[\w.!#$%&'*+/=?^`{{|}}~-]|{NON_ASCII_ADDRESS_CHARACTER})"
_DOMAIN_CHARACTER = rf"(?:[\w-]|{NON_ASCII_ADDRESS_CHARACTER})"
_ADDRESS = re.compile(rf"{_LOCAL_CHARACTER}+@{_DOMAIN_CHARACTER}+(?:\.{_DOMAIN_CHARACTER}+)*")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
# The boundary parameter as written. Outlook Express and others sent it
# unquoted with an "=" in it (boundary=----=_NextPart_000_0001), which
# RFC 2045 does not allow unquoted. policy.default's header parser ends the
# value at the "=", so the parts are never found.
_RAW_BOUNDARY = re.compile(r'\bboundary\s*=\s*(?:"([^"]+)"|([^;\s"]+))', re.IGNORECASE)
_MAX_DEPTH = 20
_MAX_HEADER = 998


_MISSING = object()


class _ReadOnceMessage(EmailMessage):
    """An EmailMessage that builds each header object once.

    With ``policy.default`` every ``get()`` runs the header registry's parser
    again, and ``get_content_type()``, ``get_param()`` and
    ``get_content_disposition()`` each call ``get()``, so a part's
    Content-Type was parsed five or six times. The first lookup of a name is
    kept here, and every method that changes the headers drops what was kept.
    """

    def __init__(self, policy: Any = None) -> None:
        super().__init__(policy)
        self._fetched: dict[str, Any] = {}

    def get(self, name: str, failobj: Any = None) -> Any:
        key = name.lower()
        value = self._fetched.get(key, _MISSING)
        if value is _MISSING:
            value = self._fetched[key] = super().get(name, _MISSING)
        return failobj if value is _MISSING else value

    def __setitem__(self, name: str, val: Any) -> None:
        self._fetched.clear()
        super().__setitem__(name, val)

    def __delitem__(self, name: str) -> None:
        self._fetched.clear()
        super().__delitem__(name)

    def set_raw(self, name: str, value: Any) -> None:
        self._fetched.clear()
        super().set_raw(name, value)

    def add_header(self, _name: str, _value: str, **_params: Any) -> None:
        self._fetched.clear()
        super().add_header(_name, _value, **_params)

    def replace_header(self, _name: str, _value: Any) -> None:
        self._fetched.clear()
        super().replace_header(_name, _value)

    def set_boundary(self, boundary: str) -> None:
        # The generator sets a boundary on a multipart part that has none.
        self._fetched.clear()
        super().set_boundary(boundary)

    def _make_multipart(self, *args: Any, **kwargs: Any) -> None:
        self._fetched.clear()
        super()._make_multipart(*args, **kwargs)  # type: ignore[misc]

    def clear(self) -> None:
        self._fetched.clear()
        super().clear()

    def clear_content(self) -> None:
        self._fetched.clear()
        super().clear_content()


_POLICY = policy.default.clone(message_factory=_ReadOnceMessage)


@dataclass(frozen=True)
class ParsedEmail:
    """One inbound e-mail, decoded and sanitized, ready for the intake steps."""

    from_address: str = ""
    from_name: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    subject: str = ""
    date: datetime | None = None
    message_id: str = ""
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    text: str = ""
    # The text with quoted history and signature folded away (quotes.display_text),
    # made here so that an import's parser processes make it too.
    display_text: str = ""
    html: str = ""
    attachments: tuple[AttachmentDraft, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/plain"
    report_type: str = ""
    # Message-IDs of messages carried inside this one (message/rfc822 or
    # text/rfc822-headers parts), which identify the original of a bounce.
    embedded_message_ids: tuple[str, ...] = ()
    delivery_status: str = ""
    # The fields of an RFC 5965 spam complaint's message/feedback-report part.
    feedback_report: str = ""


@dataclass
class _Body:
    """Text, HTML, attachments and report data collected while walking the MIME tree."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[AttachmentDraft] = field(default_factory=list)
    embedded_ids: list[str] = field(default_factory=list)
    delivery_status: list[str] = field(default_factory=list)
    feedback_report: list[str] = field(default_factory=list)
    tnef_texts: list[str] = field(default_factory=list)


def parse_message(content: bytes, *, depth: int = 0) -> ParsedEmail:
    """Parse ``content``; malformed parts give empty or partial fields, not an error.

    The public corpus test runs every collected broken message through this.
    """
    mime = email.message_from_bytes(content, policy=_POLICY)
    raw = _raw_headers(mime)
    from_name, from_address = _first_address(raw.get("from", []))
    body = _Body()
    _walk(mime, body, depth=depth)
    text, html = _choose_body(body)
    return ParsedEmail(
        from_address=from_address,
        from_name=from_name,
        to=_addresses(raw.get("to", [])),
        cc=_addresses(raw.get("cc", [])),
        reply_to=_addresses(raw.get("reply-to", [])),
        subject=decode_header_text(raw.get("subject", [""])[0])[:1000],
        date=_date(raw.get("date", [""])[0]),
        message_id=_first_id(raw.get("message-id", [])),
        in_reply_to=_first_id(raw.get("in-reply-to", [])),
        references=tuple(
            _MESSAGE_ID.findall(repair_surrogates(" ".join(raw.get("references", []))))
        ),
        text=text,
        # An embedded message's text is read whole, as part of its parent's.
        display_text=display_text(text) if depth == 0 else "",
        html=html,
        attachments=tuple(body.attachments),
        headers={
            name: decode_header_text(raw[name][0])[:_MAX_HEADER]
            for name in HEADERS_OF_INTEREST
            if name in raw
        },
        content_type=_content_type(mime),
        report_type=_param(mime, "report-type").lower(),
        embedded_message_ids=tuple(dict.fromkeys(body.embedded_ids)),
        delivery_status="\n".join(body.delivery_status)[:4000],
        feedback_report="\n".join(body.feedback_report)[:4000],
    )


def normalize_message_id(value: str) -> str:
    """Return ``value`` as ``<id>``, the form Message.message_id stores."""
    found = _MESSAGE_ID.search(value)
    if found:
        return found[0]
    bare = value.strip().strip("<>").strip()
    return f"<{bare}>" if bare and " " not in bare else ""


# Headers ---------------------------------------------------------------------


def _raw_headers(mime: MimePart) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in mime.raw_items():
        text = value if isinstance(value, str) else str(value)
        headers.setdefault(name.strip().lower(), []).append(_FOLD.sub("", text).strip())
    return headers


def decode_header_text(raw: str) -> str:
    """Decode RFC 2047 encoded words and stray 8-bit bytes in one header value."""
    if "=?" not in raw:
        return repair_surrogates(raw).strip()
    try:
        chunks = email.header.decode_header(raw)
    except (ValueError, IndexError, AssertionError):
        return repair_surrogates(raw).strip()
    pieces = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            pieces.append(decode_bytes(chunk, charset))
        else:
            pieces.append(repair_surrogates(chunk))
    # decode_header drops the space between an encoded word and plain text,
    # and keeps it (as part of the plain chunk) on the other side.
    joined = ""
    for index, piece in enumerate(pieces):
        needs_space = (
            index > 0
            and isinstance(chunks[index][0], bytes) != isinstance(chunks[index - 1][0], bytes)
            and not joined.endswith(" ")
            and not piece.startswith(" ")
        )
        joined += (" " if needs_space else "") + piece
    return re.sub(r"\s+", " ", joined).strip()


def _addresses(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(address for _name, address in _parse_addresses(values) if address))


def _first_address(values: list[str]) -> tuple[str, str]:
    parsed = _parse_addresses(values)
    return parsed[0] if parsed else ("", "")


def _parse_addresses(values: list[str]) -> list[tuple[str, str]]:
    """Return (display name, address) pairs; "" for an unusable address.

    Addresses are NFC-normalized and lower-cased, as normalize_address does.
    """
    found: list[tuple[str, str]] = []
    for raw_value in values:
        # Raw UTF-8 in the header (RFC 6532) arrives as surrogate escapes.
        value = repair_surrogates(raw_value)
        pairs = email.utils.getaddresses([value])
        usable = [(name, address) for name, address in pairs if _ADDRESS.fullmatch(address)]
        if usable:
            # Normalized once per header, which may list hundreds of recipients.
            written = normalize_address(value)
            found.extend(
                (decode_header_text(name), _written_address(address, written))
                for name, address in usable
            )
            continue
        # A missing bracket or a stray quote defeats the address parser, yet
        # the address itself is usually plain to see.
        loose = list(_ADDRESS.finditer(value))
        if len(loose) == 1 and not _follows_word_in_brackets(value, loose[0].start()):
            address = loose[0].group()
            name = decode_header_text(value.split("<", 1)[0].replace(address, "").strip(' "'))
            found.append((name, normalize_address(address)))
        elif value.strip():
            found.append((decode_header_text(value), ""))
    return found


# RFC 5322's obsolete syntax allows folding whitespace and comments beside
# the "@" and the dots of an address, but not inside its words.
_BESIDE_SEPARATOR = r"(?:\s|\([^()]*\))*"


def _written_address(address: str, written: str) -> str:
    """Return ``address`` normalized, or "" when the header spelled it with spaces inside words.

    ``written`` is the header's value, normalized as addresses are.

    The standard library's parser joins the words of ``john@exa mple.com``
    into ``john@example.com``, an address the sender did not write. Replies
    to it would go to another mailbox, so such an address counts as unusable.
    """
    normalized = normalize_address(address)
    if normalized in written:
        return normalized
    pattern = ""
    for piece in re.split(r"([@.])", normalized):
        if piece in ("@", "."):
            pattern += f"{_BESIDE_SEPARATOR}{re.escape(piece)}{_BESIDE_SEPARATOR}"
        else:
            pattern += re.escape(piece)
    return normalized if re.search(pattern, written) else ""


def _follows_word_in_brackets(value: str, start: int) -> bool:
    """Tell whether an address found at ``start`` follows another word inside its brackets.

    In ``John <john doe@example.com>`` the address found is ``doe@example.com``,
    the tail of an invalid address with a space in it, and not the sender's.
    """
    opening = value.rfind("<", 0, start)
    if opening < 0 or value.rfind(">", opening, start) >= 0:
        return False
    before = value[opening + 1 : start]
    return bool(before.strip()) and before[-1].isspace()


def _first_id(values: list[str]) -> str:
    # RFC 6532 allows UTF-8 in message identifiers, as in addresses.
    return normalize_message_id(repair_surrogates(values[0]))[:_MAX_HEADER] if values else ""


def _date(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _content_type(part: MimePart) -> str:
    try:
        return part.get_content_type()
    except (ValueError, IndexError, AttributeError):
        return "application/octet-stream"


def _param(part: MimePart, name: str, header: str = "content-type") -> str:
    try:
        value = part.get_param(name, header=header)
    except (ValueError, IndexError, AttributeError, TypeError):
        return ""
    if isinstance(value, tuple):
        value = email.utils.collapse_rfc2231_value(value)
    return str(value or "")


# Body ------------------------------------------------------------------------


def _walk(part: MimePart, body: _Body, *, depth: int) -> None:
    content_type = _content_type(part)
    payload = part.get_payload()
    if content_type.startswith("multipart/") and isinstance(payload, str):
        recovered = _reparse_with_raw_boundary(part, content_type)
        if recovered is not None:
            payload = recovered.get_payload()
    if content_type.startswith("multipart/") and isinstance(payload, list) and depth < _MAX_DEPTH:
        for child in payload:
            _walk(child, body, depth=depth + 1)
        return
    if content_type in ("message/rfc822", "message/global") and isinstance(payload, list):
        _add_embedded_message(payload[0], body, depth=depth, filename=_filename(part))
        return
    if content_type == "message/delivery-status":
        body.delivery_status.append(_header_blocks_text(part))
        return
    if content_type == "message/feedback-report":
        body.feedback_report.append(_header_blocks_text(part))
        return
    if content_type == "text/rfc822-headers":
        headers = _decode_payload(part)
        body.embedded_ids.extend(_ids_in_header_block(headers))
        body.attachments.append(
            AttachmentDraft("original-headers.txt", headers.encode(), "text/plain")
        )
        return
    _add_leaf(part, content_type, body)


def _reparse_with_raw_boundary(part: MimePart, content_type: str) -> MimePart | None:
    """Parse a multipart ``part`` that has no parts again, with the boundary as written.

    Returns the new multipart, or None when the boundary written in the
    header is the one already tried or finds no parts either.
    """
    header = next((value for name, value in part.raw_items() if name.lower() == "content-type"), "")
    found = _RAW_BOUNDARY.search(_FOLD.sub("", str(header)))
    boundary = (found[1] or found[2]) if found else ""
    if not boundary or boundary == _param(part, "boundary"):
        return None
    head = f'Content-Type: {content_type}; boundary="{boundary}"\n\n'
    data = head.encode("utf-8", errors="surrogateescape") + _payload_bytes(part)
    reparsed = email.message_from_bytes(data, policy=_POLICY)
    return reparsed if isinstance(reparsed.get_payload(), list) else None


def _add_leaf(part: MimePart, content_type: str, body: _Body) -> None:
    disposition = _disposition(part)
    filename = _filename(part)
    if disposition != "attachment" and not filename:
        if content_type == "text/html":
            body.htmls.append(_decode_payload(part))
            return
        if content_type == "text/plain":
            body.texts.append(_plain_text(part))
            return
        if content_type.startswith("text/") or content_type.startswith("multipart/"):
            # A multipart part whose boundary is missing arrives as one text blob.
            body.texts.append(_decode_payload(part))
            return
    data = _payload_bytes(part)
    if is_tnef(content_type, filename):
        unpacked = unpack_tnef(data)
        if unpacked is not None:
            body.attachments.extend(unpacked.attachments)
            body.tnef_texts.append(unpacked.text or html_to_text(unpacked.html))
            if unpacked.html:
                body.htmls.append(unpacked.html)
            return
    content_id = _content_id(part)
    body.attachments.append(
        AttachmentDraft(
            filename=filename or _fallback_name(content_type, len(body.attachments)),
            content=data,
            declared_type=content_type,
            content_id=content_id,
            inline=bool(content_id) and disposition != "attachment",
        )
    )


def _add_embedded_message(inner: MimePart, body: _Body, *, depth: int, filename: str) -> None:
    try:
        data = inner.as_bytes()
    except Exception:  # noqa: BLE001 - the generator fails on some broken headers
        data = inner.as_string(policy=policy.compat32).encode("utf-8", errors="replace")
    parsed = parse_message(data, depth=depth + 1) if depth < _MAX_DEPTH else ParsedEmail()
    if parsed.message_id:
        body.embedded_ids.append(parsed.message_id)
    if not filename:
        name = re.sub(r"[^\w .,()-]+", "", parsed.subject).strip()[:80] or "attached-message"
        filename = f"{name}.eml"
    body.attachments.append(AttachmentDraft(filename, data, "message/rfc822"))
    if parsed.text:
        header = f"From: {parsed.from_address}\nSubject: {parsed.subject}\n\n"
        body.tnef_texts.append(header + parsed.text)


def _choose_body(body: _Body) -> tuple[str, str]:
    html_source = "\n".join(markup for markup in body.htmls if markup.strip())
    text = "\n\n".join(part.strip("\n") for part in body.texts if part.strip())
    if not text and html_source:
        text = html_to_text(html_source)
    if not text:
        # An attachment-only forward or a TNEF body is still worth reading.
        text = "\n\n".join(part for part in body.tnef_texts if part.strip())
    return _clean_text(text), sanitize_html(html_source)


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.strip("\n")


def _decode_payload(part: MimePart) -> str:
    charset = _param(part, "charset")
    return decode_bytes(_payload_bytes(part), charset or None)


def _plain_text(part: MimePart) -> str:
    text = _decode_payload(part)
    if _param(part, "format").lower() != "flowed":
        return text
    return unflow(text, delsp=_param(part, "delsp").lower() == "yes")


def _payload_bytes(part: MimePart) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError, LookupError):
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", errors="surrogateescape")
    return b""


def _disposition(part: MimePart) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except (ValueError, IndexError, AttributeError):
        return ""


def _filename(part: MimePart) -> str:
    name = _param(part, "filename", "content-disposition") or _param(part, "name")
    name = decode_header_text(name) if name else ""
    # Keep only the last path component: a name is shown and saved, never a path.
    name = re.split(r"[/\\]", name)[-1]
    return re.sub(r"[\x00-\x1f\x7f]", "", name).strip()[:255]


def _content_id(part: MimePart) -> str:
    values = [value for name, value in part.raw_items() if name.lower() == "content-id"]
    return values[0].strip().strip("<>").strip() if values else ""


def _fallback_name(content_type: str, index: int) -> str:
    import mimetypes

    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"attachment-{index + 1}{extension}"


def _ids_in_header_block(headers: str) -> list[str]:
    found = re.findall(r"^message-id:\s*(\S.*)$", headers, re.IGNORECASE | re.MULTILINE)
    return [normalize_message_id(value) for value in found if normalize_message_id(value)]


def _header_blocks_text(part: MimePart) -> str:
    """Return the fields of a delivery-status or feedback-report part as ``Name: value`` lines."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = [
            "\n".join(f"{name}: {value}" for name, value in block.raw_items()) for block in payload
        ]
        return repair_surrogates("\n\n".join(blocks))
    return _decode_payload(part)
