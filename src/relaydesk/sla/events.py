"""Timeline events of the SLA clocks, one small function each, and their reading.

``clock_events_for_ticket`` and ``clock_events_for_incident`` translate the
timeline rows other apps write into ``clocks.ClockEvent`` values. The
``record_*`` functions write the events that the SLA machinery adds itself.
"""

from collections.abc import Iterable, Mapping

from relaydesk.core import timeline
from relaydesk.core.models import TimelineEvent
from relaydesk.sla.clocks import Action, ClockEvent
from relaydesk.sla.models import SlaClock
from relaydesk.tickets.models import Direction, MessageKind, Status, Visibility

# Timeline kinds that change a ticket's clocks; the listener ignores the rest.
TICKET_KINDS = frozenset({"ticket_created", "message_added", "status_changed"})
INCIDENT_KINDS = frozenset({"incident_created", "status_changed", "known_error_applied"})
# Kinds after which the ticket's clocks are rebuilt from the whole timeline.
RETARGET_KINDS = frozenset({"priority_changed"})

STOPPED = {Status.SOLVED, Status.CLOSED}
NOT_FROM_CLIENT = {
    MessageKind.BOUNCE,
    MessageKind.COMPLAINT,
    MessageKind.AUTO_REPLY,
    MessageKind.ACKNOWLEDGEMENT,
}
# (direction, automatic) of a message, keyed by its primary key.
MessageFacts = Mapping[int, tuple[str, bool]]


def message_action(event: TimelineEvent, facts: MessageFacts) -> Action | None:
    """Return CLIENT_MESSAGE, AGENT_REPLY or None for a ``message_added`` event."""
    data = event.data
    if data.get("visibility") != Visibility.PUBLIC or data.get("kind") in NOT_FROM_CLIENT:
        return None
    direction, automatic = facts.get(data.get("message"), ("", True))
    if automatic:
        return None
    if direction == Direction.INBOUND:
        return Action.CLIENT_MESSAGE
    if direction == Direction.OUTBOUND:
        return Action.AGENT_REPLY
    # A back-office answer is internal: Customer Service still has to pass it on.
    return None


def status_actions(before: str, after: str) -> list[Action]:
    """Return the actions of a ticket moving from ``before`` to ``after``."""
    if after in STOPPED:
        return [] if before in STOPPED else [Action.SOLVE]
    actions = []
    if before in STOPPED:
        actions.append(Action.REOPEN)
    if after == Status.PENDING_CLIENT and before != Status.PENDING_CLIENT:
        actions.append(Action.PAUSE)
    elif before == Status.PENDING_CLIENT and after != Status.PENDING_CLIENT:
        actions.append(Action.RESUME)
    return actions


def ticket_clock_events(event: TimelineEvent, facts: MessageFacts) -> list[ClockEvent]:
    """Translate one ticket timeline event; ``facts`` must cover its message, if any."""
    actions: list[Action] = []
    if event.kind == "ticket_created":
        actions = [Action.OPEN]
    elif event.kind == "message_added":
        action = message_action(event, facts)
        actions = [action] if action is not None else []
    elif event.kind == "status_changed":
        actions = status_actions(event.data.get("before", ""), event.data.get("after", ""))
    return [ClockEvent(event.created_at, action) for action in actions]


def incident_clock_events(event: TimelineEvent) -> list[ClockEvent]:
    """Translate one incident timeline event."""
    actions: list[Action] = []
    if event.kind == "incident_created":
        actions = [Action.OPEN]
    elif event.kind == "known_error_applied":
        actions = [Action.WORKAROUND]
    elif event.kind == "status_changed":
        before, after = event.data.get("before"), event.data.get("after")
        if before == "new" and after != "new":
            actions.append(Action.TRIAGE)
        if after in ("resolved", "closed"):
            actions.append(Action.RESOLVE)
    return [ClockEvent(event.created_at, action) for action in actions]


def flatten(lists: Iterable[list[ClockEvent]]) -> list[ClockEvent]:
    return [event for events in lists for event in events]


# -- events the SLA machinery records -----------------------------------------


def _subject(clock: SlaClock) -> object:
    return clock.ticket if clock.ticket_id is not None else clock.incident


def record_breach(clock: SlaClock, *, late_met: bool = False) -> None:
    """Record ``sla_breached`` on the clock's ticket or incident."""
    timeline.record(
        _subject(clock),
        "sla_breached",
        target=clock.kind,
        cycle=clock.cycle,
        due_at=clock.due_at.isoformat(),
        met_late=late_met,
    )


def record_warning(clock: SlaClock) -> None:
    """Record ``sla_warning`` on the clock's ticket or incident."""
    timeline.record(
        _subject(clock),
        "sla_warning",
        target=clock.kind,
        cycle=clock.cycle,
        due_at=clock.due_at.isoformat(),
    )


def record_not_started(subject: object, *, reason: str) -> None:
    """Record ``sla_not_started`` when a ticket or incident has no policy to count by."""
    timeline.record(subject, "sla_not_started", reason=reason)
