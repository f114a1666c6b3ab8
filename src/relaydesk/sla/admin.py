"""Business calendars and SLA policies in the administration pages.

Every form runs the same ``sla.checks`` as the actions, so an admin gets the
same clear errors and the stored rows always build a valid calendar.
"""

from datetime import time
from typing import Any

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from relaydesk.accounts.admin_site import AdminRoleInline, AdminRoleModelAdmin, checked, site
from relaydesk.sla.checks import (
    MAX_TARGET_MINUTES,
    check_24x7_without_hours,
    check_calendar_date,
    check_calendar_has_hours,
    check_holiday_region,
    check_incident_minutes,
    check_opening_interval,
    check_sla_minutes,
    check_target_minutes,
    check_time_zone,
    check_weekly_hours,
)
from relaydesk.sla.models import (
    Calendar,
    CalendarDate,
    IncidentPolicy,
    OpeningInterval,
    SlaPolicy,
)


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "holiday_country", "holiday_subdivision", "is_24x7"]
        help_texts = {
            "is_24x7": gettext_lazy(
                "Open every whole day, in place of opening intervals, so a calendar open "
                "24x7 has none. Public holidays and calendar dates still apply."
            )
        }

    def clean_time_zone(self) -> str:
        return checked(check_time_zone, self.cleaned_data["time_zone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        country = cleaned.get("holiday_country", "")
        subdivision = cleaned.get("holiday_subdivision", "")
        try:
            country, subdivision = checked(check_holiday_region, country, subdivision)
        except forms.ValidationError as error:
            self.add_error("holiday_country", error)
            return cleaned
        cleaned["holiday_country"], cleaned["holiday_subdivision"] = country, subdivision
        return cleaned


class NamesInvalidValue(forms.Field):
    """A form field whose message for a value it cannot read names the value and its format."""

    invalid_message: str

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                self.invalid_message, code="invalid", params={"value": str(value).strip()}
            ) from None


class ClockTimeField(NamesInvalidValue, forms.TimeField):
    """A time of day typed as HH:MM."""

    invalid_message = gettext_lazy("Time %(value)r is invalid: write it as HH:MM, such as 09:00.")


class IsoDateField(NamesInvalidValue, forms.DateField):
    """A date typed as YYYY-MM-DD only.

    Django's English input formats read 01/02/2026 as 2 January, while a
    reader of the day-first dates that relaydesk shows means 1 February.
    """

    invalid_message = gettext_lazy(
        "Date %(value)r is invalid: write it as YYYY-MM-DD, such as 2026-12-31."
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)


class EndTimeField(ClockTimeField):
    """The end of an opening interval, where 24:00 means the end of the day, stored as empty."""

    invalid_message = gettext_lazy(
        "Time %(value)r is invalid: write it as HH:MM, such as 18:00. "
        "For the end of the day, write 24:00 or leave the end empty."
    )

    def to_python(self, value: Any) -> time | None:
        if isinstance(value, str) and value.strip() == "24:00":
            return None
        return super().to_python(value)


class OpeningIntervalForm(forms.ModelForm):
    class Meta:
        model = OpeningInterval
        fields = ["weekday", "start_time", "end_time"]
        field_classes = {"start_time": ClockTimeField, "end_time": EndTimeField}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start is None:
            return cleaned
        try:
            cleaned["interval"] = checked(check_opening_interval, start, end)
        except forms.ValidationError as error:
            # On the field, the model skips its own check of the same rule,
            # which would add the database constraint's name as a second message.
            self.add_error("end_time", error)
        return cleaned


def _kept(formset: BaseInlineFormSet) -> list[forms.Form]:
    """Return the formset's valid forms that are not marked for deletion."""
    return [
        form
        for form in formset.forms
        if form.is_valid() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class OpeningIntervalFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rows = [
            (form.cleaned_data["weekday"], form.cleaned_data["interval"])
            for form in _kept(self)
            if "interval" in form.cleaned_data
        ]
        weekly = checked(check_weekly_hours, rows)
        if any(form.errors for form in self.forms):
            # The rows' own errors come first: without the invalid ones the
            # calendar may look as if it had no hours.
            return
        calendar = self.instance
        checked(check_24x7_without_hours, calendar.name, calendar.is_24x7, weekly)
        # Open dates do not count: once the last one has passed, the calendar
        # would never open again, and no SLA clock on it could come due.
        checked(check_calendar_has_hours, calendar.name, calendar.is_24x7, weekly, {})


class CalendarDateForm(forms.ModelForm):
    class Meta:
        model = CalendarDate
        fields = ["date", "kind", "intervals", "note"]
        field_classes = {"date": IsoDateField}
        help_texts = {"date": gettext_lazy("As YYYY-MM-DD, such as 2026-12-31.")}
        error_messages = {
            "intervals": {
                "invalid": gettext_lazy(
                    "Intervals %(value)r are not valid JSON: write a list of "
                    '["HH:MM", "HH:MM"] pairs, such as [["10:00", "12:00"]], '
                    "or leave the field empty."
                )
            }
        }

    def clean_intervals(self) -> list[Any]:
        # An empty field reads as None: store it as no intervals, as the help text describes.
        intervals = self.cleaned_data["intervals"]
        return [] if intervals is None else intervals

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        day, kind = cleaned.get("date"), cleaned.get("kind")
        if day is not None and kind:
            checked(check_calendar_date, kind, cleaned.get("intervals", []), day)
        return cleaned


class OpeningIntervalInline(AdminRoleInline):
    model = OpeningInterval
    form = OpeningIntervalForm
    formset = OpeningIntervalFormSet


class CalendarDateInline(AdminRoleInline):
    model = CalendarDate
    form = CalendarDateForm


@admin.register(Calendar, site=site)
class CalendarAdmin(AdminRoleModelAdmin):
    form = CalendarForm
    inlines = [OpeningIntervalInline, CalendarDateInline]
    list_display = ["name", "time_zone", "holiday_country", "holiday_subdivision", "is_24x7"]


SLA_MINUTES = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
INCIDENT_MINUTES = ("triage_minutes", "workaround_minutes", "resolution_minutes")
# The fields of each policy, in the form and in the list of policies.
SLA_POLICY_FIELDS = ["plan", "priority", "calendar", *SLA_MINUTES]
INCIDENT_POLICY_FIELDS = ["priority", "calendar", *INCIDENT_MINUTES]


def _bound_minutes(form: forms.ModelForm, names: tuple[str, ...]) -> None:
    # Django's own minimum of 0 would show a second message beside the
    # range check's, and the database rejects 0 only by naming a constraint.
    for name in names:
        field = form.fields[name]
        field.validators = []
        field.widget.attrs.update(min=1, max=MAX_TARGET_MINUTES)


def _check_minutes(form: forms.ModelForm, names: tuple[str, ...]) -> bool:
    """Show each target outside 1 to MAX_TARGET_MINUTES on its field; return whether all fit."""
    fits = True
    for name in names:
        value = form.cleaned_data.get(name)
        if value is None:
            # The field already shows Django's message for an empty or non-numeric value.
            fits = False
            continue
        label = capfirst(form.fields[name].label)
        try:
            checked(check_target_minutes, label, value)
        except forms.ValidationError as error:
            form.add_error(name, error)
            fits = False
    return fits


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = SLA_POLICY_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_minutes(self, SLA_MINUTES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if _check_minutes(self, SLA_MINUTES):
            checked(check_sla_minutes, *(cleaned[name] for name in SLA_MINUTES))
        return cleaned


class IncidentPolicyForm(forms.ModelForm):
    class Meta:
        model = IncidentPolicy
        fields = INCIDENT_POLICY_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bound_minutes(self, INCIDENT_MINUTES)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if _check_minutes(self, INCIDENT_MINUTES):
            checked(check_incident_minutes, *(cleaned[name] for name in INCIDENT_MINUTES))
        return cleaned


@admin.register(SlaPolicy, site=site)
class SlaPolicyAdmin(AdminRoleModelAdmin):
    form = SlaPolicyForm
    list_display = SLA_POLICY_FIELDS
    list_filter = ["plan", "priority"]


@admin.register(IncidentPolicy, site=site)
class IncidentPolicyAdmin(AdminRoleModelAdmin):
    form = IncidentPolicyForm
    list_display = INCIDENT_POLICY_FIELDS
