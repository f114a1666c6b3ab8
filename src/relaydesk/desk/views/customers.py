"""Organization and contact pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from relaydesk.core import clock
from relaydesk.customers import queries as customer_queries
from relaydesk.customers.models import Contact, Organization
from relaydesk.desk.access import agent_required
from relaydesk.desk.forms import SearchForm
from relaydesk.desk.views.inbox import paginate
from relaydesk.sla import queries as sla_queries
from relaydesk.tickets import queries as ticket_queries
from relaydesk.tickets.models import Ticket

# Maximum rows in the ticket table of each page. The organization page links
# to the inbox for the rest of its open tickets.
ORGANIZATION_TICKETS = 20
CONTACT_TICKETS = 50


def _search_text(request: HttpRequest) -> tuple[SearchForm, str]:
    form = SearchForm(request.GET)
    return form, form.cleaned_data["q"] if form.is_valid() else ""


def _ticket_table(tickets: QuerySet[Ticket], limit: int) -> dict[str, Any]:
    """Return the first ``limit`` tickets with their SLA state, and the ``now`` the badges need."""
    now = clock.now()
    return {"tickets": list(sla_queries.with_sla(tickets, now)[:limit]), "now": now}


@agent_required
def organization_list(request: HttpRequest) -> HttpResponse:
    form, search = _search_text(request)
    page = paginate(request, customer_queries.organization_list(search))
    return render(request, "desk/organization_list.html", {"form": form, "page": page})


@agent_required
def organization_detail(request: HttpRequest, organization_id: int) -> HttpResponse:
    try:
        organization = customer_queries.organization_detail(organization_id)
    except Organization.DoesNotExist:
        raise Http404(f"organization {organization_id} not found") from None
    context = {
        "organization": organization,
        **_ticket_table(
            ticket_queries.tickets_for_organization(organization), ORGANIZATION_TICKETS
        ),
    }
    return render(request, "desk/organization.html", context)


@agent_required
def contact_list(request: HttpRequest) -> HttpResponse:
    form, search = _search_text(request)
    page = paginate(request, customer_queries.contact_list(search))
    return render(request, "desk/contact_list.html", {"form": form, "page": page})


@agent_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    try:
        contact = customer_queries.contact_detail(contact_id)
    except Contact.DoesNotExist:
        raise Http404(f"contact {contact_id} not found") from None
    context = {
        "contact": contact,
        **_ticket_table(ticket_queries.tickets_for_contact(contact), CONTACT_TICKETS),
    }
    return render(request, "desk/contact.html", context)
