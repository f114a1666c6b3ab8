"""Access checks and form submission shared by the escalation and back-office pages.

A POST view parses its form, calls one action and redirects with a message
(post, redirect, get). On bad input it renders the page again with the
form's errors and changes nothing: HTTP 409 when the record's state forbids
the action, 403 when the agent's role does, 400 otherwise.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relaydesk.accounts import permissions
from relaydesk.core.errors import Conflict, DomainError, PermissionDenied
from relaydesk.desk.access import View, agent_required

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Success:
    """The outcome of a form's action: the message to show and the page to redirect to."""

    message: str
    url: str


Perform = Callable[[dict[str, Any]], "str | Success"]
RenderInvalid = Callable[[forms.Form, int], HttpResponse]


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "desk/operations/forbidden.html", {"reason": reason}, status=403)


def back_office_required(view: View) -> View:
    """Let only back-office agents through; others get 403, anonymous users the login page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_work_back_office(request.user):
            return forbidden(
                request,
                _("Only Production Operations, 2nd line and release agents can open this page."),
            )
        return view(request, *args, **kwargs)

    return agent_required(wrapper)


def error_status(error: DomainError) -> int:
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, PermissionDenied):
        return 403
    return 400


def submit(
    request: HttpRequest,
    form: forms.Form,
    perform: Perform,
    *,
    success_url: str,
    render_invalid: RenderInvalid,
) -> HttpResponse:
    """Validate ``form``, run ``perform`` and redirect, or render the page with the errors."""
    status = 400
    if form.is_valid():
        try:
            success = perform(form.cleaned_data)
        except DomainError as error:
            logger.info(
                "desk operations action rejected",
                extra={"form": type(form).__name__, "code": error.code, "path": request.path},
            )
            form.add_error(None, error.message)
            status = error_status(error)
        else:
            if isinstance(success, Success):
                success_url = success.url
                success = success.message
            messages.success(request, success)
            return redirect(success_url)
    return render_invalid(form, status)
