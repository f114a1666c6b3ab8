"""Production Operations' pages: the triage queue, the incident list and the incident page.

Every page and form here is for back-office agents only; the POST views call
one operations action each (see ``back_office.submit``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relaydesk.core import clock
from relaydesk.core.timeline import events_for
from relaydesk.desk import events, operations_events
from relaydesk.desk.operations_forms import (
    ActionForm,
    ApplyKnownErrorForm,
    CloseIncidentForm,
    IncidentAssignForm,
    IncidentFilterForm,
    RequestChangeForm,
    TransferForm,
)
from relaydesk.desk.views.back_office import back_office_required, submit
from relaydesk.desk.views.inbox import paginate
from relaydesk.operations import actions, queries, suggestions
from relaydesk.operations.actions.changes import INCIDENT_STATUSES_FOR_CHANGE
from relaydesk.operations.actions.incidents import CLOSABLE_STATUSES, WORKING_STATUSES
from relaydesk.operations.errors import IncidentNotFound
from relaydesk.operations.models import Incident, IncidentStatus
from relaydesk.sla import queries as sla_queries

Perform = Callable[[Incident, dict[str, Any]], str]


@dataclass(frozen=True)
class SuggestionRow:
    """A triage suggestion with the number its page and forms are addressed by."""

    suggestion: suggestions.Suggestion
    number: int | None


def suggestion_rows(incident: Incident) -> dict[str, list[SuggestionRow]]:
    """Return the incident's suggestions split into known errors and similar incidents."""
    rows: dict[str, list[SuggestionRow]] = {"known_error": [], "incident": []}
    for found in suggestions.suggestions_for(incident):
        prefix = "KE" if found.kind == "known_error" else "PO"
        rows[found.kind].append(SuggestionRow(found, queries.parse_number(found.reference, prefix)))
    return rows


@back_office_required
def triage_queue(request: HttpRequest) -> HttpResponse:
    incidents = sla_queries.with_sla(queries.triage_queue(request.user), clock.now())
    page = paginate(request, sla_queries.with_next_clock_kind(incidents))
    return render(request, "desk/operations/triage.html", {"page": page})


@back_office_required
def incident_list(request: HttpRequest) -> HttpResponse:
    form = IncidentFilterForm(request.GET)
    # A rejected filter shows no list: the whole list would look like its result.
    page = (
        paginate(request, queries.incident_list(request.user, status=form.cleaned_data["status"]))
        if form.is_valid()
        else None
    )
    context = {"form": form, "page": page}
    return render(request, "desk/operations/incident_list.html", context, status=_status(form))


def _status(form: forms.Form) -> int:
    return 200 if form.is_valid() else 400


def get_incident(request: HttpRequest, number: int) -> Incident:
    try:
        return queries.incident_for(request.user, number)
    except IncidentNotFound:
        raise Http404(f"incident PO-{number} not found") from None


def default_forms(incident: Incident) -> dict[str, forms.Form]:
    resolution = incident.draft_resolution or incident.public_resolution
    return {
        "triage_form": ActionForm(),
        "owner_form": IncidentAssignForm(initial={"assignee": incident.assignee_id}),
        "apply_form": ApplyKnownErrorForm(),
        "transfer_form": TransferForm(),
        "change_form": RequestChangeForm(),
        "close_form": CloseIncidentForm(initial={"resolution": resolution}),
    }


def render_incident(
    request: HttpRequest,
    incident: Incident,
    *,
    bound_forms: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the incident page, showing ``bound_forms`` (with their errors) in place of blanks."""
    rows = suggestion_rows(incident)
    incident_events = list(events_for(incident))
    context = {
        "incident": incident,
        "links": queries.incident_ticket_links(request.user, incident),
        "references": queries.referenced_messages(request.user, incident),
        "changes": queries.incident_changes(incident),
        "timeline": operations_events.lines(incident_events),
        "sla_clocks": sla_queries.incident_clock_views(incident, clock.now()),
        "sla_history": events.sla_lines(incident_events),
        "known_error_suggestions": rows["known_error"],
        "incident_suggestions": rows["incident"],
        "offers_owner": incident.status != IncidentStatus.CLOSED,
        "offers_triage": incident.status == IncidentStatus.NEW,
        "offers_known_error": incident.status in WORKING_STATUSES,
        "offers_transfer": incident.status == IncidentStatus.TRIAGE,
        "offers_change": incident.status in INCIDENT_STATUSES_FOR_CHANGE,
        "offers_close": incident.status in CLOSABLE_STATUSES,
        **default_forms(incident),
        **(bound_forms or {}),
    }
    return render(request, "desk/operations/incident.html", context, status=status)


@back_office_required
def incident_detail(request: HttpRequest, number: int) -> HttpResponse:
    return render_incident(request, get_incident(request, number))


def _submit(
    request: HttpRequest, number: int, form_key: str, form: forms.Form, perform: Perform
) -> HttpResponse:
    incident = get_incident(request, number)

    def render_invalid(invalid: forms.Form, status: int) -> HttpResponse:
        fresh = get_incident(request, number)
        return render_incident(request, fresh, bound_forms={form_key: invalid}, status=status)

    return submit(
        request,
        form,
        lambda data: perform(incident, data),
        success_url=reverse("desk:incident", args=[incident.number]),
        render_invalid=render_invalid,
    )


@back_office_required
@require_POST
def start_triage(request: HttpRequest, number: int) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        actions.start_triage(incident, actor=request.user)
        return _("Triage started.")

    return _submit(request, number, "triage_form", ActionForm(request.POST), perform)


@back_office_required
@require_POST
def apply_known_error(request: HttpRequest, number: int) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        known_error = queries.known_error_for(request.user, data["known_error"])
        already_applied = incident.known_error_id == known_error.pk
        actions.apply_known_error(incident, known_error, actor=request.user)
        if already_applied:
            return _(
                "Known error %(known_error)s was already applied; its workaround went to "
                "the tickets linked since, if any."
            ) % {"known_error": known_error.reference}
        return _("Known error %(known_error)s applied; its workaround went to the tickets.") % {
            "known_error": known_error.reference
        }

    return _submit(request, number, "apply_form", ApplyKnownErrorForm(request.POST), perform)


@back_office_required
@require_POST
def assign(request: HttpRequest, number: int) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        assignee = data["assignee"]
        actions.assign_incident(incident, actor=request.user, assignee=assignee)
        if assignee is None:
            return _("The incident has no owner now.")
        return _("%(agent)s owns the incident now.") % {"agent": assignee}

    return _submit(request, number, "owner_form", IncidentAssignForm(request.POST), perform)


@back_office_required
@require_POST
def transfer(request: HttpRequest, number: int) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        actions.transfer_to_second_line(incident, actor=request.user, note=data["note"])
        return _("Incident transferred to the 2nd line.")

    return _submit(request, number, "transfer_form", TransferForm(request.POST), perform)


@back_office_required
@require_POST
def request_change(request: HttpRequest, number: int) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        change = actions.request_change(
            incident, actor=request.user, title=data["title"], description=data["description"]
        )
        return _("Change %(change)s requested.") % {"change": change.reference}

    return _submit(request, number, "change_form", RequestChangeForm(request.POST), perform)


@back_office_required
@require_POST
def close(request: HttpRequest, number: int) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        actions.close_incident(incident, actor=request.user, resolution=data["resolution"])
        return _("Incident closed; the resolution went to every linked ticket.")

    return _submit(request, number, "close_form", CloseIncidentForm(request.POST), perform)
