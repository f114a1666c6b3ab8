"""Turn the bytes of a text part into text when its charset is missing or wrong."""

import codecs

from charset_normalizer import from_bytes

# Labels that senders put in Content-Type but that name no real charset.
_UNKNOWN_LABELS = {"unknown", "unknown-8bit", "x-unknown", "x-user-defined", "default", "none"}
# Western European single-byte charsets, by their Python codec names. They
# decode any bytes at all, so a clean decode does not confirm the label.
_WESTERN_SINGLE_BYTE = {"iso8859-1", "iso8859-15", "cp1252"}


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode ``data``, trusting ``declared`` only while it decodes cleanly.

    The order is: the declared charset, strict UTF-8, Windows-1252 when the
    text then reads like a Western European language, charset-normalizer's
    best guess, then the declared charset (or Windows-1252) with replacement
    characters, so the result is always text. Text declared as ISO-8859-1,
    ISO-8859-15 or Windows-1252 that is valid UTF-8 with multi-byte
    sequences is read as UTF-8.
    """
    codec = _known_codec(declared)
    if codec in _WESTERN_SINGLE_BYTE and not data.isascii():
        # Some mail programs label all mail Latin-1, UTF-8 included. Real
        # Latin-1 text is almost never valid multi-byte UTF-8, which needs
        # each byte from 0xC2 to 0xF4 (mostly accented letters) to be
        # followed by bytes from 0x80 to 0xBF (controls and symbols such as
        # "£" or "¿"). "migração" in Latin-1 is not valid UTF-8, for example.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # On a few lines of Latin-script text, charset-normalizer cannot tell the
    # Latin code pages apart and picks Central European as often as Western
    # (Portuguese "não" became "năo"). Undeclared mail in Latin script is
    # mostly Windows-1252, as the WHATWG encoding standard assumes for it.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = ""
    if western and _reads_as_latin_script(western):
        return western
    guess = from_bytes(data).best()
    if guess is not None:
        return str(guess)
    return data.decode(codec or "cp1252", errors="replace")


# Share of a text's letters that may be outside ASCII, and the longest run of
# them, for it to read as a Western European language.
_MAX_NON_ASCII_SHARE = 0.3
_MAX_NON_ASCII_RUN = 3


def _reads_as_latin_script(text: str) -> bool:
    """Tell whether ``text`` has the few, scattered accented letters of a Latin-script language.

    Portuguese, Spanish, French or German keep most letters in ASCII, with an
    accented letter here and there inside a word. Cyrillic or Greek from a
    single-byte code page, read as Windows-1252, gives words made only of
    accented letters.
    """
    letters = non_ascii = run = 0
    for char in text:
        if not char.isalpha():
            run = 0
            continue
        letters += 1
        if char.isascii():
            run = 0
            continue
        non_ascii += 1
        run += 1
        if run > _MAX_NON_ASCII_RUN:
            return False
    return letters > 0 and non_ascii <= letters * _MAX_NON_ASCII_SHARE


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
