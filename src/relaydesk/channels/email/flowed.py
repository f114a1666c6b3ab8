"""Join the soft line breaks of ``format=flowed`` plain text (RFC 3676).

A flowed line ends with a space, and the reader joins it with the line after
it. Quoted lines carry their depth as leading ``>`` marks. A line that
starts with a space, ``>`` or "From " was sent with one extra space in
front ("space-stuffed"), which is removed here.
"""

import re
from dataclasses import dataclass, field

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# RFC 3676 section 4.3: the signature separator ends with a space but is
# never flowed.
_SIGNATURE_SEPARATOR = "-- "


@dataclass
class _Paragraph:
    """The pieces of one logical line, and the quote depth of the lines they came from."""

    depth: int
    pieces: list[str] = field(default_factory=list)

    def render(self) -> str:
        text = "".join(self.pieces)
        if text != _SIGNATURE_SEPARATOR:
            # A paragraph ended by a quote depth change or by the end of the
            # text still has the space of its last flowed line.
            text = text.rstrip(" ")
        if not self.depth:
            return text
        marks = ">" * self.depth
        return f"{marks} {text}" if text else marks


def unflow(text: str, *, delsp: bool = False) -> str:
    """Return ``text`` with its flowed lines joined and its space-stuffing removed.

    With ``delsp`` (the ``DelSp=yes`` parameter) the space that ends a
    flowed line was added by the sender and is deleted when the lines are
    joined. Quoted lines are written back as ``> `` marks, one per depth.
    """
    lines: list[str] = []
    open_paragraph: _Paragraph | None = None
    for line in _LINE_BREAK.split(text):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]
        is_separator = content == _SIGNATURE_SEPARATOR
        # A flowed line followed by a line of another quote depth, or by the
        # signature separator, ends its paragraph as if it were fixed.
        if open_paragraph is not None and (open_paragraph.depth != depth or is_separator):
            lines.append(open_paragraph.render())
            open_paragraph = None
        flowed = content.endswith(" ") and not is_separator
        if flowed and delsp:
            content = content[:-1]
        if open_paragraph is None:
            open_paragraph = _Paragraph(depth)
        open_paragraph.pieces.append(content)
        if not flowed:
            lines.append(open_paragraph.render())
            open_paragraph = None
    if open_paragraph is not None:
        lines.append(open_paragraph.render())
    return "\n".join(lines)
