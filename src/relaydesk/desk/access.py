"""Access rules of the desk pages and the language each agent sees them in."""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from relaydesk.accounts.permissions import can_work_tickets
from relaydesk.desk.html import page_policy

View = Callable[..., HttpResponse]


def language_code_for(locale: str) -> str | None:
    """Return the configured language code for a stored locale such as ``pt_PT``, or None."""
    normalised = locale.strip().lower().replace("_", "-")
    codes = [code for code, _name in settings.LANGUAGES]
    return normalised if normalised in codes else None


def agent_required(view: View) -> View:
    """Let only signed-in agents through: others go to the login page or get 403.

    The agent's saved ``locale`` decides the language of the page, ahead of the
    browser's Accept-Language; the language switcher updates that field.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_work_tickets(request.user):
            raise PermissionDenied
        language = language_code_for(request.user.locale) or translation.get_language()
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = page_policy(allow_remote=False)
        return response

    return wrapper
