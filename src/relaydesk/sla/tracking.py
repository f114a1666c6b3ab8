"""Keep the stored SLA clocks of tickets and incidents in step with their timelines.

``on_timeline_event`` is registered with ``core.timeline`` when the sla app
loads, so every ticket and incident action updates the clocks in its own
transaction without importing this app. It replays the one new event onto the
stored rows. A priority change, and a plan change recorded on the
organization, rebuild the rows from the whole timeline with the new targets,
as if they had applied from the start.
"""

import functools
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from django.db import models, transaction
from django.utils.translation import gettext as _

from relaydesk.core import clock, config, inserts, memo
from relaydesk.core.models import TimelineEvent
from relaydesk.core.timeline import subject_type_of
from relaydesk.customers.models import Organization
from relaydesk.sla import events
from relaydesk.sla.business_time import MAX_CLOSED_DAYS, MAX_DAYS_AHEAD, NoOpenTime, TooFarAhead
from relaydesk.sla.checks import MAX_TARGET_MINUTES, check_priority, format_minutes
from relaydesk.sla.clocks import (
    Action,
    ClockEvent,
    ClockState,
    Targets,
    advance,
    client_message_changes_nothing,
    due_at,
    fold,
    warn_at,
)
from relaydesk.sla.errors import InvalidSlaPolicy, NoSlaPolicy
from relaydesk.sla.models import ClockKind, IncidentPolicy, SlaClock
from relaydesk.sla.queries import (
    calendar_from_record,
    organization_with_plan,
    policy_with_calendar,
)
from relaydesk.tickets import actions
from relaydesk.tickets.models import OPEN_STATUSES, Message, Ticket

logger = logging.getLogger(__name__)


# -- targets ------------------------------------------------------------------


def warning_share() -> float:
    return float(config.get("SLA_WARNING_SHARE"))


def ticket_targets(ticket: Ticket) -> Targets:
    """Return the targets of the ticket's plan and priority.

    Raises InvalidSlaPolicy for an unknown priority and NoSlaPolicy for a
    ticket without organization or a plan without a policy for the priority.
    """
    check_priority(ticket.priority)
    organization = ticket.organization
    if organization is None:
        raise NoSlaPolicy(
            _("Ticket %(ticket)s has no organization, so no plan gives it SLA targets.")
            % {"ticket": ticket.reference}
        )
    found = policy_with_calendar(organization.plan, ticket.priority)
    if found is None:
        raise NoSlaPolicy(
            _(
                "Plan %(plan)s has no SLA policy for priority %(priority)s: "
                "create one with set_sla_policy."
            )
            % {"plan": organization.plan, "priority": ticket.priority}
        )
    policy, calendar = found
    minutes = {
        ClockKind.FIRST_RESPONSE: policy.first_response_minutes,
        ClockKind.NEXT_RESPONSE: policy.next_response_minutes,
        ClockKind.RESOLUTION: policy.resolution_minutes,
    }
    return Targets(calendar, _bounded(policy, minutes), warning_share())


def incident_targets(incident: models.Model) -> Targets:
    """Return the internal targets of the incident's priority; raises NoSlaPolicy."""
    priority = getattr(incident, "priority", "")
    policy = (
        IncidentPolicy.objects.select_related("calendar")
        .prefetch_related("calendar__opening_intervals", "calendar__dates")
        .filter(priority=priority)
        .first()
    )
    if policy is None:
        raise NoSlaPolicy(
            _("No incident policy exists for priority %(priority)s: create one in the admin.")
            % {"priority": priority}
        )
    minutes = {
        ClockKind.TRIAGE: policy.triage_minutes,
        ClockKind.WORKAROUND: policy.workaround_minutes,
        ClockKind.RESOLUTION: policy.resolution_minutes,
    }
    return Targets(
        calendar_from_record(policy.calendar), _bounded(policy, minutes), warning_share()
    )


def _bounded(policy: models.Model, minutes: dict[str, int]) -> dict[str, int]:
    """Return ``minutes`` with each target above MAX_TARGET_MINUTES lowered to it.

    The administration pages reject such targets, but a policy saved before
    they did may hold one, and its due time would lie thousands of years ahead.
    """
    over = tuple(sorted(kind for kind, value in minutes.items() if value > MAX_TARGET_MINUTES))
    if over:
        _report_over_maximum(policy._meta.label, policy.pk, over)
    return {kind: min(value, MAX_TARGET_MINUTES) for kind, value in minutes.items()}


# Every event on a ticket builds its targets again: report each policy once per process.
@functools.lru_cache(maxsize=64)
def _report_over_maximum(model: str, policy_id: int, kinds: tuple[str, ...]) -> None:
    logger.warning(
        "sla policy target above the maximum counted as the maximum",
        extra={"policy": model, "policy_id": policy_id, "kinds": list(kinds)},
    )


# -- rows <-> states ------------------------------------------------------------


def _state_of(row: SlaClock) -> ClockState:
    pauses = [
        [datetime.fromisoformat(start), datetime.fromisoformat(end) if end else None]
        for start, end in row.pauses
    ]
    return ClockState(
        kind=row.kind,
        cycle=row.cycle,
        target_minutes=row.target_minutes,
        started_at=row.started_at,
        paused_since=row.paused_since,
        paused_minutes=row.paused_minutes,
        pauses=pauses,
        met_at=row.met_at,
    )


def _stored_pauses(state: ClockState) -> list[list[str | None]]:
    return [[start.isoformat(), end.isoformat() if end else None] for start, end in state.pauses]


def _fill(row: SlaClock, state: ClockState, targets: Targets, now: datetime) -> None:
    """Copy ``state`` onto ``row`` and settle the sweep's marks for the new due times."""
    new_due, new_warn = _due_times(state, targets)
    if row.warned_at is not None and new_warn != row.warn_at and new_warn > now:
        row.warned_at = None
    if row.breached_at is not None and new_due != row.due_at and new_due > now:
        row.breached_at = None
    row.kind = state.kind
    row.cycle = state.cycle
    row.target_minutes = state.target_minutes
    row.started_at = state.started_at
    row.due_at = new_due
    row.warn_at = new_warn
    row.paused_since = state.paused_since
    row.paused_minutes = state.paused_minutes
    row.pauses = _stored_pauses(state)
    row.met_at = state.met_at
    if state.met_at is not None:
        row.breached_at = new_due if state.met_at > new_due else None


@contextmanager
def _calendar_reach(targets: Targets) -> Iterator[None]:
    """Raise InvalidSlaPolicy in place of NoOpenTime from the targets' calendar.

    A calendar whose only open time is an open date now past has no open
    time ahead, so no clock on it could start or come due.
    """
    try:
        yield
    except NoOpenTime as error:
        raise InvalidSlaPolicy(
            _(
                "Calendar %(calendar)r stays closed for more than %(days)s days in a row, "
                "so SLA clocks on it never come due: give the calendar weekly opening "
                "hours or choose another calendar in the SLA policy."
            )
            % {"calendar": targets.calendar.name, "days": MAX_CLOSED_DAYS}
        ) from error


def _due_times(state: ClockState, targets: Targets) -> tuple[datetime, datetime]:
    """Return the due and warning times of ``state``.

    Raises InvalidSlaPolicy when the target ends beyond ``MAX_DAYS_AHEAD`` on
    a calendar with very few opening hours, or (see ``_calendar_reach``) when
    the calendar never opens again.
    """
    try:
        with _calendar_reach(targets):
            return due_at(state, targets.calendar), warn_at(state, targets)
    except TooFarAhead as error:
        raise InvalidSlaPolicy(
            _(
                "%(kind)s target of %(minutes)s business minutes on calendar %(calendar)r "
                "ends more than %(years)s years ahead: lower the target in the SLA policy "
                "or give the calendar more opening hours."
            )
            % {
                "kind": ClockKind(state.kind).label,
                "minutes": format_minutes(state.target_minutes),
                "calendar": targets.calendar.name,
                "years": MAX_DAYS_AHEAD // 366,
            }
        ) from error


def _snapshot(row: SlaClock) -> tuple:
    return tuple(getattr(row, name) for name in _FIELDS)


_FIELDS = (
    "target_minutes",
    "started_at",
    "due_at",
    "warn_at",
    "paused_since",
    "paused_minutes",
    "pauses",
    "met_at",
    "warned_at",
    "breached_at",
)


# The state a row was last filled from inside a memo scope, kept on the instance.
_FILLED_FROM = "_sla_filled_from"


class Stored(NamedTuple):
    """The clock rows after ``_store``, and those newly breached because they were met late."""

    rows: list[SlaClock]
    late: list[SlaClock]


def _store(
    subject: dict, rows: list[SlaClock], states: list[ClockState], targets: Targets
) -> Stored:
    """Write ``states`` over ``rows``."""
    now = clock.now()
    existing = {(row.kind, row.cycle): row for row in rows}
    kept: list[SlaClock] = []
    late: list[SlaClock] = []
    new_rows: list[SlaClock] = []
    for state in states:
        row = existing.pop((state.kind, state.cycle), None) or SlaClock(**subject)
        if getattr(row, _FILLED_FROM, None) == state:
            # This batch filled the row from this very state with the same
            # calendar, so its due times and marks stand as they are.
            kept.append(row)
            continue
        before = _snapshot(row) if row.pk else None
        was_breached = row.breached_at is not None
        _fill(row, state, targets, now)
        if memo.active():
            setattr(row, _FILLED_FROM, replace(state, pauses=[list(p) for p in state.pauses]))
        if row.pk is None:
            new_rows.append(row)
        elif _snapshot(row) != before and not inserts.is_held(row):
            # A held row's INSERT, still to come, writes the change.
            row.save()
        kept.append(row)
        if row.met_at is not None and row.breached_at is not None and not was_breached:
            late.append(row)
    # A new ticket's clocks go in with one INSERT.
    inserts.add_all(new_rows)
    for stale in existing.values():
        stale.delete()
    return Stored(kept, late)


# -- tickets ------------------------------------------------------------------


def _message_facts(rows: Iterable[TimelineEvent]) -> events.MessageFacts:
    """Return the facts of the messages that ``message_added`` events among ``rows`` name.

    Events record the message's direction and ``automatic`` flag; older ones
    without them are completed from the messages table.
    """
    facts: dict[int, tuple[str, bool]] = {}
    missing = []
    for row in rows:
        if row.kind != "message_added":
            continue
        data = row.data
        if "direction" in data and "automatic" in data:
            facts[data.get("message")] = (data["direction"], bool(data["automatic"]))
        else:
            missing.append(data.get("message"))
    if missing:
        stored = Message.objects.filter(pk__in=missing).values_list("pk", "direction", "automatic")
        facts.update({pk: (direction, automatic) for pk, direction, automatic in stored})
    return facts


def _ticket_timeline(ticket: Ticket) -> list[ClockEvent]:
    rows = list(
        TimelineEvent.objects.filter(
            subject_type=subject_type_of(ticket),
            subject_id=ticket.pk,
            kind__in=events.TICKET_KINDS,
        ).order_by("created_at", "id")
    )
    facts = _message_facts(rows)
    return events.flatten(events.ticket_clock_events(row, facts) for row in rows)


def _ticket_with_plan(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("organization__plan").get(pk=ticket.pk)


def recompute_ticket_clocks(ticket: Ticket) -> list[SlaClock]:
    """Rebuild the ticket's clocks from its timeline with its current plan and priority.

    Raises InvalidSlaPolicy or NoSlaPolicy (see ``ticket_targets``) before it
    writes anything, so the stored clocks stay as they were. Keeps the sweep's
    warning and breach marks unless the new due times are still ahead.
    """
    ticket = _ticket_with_plan(ticket)
    targets = ticket_targets(ticket)
    with _calendar_reach(targets):
        states = fold(_ticket_timeline(ticket), targets)
    with transaction.atomic():
        rows = list(SlaClock.objects.select_for_update().filter(ticket=ticket))
        _held_clocks()[ticket.pk] = _store({"ticket": ticket}, rows, states, targets).rows
    return list(SlaClock.objects.filter(ticket=ticket).order_by("kind", "cycle"))


def _ticket_for_event(event: TimelineEvent, subject: models.Model) -> Ticket:
    """Return the event's ticket with the organization and plan that set its targets.

    Inside a ``memo.scope()`` (an import batch, whose actions never change a
    priority) the ticket that the recording action passed is used as it is,
    and each organization and plan is read once. Elsewhere the ticket is read
    again, in case another request changed its priority since it was loaded.
    """
    if not (memo.active() and isinstance(subject, Ticket) and subject.pk == event.subject_id):
        return _ticket_with_plan(Ticket(pk=event.subject_id))
    key = (subject.pk, subject.number, subject.priority, subject.organization_id)
    return memo.cached(("sla.ticket", key), lambda: _ticket_copy(*key))


def _ticket_copy(pk: int, number: int, priority: str, organization_id: int | None) -> Ticket:
    ticket = Ticket(pk=pk, number=number, priority=priority, organization_id=organization_id)
    if organization_id is not None:
        ticket.organization = organization_with_plan(organization_id)
    return ticket


def _apply_to_ticket(event: TimelineEvent, subject: models.Model) -> None:
    if event.kind in events.RETARGET_KINDS:
        ticket = _ticket_with_plan(Ticket(pk=event.subject_id))
        if ticket.organization_id is not None:
            _recompute_quietly(ticket)
        return
    clock_events = events.ticket_clock_events(event, _message_facts([event]))
    if not clock_events or _changes_no_held_clock(event.subject_id, clock_events):
        return
    ticket = _ticket_for_event(event, subject)
    if ticket.organization_id is None:
        return
    try:
        targets = ticket_targets(ticket)
    except NoSlaPolicy as error:
        _report_missing_policy(ticket, event, error)
        return
    known = _held_clocks()
    if event.kind == "ticket_created":
        # A ticket has no clocks before its ticket_created event.
        rows = []
    elif ticket.pk in known:
        rows = known[ticket.pk]
    elif memo.active():
        rows = _lock_clocks(ticket.pk, known)
    else:
        rows = list(SlaClock.objects.select_for_update().filter(ticket=ticket))
    known[ticket.pk] = _replay({"ticket": ticket}, rows, clock_events, targets)


def _changes_no_held_clock(ticket_pk: int, clock_events: list[ClockEvent]) -> bool:
    """Return whether ``clock_events`` are client messages that leave the held clocks as they are.

    In an import batch most client messages open a ticket or follow one
    still waiting for its first response, and those change no clock. Knowing
    it from the clock rows this scope holds saves reading targets and
    replaying. Rows not held here are not looked at.
    """
    rows = _held_clocks().get(ticket_pk)
    return (
        rows is not None
        and all(clock_event.action == Action.CLIENT_MESSAGE for clock_event in clock_events)
        and client_message_changes_nothing(rows)
    )


def _lock_clocks(ticket_pk: int, known: dict) -> list[SlaClock]:
    """Lock and keep the clocks of ``ticket_pk`` and of the other tickets this scope locked.

    An import batch locks the tickets its replies continue before it
    applies them, so one statement reads all their clocks. Every clock row
    the batch holds back is in ``known`` already, so these rows are all
    stored.
    """
    pks = {ticket_pk, *(pk for pk in actions.locked_in_scope() if pk not in known)}
    with inserts.stored_only():
        rows = SlaClock.objects.select_for_update().filter(ticket_id__in=pks).order_by("pk")
        for pk in pks:
            known[pk] = []
        for row in rows:
            known[row.ticket_id].append(row)
    return known[ticket_pk]


def _held_clocks() -> dict:
    """Clock rows of tickets this import batch has written or locked, by ticket key.

    Outside a ``memo.scope()`` the dictionary is new every time, so the rows
    are read again.
    """
    return memo.held("sla.ticket_clocks")


def _recompute_quietly(ticket: Ticket) -> None:
    try:
        recompute_ticket_clocks(ticket)
    except NoSlaPolicy as error:
        # NOTE: the old clocks stay, counting by the targets of the previous
        # priority, until a policy for the new one exists and a recompute runs.
        logger.warning("sla clocks not recomputed: %s", error.code, extra={"ticket": ticket.pk})
        events.record_not_started(ticket, reason=error.code)


def _report_missing_policy(subject: models.Model, event: TimelineEvent, error: NoSlaPolicy) -> None:
    if event.kind in ("ticket_created", "incident_created"):
        logger.warning("sla clocks not started: %s", error.code, extra={"subject": subject.pk})
        events.record_not_started(subject, reason=error.code)


def _replay(
    subject: dict, rows: list[SlaClock], clock_events: list[ClockEvent], targets: Targets
) -> list[SlaClock]:
    """Advance ``rows`` by ``clock_events`` and store them; return the rows now stored."""
    states = [_state_of(row) for row in rows]
    with _calendar_reach(targets):
        for clock_event in clock_events:
            advance(states, clock_event, targets)
    stored = _store(subject, rows, states, targets)
    for row in stored.late:
        events.record_breach(row, late_met=True)
    return stored.rows


def recompute_organization_clocks(organization: Organization) -> int:
    """Rebuild the clocks of the organization's open tickets; return how many were rebuilt.

    Tickets whose new plan has no policy for their priority keep their clocks
    and get an ``sla_not_started`` timeline event.
    """
    tickets = Ticket.objects.filter(organization=organization, status__in=OPEN_STATUSES)
    count = 0
    # The scope reads the new plan's policies and builds their calendars once
    # for all the tickets, instead of once per ticket.
    with memo.scope():
        for ticket in tickets.iterator(chunk_size=500):
            _recompute_quietly(ticket)
            count += 1
    return count


# -- incidents ----------------------------------------------------------------


def _incident_model() -> type[models.Model]:
    return SlaClock._meta.get_field("incident").related_model  # type: ignore[return-value]


def recompute_incident_clocks(incident: models.Model) -> list[SlaClock]:
    """Rebuild the incident's clocks from its timeline; raises NoSlaPolicy."""
    targets = incident_targets(incident)
    rows = TimelineEvent.objects.filter(
        subject_type="incident", subject_id=incident.pk, kind__in=events.INCIDENT_KINDS
    ).order_by("created_at", "id")
    with _calendar_reach(targets):
        states = fold(events.flatten(events.incident_clock_events(row) for row in rows), targets)
    with transaction.atomic():
        stored = list(SlaClock.objects.select_for_update().filter(incident=incident))
        _store({"incident": incident}, stored, states, targets)
    return list(SlaClock.objects.filter(incident=incident).order_by("kind", "cycle"))


def _apply_to_incident(event: TimelineEvent) -> None:
    clock_events = events.incident_clock_events(event)
    if not clock_events:
        return
    incident = _incident_model().objects.get(pk=event.subject_id)
    try:
        targets = incident_targets(incident)
    except NoSlaPolicy as error:
        _report_missing_policy(incident, event, error)
        return
    rows = list(SlaClock.objects.select_for_update().filter(incident=incident))
    _replay({"incident": incident}, rows, clock_events, targets)


# -- the timeline listener ----------------------------------------------------


def on_timeline_event(event: TimelineEvent, subject: models.Model) -> None:
    """Update the SLA clocks for one new timeline event, inside its transaction.

    A ``plan_changed`` event on an organization queues a task that rebuilds
    the clocks of its open tickets once the change commits, because an
    organization with thousands of open tickets would hold the request for
    seconds. Errors other than a missing policy propagate and roll back the
    action that recorded the event, because they are bugs.
    """
    if event.subject_type == "ticket" and (
        event.kind in events.TICKET_KINDS or event.kind in events.RETARGET_KINDS
    ):
        # No savepoint: an error here rolls back the recording action anyway.
        with transaction.atomic(savepoint=False):
            _apply_to_ticket(event, subject)
    elif event.subject_type == "incident" and event.kind in events.INCIDENT_KINDS:
        with transaction.atomic(savepoint=False):
            _apply_to_incident(event)
    elif event.subject_type == "organization" and event.kind == "plan_changed":
        # NOTE: until the task runs, the tickets keep the targets of the old
        # plan, and the sweep may warn or breach by them.
        organization_id = event.subject_id
        transaction.on_commit(lambda: _queue_recompute(organization_id))


def _queue_recompute(organization_id: int) -> None:
    from relaydesk.sla.tasks import recompute_organization_sla_clocks

    recompute_organization_sla_clocks.enqueue(organization_id)
