"""Timeline events of incidents, known errors and changes as sentences agents can read.

These timelines are for back-office pages only: they include internal notes.
"""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relaydesk.core.models import TimelineEvent
from relaydesk.desk.events import EventData, EventLine, label, sla_sentence
from relaydesk.desk.events import lines as ticket_lines
from relaydesk.operations.models import ChangeStatus, IncidentStatus, KnownErrorStatus, Outcome
from relaydesk.sla.queries import SLA_EVENT_KINDS

# The status choices of each subject, for "status_changed" events.
STATUS_CHOICES: dict[str, type] = {
    "incident": IncidentStatus,
    "knownerror": KnownErrorStatus,
    "change": ChangeStatus,
}


def _messages_referenced(event: TimelineEvent) -> str:
    count = len(event.data.get("messages") or [])
    ticket = event.data.get("ticket")
    if not ticket:
        # Recorded before the event named its ticket.
        return ngettext(
            "%(count)s ticket message referenced", "%(count)s ticket messages referenced", count
        ) % {"count": count}
    return ngettext(
        "%(count)s message of ticket %(ticket)s referenced",
        "%(count)s messages of ticket %(ticket)s referenced",
        count,
    ) % {"count": count, "ticket": ticket}


def _status_changed(event: TimelineEvent) -> str:
    choices = STATUS_CHOICES.get(event.subject_type, IncidentStatus)
    return _("Status changed from %(before)s to %(after)s") % {
        "before": label(choices, event.data.get("before")),
        "after": label(choices, event.data.get("after")),
    }


def _deployed(event: TimelineEvent) -> str:
    data = event.data
    text = _("Version %(version)s deployed to %(environment)s: %(outcome)s") % {
        "version": data.get("version"),
        "environment": data.get("environment"),
        "outcome": label(Outcome, data.get("outcome")),
    }
    if data.get("override_reason"):
        text += " " + _("(test overridden: %(reason)s)") % {"reason": data["override_reason"]}
    return text


def _test_recorded(event: TimelineEvent) -> str:
    data = event.data
    if data.get("passed"):
        text = _("Version %(version)s passed its test") % {"version": data.get("version")}
    else:
        text = _("Version %(version)s failed its test") % {"version": data.get("version")}
    return f"{text}: {data['notes']}" if data.get("notes") else text


DESCRIBERS: dict[str, Callable[[TimelineEvent], str]] = {
    "status_changed": _status_changed,
    "deployed": _deployed,
    "test_recorded": _test_recorded,
    "incident_created": lambda event: _("Incident created"),
    "known_error_created": lambda event: _("Known error created"),
    "change_created": lambda event: _("Change created"),
    "note_added": lambda event: _("Internal note: %(text)s") % EventData(event.data),
    "messages_referenced": _messages_referenced,
    "incident_assigned": lambda event: (
        _("Owner set to %(agent)s") % {"agent": event.data["assignee_name"]}
        if event.data.get("assignee_name")
        else _("Owner removed")
    ),
    # Events recorded before the team's name was kept show its slug.
    "team_changed": lambda event: (
        _("Transferred to team %(team)s")
        % {"team": event.data.get("team_name") or event.data.get("team", "")}
    ),
}


def _data_sentences() -> dict[str, str]:
    # Built on each call so the sentences follow the active language.
    return {
        "ticket_linked": _("Ticket %(ticket)s linked"),
        "ticket_unlinked": _("Ticket %(ticket)s escalated again, to incident %(incident)s"),
        "known_error_applied": _("Known error %(known_error)s applied"),
        "change_linked": _("Change %(change)s linked"),
        "incident_linked": _("Incident %(incident)s linked"),
        "known_error_linked": _("Known error %(known_error)s linked"),
        "fix_deployed": _("Fix deployed by change %(change)s"),
        "fix_rolled_back": _("Fix rolled back after close: change %(change)s"),
        "client_informed": _("Client informed on ticket %(ticket)s"),
    }


def describe(event: TimelineEvent) -> str:
    """Return a translated sentence for ``event``; unknown kinds show their code."""
    describer = DESCRIBERS.get(event.kind)
    if describer is not None:
        return describer(event)
    if event.kind in SLA_EVENT_KINDS:
        return sla_sentence(event)
    template = _data_sentences().get(event.kind)
    if template is not None:
        return template % EventData(event.data)
    return event.kind


def lines(events: Iterable[TimelineEvent]) -> list[EventLine]:
    return ticket_lines(events, describe)
