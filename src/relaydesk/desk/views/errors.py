"""The desk's page for a form that failed Django's CSRF check."""

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

logger = logging.getLogger(__name__)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Explain a rejected form in the agent's language, with a way back to it.

    Django's own page points to DEBUG for details and is partly in English.
    The usual cause is a page opened before the agent signed in again, whose
    form still carries the old session's token.
    """
    logger.info("form rejected by the CSRF check", extra={"path": request.path, "reason": reason})
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return render(request, "csrf_failure.html", {"back_url": referer if safe else "/"}, status=403)
