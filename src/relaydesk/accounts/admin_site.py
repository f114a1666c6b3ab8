"""The administration pages at ``/admin/``, open to agents with the admin role.

Admins edit the records that shape the service here: client organizations
and contacts, plans and their entitlements, business calendars and SLA
policies. Each app registers its
models with ``site`` in its ``admin`` module, on ``AdminRoleModelAdmin``.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts import permissions
from relaydesk.core.errors import ValidationFailed


def is_admin(request: HttpRequest) -> bool:
    return permissions.can_administer(request.user)


class RelaydeskAdminSite(admin.AdminSite):
    site_header = _("relaydesk administration")
    site_title = _("relaydesk administration")
    index_title = _("Clients, plans, calendars and SLA policies")
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)


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
