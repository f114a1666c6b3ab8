"""POST endpoints of the ticket page's case block: escalate, link, inform the client.

Each calls one operations action; ``back_office.submit`` describes the
responses to bad input.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relaydesk.accounts import permissions
from relaydesk.desk.access import agent_required
from relaydesk.desk.operations_forms import EscalateForm, InformClientForm, LinkIncidentForm
from relaydesk.desk.views.back_office import forbidden, submit
from relaydesk.desk.views.ticket import get_ticket, render_ticket
from relaydesk.desk.views.ticket_case import incident_choices, ticket_messages
from relaydesk.operations import actions, queries
from relaydesk.tickets.models import Ticket


def _submit_on_ticket(
    request: HttpRequest,
    ticket: Ticket,
    form_key: str,
    form: forms.Form,
    perform: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    def render_invalid(invalid: forms.Form, status: int) -> HttpResponse:
        return render_ticket(request, ticket, bound_forms={form_key: invalid}, status=status)

    url = reverse("desk:ticket", args=[ticket.number]) + "#case-heading"
    return submit(request, form, perform, success_url=url, render_invalid=render_invalid)


def _front_office_only(request: HttpRequest) -> HttpResponse | None:
    if permissions.can_escalate(request.user):
        return None
    return forbidden(request, _("Only Customer Service agents and CSMs can do this."))


@agent_required
@require_POST
def escalate(request: HttpRequest, number: int) -> HttpResponse:
    denied = _front_office_only(request)
    if denied is not None:
        return denied
    ticket = get_ticket(number)
    form = EscalateForm(request.POST, ticket_messages=ticket_messages(ticket))

    def perform(data: dict[str, Any]) -> str:
        incident = actions.escalate_ticket(
            ticket,
            actor=request.user,
            summary=data["summary"],
            impact=data["impact"],
            urgency=data["urgency"],
            message_ids=data["messages"],
        )
        return _("Ticket escalated to incident %(incident)s.") % {"incident": incident.reference}

    return _submit_on_ticket(request, ticket, "escalate_form", form, perform)


@agent_required
@require_POST
def link_incident(request: HttpRequest, number: int) -> HttpResponse:
    denied = _front_office_only(request)
    if denied is not None:
        return denied
    ticket = get_ticket(number)

    def perform(data: dict[str, Any]) -> str:
        incident = queries.incident_for(request.user, data["incident"])
        actions.link_ticket(ticket, incident, actor=request.user)
        return _("Ticket linked to incident %(incident)s.") % {"incident": incident.reference}

    # Offer the search results the agent chose from again, should the link fail.
    matches = queries.open_incidents_matching(request.user, request.POST.get("incident_q", ""))
    form = LinkIncidentForm(request.POST, choices=incident_choices(matches))
    return _submit_on_ticket(request, ticket, "link_form", form, perform)


@agent_required
@require_POST
def inform_client(request: HttpRequest, number: int) -> HttpResponse:
    if not permissions.can_inform_client(request.user):
        return forbidden(request, _("Only Customer Service agents and CSMs can do this."))
    ticket = get_ticket(number)

    def perform(data: dict[str, Any]) -> str:
        actions.inform_client(ticket, actor=request.user, text=data["text"])
        return _("Client informed. The ticket is solved.")

    form = InformClientForm(request.POST)
    return _submit_on_ticket(request, ticket, "inform_form", form, perform)
