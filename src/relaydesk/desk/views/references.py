"""Redirect a record's human reference in a URL (``/tickets/CS-6/``) to its page."""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.shortcuts import redirect


def reference_redirect(
    request: HttpRequest, number: str, url_name: str
) -> HttpResponsePermanentRedirect:
    """Redirect permanently to the page ``url_name`` of record ``number``.

    Agents copy references such as ``CS-6`` from e-mail and chat, while the
    pages' own URLs, like the API, also take the bare number.
    """
    return redirect(url_name, number=int(number), permanent=True)
