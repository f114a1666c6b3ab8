"""Write and read timeline events.

Apps above core react to events through listeners registered with
``add_listener`` when they load (the sla app keeps its clocks this way), so
the apps that record events never import them.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models

from relaydesk.core import clock, inserts
from relaydesk.core.models import TimelineEvent

# A listener receives each new event and the instance it was recorded on.
Listener = Callable[[TimelineEvent, models.Model], None]

_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    """Call ``listener`` with every event ``record`` writes and its subject.

    The subject is the instance the caller holds, in the caller's transaction.
    """
    if listener not in _listeners:
        _listeners.append(listener)


# Events recorded inside ``deferred()`` blocks, innermost block last.
_pending: ContextVar[tuple[list[TimelineEvent], ...]] = ContextVar("timeline_pending", default=())


def subject_type_of(subject: models.Model) -> str:
    return subject._meta.model_name or subject.__class__.__name__.lower()


def record(
    subject: models.Model,
    kind: str,
    /,
    *,
    actor: Any = None,
    actor_label: str = "",
    **data: Any,
) -> TimelineEvent:
    """Append one event about ``subject`` and pass it to the listeners.

    ``actor`` is a user or None for the system. Inside a ``deferred()`` block
    the row is inserted when the block ends, so the returned event has no
    primary key until then. Listeners still receive it at once. A listener's
    exception propagates, so the caller's transaction rolls back with it.
    """
    event = TimelineEvent(
        subject_type=subject_type_of(subject),
        subject_id=subject.pk,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or (str(actor) if actor is not None else "relaydesk"),
        data=data,
        created_at=clock.now(),
    )
    stack = _pending.get()
    if stack:
        stack[-1].append(event)
    else:
        event.save(force_insert=True)
    for listener in _listeners:
        listener(event, subject)
    return event


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the events recorded inside the block and insert them with one statement.

    Use it inside the transaction that makes the changes, so each change
    and its event still commit or roll back together. When the block raises,
    its events are dropped, because the transaction is rolling back the
    changes they describe. A block inside another one hands its events to
    the outer block when it ends, so an import inserts one batch's events
    together. Queries inside the block do not see the collected events yet.
    """
    events: list[TimelineEvent] = []
    enclosing = _pending.get()
    token = _pending.set((*enclosing, events))
    try:
        yield
    finally:
        _pending.reset(token)
    if not events:
        return
    if enclosing:
        enclosing[-1].extend(events)
    else:
        # Inside an import batch's ``inserts.deferred()`` they join its rows.
        inserts.add_all(events)


def events_for(subject: models.Model) -> models.QuerySet[TimelineEvent]:
    return TimelineEvent.objects.filter(
        subject_type=subject_type_of(subject), subject_id=subject.pk
    ).select_related("actor")
