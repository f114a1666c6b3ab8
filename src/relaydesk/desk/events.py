"""Timeline events of a ticket as sentences agents can read."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from relaydesk.core.models import TimelineEvent
from relaydesk.sla.models import ClockKind
from relaydesk.sla.notifications import AnswerReason
from relaydesk.sla.queries import SLA_EVENT_KINDS
from relaydesk.tickets.models import DeliveryStatus, MessageKind, Priority, Status


@dataclass(frozen=True)
class EventLine:
    """One timeline entry ready for a template."""

    actor: str
    created_at: datetime
    description: str


def label(choices: type, value: object) -> str:
    """Return the translated label of ``value`` in a TextChoices, or the value itself."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


class EventData(dict[str, Any]):
    """Event data where a missing key reads as an empty string and a list as "a, b"."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(
            (key, ", ".join(map(str, value)) if isinstance(value, list) else value)
            for key, value in data.items()
        )

    def __missing__(self, key: str) -> str:
        return ""


def _ticket_sentences() -> dict[str, str]:
    # Built on each call so the sentences follow the active language.
    return {
        "escalated": _("Escalated to incident %(incident)s"),
        "workaround_received": _(
            "Workaround received from incident %(incident)s (known error %(known_error)s)"
        ),
        "resolution_received": _("Resolution received from incident %(incident)s"),
        "client_informed": _("Client informed of the answer from incident %(incident)s"),
        "csm_notified": _(
            "Customer Success Manager %(csm_name)s notified of incident %(incident)s"
        ),
        # Recorded for the answer's assignee before agent_notified replaced it.
        "assignee_notified": _("Assignee %(assignee)s notified"),
        "permanent_fix_available": _(
            "Permanent fix available: change %(change)s fixes known error %(known_error)s"
        ),
        "fix_rolled_back": _(
            "Fix rolled back: change %(change)s of closed incident %(incident)s was rolled "
            "back after the resolution reached this ticket"
        ),
        "permanent_fix_withdrawn": _(
            "Permanent fix withdrawn: change %(change)s of known error %(known_error)s"
        ),
        "follow_up_of": _("Follow-up of closed ticket %(previous)s"),
        "follow_up_opened": _("Follow-up ticket %(follow_up)s opened"),
    }


def _acknowledgement_skip_reasons() -> dict[str, str]:
    # The reason codes of channels.email.outbound._acknowledgement_skip_reason.
    return {
        "automatic_message": _("the message was sent automatically"),
        "no_sender_address": _("the message has no sender address"),
        "sender_is_support_address": _("the sender is one of our support addresses"),
        "rate_limited": _("this address reached its hourly limit of acknowledgements"),
    }


def describe(event: TimelineEvent) -> str:
    """Return a translated sentence for ``event``; unknown kinds show their code."""
    data = event.data
    if event.kind == "ticket_created":
        return _("Ticket created")
    if event.kind == "message_added":
        if data.get("direction") == "internal" and data.get("visibility") == "public":
            # Production Operations' answer, which is not e-mailed (add_back_office_answer).
            return _("Answer from Production Operations added, not e-mailed to the client")
        return _("%(kind)s added") % {"kind": label(MessageKind, data.get("kind"))}
    if event.kind == "status_changed":
        return _("Status changed from %(before)s to %(after)s") % {
            "before": label(Status, data.get("before")),
            "after": label(Status, data.get("after")),
        }
    if event.kind == "priority_changed":
        return _("Priority changed from %(before)s to %(after)s") % {
            "before": label(Priority, data.get("before")),
            "after": label(Priority, data.get("after")),
        }
    if event.kind == "ticket_assigned":
        return _("Assigned to %(assignee)s, team %(team)s") % {
            # Events recorded before the names were kept show the identifiers.
            "assignee": data.get("assignee_name") or data.get("assignee") or _("nobody"),
            "team": data.get("team_name") or data.get("team") or _("none"),
        }
    if event.kind == "message_delivery":
        return _("Delivery attempt %(attempt)s: %(status)s") % {
            "attempt": data.get("attempt"),
            "status": label(DeliveryStatus, data.get("status")),
        }
    if event.kind in SLA_EVENT_KINDS:
        return sla_sentence(event)
    if event.kind == "acknowledgement_skipped":
        reason = str(data.get("reason", ""))
        return _("Acknowledgement not sent: %(reason)s") % {
            "reason": _acknowledgement_skip_reasons().get(reason, reason)
        }
    if event.kind == "agent_notified":
        if data.get("answer") == "fix_rolled_back":
            template = _(
                "%(agent)s notified that the fix of incident %(incident)s was rolled back, "
                "as %(reason)s"
            )
        else:
            template = _(
                "%(agent)s notified of the answer from incident %(incident)s as %(reason)s"
            )
        return template % {
            "agent": data.get("agent_name") or data.get("agent"),
            "incident": data.get("incident"),
            "reason": label(AnswerReason, data.get("reason")),
        }
    template = _ticket_sentences().get(event.kind)
    if template is not None:
        if event.kind == "csm_notified":
            # Events recorded before the CSM's name was kept show the username.
            data = {**data, "csm_name": data.get("csm_name") or data.get("csm", "")}
        return template % EventData(data)
    return event.kind


def sla_sentence(event: TimelineEvent) -> str:
    """Return the sentence of an ``sla_warning``, ``sla_breached`` or ``sla_not_started`` event."""
    if event.kind == "sla_not_started":
        reason = str(event.data.get("reason", ""))
        reasons = {
            "no_sla_policy": _("no SLA policy covers the plan and priority"),
            "invalid_sla_policy": _("the SLA policies do not know the priority"),
        }
        return _("No SLA clocks: %(reason)s") % {"reason": reasons.get(reason, reason)}
    target = label(ClockKind, event.data.get("target"))
    if event.kind == "sla_warning":
        return _("SLA warning: the “%(target)s” target is at risk") % {"target": target}
    if event.data.get("met_late"):
        return _("SLA target “%(target)s” met late") % {"target": target}
    return _("SLA target “%(target)s” breached") % {"target": target}


def sla_lines(events: Iterable[TimelineEvent]) -> list[EventLine]:
    """Return the SLA events of a ticket's or incident's timeline as lines, in their order."""
    return lines(event for event in events if event.kind in SLA_EVENT_KINDS)


def lines(
    events: Iterable[TimelineEvent], describe: Callable[[TimelineEvent], str] = describe
) -> list[EventLine]:
    return [
        EventLine(
            actor=str(event.actor) if event.actor_id else event.actor_label,
            created_at=event.created_at,
            description=describe(event),
        )
        for event in events
    ]
