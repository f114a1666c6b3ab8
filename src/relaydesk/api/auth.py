"""Who is calling: bearer tokens for integrations, the session for the web UI."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from relaydesk.accounts.models import User
from relaydesk.accounts.permissions import can_work_tickets
from relaydesk.accounts.tokens import user_for_token
from relaydesk.api.errors import CsrfFailed, NotAnAgent
from relaydesk.api.problems import TOKEN_REJECTED_ATTRIBUTE


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rd_...`` checked against ``accounts.ApiToken``."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token.strip())
        if user is None:
            setattr(request, TOKEN_REJECTED_ATTRIBUTE, True)
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in agent's Django session, with CSRF checked on unsafe methods.

    A request that carries an Authorization header is judged by its token
    alone, so a wrong token never falls back to a browser's session cookie.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise CsrfFailed(
                _("The CSRF token is missing or wrong: reload the page and try again.")
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return None  # __call__ does the work; the base class requires this method.


def ticket_agent(request: HttpRequest) -> User:
    """Return the authenticated agent, or raise NotAnAgent when they may not work tickets."""
    user: User = request.auth  # type: ignore[attr-defined]
    if not can_work_tickets(user):
        raise NotAnAgent(_("Only agents may use this endpoint: sign in with an agent account."))
    return user


AUTH = [TokenAuth(), SessionAuth()]
