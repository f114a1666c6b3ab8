"""Timeline events of a ticket as sentences agents can read."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from relaydesk.core.models import TimelineEvent
from relaydesk.tickets.models import DeliveryStatus, MessageKind, Priority, Status


@dataclass(frozen=True)
class EventLine:
    """One timeline entry ready for a template."""

    actor: str
    created_at: datetime
    description: str


def _label(choices: type, value: object) -> str:
    """Return the translated label of ``value`` in a TextChoices, or the value itself."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe(event: TimelineEvent) -> str:
    """Return a translated sentence for ``event``; unknown kinds show their code."""
    data = event.data
    if event.kind == "ticket_created":
        return _("Ticket created")
    if event.kind == "message_added":
        return _("%(kind)s added") % {"kind": _label(MessageKind, data.get("kind"))}
    if event.kind == "status_changed":
        return _("Status changed from %(before)s to %(after)s") % {
            "before": _label(Status, data.get("before")),
            "after": _label(Status, data.get("after")),
        }
    if event.kind == "priority_changed":
        return _("Priority changed from %(before)s to %(after)s") % {
            "before": _label(Priority, data.get("before")),
            "after": _label(Priority, data.get("after")),
        }
    if event.kind == "ticket_assigned":
        return _("Assigned to %(assignee)s, team %(team)s") % {
            "assignee": data.get("assignee") or _("nobody"),
            "team": data.get("team") or _("none"),
        }
    if event.kind == "message_delivery":
        return _("Delivery attempt %(attempt)s: %(status)s") % {
            "attempt": data.get("attempt"),
            "status": _label(DeliveryStatus, data.get("status")),
        }
    return event.kind


def lines(events: list[TimelineEvent]) -> list[EventLine]:
    return [
        EventLine(
            actor=str(event.actor) if event.actor_id else event.actor_label,
            created_at=event.created_at,
            description=describe(event),
        )
        for event in events
    ]
