"""Showing a message's HTML body to agents without running or fetching anything.

Intake already sanitizes HTML with nh3, but the page sanitizes it again on
output, so a message stored by an older or buggier intake cannot reach an
agent's browser unfiltered. The result is shown inside an ``<iframe sandbox>``
(no ``allow-scripts``) through ``srcdoc``, with a Content-Security-Policy that
allows only inline styles, ``data:`` images and the desk's own inline-image
URLs. Remote images, fonts and CSS ``url()`` are fetched only after the agent
asks for them, message by message, because loading them tells the sender the
message was read.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

import nh3
from django.utils.html import escape

_TAGS = nh3.ALLOWED_TAGS | {"font", "tfoot"}
_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(values) for tag, values in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"style", "title", "lang", "dir"},
    "font": {"color", "face", "size"},
    "table": {"align", "border", "cellpadding", "cellspacing", "width", "bgcolor"},
    "td": {"align", "valign", "width", "height", "colspan", "rowspan", "bgcolor"},
    "img": {"src", "data-remote-src", "alt", "width", "height", "align"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}
_DROPPED_WITH_CONTENT = {"script", "style", "title", "template", "noscript", "iframe", "object"}
_INLINE_IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp);", re.IGNORECASE)
_REMOTE = re.compile(r"(?:https?:)?//", re.IGNORECASE)
_LINK = re.compile(r"(?:https?://|mailto:|tel:)", re.IGNORECASE)
# Intake stores a remote image's URL in data-remote-src (channels.email.sanitize).
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_STORED_REMOTE_SRC = re.compile(r'\sdata-remote-src="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class SafeHtml:
    """A sanitized HTML body and whether it refers to remote images."""

    html: str
    has_remote_images: bool


def sanitize(html: str, *, cid_urls: Mapping[str, str], allow_remote: bool) -> SafeHtml:
    """Sanitize ``html`` for display and rewrite ``cid:`` images to ``cid_urls``.

    ``cid_urls`` maps a Content-ID (without angle brackets) to the desk URL of
    that inline attachment; an unknown Content-ID loses its ``src``. Remote
    image sources are dropped unless ``allow_remote`` is true, and so are
    the ones intake moved to ``data-remote-src``.
    """
    found_remote = False
    if allow_remote:
        html = _IMG_TAG.sub(lambda tag: _STORED_REMOTE_SRC.sub(r' src="\1"', tag[0]), html)

    def filter_attribute(tag: str, attribute: str, value: str) -> str | None:
        nonlocal found_remote
        if attribute == "href":
            return value if _LINK.match(value) else None
        if attribute == "data-remote-src":
            found_remote = found_remote or bool(_REMOTE.match(value))
            return None
        if attribute != "src":
            return value
        if tag != "img":
            return None
        if _INLINE_IMAGE_DATA.match(value):
            return value
        if value.lower().startswith("cid:"):
            return cid_urls.get(unquote(value[4:]).strip("<>"))
        if _REMOTE.match(value):
            found_remote = True
            return value if allow_remote else None
        # Relative and other sources would be requested from the desk itself
        # with the agent's session, so they are dropped.
        return None

    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags=_DROPPED_WITH_CONTENT,
        attributes=_ATTRIBUTES,
        attribute_filter=filter_attribute,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return SafeHtml(html=cleaned, has_remote_images=found_remote)


def frame_policy(*, allow_remote: bool) -> str:
    """Return the Content-Security-Policy of one message's sandboxed frame."""
    images = "'self' data:" + (" https: http:" if allow_remote else "")
    fonts = "https: http:" if allow_remote else "'none'"
    return (
        f"default-src 'none'; img-src {images}; style-src 'unsafe-inline'; "
        f"font-src {fonts}; base-uri 'none'; form-action 'none'"
    )


def page_policy(*, allow_remote: bool) -> str:
    """Return the Content-Security-Policy of a desk page.

    A ``srcdoc`` frame inherits this policy as well as its own, so a page that
    shows one message's remote images must allow them here too. The frame
    policy of every other message still blocks them.
    """
    images = "'self' data:" + (" https: http:" if allow_remote else "")
    fonts = "'self' https: http:" if allow_remote else "'self'"
    return (
        f"default-src 'self'; img-src {images}; font-src {fonts}; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def frame_document(safe: SafeHtml, *, allow_remote: bool) -> str:
    """Return the full document for an iframe's ``srcdoc`` attribute (not yet escaped)."""
    policy = escape(frame_policy(allow_remote=allow_remote))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<base target="_blank">'
        "<style>body{font-family:system-ui,sans-serif;margin:0.5rem;overflow-wrap:anywhere}"
        "img{max-width:100%;height:auto}</style>"
        f"</head><body>{safe.html}</body></html>"
    )
