"""POST endpoints of the ticket page. Each calls one tickets action, then redirects.

On success the view redirects back to the ticket with a message (post,
redirect, get). On bad input it renders the ticket page again with the form's
errors: HTTP 409 when the ticket's state forbids the change, 400 otherwise.
An action that the agent's role may not take returns 403 with the reason.
"""

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relaydesk.core.errors import Conflict, DomainError, PermissionDenied
from relaydesk.desk.access import agent_required
from relaydesk.desk.forms import AssignForm, NoteForm, PriorityForm, ReplyForm, StatusForm
from relaydesk.desk.views.back_office import forbidden
from relaydesk.desk.views.ticket import get_ticket, render_ticket
from relaydesk.tickets import actions
from relaydesk.tickets.models import Ticket

logger = logging.getLogger(__name__)

Perform = Callable[[Ticket, dict[str, Any]], str]
BuildForm = Callable[[Ticket], forms.Form]


def _submit(
    request: HttpRequest, number: int, form_key: str, build_form: BuildForm, perform: Perform
) -> HttpResponse:
    """Validate the form, run ``perform`` and redirect, or show the errors on the ticket page."""
    ticket = get_ticket(number)
    form = build_form(ticket)
    status = 400
    if form.is_valid():
        try:
            success = perform(ticket, form.cleaned_data)
        except DomainError as error:
            logger.info(
                "desk action rejected",
                extra={"ticket": ticket.number, "form": form_key, "code": error.code},
            )
            if isinstance(error, PermissionDenied):
                # The agent's role has no such form on the page to show the error on.
                return forbidden(request, error.message)
            form.add_error(None, error.message)
            status = 409 if isinstance(error, Conflict) else 400
        else:
            messages.success(request, success)
            return redirect("desk:ticket", number=ticket.number)
    return render_ticket(request, ticket, bound_forms={form_key: form}, status=status)


@agent_required
@require_POST
def reply(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> str:
        message = actions.reply(
            ticket, author=request.user, text=data["text"], status=data["status"] or None
        )
        if message.delivery_status:
            return _("Reply queued for sending to the client.")
        return _("Reply added. The ticket has no contact to send it to.")

    def build_form(ticket: Ticket) -> forms.Form:
        return ReplyForm(request.POST, ticket=ticket)

    return _submit(request, number, "reply_form", build_form, perform)


@agent_required
@require_POST
def note(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> str:
        actions.add_note(ticket, author=request.user, text=data["text"])
        return _("Internal note added.")

    return _submit(request, number, "note_form", lambda _ticket: NoteForm(request.POST), perform)


@agent_required
@require_POST
def assign(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> str:
        actions.assign(ticket, actor=request.user, assignee=data["assignee"], team=data["team"])
        return _("Assignment saved.")

    return _submit(
        request, number, "assign_form", lambda _ticket: AssignForm(request.POST), perform
    )


@agent_required
@require_POST
def change_status(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> str:
        # A page loaded before another agent changed the status may ask for the
        # status the ticket already has; the action then changes nothing.
        changed = actions.change_status(ticket, actor=request.user, status=data["status"])
        if changed.updated_at == ticket.updated_at:
            return _("The ticket is already “%(status)s”: nothing changed.") % {
                "status": changed.get_status_display()
            }
        return _("Status changed.")

    def build_form(ticket: Ticket) -> forms.Form:
        return StatusForm(request.POST, ticket=ticket)

    return _submit(request, number, "status_form", build_form, perform)


@agent_required
@require_POST
def change_priority(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> str:
        changed = actions.change_priority(ticket, actor=request.user, priority=data["priority"])
        if changed.updated_at == ticket.updated_at:
            return _("The ticket already has priority “%(priority)s”: nothing changed.") % {
                "priority": changed.get_priority_display()
            }
        return _("Priority changed.")

    return _submit(
        request, number, "priority_form", lambda _ticket: PriorityForm(request.POST), perform
    )
