"""Attachment and raw e-mail downloads.

Files from clients are never shown as pages of the desk: every response is a
download (``Content-Disposition: attachment``) with ``nosniff`` and a
``sandbox`` policy, and carries the type the sender declared only when the
content looks like that type. The one exception is an inline image that an
HTML message refers to by Content-ID, which the message frame may display.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from relaydesk.desk.access import agent_required
from relaydesk.tickets import queries
from relaydesk.tickets.blobs import detect_type, read_blob
from relaydesk.tickets.models import Attachment, Message

OCTET_STREAM = "application/octet-stream"
# Raster formats only: an SVG can carry script, so it is never shown inline.
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# Text formats that content detection can only call text/plain.
PLAIN_TEXT_TYPES = {"text/plain", "text/csv"}


def served_type(declared_type: str, content: bytes) -> str:
    """Return the declared type when the content agrees with it, else application/octet-stream.

    The type is detected from the bytes alone: the stored ``Blob.detected_type``
    falls back to the file name, which the sender chose as freely as the
    declared type.
    """
    declared = declared_type.split(";", 1)[0].strip().lower()
    detected = detect_type(content)
    if not declared:
        return OCTET_STREAM
    if declared == detected or (detected == "text/plain" and declared in PLAIN_TEXT_TYPES):
        return declared
    return OCTET_STREAM


def _file_response(
    content: bytes, content_type: str, filename: str, *, as_attachment: bool
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _get_attachment(number: int, attachment_id: int) -> Attachment:
    try:
        return queries.attachment_of_ticket(number, attachment_id)
    except Attachment.DoesNotExist:
        raise Http404(f"attachment {attachment_id} of CS-{number} not found") from None


@agent_required
def attachment_download(request: HttpRequest, number: int, attachment_id: int) -> HttpResponse:
    attachment = _get_attachment(number, attachment_id)
    content = read_blob(attachment.blob)
    content_type = served_type(attachment.declared_type, content)
    return _file_response(content, content_type, attachment.filename, as_attachment=True)


@agent_required
def attachment_inline(request: HttpRequest, number: int, attachment_id: int) -> HttpResponse:
    """Serve an image for a message's HTML view; anything but a raster image is 404."""
    attachment = _get_attachment(number, attachment_id)
    content = read_blob(attachment.blob)
    content_type = served_type(attachment.declared_type, content)
    if content_type not in INLINE_IMAGE_TYPES:
        raise Http404(f"attachment {attachment_id} is not an inline image")
    return _file_response(content, content_type, attachment.filename, as_attachment=False)


@agent_required
def message_source(request: HttpRequest, number: int, message_id: int) -> HttpResponse:
    """Download the e-mail exactly as it was received, as an .eml file."""
    try:
        message = queries.message_of_ticket(number, message_id)
    except Message.DoesNotExist:
        raise Http404(f"message {message_id} of CS-{number} not found") from None
    if message.raw is None:
        raise Http404(f"message {message_id} has no stored source")
    filename = f"CS-{number}-message-{message.pk}.eml"
    return _file_response(
        bytes(message.raw.content), "message/rfc822", filename, as_attachment=True
    )
