"""The administration pages at ``/admin/``, open to agents with the admin role.

Admins edit the records that shape the service here: agents and teams,
client organizations and contacts, plans and their entitlements, business
calendars, SLA policies and deploy environments. They also retry or discard
quarantined inbound e-mail. Each app registers its
models with ``site`` in its ``admin`` module, on ``AdminRoleModelAdmin``.
"""

import logging
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from relaydesk.accounts import permissions
from relaydesk.core.errors import ValidationFailed

logger = logging.getLogger(__name__)


def is_admin(request: HttpRequest) -> bool:
    return permissions.can_administer(request.user)


class RelaydeskAdminSite(admin.AdminSite):
    site_header = _("relaydesk administration")
    site_title = _("relaydesk administration")
    index_title = _(
        "Agents, clients, plans, calendars, SLA policies, environments and the e-mail quarantine"
    )
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def i18n_javascript(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return AdminJavaScriptCatalog.as_view(packages=["django.contrib.admin"])(request)


class AdminJavaScriptCatalog(JavaScriptCatalog):
    """The admin scripts' strings, with relaydesk's catalogue read after Django's.

    Django's Portuguese catalogue leaves the team-membership widget's help
    untranslated, so the pt-PT pages showed it in English.
    """

    def get_paths(self, packages: list[str]) -> list[str]:
        return [*super().get_paths(packages), *(str(path) for path in settings.LOCALE_PATHS)]


site = RelaydeskAdminSite(name="admin")


class AdminRoleModelAdmin(admin.ModelAdmin):
    """A model admin whose every permission is the admin role."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)


class AdminRoleInline(admin.TabularInline):
    """An inline with the same permissions as ``AdminRoleModelAdmin``."""

    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)


def checked(check: Callable[..., Any], *args: Any) -> Any:
    """Run a domain ``check_*`` function; its ValidationFailed becomes a form error."""
    try:
        return check(*args)
    except ValidationFailed as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class SavedThroughActions(AdminRoleModelAdmin):
    """A model admin that saves through a create and an update action instead of ``Model.save``.

    The actions take the form's fields as keyword arguments and the admin as
    ``actor``, so each save is validated and written to the timeline.
    """

    create: Callable[..., Any]
    update: Callable[..., Any]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationFailed, IntegrityError):
            if request.method != "POST":
                raise
            # Another admin took one of the form's unique values (a domain, an
            # address or a name) after the form checked it. The admin's
            # transaction rolled back, and the form, checked again, now shows
            # the conflict on its field.
            logger.info(
                "admin form changed concurrently; checking it again",
                extra={"model": self.model._meta.label, "object": object_id},
            )
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if change:
            saved = self.update(obj, actor=request.user, **values)
        else:
            saved = self.create(actor=request.user, **values)
        obj.pk = saved.pk
        obj._state.adding = False
