"""Small checks on text that people and mail send in, shared by every app."""

import unicodedata

# The maximum length of free text in one field: a message, a note, a workaround.
# A pasted log or stack trace fits, and longer material belongs in an
# attachment. The API, the desk's forms and the back-office actions share it.
MAX_TEXT_LENGTH = 100_000

# Control characters and line and paragraph separators: none belongs in a
# one-line value such as a subject, and Python's e-mail headers refuse the
# line-breaking ones. Format characters (Cf) stay: emoji sequences and
# right-to-left text need the joiners and direction marks among them.
_NOT_ON_ONE_LINE = frozenset({"Cc", "Zl", "Zp"})


def one_line(value: str) -> str:
    """Return ``value`` with control and line-breaking characters as single spaces.

    For subjects that arrive from mail, whose encoded words may decode to
    anything. Runs of whitespace become one space; the ends are stripped.
    """
    cleaned = "".join(
        " " if unicodedata.category(character) in _NOT_ON_ONE_LINE else character
        for character in value
    )
    return " ".join(cleaned.split())


def invisible_characters(value: str) -> list[str]:
    """Return the control and line-breaking characters in ``value``, as U+XXXX codes."""
    return sorted(
        {
            f"U+{ord(character):04X}"
            for character in value
            if unicodedata.category(character) in _NOT_ON_ONE_LINE
        }
    )
