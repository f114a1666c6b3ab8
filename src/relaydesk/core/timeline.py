"""Write and read timeline events."""

from typing import Any

from django.db import models

from relaydesk.core import clock
from relaydesk.core.models import TimelineEvent


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
    """Append one event about ``subject``. ``actor`` is a user or None for the system."""
    return TimelineEvent.objects.create(
        subject_type=subject_type_of(subject),
        subject_id=subject.pk,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or (str(actor) if actor is not None else "relaydesk"),
        data=data,
        created_at=clock.now(),
    )


def events_for(subject: models.Model) -> models.QuerySet[TimelineEvent]:
    return TimelineEvent.objects.filter(
        subject_type=subject_type_of(subject), subject_id=subject.pk
    ).select_related("actor")
