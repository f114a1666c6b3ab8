"""The inbox: the ticket lists agents work from."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relaydesk.desk.access import agent_required
from relaydesk.desk.forms import INBOX_VIEW_LABELS, InboxFilterForm
from relaydesk.tickets import queries
from relaydesk.tickets.queries import INBOX_VIEWS, InboxFilters

PAGE_SIZE = 25


def paginate(request: HttpRequest, items: object) -> Page:
    """Return the requested page; a missing or out-of-range number gives the nearest page."""
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET)
    if form.is_valid():
        filters = form.filters()
        status = 200
    else:
        filters = InboxFilters()
        status = 400
    page = paginate(request, queries.inbox(request.user, filters))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "views": [(view, INBOX_VIEW_LABELS[view]) for view in INBOX_VIEWS],
    }
    return render(request, "desk/inbox.html", context, status=status)
