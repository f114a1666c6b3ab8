"""Change and environment pages for back-office agents.

A change page records deployments (by a person; pipelines use the signed
webhook) and test results, each through one operations action.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relaydesk.core.timeline import events_for
from relaydesk.desk import operations_events
from relaydesk.desk.operations_forms import (
    ChangeFilterForm,
    ChangeForm,
    DeployForm,
    TestResultForm,
    split_references,
)
from relaydesk.desk.views.back_office import Success, back_office_required, submit
from relaydesk.desk.views.inbox import paginate
from relaydesk.operations import actions, queries
from relaydesk.operations.errors import ChangeNotFound
from relaydesk.operations.models import Change, ChangeStatus

PerformOnChange = Callable[[Change, dict[str, Any]], str]


@back_office_required
def change_list(request: HttpRequest) -> HttpResponse:
    form = ChangeFilterForm(request.GET)
    # A rejected filter shows no list: the whole list would look like its result.
    page = (
        paginate(request, queries.change_list(request.user, status=form.cleaned_data["status"]))
        if form.is_valid()
        else None
    )
    status = 200 if form.is_valid() else 400
    context = {"form": form, "page": page}
    return render(request, "desk/operations/change_list.html", context, status=status)


@back_office_required
def change_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_create_form(request, ChangeForm(), 200)

    def perform(data: dict[str, Any]) -> Success:
        user = request.user
        incidents = [queries.incident_for(user, ref) for ref in split_references(data["incidents"])]
        known_errors = [
            queries.known_error_for(user, ref) for ref in split_references(data["known_errors"])
        ]
        change = actions.create_change(
            actor=user,
            title=data["title"],
            description=data["description"],
            incidents=incidents,
            known_errors=known_errors,
        )
        return Success(
            _("Change %(change)s recorded.") % {"change": change.reference},
            reverse("desk:change", args=[change.number]),
        )

    return submit(
        request,
        ChangeForm(request.POST),
        perform,
        success_url=reverse("desk:changes"),
        render_invalid=lambda invalid, status: _render_create_form(request, invalid, status),
    )


def _render_create_form(request: HttpRequest, form: forms.Form, status: int) -> HttpResponse:
    return render(request, "desk/operations/change_form.html", {"form": form}, status=status)


def get_change(request: HttpRequest, number: int) -> Change:
    try:
        return queries.change_for(request.user, number)
    except ChangeNotFound:
        raise Http404(f"change CHG-{number} not found") from None


def render_change(
    request: HttpRequest,
    change: Change,
    *,
    bound_forms: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the change page, showing ``bound_forms`` (with their errors) in place of blanks."""
    context = {
        "change": change,
        "timeline": operations_events.lines(events_for(change)),
        "offers_test_result": change.status == ChangeStatus.IN_TEST,
        "deploy_form": DeployForm(initial={"version": change.current_version}),
        "test_form": TestResultForm(),
        **(bound_forms or {}),
    }
    return render(request, "desk/operations/change.html", context, status=status)


@back_office_required
def change_detail(request: HttpRequest, number: int) -> HttpResponse:
    return render_change(request, get_change(request, number))


def _submit_on_change(
    request: HttpRequest, number: int, form_key: str, form: forms.Form, perform: PerformOnChange
) -> HttpResponse:
    change = get_change(request, number)

    def render_invalid(invalid: forms.Form, status: int) -> HttpResponse:
        fresh = get_change(request, number)
        return render_change(request, fresh, bound_forms={form_key: invalid}, status=status)

    return submit(
        request,
        form,
        lambda data: perform(change, data),
        success_url=reverse("desk:change", args=[change.number]),
        render_invalid=render_invalid,
    )


@back_office_required
@require_POST
def deploy(request: HttpRequest, number: int) -> HttpResponse:
    def perform(change: Change, data: dict[str, Any]) -> str:
        environment = data["environment"]
        actions.deploy_to_environment(
            change,
            environment,
            version=data["version"],
            actor=request.user,
            outcome=data["outcome"],
            notes=data["notes"],
            override_reason=data["override_reason"],
        )
        return _("Deployment of version %(version)s to %(environment)s recorded.") % {
            "version": data["version"],
            "environment": environment.name,
        }

    return _submit_on_change(request, number, "deploy_form", DeployForm(request.POST), perform)


@back_office_required
@require_POST
def record_test_result(request: HttpRequest, number: int) -> HttpResponse:
    def perform(change: Change, data: dict[str, Any]) -> str:
        passed = data["result"] == "passed"
        actions.record_test_result(change, actor=request.user, passed=passed, notes=data["notes"])
        return _("Test result recorded.")

    form = TestResultForm(request.POST)
    return _submit_on_change(request, number, "test_form", form, perform)


@back_office_required
def environment_list(request: HttpRequest) -> HttpResponse:
    environments = queries.environment_list(request.user)
    return render(request, "desk/operations/environment_list.html", {"environments": environments})
