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


class AgentLanguageMiddleware:
    """Show every page to a signed-in user in the language of their saved ``locale``.

    It runs after the session's user is known, ahead of the browser's
    Accept-Language, which LocaleMiddleware has applied. Being a middleware,
    it also covers the administration pages and the error pages that Django
    renders for a failed view. The language switcher updates ``locale``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = language_code_for(user.locale) if user and user.is_authenticated else None
        if language is None:
            return self.get_response(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers["Content-Language"] = language
        return response


def agent_required(view: View) -> View:
    """Let only signed-in agents through: others go to the login page or get 403."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_work_tickets(request.user):
            raise PermissionDenied
        response = view(request, *args, **kwargs)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = page_policy(allow_remote=False)
        return response

    return wrapper
