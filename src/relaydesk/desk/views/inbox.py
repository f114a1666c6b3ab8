"""The inbox: the ticket lists agents work from."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relaydesk.core import clock
from relaydesk.desk.access import agent_required
from relaydesk.desk.forms import INBOX_VIEW_LABELS, InboxFilterForm
from relaydesk.sla import queries as sla_queries
from relaydesk.tickets import queries
from relaydesk.tickets.queries import INBOX_VIEWS, InboxFilters

PAGE_SIZE = 25


def paginate(request: HttpRequest, items: object) -> Page:
    """Return the requested page; a missing or out-of-range number gives the nearest page."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    sla_state = sort = ""
    if form.is_valid():
        filters = form.filters()
        sla_state, sort = form.cleaned_data["sla"], form.cleaned_data["sort"]
        status = 200
    else:
        filters = InboxFilters()
        status = 400
    now = clock.now()
    tickets = sla_queries.with_sla(queries.inbox(request.user, filters), now)
    if sla_state:
        tickets = sla_queries.filter_sla_state(tickets, sla_state, now)
    if sort == "next_due":
        tickets = sla_queries.order_by_next_due(tickets)
    page = paginate(request, tickets)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "now": now,
        "views": [(view, INBOX_VIEW_LABELS[view]) for view in INBOX_VIEWS],
    }
    return render(request, "desk/inbox.html", context, status=status)
