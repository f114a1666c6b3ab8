"""Plans and their entitlements in the administration pages."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relaydesk.accounts.admin_site import AdminRoleModelAdmin, site
from relaydesk.customers.models import Channel, Plan

# Channels a client uses; "agent" marks tickets an agent opened and is no entitlement.
CLIENT_CHANNELS = [choice for choice in Channel.choices if choice[0] != Channel.AGENT]


class PlanForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        choices=CLIENT_CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Channels"),
        help_text=gettext_lazy("Channels the plan may use."),
    )
    hours_only_channels = forms.MultipleChoiceField(
        choices=CLIENT_CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Only during support hours"),
        help_text=gettext_lazy(
            "Of the plan's channels, those open only while the calendar of its SLA policy is open."
        ),
    )

    class Meta:
        model = Plan
        fields = [
            "name",
            "channels",
            "hours_only_channels",
            "csm_required",
            "informs_client_on_close",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        channels = cleaned.get("channels") or []
        outside = [
            name for name in cleaned.get("hours_only_channels") or [] if name not in channels
        ]
        if outside:
            self.add_error(
                "hours_only_channels",
                _(
                    "%(channels)s is not one of the plan's channels: "
                    "tick it under Channels too, or untick it here."
                )
                % {"channels": ", ".join(str(Channel(name).label) for name in outside)},
            )
        return cleaned


@admin.register(Plan, site=site)
class PlanAdmin(AdminRoleModelAdmin):
    form = PlanForm
    list_display = ["name", "code", "csm_required", "informs_client_on_close"]
    readonly_fields = ["code"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Plan codes are fixed to premium and universal, and both are shipped.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Organizations and SLA policies point at their plan.
        return False
