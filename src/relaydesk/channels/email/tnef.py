"""Unpack Outlook's TNEF ``winmail.dat`` into ordinary attachments and a body."""

import logging
from dataclasses import dataclass

from striprtf.striprtf import rtf_to_text
from tnefparse import TNEF

from relaydesk.tickets.drafts import AttachmentDraft

logger = logging.getLogger(__name__)

TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}


@dataclass(frozen=True)
class TnefContent:
    attachments: tuple[AttachmentDraft, ...]
    text: str = ""
    html: str = ""


def is_tnef(content_type: str, filename: str) -> bool:
    return content_type in TNEF_TYPES or filename.lower() == "winmail.dat"


def unpack_tnef(data: bytes) -> TnefContent | None:
    """Return the files and body inside a TNEF blob, or None when it is not readable.

    An RTF body (the usual case for Outlook rich text) is kept as ``body.rtf``,
    and its text is extracted for reading. An HTML body is returned as is.
    """
    try:
        tnef = TNEF(data)
        files = [_attachment(item, index) for index, item in enumerate(tnef.attachments)]
        text = _as_text(tnef.body)
        html = _as_text(tnef.htmlbody)
        rtf = tnef.rtfbody
    except Exception:  # noqa: BLE001 - tnefparse raises many kinds on corrupt input
        logger.info("tnef attachment unreadable; kept as winmail.dat")
        return None
    if rtf and rtf.startswith(b"{\\rtf"):
        files.append(AttachmentDraft("body.rtf", rtf, "application/rtf"))
        if not text and not html:
            text = _rtf_text(rtf)
    return TnefContent(attachments=tuple(files), text=text, html=html)


def _attachment(item: object, index: int) -> AttachmentDraft:
    name = ""
    try:
        name = item.long_filename() or ""  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a damaged name property must not lose the file
        name = getattr(item, "name", "") or ""
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    name = name.strip("\x00 ") or f"attachment-{index + 1}"
    return AttachmentDraft(name, bytes(item.data or b""), "application/octet-stream")  # type: ignore[attr-defined]


def _as_text(value: str | bytes | None) -> str:
    if not value:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip("\x00")
    return value.strip("\x00")


def _rtf_text(rtf: bytes) -> str:
    try:
        return rtf_to_text(rtf.decode("latin-1"), errors="ignore").strip()
    except Exception:  # noqa: BLE001 - striprtf fails on some malformed RTF; the file stays attached
        return ""
