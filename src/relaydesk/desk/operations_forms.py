"""Forms of the escalation and back-office pages. They parse input; operations.actions decides.

Like the ticket page's forms, these offer the choices that make sense now
but accept any well-formed value, so a stale page still reaches the action,
which rejects what is no longer allowed with a clear error.
"""

import re
from collections.abc import Iterable

from django import forms
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import User
from relaydesk.accounts.permissions import BACK_OFFICE
from relaydesk.desk.forms import FilterChoiceField, active_agents
from relaydesk.operations.models import (
    ChangeStatus,
    Environment,
    IncidentStatus,
    Level,
    Outcome,
)
from relaydesk.tickets.models import Message

ANY = [("", _("Any"))]
REFERENCE_SEPARATORS = re.compile(r"[\s,;]+")
MESSAGE_EXCERPT_WORDS = 12
MESSAGE_EXCERPT_CHARACTERS = 120


class OperationsForm(forms.Form):
    """A form of these pages; ``id_prefix`` keeps element ids unique when a page has many."""

    id_prefix = "operations"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


def message_label(message: Message) -> str:
    """Return a checkbox label that identifies one message of the ticket."""
    author = message.author or message.from_name or message.from_address or message.contact
    created_at = formats.date_format(
        timezone.localtime(message.created_at), "SHORT_DATETIME_FORMAT"
    )
    # Words first, then characters, for a long line with no spaces.
    excerpt = Truncator(message.display_text or message.text).words(MESSAGE_EXCERPT_WORDS)
    excerpt = Truncator(excerpt).chars(MESSAGE_EXCERPT_CHARACTERS)
    return _("%(kind)s from %(author)s, %(date)s: %(excerpt)s") % {
        "kind": message.get_kind_display(),
        "author": author or _("unknown sender"),
        "date": created_at,
        "excerpt": excerpt,
    }


class EscalateForm(OperationsForm):
    id_prefix = "escalate"
    summary = forms.CharField(
        label=_("Summary"),
        max_length=500,
        help_text=_("What fails, for whom and since when. Production Operations reads this."),
    )
    impact = forms.ChoiceField(label=_("Impact"), choices=Level.choices, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Level.choices, initial=Level.MEDIUM)
    messages = forms.TypedMultipleChoiceField(
        label=_("Relevant messages"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The incident references these messages and their attachments."),
    )

    def __init__(self, *args: object, ticket_messages: Iterable[Message], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["messages"].choices = [
            (message.pk, message_label(message)) for message in ticket_messages
        ]


class IncidentSearchForm(OperationsForm):
    id_prefix = "incident-search"
    incident_q = forms.CharField(
        label=_("Find an open incident"),
        required=False,
        max_length=200,
        help_text=_("A number such as PO-12, or words of its summary."),
    )


class LinkIncidentForm(OperationsForm):
    id_prefix = "link"
    incident = forms.CharField(label=_("Incident to link to"), max_length=30)

    def __init__(self, *args: object, choices: Iterable[tuple[str, str]] = (), **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["incident"].widget = forms.RadioSelect(choices=list(choices))


class InformClientForm(OperationsForm):
    id_prefix = "inform"
    text = forms.CharField(
        label=_("Message to the client"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Sent to the client on the ticket's channel; the ticket is then solved."),
    )


class ActionForm(OperationsForm):
    """A button-only form, such as "Start triage"; it exists to carry errors."""


class ApplyKnownErrorForm(OperationsForm):
    id_prefix = "apply"
    known_error = forms.CharField(
        label=_("Known error number"),
        max_length=30,
        help_text=_("For example KE-12. Its client workaround goes to every linked ticket."),
    )


class IncidentAssignForm(OperationsForm):
    id_prefix = "owner"
    assignee = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody")
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Any active agent is accepted, so that the action names the rule an
        # agent outside the back office breaks; the list offers the back office.
        self.fields["assignee"].queryset = User.objects.filter(is_active=True)
        self.fields["assignee"].widget.choices = [
            ("", _("Nobody")),
            *((agent.pk, str(agent)) for agent in back_office_agents()),
        ]


def back_office_agents() -> QuerySet[User]:
    return active_agents().filter(role__in=BACK_OFFICE)


class TransferForm(OperationsForm):
    id_prefix = "transfer"
    note = forms.CharField(
        label=_("Internal note for the 2nd line"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RequestChangeForm(OperationsForm):
    id_prefix = "change"
    title = forms.CharField(label=_("Change title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CloseIncidentForm(OperationsForm):
    id_prefix = "close"
    resolution = forms.CharField(
        label=_("Public resolution"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Every linked ticket receives this text, and clients may read it."),
    )


class IncidentFilterForm(OperationsForm):
    id_prefix = "filter"
    status = FilterChoiceField(
        label=_("Status"), choices=ANY + IncidentStatus.choices, required=False
    )


class ChangeFilterForm(OperationsForm):
    id_prefix = "filter"
    status = FilterChoiceField(
        label=_("Status"), choices=ANY + ChangeStatus.choices, required=False
    )


class KnownErrorForm(OperationsForm):
    id_prefix = "known-error"
    title = forms.CharField(label=_("Title"), max_length=300)
    symptoms = forms.CharField(
        label=_("Symptoms"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    root_cause = forms.CharField(
        label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    workaround_agents = forms.CharField(
        label=_("Workaround for agents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Internal: only agents read it."),
    )
    workaround_clients = forms.CharField(
        label=_("Workaround for clients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Applying the known error sends this text to every linked ticket."),
    )
    product_area = forms.CharField(label=_("Product area"), required=False, max_length=100)
    affected_versions = forms.CharField(
        label=_("Affected versions"), required=False, max_length=200
    )


def split_references(value: str) -> list[str]:
    """Return the references in ``value``, separated by commas, semicolons or spaces."""
    return [part for part in REFERENCE_SEPARATORS.split(value) if part]


class ChangeForm(OperationsForm):
    id_prefix = "new-change"
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    incidents = forms.CharField(
        label=_("Incidents it fixes"),
        required=False,
        max_length=1000,
        help_text=_("Numbers separated by commas, for example PO-3, PO-7."),
    )
    known_errors = forms.CharField(
        label=_("Known errors it fixes"),
        required=False,
        max_length=1000,
        help_text=_("Numbers separated by commas, for example KE-2."),
    )


class DeployForm(OperationsForm):
    id_prefix = "deploy"
    environment = forms.ModelChoiceField(
        label=_("Environment"), queryset=Environment.objects.none(), empty_label=None
    )
    version = forms.CharField(label=_("Version"), max_length=100)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only for production when this version has not passed its test. "
            "It is stored with the deployment."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["environment"].queryset = Environment.objects.order_by("order", "name")


TEST_RESULTS = [("passed", _("Passed")), ("failed", _("Failed"))]


class TestResultForm(OperationsForm):
    __test__ = False  # not a pytest test class despite the name
    id_prefix = "test-result"
    result = forms.ChoiceField(label=_("Result"), choices=TEST_RESULTS, widget=forms.RadioSelect)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
