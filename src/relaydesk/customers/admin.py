"""Organizations, contacts, and plans with their entitlements, in the administration pages.

Organizations and contacts are saved through ``customers.actions``, so each
change is validated as the actions validate it and written to the timeline.
The forms run the same checks first, so bad input is shown on the form and
nothing is stored.
"""

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relaydesk.accounts.admin_site import AdminRoleModelAdmin, SavedThroughActions, checked, site
from relaydesk.accounts.models import Role, User
from relaydesk.core.languages import language_name
from relaydesk.customers import actions
from relaydesk.customers.models import Channel, Contact, Organization, Plan

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


def _entries(text: str) -> list[str]:
    """Split a list typed one per line, or separated by commas or semicolons.

    Spaces do not separate entries, so a phone number may be typed as +351 21 123 4567.
    """
    return [entry.strip() for entry in re.split(r"[\n,;]+", text) if entry.strip()]


def _list_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class OrganizationForm(forms.ModelForm):
    locale = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    domains = _list_field(
        gettext_lazy("E-mail domains"),
        gettext_lazy("One per line. New senders at these domains join the organization."),
    )

    class Meta:
        model = Organization
        fields = ["name", "plan", "csm", "locale", "time_zone", "domains"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only active CSMs are offered. A CSM chosen before, who no longer is
        # one, stays on the list, so that the page shows it and the message of
        # check_csm explains why it is rejected.
        current = Q(pk=self.instance.csm_id) if self.instance.csm_id else Q(pk__in=[])
        csm = self.fields["csm"]
        csm.queryset = User.objects.filter(Q(role=Role.CSM, is_active=True) | current)
        csm.error_messages["invalid_choice"] = gettext_lazy(
            "Choose an active agent with the Customer Success Manager role."
        )
        if self.instance.pk:
            self.initial["domains"] = "\n".join(
                self.instance.domains.values_list("domain", flat=True)
            )

    def clean_name(self) -> str:
        return checked(actions.check_organization_name, self.cleaned_data["name"])

    def clean_time_zone(self) -> str:
        return checked(actions.check_time_zone, self.cleaned_data["time_zone"])

    def clean_domains(self) -> list[str]:
        owner = self.instance if self.instance.pk else None
        return checked(actions.check_domains, _entries(self.cleaned_data["domains"]), owner)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A CSM the field rejected reads as none, which would add a second message.
        if cleaned.get("plan") is not None and "csm" not in self.errors:
            try:
                checked(actions.check_csm, cleaned["plan"], cleaned.get("csm"))
            except forms.ValidationError as error:
                self.add_error("csm", error)
        return cleaned


@admin.register(Organization, site=site)
class OrganizationAdmin(SavedThroughActions):
    form = OrganizationForm
    create = staticmethod(actions.create_organization)
    update = staticmethod(actions.update_organization)
    list_display = ["name", "plan", "csm", "language", "time_zone", "domain_list"]
    list_filter = ["plan"]
    search_fields = ["name", "domains__domain"]
    list_select_related = ["plan", "csm"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description=gettext_lazy("E-mail domains"))
    def domain_list(self, organization: Organization) -> str:
        return ", ".join(domain.domain for domain in organization.domains.all())

    @admin.display(description=gettext_lazy("Language"), ordering="locale")
    def language(self, organization: Organization) -> str:
        return language_name(organization.locale)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Contacts and tickets keep pointing at their organization.
        return False


class ContactForm(forms.ModelForm):
    locale = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=[("", gettext_lazy("The organization's language")), *settings.LANGUAGES],
        required=False,
    )
    emails = _list_field(
        gettext_lazy("E-mail addresses"),
        gettext_lazy("One per line. Mail from these addresses comes from this contact."),
    )
    phones = _list_field(
        gettext_lazy("Phone numbers"),
        gettext_lazy(
            "One per line, in E.164 form with the country code, such as +351211234567. "
            "Spaces are allowed, but letters and extensions are not."
        ),
    )

    class Meta:
        model = Contact
        fields = ["name", "organization", "locale", "emails", "phones"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["emails"] = "\n".join(
                self.instance.emails.values_list("address", flat=True)
            )
            self.initial["phones"] = "\n".join(
                self.instance.phones.values_list("number", flat=True)
            )

    def _owner(self) -> Contact | None:
        return self.instance if self.instance.pk else None

    def clean_emails(self) -> list[str]:
        entries = _entries(self.cleaned_data["emails"])
        return checked(actions.check_contact_addresses, entries, [], self._owner())[0]

    def clean_phones(self) -> list[str]:
        entries = _entries(self.cleaned_data["phones"])
        return checked(actions.check_contact_addresses, [], entries, self._owner())[1]


@admin.register(Contact, site=site)
class ContactAdmin(SavedThroughActions):
    form = ContactForm
    create = staticmethod(actions.create_contact)
    update = staticmethod(actions.update_contact)
    list_display = ["__str__", "organization", "email_list", "phone_list", "language"]
    list_filter = ["organization__plan"]
    search_fields = ["name", "emails__address", "phones__number", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Contact]:
        return super().get_queryset(request).prefetch_related("emails", "phones")

    @admin.display(description=gettext_lazy("E-mail addresses"))
    def email_list(self, contact: Contact) -> str:
        return ", ".join(email.address for email in contact.emails.all())

    @admin.display(description=gettext_lazy("Phone numbers"))
    def phone_list(self, contact: Contact) -> str:
        return ", ".join(phone.number for phone in contact.phones.all())

    @admin.display(description=gettext_lazy("Language"), ordering="locale")
    def language(self, contact: Contact) -> str:
        # An empty language means the organization's, which the contact page shows.
        return language_name(contact.locale) if contact.locale else ""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Tickets keep pointing at their contact.
        return False
