"""The ticket page's case block: escalate or link the ticket, then follow its incident.

``case_context`` is called by the ticket view; the block is
``desk/operations/_ticket_case.html``. Front-office agents see the incident
only through ``queries.TicketCase``, which contains no back-office internals.
"""

from collections.abc import Sequence

from django.http import HttpRequest

from relaydesk.accounts import permissions
from relaydesk.core.errors import DomainError
from relaydesk.desk.operations_forms import (
    EscalateForm,
    IncidentSearchForm,
    InformClientForm,
    LinkIncidentForm,
)
from relaydesk.operations import queries
from relaydesk.operations.actions.clients import client_message
from relaydesk.operations.actions.incidents import ESCALATABLE_TICKET_STATUSES
from relaydesk.operations.models import Incident, IncidentStatus
from relaydesk.tickets.models import Message, Status, Ticket


def case_context(
    request: HttpRequest, ticket: Ticket, messages: Sequence[Message]
) -> dict[str, object]:
    """Return the template context of the case block for this agent and ticket.

    ``messages`` are the ticket's messages, already loaded for the conversation;
    the escalate form offers them as references.
    """
    user = request.user
    case = queries.ticket_case(user, ticket.pk)
    escalatable = ticket.status in ESCALATABLE_TICKET_STATUSES
    # A ticket that the client reopened after its incident closed may be escalated again.
    escalates_again = (
        case is not None and case.incident_status == IncidentStatus.CLOSED and escalatable
    )
    context: dict[str, object] = {
        "case": case,
        "case_links_to_incident": permissions.can_work_back_office(user),
        "case_offers_escalation": (case is None or escalates_again)
        and permissions.can_escalate(user),
        "case_escalates_again": escalates_again,
        "case_escalatable": escalatable,
        "case_offers_inform": False,
    }
    if context["case_offers_escalation"]:
        context.update(escalation_forms(request, ticket, messages))
    if case is not None and permissions.can_inform_client(user):
        context["case_offers_inform"] = ticket.status == Status.SOLUTION_RECEIVED
        if context["case_offers_inform"]:
            context["inform_form"] = InformClientForm(initial={"text": prefilled_message(ticket)})
    return context


def escalation_forms(
    request: HttpRequest, ticket: Ticket, messages: Sequence[Message]
) -> dict[str, object]:
    """Return the blank escalate form and the link form with the incident search's results."""
    data = request.POST if request.method == "POST" else request.GET
    search_form = IncidentSearchForm(data or None)
    search = search_form.cleaned_data["incident_q"] if search_form.is_valid() else ""
    matches = queries.open_incidents_matching(request.user, search)
    return {
        "escalate_form": EscalateForm(
            initial={"summary": ticket.subject}, ticket_messages=messages
        ),
        "incident_search_form": search_form,
        "incident_search": search,
        "incident_matches": matches,
        "link_form": LinkIncidentForm(choices=incident_choices(matches)),
    }


def ticket_messages(ticket: Ticket) -> list[Message]:
    return list(
        Message.objects.filter(ticket=ticket)
        .select_related("author", "contact")
        .order_by("created_at", "id")
    )


def incident_choices(incidents: list[Incident]) -> list[tuple[str, str]]:
    return [
        (incident.reference, f"{incident.reference} · {incident.summary}") for incident in incidents
    ]


def prefilled_message(ticket: Ticket) -> str:
    """Return the default message to the client in the contact's language, or ""."""
    link = queries.ticket_link(ticket.pk)
    if link is None:
        return ""
    try:
        return client_message(link)
    except DomainError:
        return ""
