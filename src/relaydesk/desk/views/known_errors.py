"""Known error pages for back-office agents: the list, one known error, and the create form."""

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from relaydesk.core.timeline import events_for
from relaydesk.desk import operations_events
from relaydesk.desk.forms import SearchForm
from relaydesk.desk.operations_forms import KnownErrorForm
from relaydesk.desk.views.back_office import Success, back_office_required, submit
from relaydesk.desk.views.inbox import paginate
from relaydesk.operations import actions, queries
from relaydesk.operations.errors import KnownErrorNotFound


@back_office_required
def known_error_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    page = paginate(request, queries.known_error_list(request.user, search=search))
    return render(request, "desk/operations/known_error_list.html", {"form": form, "page": page})


@back_office_required
def known_error_detail(request: HttpRequest, number: int) -> HttpResponse:
    try:
        known_error = queries.known_error_for(request.user, number)
    except KnownErrorNotFound:
        raise Http404(f"known error KE-{number} not found") from None
    context = {
        "known_error": known_error,
        "incidents": queries.known_error_incidents(request.user, known_error),
        "changes": known_error.changes.order_by("number"),
        "timeline": operations_events.lines(events_for(known_error)),
    }
    return render(request, "desk/operations/known_error.html", context)


@back_office_required
def known_error_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, KnownErrorForm(), 200)

    def perform(data: dict[str, Any]) -> Success:
        known_error = actions.create_known_error(actor=request.user, **data)
        return Success(
            _("Known error %(known_error)s recorded.") % {"known_error": known_error.reference},
            reverse("desk:known_error", args=[known_error.number]),
        )

    return submit(
        request,
        KnownErrorForm(request.POST),
        perform,
        success_url=reverse("desk:known_errors"),
        render_invalid=lambda invalid, status: _render_form(request, invalid, status),
    )


def _render_form(request: HttpRequest, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "desk/operations/known_error_form.html", {"form": form}, status=status)
