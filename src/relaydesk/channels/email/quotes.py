"""Fold quoted history and signatures out of a reply, for the text agents read first.

The full text is always kept on the message; this only decides what is shown
unfolded. Detection is line based: the first line that opens quoted history
(an attribution such as "On ... wrote:" or "Em ... escreveu:", an Outlook
"-----Original Message-----" or "From: ... Sent: ..." block, or a trailing
run of ``>`` lines) ends the visible reply. When the client writes below or
between the quoted lines, only the attribution and the ``>`` lines are
removed, because cutting at the first quote would hide the client's text.
"""

import re

# "On <date>, <name> wrote:" in the languages clients write to us in. The
# attribution is often wrapped over two lines, so it is matched on a line
# joined with the next one.
_ATTRIBUTION = re.compile(
    r"^\s*(on|am|le|el|em|il|op|den|på|w dniu|dne|в|el día)\b.{0,300}?"
    r"(wrote|schrieb|a écrit|escribió|escreveu|ha scritto|schreef|skrev|napisał|napsal|"
    r"написал|написала|kirjoitti)\s*:\s*$",
    re.IGNORECASE,
)
# "Ana Silva <ana@example.pt> escreveu:" with quoted lines right after it.
_ATTRIBUTION_SHORT = re.compile(r"^\s*\S.{0,120}\s(wrote|escreveu|schrieb|a écrit)\s*:\s*$", re.I)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|mensagem original|"
    r"message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|"
    r"originalmeddelande|alkuperäinen viesti|исходное сообщение)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(from|de|von|van|da|från|fra|od|от)\s*:\*?\s+\S", re.I)
_HEADER_SENT = re.compile(
    r"^\s*\*?(sent|date|enviado|enviada|data|gesendet|datum|envoyé|verzonden|inviato|"
    r"skickat|sendt|wysłano|отправлено)(\s+(em|el|le|am))?\s*:\*?\s",
    re.I,
)
_RULE = re.compile(r"^\s*[-_]{10,}\s*$")
_SIGNATURE_DELIMITER = re.compile(r"^-- ?$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(sent from my \S+|sent from (yahoo mail|mail) for \S+|sent with \S+|"
    r"enviado do meu \S+|enviado desde mi \S+|von meinem \S+ gesendet|envoyé de mon \S+|"
    r"get outlook for \S+|obter o outlook para \S+|sent from (my )?(mobile|android|blackberry)"
    r".*)\s*$",
    re.IGNORECASE,
)
# A "-- " delimiter followed by more than this many lines is more likely a
# separator inside the message than a signature.
_MAX_SIGNATURE_LINES = 12


def visible_reply(text: str) -> str:
    """Return ``text`` without its quoted history.

    A top-posted reply ends where the history starts. In a bottom-posted or
    interleaved reply, where the client's own lines follow ``>`` quotes, only
    the attribution and the quoted lines are removed.
    """
    lines = text.split("\n")
    start, span = _quote_header(lines)
    if start is None:
        return "\n".join(lines[: _trailing_quote_start(lines)]).rstrip()
    after = lines[start + span :]
    if not _own_text_after_quotes(after):
        return "\n".join(lines[:start]).rstrip()
    kept = lines[:start] + [line for line in after if not line.lstrip().startswith(">")]
    return _collapse_blank_lines(kept)


def strip_signature(text: str) -> str:
    """Return ``text`` without a trailing "-- " signature or mobile client footer."""
    lines = text.rstrip().split("\n")
    for index in range(len(lines) - 1, max(-1, len(lines) - 1 - _MAX_SIGNATURE_LINES), -1):
        if _SIGNATURE_DELIMITER.match(lines[index]):
            lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or _MOBILE_SIGNATURE.match(lines[-1])):
        lines.pop()
    return "\n".join(lines).rstrip()


def display_text(text: str) -> str:
    """Return the reply without quoted history and signature; ``text`` if nothing is left."""
    folded = text
    # A signature below the quoted lines ("Yes.\n> Fixed?\n-- \nAna") hides
    # them from visible_reply until it is gone, so the two run twice.
    for _ in range(2):
        folded = strip_signature(visible_reply(folded)).strip("\n")
    return folded if folded.strip() else text


def _quote_header(lines: list[str]) -> tuple[int | None, int]:
    """Return the index and line count of the first quote header, or (None, 0)."""
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        span = _header_span(lines, index)
        if span:
            return index, span
    return None, 0


def _header_span(lines: list[str], index: int) -> int:
    line = lines[index]
    if _ORIGINAL_MESSAGE.match(line):
        return 1
    if _RULE.match(line):
        following = [item for item in lines[index + 1 : index + 4] if item.strip()]
        return 1 if following and _HEADER_FROM.match(following[0]) else 0
    if _HEADER_FROM.match(line):
        return 1 if any(_HEADER_SENT.match(item) for item in lines[index + 1 : index + 5]) else 0
    # Clients wrap long attributions ("On <date>, <name>\n<address>\nwrote:").
    for span in (1, 2, 3):
        joined = " ".join(item.strip() for item in lines[index : index + span])
        if _ATTRIBUTION.match(joined):
            return span
    if _ATTRIBUTION_SHORT.match(line) and _quoted_next(lines, index + 1):
        return 1
    return 0


def _quoted_next(lines: list[str], index: int) -> bool:
    following = [line for line in lines[index : index + 3] if line.strip()]
    return not following or following[0].lstrip().startswith(">")


def _own_text_after_quotes(after: list[str]) -> bool:
    """Return True when unquoted text follows the quoted lines (a bottom-posted reply)."""
    seen_quote = False
    for line in after:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(">"):
            seen_quote = True
            continue
        if _SIGNATURE_DELIMITER.match(line) or _MOBILE_SIGNATURE.match(line):
            return False
        return seen_quote
    return False


def _collapse_blank_lines(lines: list[str]) -> str:
    collapsed: list[str] = []
    for line in lines:
        if not line.strip() and collapsed and not collapsed[-1].strip():
            continue
        collapsed.append(line)
    return "\n".join(collapsed).strip("\n").rstrip()


def _trailing_quote_start(lines: list[str]) -> int:
    """Return where a final run of quoted and blank lines begins, or len(lines)."""
    cut = len(lines)
    for index in range(len(lines) - 1, -1, -1):
        stripped = lines[index].strip()
        if stripped.startswith(">"):
            cut = index
        elif stripped:
            break
    return cut
