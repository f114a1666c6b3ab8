"""The inbox: the ticket lists agents work from."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relaydesk.accounts.models import Role, User
from relaydesk.core import clock
from relaydesk.customers.models import Organization
from relaydesk.desk.access import agent_required
from relaydesk.desk.forms import INBOX_VIEW_LABELS, InboxFilterForm
from relaydesk.sla import queries as sla_queries
from relaydesk.tickets import queries
from relaydesk.tickets.queries import INBOX_VIEWS, InboxFilters

PAGE_SIZE = 25


def paginate(request: HttpRequest, items: object) -> Page:
    """Return the requested page; a missing, unreadable or out-of-range number gives the nearest.

    Django's ``get_page`` gives the last page for 0 and negative numbers,
    which are nearer the first.
    """
    number = request.GET.get("page", "")
    if number.strip().lstrip("-").isdigit() and int(number) < 1:
        number = "1"
    return Paginator(items, PAGE_SIZE).get_page(number)


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    if not form.is_valid():
        return _rejected_filters(request, form)

    filters = form.filters()
    sla_state, sort = form.cleaned_data["sla"], form.cleaned_data["sort"]
    now = clock.now()
    tickets = sla_queries.with_sla(queries.inbox(request.user, filters), now)
    if sla_state:
        tickets = sla_queries.filter_sla_state(tickets, sla_state, now)
    if sort == "next_due":
        tickets = sla_queries.order_by_next_due(tickets)
    context = {
        "form": form,
        "filters": filters,
        "page": paginate(request, tickets),
        "now": now,
        "views": _view_tabs(request.user),
    }
    return render(request, "desk/inbox.html", context)


def _rejected_filters(request: HttpRequest, form: InboxFilterForm) -> HttpResponse:
    """Render the form with its errors and no ticket list, with status 400.

    An unfiltered or partly filtered list would look like the result of the
    requested filters, and an agent could act on tickets they did not ask for.
    """
    context = {
        "form": form,
        "filters": InboxFilters(view=form.view_in_force()),
        "page": None,
        "views": _view_tabs(request.user),
        # The tabs drop the invalid filters, or each would show this page again.
        "rejected": True,
    }
    return render(request, "desk/inbox.html", context, status=400)


def _view_tabs(agent: User) -> list[tuple[str, str]]:
    """Return the view tabs; "My clients" only for an agent who is some client's CSM."""
    views = [view for view in INBOX_VIEWS if view != "clients" or _is_a_csm(agent)]
    return [(view, str(INBOX_VIEW_LABELS[view])) for view in views]


def _is_a_csm(agent: User) -> bool:
    return agent.role == Role.CSM or Organization.objects.filter(csm=agent).exists()
