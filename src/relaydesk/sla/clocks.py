"""SLA clocks as pure values: what each event does to the targets of a ticket or incident.

The stored ``SlaClock`` rows are a cache of this fold. ``tracking`` replays one
timeline event onto the stored rows as it happens, and rebuilds the rows from
the whole timeline after a priority or plan change. Both paths call
``advance`` here, so they cannot disagree.

Rules for a ticket:

- Creation starts first response and resolution.
- A client message starts a new next response cycle once the first response
  was met and no next response is waiting already, so the clock counts from
  the oldest unanswered client message.
- A public, non-automatic outbound message from an agent meets the first
  response and the waiting next response.
- ``pending_client`` pauses every clock that runs, and leaving it resumes
  them. A resumed clock's due time moves by the business minutes it was paused.
- ``solved`` or ``closed`` meets every clock that runs. Reopening a solved
  ticket reopens its resolution clock and counts the solved time as a pause.

Rules for an incident: creation starts triage, workaround and resolution.
Leaving ``new`` meets triage, and applying a known error meets the workaround.
``resolved`` or ``closed`` meets all three.

Every clock starts at the next opening of its calendar at or after the event,
so a message written outside support hours starts counting when the line opens.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from relaydesk.sla.business_time import (
    BusinessCalendar,
    add_business_minutes,
    business_minutes_between,
    next_opening,
)
from relaydesk.sla.models import ClockKind

# A clock's state or its stored row (see ClockLike).
C = TypeVar("C", bound="ClockLike")

DEFAULT_WARNING_SHARE = 0.8


class Action(StrEnum):
    """The meaning of a timeline event to the SLA clocks of its subject."""

    OPEN = "open"
    CLIENT_MESSAGE = "client_message"
    AGENT_REPLY = "agent_reply"
    PAUSE = "pause"
    RESUME = "resume"
    SOLVE = "solve"
    REOPEN = "reopen"
    TRIAGE = "triage"
    WORKAROUND = "workaround"
    RESOLVE = "resolve"


@dataclass(frozen=True)
class ClockEvent:
    at: datetime
    action: Action


@dataclass(frozen=True)
class Targets:
    """The business minutes per clock kind of one policy, on its calendar."""

    calendar: BusinessCalendar
    minutes: Mapping[str, int]
    warning_share: float = DEFAULT_WARNING_SHARE

    def __post_init__(self) -> None:
        if not 0 < self.warning_share <= 1:
            raise ValueError(
                f"SLA warning share {self.warning_share} is invalid: use a number above 0 "
                "and at most 1, such as 0.8"
            )


@dataclass
class ClockState:
    """One clock while the fold runs; ``pauses`` holds ``[start, end or None]`` pairs."""

    kind: str
    cycle: int
    target_minutes: int
    started_at: datetime
    paused_since: datetime | None = None
    paused_minutes: int = 0
    pauses: list[list[datetime | None]] = field(default_factory=list)
    met_at: datetime | None = None

    @property
    def is_met(self) -> bool:
        return self.met_at is not None


def due_at(state: ClockState, calendar: BusinessCalendar) -> datetime:
    """Return when ``state`` reaches its target, with its closed pauses added."""
    return add_business_minutes(
        calendar, state.started_at, state.target_minutes + state.paused_minutes
    )


def warn_at(state: ClockState, targets: Targets) -> datetime:
    """Return when ``state`` has used the warning share of its target."""
    share = math.floor(state.target_minutes * targets.warning_share)
    return add_business_minutes(targets.calendar, state.started_at, share + state.paused_minutes)


def advance(states: list[ClockState], event: ClockEvent, targets: Targets) -> list[ClockState]:
    """Apply ``event`` to ``states`` in place and return them."""
    _HANDLERS[event.action](states, event.at, targets)
    return states


def fold(events: list[ClockEvent], targets: Targets) -> list[ClockState]:
    """Return the clocks that ``events``, in order, leave behind."""
    states: list[ClockState] = []
    for event in events:
        advance(states, event, targets)
    return states


# -- the handlers -------------------------------------------------------------


def _latest(states: Sequence[C], kind: str) -> C | None:
    matching = [state for state in states if state.kind == kind]
    return max(matching, key=lambda state: state.cycle) if matching else None


def _start(states: list[ClockState], kind: str, at: datetime, targets: Targets) -> None:
    latest = _latest(states, kind)
    cycle = latest.cycle + 1 if latest is not None else 1
    started_at = next_opening(targets.calendar, at)
    states.append(ClockState(kind, cycle, targets.minutes[kind], started_at))


def _close_pause(state: ClockState, at: datetime, calendar: BusinessCalendar) -> None:
    if state.paused_since is None:
        return
    state.paused_minutes += business_minutes_between(calendar, state.paused_since, at)
    state.pauses[-1][1] = at
    state.paused_since = None


def _meet(states: list[ClockState], kinds: tuple[str, ...], at: datetime, targets: Targets) -> None:
    for state in states:
        if state.kind in kinds and not state.is_met:
            _close_pause(state, at, targets.calendar)
            state.met_at = at


def _open(states: list[ClockState], at: datetime, targets: Targets) -> None:
    for kind in targets.minutes:
        if kind != ClockKind.NEXT_RESPONSE and _latest(states, kind) is None:
            _start(states, kind, at, targets)


class ClockLike(Protocol):
    """A clock's state or its stored row: what a client message looks at."""

    kind: str
    cycle: int
    met_at: datetime | None


def client_message_changes_nothing(clocks: Sequence[ClockLike]) -> bool:
    """Return whether a client message leaves ``clocks`` as they are.

    It starts a next response only when the first response was met and no
    next response is waiting already.
    """
    first = _latest(clocks, ClockKind.FIRST_RESPONSE)
    waiting = _latest(clocks, ClockKind.NEXT_RESPONSE)
    return first is None or first.met_at is None or (waiting is not None and waiting.met_at is None)


def _client_message(states: list[ClockState], at: datetime, targets: Targets) -> None:
    if not client_message_changes_nothing(states):
        _start(states, ClockKind.NEXT_RESPONSE, at, targets)


def _agent_reply(states: list[ClockState], at: datetime, targets: Targets) -> None:
    _meet(states, (ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE), at, targets)


def _pause(states: list[ClockState], at: datetime, targets: Targets) -> None:
    for state in states:
        if not state.is_met and state.paused_since is None:
            state.paused_since = at
            state.pauses.append([at, None])


def _resume(states: list[ClockState], at: datetime, targets: Targets) -> None:
    for state in states:
        if not state.is_met:
            _close_pause(state, at, targets.calendar)


def _solve(states: list[ClockState], at: datetime, targets: Targets) -> None:
    _meet(states, tuple(ClockKind.values), at, targets)


def _reopen(states: list[ClockState], at: datetime, targets: Targets) -> None:
    resolution = _latest(states, ClockKind.RESOLUTION)
    if resolution is None or resolution.met_at is None:
        return
    resolution.paused_minutes += business_minutes_between(targets.calendar, resolution.met_at, at)
    resolution.pauses.append([resolution.met_at, at])
    resolution.met_at = None


def _triage(states: list[ClockState], at: datetime, targets: Targets) -> None:
    _meet(states, (ClockKind.TRIAGE,), at, targets)


def _workaround(states: list[ClockState], at: datetime, targets: Targets) -> None:
    _meet(states, (ClockKind.TRIAGE, ClockKind.WORKAROUND), at, targets)


def _resolve(states: list[ClockState], at: datetime, targets: Targets) -> None:
    _meet(states, (ClockKind.TRIAGE, ClockKind.WORKAROUND, ClockKind.RESOLUTION), at, targets)


Handler = Callable[[list[ClockState], datetime, Targets], None]

_HANDLERS: dict[Action, Handler] = {
    Action.OPEN: _open,
    Action.CLIENT_MESSAGE: _client_message,
    Action.AGENT_REPLY: _agent_reply,
    Action.PAUSE: _pause,
    Action.RESUME: _resume,
    Action.SOLVE: _solve,
    Action.REOPEN: _reopen,
    Action.TRIAGE: _triage,
    Action.WORKAROUND: _workaround,
    Action.RESOLVE: _resolve,
}
