"""Forms of the desk pages. They parse input; tickets.actions decides what is allowed."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts import permissions
from relaydesk.accounts.models import Role, Team, User
from relaydesk.customers.models import Channel, Organization, PlanCode
from relaydesk.tickets.actions import MANUAL_TRANSITIONS
from relaydesk.tickets.models import Priority, Status, Ticket
from relaydesk.tickets.queries import INBOX_VIEWS, InboxFilters

ANY = [("", _("Any"))]
INBOX_VIEW_LABELS = {
    "unassigned": _("Unassigned"),
    "mine": _("Mine"),
    "team": _("My teams"),
    "clients": _("My clients"),
    "open": _("All open"),
}


class FilterChoiceField(forms.ChoiceField):
    """A choice field whose error names the rejected value and lists the valid ones.

    Filter values arrive in links that agents keep or edit by hand, and a
    select does not show the codes that a link must contain, so each valid
    code is listed with its label.
    """

    def validate(self, value: Any) -> None:
        try:
            super().validate(value)
        except ValidationError as error:
            if error.code != "invalid_choice":
                raise
            # A link needs the code, and the page shows the label.
            valid = ", ".join(f"{code} ({label})" for code, label in self.choices if code)
            raise ValidationError(
                _("“%(value)s” is not a valid value. Valid values: %(valid)s."),
                code="invalid_choice",
                params={"value": value, "valid": valid},
            ) from error


class InboxFilterForm(forms.Form):
    # The template writes the hidden input itself, with the view in force,
    # so a rejected view is reported but never sent back.
    view = FilterChoiceField(
        label=_("View"),
        choices=[(view, INBOX_VIEW_LABELS[view]) for view in INBOX_VIEWS],
        required=False,
        widget=forms.HiddenInput,
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_(
            "Ticket number, subject, message text, contact name or address, or organization."
        ),
    )
    status = FilterChoiceField(
        label=_("Status"),
        choices=[("", _("Any open"))] + Status.choices,
        required=False,
    )
    priority = FilterChoiceField(
        label=_("Priority"), choices=ANY + Priority.choices, required=False
    )
    plan = FilterChoiceField(label=_("Plan"), choices=ANY + PlanCode.choices, required=False)
    channel = FilterChoiceField(label=_("Channel"), choices=ANY + Channel.choices, required=False)
    # NOTE: the select lists every organization, which suits hundreds of
    # clients; a desk with thousands needs a search-as-you-type field here.
    organization = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=_("Any"),
        error_messages={
            "invalid_choice": _("No organization has the ID “%(value)s”. Choose one from the list.")
        },
    )
    sla = FilterChoiceField(
        label=_("SLA"),
        choices=ANY + [("at_risk", _("At risk")), ("breached", _("Breached"))],
        required=False,
    )
    sort = FilterChoiceField(
        label=_("Sort by"),
        choices=[("", _("Latest activity")), ("next_due", _("Next due"))],
        required=False,
    )

    def view_in_force(self) -> str:
        """Return the requested view if valid, else ``open``. Call it after ``is_valid()``."""
        return self.cleaned_data.get("view") or "open"

    def filters(self) -> InboxFilters:
        """Return the cleaned filters; call only after ``is_valid()`` returned true."""
        data = self.cleaned_data
        organization = data.get("organization")
        return InboxFilters(
            view=self.view_in_force(),
            status=data.get("status", ""),
            priority=data.get("priority", ""),
            plan=data.get("plan", ""),
            channel=data.get("channel", ""),
            organization_id=organization.pk if organization else None,
            search=data.get("q", ""),
        )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


def _status_choices(ticket: Ticket) -> list[tuple[str, str]]:
    allowed = MANUAL_TRANSITIONS[ticket.status]
    return [(value, label) for value, label in Status.choices if value in allowed]


class TicketForm(forms.Form):
    """A form on the ticket page; ``id_prefix`` keeps element ids unique across its forms."""

    id_prefix = "ticket"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ReplyForm(TicketForm):
    id_prefix = "reply"
    text = forms.CharField(label=_("Reply to the client"), widget=forms.Textarea(attrs={"rows": 6}))
    status = forms.ChoiceField(label=_("Then set status to"), required=False)

    def __init__(self, *args: object, ticket: Ticket, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # The choices list every status so a stale page still reaches the
        # action, which rejects a transition that is no longer allowed.
        keep = [("", _("Keep as it is"))]
        self.fields["status"].choices = keep + Status.choices
        self.fields["status"].widget.choices = keep + _status_choices(ticket)


class NoteForm(TicketForm):
    id_prefix = "note"
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 4}))


def active_agents() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=Role.values).order_by(
        "first_name", "last_name", "username"
    )


def assignable_agents() -> QuerySet[User]:
    """Return the agents a ticket can be assigned to: the active ones who reply to clients."""
    return active_agents().filter(role__in=permissions.FRONT_OFFICE)


class AssignForm(TicketForm):
    id_prefix = "assign"
    assignee = forms.ModelChoiceField(
        label=_("Agent"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("No team")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_agents()


class StatusForm(TicketForm):
    id_prefix = "status"
    status = forms.ChoiceField(
        label=_("New status"),
        choices=Status.choices,
        error_messages={"required": _("Choose the status to move the ticket to.")},
    )

    def __init__(self, *args: object, ticket: Ticket, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # As in ReplyForm: offer the allowed moves, accept any status. The
        # current status is never among the moves, so nothing is preselected
        # that could be read as the ticket's status.
        self.offered_statuses = _status_choices(ticket)
        self.fields["status"].widget.choices = [
            ("", _("Choose a status")),
            *self.offered_statuses,
        ]


class PriorityForm(TicketForm):
    id_prefix = "priority"
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
