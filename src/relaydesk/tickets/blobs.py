"""Content-addressed attachment storage on the default Django storage."""

import hashlib
import mimetypes

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from relaydesk.core import inserts
from relaydesk.tickets.models import Blob

# Magic numbers for the types agents open most; anything else is detected by
# file name only, which is why the declared type is kept beside it.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x78\x9f\x3e\x22", "application/vnd.ms-tnef"),
)


def detect_type(content: bytes, filename: str = "") -> str:
    """Guess a MIME type from the content's leading bytes, then from the name."""
    for signature, content_type in _SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    guessed, _encoding = mimetypes.guess_type(filename)
    if guessed:
        return guessed
    try:
        content[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def store_blob(content: bytes, filename: str = "") -> Blob:
    """Store ``content`` once per SHA-256 and return its Blob row."""
    digest = hashlib.sha256(content).hexdigest()
    existing = Blob.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing

    name = f"blobs/{digest[:2]}/{digest[2:4]}/{digest}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    blob = Blob(
        sha256=digest,
        size=len(content),
        detected_type=detect_type(content, filename),
        storage_name=name,
    )
    # Another writer may store the same content at once; its row wins. No
    # savepoint, so an import batch need not write what it holds back.
    if inserts.insert_if_absent(blob):
        return blob
    return Blob.objects.get(sha256=digest)


def read_blob(blob: Blob) -> bytes:
    with default_storage.open(blob.storage_name, "rb") as handle:
        return handle.read()
