"""Turn the bytes of a text part into text when its charset is missing or wrong."""

import codecs

from charset_normalizer import from_bytes

# Labels that senders put in Content-Type but that name no real charset.
_UNKNOWN_LABELS = {"unknown", "unknown-8bit", "x-unknown", "x-user-defined", "default", "none"}


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode ``data``, trusting ``declared`` only while it decodes cleanly.

    The order is: the declared charset, strict UTF-8, charset-normalizer's
    best guess, then the declared charset (or Windows-1252) with replacement
    characters, so the result is always text.
    """
    codec = _known_codec(declared)
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = from_bytes(data).best()
    if guess is not None:
        return str(guess)
    return data.decode(codec or "cp1252", errors="replace")


def repair_surrogates(text: str) -> str:
    """Re-decode raw 8-bit bytes that the e-mail parser kept as surrogate escapes.

    Headers with undeclared 8-bit text (common for KOI8-R or Latin-1 file
    names) reach us as lone surrogates, which cannot be stored or shown.
    """
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text
    data = text.encode("utf-8", errors="surrogateescape")
    return decode_bytes(data)


def _known_codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _UNKNOWN_LABELS:
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # Mail declared us-ascii that contains 8-bit bytes is usually Windows-1252
    # or UTF-8. The fallbacks after a failed strict decode handle both.
    return name
