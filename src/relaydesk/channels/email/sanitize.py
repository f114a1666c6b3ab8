"""Make inbound HTML safe to show, and derive plain text from it.

What the sanitized HTML contains:

- no scripts, styles, forms, frames, event handlers or ``style`` attributes
  (nh3 removes anything not listed below);
- links only to http, https and mailto; ``cid:`` images keep their ``src``
  because they point at the message's own inline attachments;
- remote images (http or https ``src``) have the URL moved to
  ``data-remote-src`` so nothing loads from outside until the page that shows
  the message decides to copy it back, for example on an agent's click.
"""

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt",
    "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align", "valign"},
    "th": {"colspan", "rowspan", "align", "valign"},
    "table": {"summary"},
    "ol": {"start"},
    "blockquote": {"cite"},
}
_URL_SCHEMES = {"http", "https", "mailto", "cid"}
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_REMOTE_SRC = re.compile(r'\ssrc="(https?:[^"]*)"', re.IGNORECASE)


def sanitize_html(markup: str) -> str:
    """Return ``markup`` cleaned for display, remote images not loading."""
    if not markup.strip():
        return ""
    cleaned = nh3.clean(
        markup,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # nh3 serializes attributes in double quotes, so the rewrite can be exact.
    return _IMG_TAG.sub(lambda match: _REMOTE_SRC.sub(r' data-remote-src="\1"', match[0]), cleaned)


_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "div", "dl", "dt", "dd", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section",
    "table", "tr", "ul",
}  # fmt: skip
_SKIPPED_TAGS = {"head", "script", "style", "title", "template"}


@dataclass
class _List:
    """An open ``ol`` or ``ul`` element and the indentation of its items' lines."""

    next_number: int | None  # None for an unordered list
    indent: str  # before the marker of each item
    continuation: str  # before the later lines of the current item


class _TextExtractor(HTMLParser):
    """Collect the visible text, quoting ``blockquote`` content with ``>``.

    List items start with ``1.``, ``2.``… in an ``ol`` and ``-`` in a
    ``ul``, nested lists are indented, and a blank line follows an outermost list.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0
        self.lists: list[_List] = []
        # The marker of the list item whose first line is not written yet.
        self.marker = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag in ("ol", "ul"):
            self._start_list(tag, attrs)
        elif tag == "li":
            self._start_item()
        elif tag == "br":
            self._break(keep_empty=True)
        elif tag in _BLOCK_TAGS:
            self._break()
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre_depth += 1
        elif tag in ("td", "th"):
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in ("ol", "ul"):
            self._end_list()
        elif tag in _BLOCK_TAGS:
            self._break()
            if tag == "li":
                # An empty item's marker must not land on the next line of text.
                self.marker = ""
            if tag == "p":
                self._break(keep_empty=True)
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            parts = data.split("\n")
            self.current.append(parts[0])
            for part in parts[1:]:
                self._break(keep_empty=True)
                self.current.append(part)
            return
        self.current.append(re.sub(r"\s+", " ", data))

    def _start_list(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break()
        if self.marker:
            # An item that holds only a nested list keeps its marker on a line of its own.
            self.lines.append("> " * self.quote_depth + self.marker.rstrip())
            self.marker = ""
        indent = self.lists[-1].continuation if self.lists else ""
        number = _start_number(attrs) if tag == "ol" else None
        self.lists.append(_List(number, indent, indent))

    def _start_item(self) -> None:
        self._break()
        if not self.lists:
            # An <li> outside any list is shown as an unordered item.
            self.marker = "- "
            return
        items = self.lists[-1]
        if items.next_number is None:
            marker = "- "
        else:
            marker = f"{items.next_number}. "
            items.next_number += 1
        self.marker = items.indent + marker
        items.continuation = items.indent + " " * len(marker)

    def _end_list(self) -> None:
        self._break()
        if self.lists:
            self.lists.pop()
        if not self.lists:
            # The text after a list starts a new paragraph.
            self._break(keep_empty=True)

    def _break(self, keep_empty: bool = False) -> None:
        line = "".join(self.current).strip()
        self.current = []
        if not line and not keep_empty:
            return
        if line and self.marker:
            line = self.marker + line
            self.marker = ""
        elif line and self.lists:
            line = self.lists[-1].continuation + line
        prefix = "> " * self.quote_depth
        self.lines.append(prefix + line if line else prefix.rstrip())

    def text(self) -> str:
        self._break()
        collapsed: list[str] = []
        for line in self.lines:
            if not line.strip(" >") and (not collapsed or not collapsed[-1].strip(" >")):
                continue
            collapsed.append(line)
        return "\n".join(collapsed).strip()


def _start_number(attrs: list[tuple[str, str | None]]) -> int:
    """Return the number of an ``ol`` element's first item: its ``start`` attribute, or 1."""
    start = dict(attrs).get("start") or ""
    try:
        return int(start.strip())
    except ValueError:
        return 1


def html_to_text(markup: str) -> str:
    """Return the readable text of ``markup``, one line per block element."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except AssertionError:
        # html.parser raises AssertionError on some malformed declarations;
        # stripping the tags crudely still gives the reader the words.
        return html.unescape(re.sub(r"<[^>]*>", " ", markup)).strip()
    return extractor.text()
