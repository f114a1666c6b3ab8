"""Environments in the administration pages.

Environments are saved and deleted through ``operations.actions``, so each
change is validated as the actions validate it and written to the timeline.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from relaydesk.accounts.admin_site import SavedThroughActions, checked, site
from relaydesk.operations import actions
from relaydesk.operations.actions.environments import check_environment_name
from relaydesk.operations.models import Environment


class EnvironmentForm(forms.ModelForm):
    class Meta:
        model = Environment
        fields = ["name", "kind", "order"]
        help_texts = {
            "name": gettext_lazy(
                "The name that agents, the API and the deployment webhook use, such as test."
            ),
            "kind": gettext_lazy(
                "A successful deployment to a test environment puts the change in test. "
                "One to production marks it deployed and resolves its incidents."
            ),
            "order": gettext_lazy(
                "Lower numbers come first in lists and error messages, so give test "
                "environments lower numbers than production."
            ),
        }

    def clean_name(self) -> str:
        owner = self.instance if self.instance.pk else None
        return checked(check_environment_name, self.cleaned_data["name"], owner)


@admin.register(Environment, site=site)
class EnvironmentAdmin(SavedThroughActions):
    form = EnvironmentForm
    create = staticmethod(actions.create_environment)
    update = staticmethod(actions.update_environment)
    list_display = ["name", "kind", "order"]
    list_filter = ["kind"]
    ordering = ["order", "name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deployments keep their environment, so only an unused one may go.
        if obj is not None and obj.deployments.exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The bulk delete skips delete_model, so it would bypass the action.
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    def delete_model(self, request: HttpRequest, obj: Environment) -> None:
        actions.delete_environment(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Environment]) -> None:
        for environment in queryset:
            actions.delete_environment(environment, actor=request.user)
