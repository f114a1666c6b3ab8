"""Checks and conditional status updates shared by the back-office actions."""

from collections.abc import Collection
from typing import Any

from django.utils.translation import gettext as _

from relaydesk.accounts import permissions
from relaydesk.accounts.models import User
from relaydesk.core import clock, timeline
from relaydesk.core.choices import quoted_labels
from relaydesk.core.errors import Conflict, ValidationFailed
from relaydesk.operations.errors import (
    InvalidChangeTransition,
    InvalidIncidentTransition,
    NotAllowed,
)
from relaydesk.operations.models import (
    Change,
    ChangeStatus,
    Incident,
    IncidentStatus,
    KnownError,
    KnownErrorStatus,
    Level,
)


def require_back_office(actor: User | None) -> User:
    """Return ``actor`` if it may edit back-office records; raise NotAllowed if not."""
    if actor is None or not permissions.can_work_back_office(actor):
        raise NotAllowed(_("Only Production Operations, 2nd line and release agents may do this."))
    return actor


def require_front_office(actor: User | None) -> User:
    """Return ``actor`` if it may escalate and inform clients; raise NotAllowed if not."""
    if actor is None or not permissions.can_escalate(actor):
        raise NotAllowed(_("Only Customer Service agents and CSMs may do this."))
    return actor


def check_level(field: str, value: str, error: type[ValidationFailed]) -> None:
    if not value:
        raise error(
            _("%(field)s is missing: use one of %(choices)s.")
            % {"field": field, "choices": ", ".join(Level.values)}
        )
    if value not in Level.values:
        raise error(
            _("%(field)s %(value)r is invalid: use one of %(choices)s.")
            % {"field": field, "value": value, "choices": ", ".join(Level.values)}
        )


def check_text(
    field: str,
    value: str,
    max_length: int,
    error: type[ValidationFailed],
    *,
    required: bool = True,
) -> str:
    """Return ``value`` stripped; raise ``error`` when it is too long, or empty if ``required``."""
    value = (value or "").strip()
    if not value and required:
        raise error(_("%(field)s is empty: write one.") % {"field": field})
    if len(value) > max_length:
        raise error(
            _("%(field)s is %(length)d characters long: shorten it to %(max)d.")
            % {"field": field, "length": len(value), "max": max_length}
        )
    return value


def move_incident(
    incident: Incident,
    allowed_from: Collection[str],
    to: str,
    *,
    actor: User | None,
    actor_label: str = "",
    reason: str = "",
    **fields: Any,
) -> Incident:
    """Move the incident to ``to`` if its stored status is in ``allowed_from``.

    The update is conditional on the status read just before, so when two
    workers race only one applies it and the other raises
    InvalidIncidentTransition. Records ``status_changed``.
    """
    current = Incident.objects.get(pk=incident.pk)
    error = InvalidIncidentTransition(
        _(
            "Incident %(incident)s is in status “%(current)s” and cannot move to “%(status)s”: "
            "it can move there only from %(allowed)s."
        )
        % {
            "incident": current.reference,
            "current": current.get_status_display(),
            "status": IncidentStatus(to).label,
            "allowed": quoted_labels(IncidentStatus, allowed_from),
        }
    )
    return _move(current, allowed_from, to, error, actor, actor_label, reason, fields)


def move_change(
    change: Change,
    allowed_from: Collection[str],
    to: str,
    *,
    actor: User | None,
    actor_label: str = "",
    reason: str = "",
    **fields: Any,
) -> Change:
    """Move the change to ``to`` like ``move_incident``; raises InvalidChangeTransition."""
    current = Change.objects.get(pk=change.pk)
    error = InvalidChangeTransition(
        _(
            "Change %(change)s is in status “%(current)s” and cannot move to “%(status)s”: "
            "it can move there only from %(allowed)s."
        )
        % {
            "change": current.reference,
            "current": current.get_status_display(),
            "status": ChangeStatus(to).label,
            "allowed": quoted_labels(ChangeStatus, allowed_from),
        }
    )
    return _move(current, allowed_from, to, error, actor, actor_label, reason, fields)


def move_known_error(
    known_error: KnownError,
    allowed_from: Collection[str],
    to: str,
    *,
    actor: User | None,
    actor_label: str = "",
    reason: str = "",
    **fields: Any,
) -> KnownError:
    """Move the known error to ``to`` like ``move_incident``; raises Conflict."""
    current = KnownError.objects.get(pk=known_error.pk)
    error = Conflict(
        _(
            "Known error %(known_error)s is in status “%(current)s” and cannot move to "
            "“%(status)s”: it can move there only from %(allowed)s."
        )
        % {
            "known_error": current.reference,
            "current": current.get_status_display(),
            "status": KnownErrorStatus(to).label,
            "allowed": quoted_labels(KnownErrorStatus, allowed_from),
        },
        code="invalid_known_error_transition",
    )
    return _move(current, allowed_from, to, error, actor, actor_label, reason, fields)


def _move(
    current: Any,
    allowed_from: Collection[str],
    to: str,
    error: Conflict,
    actor: User | None,
    actor_label: str,
    reason: str,
    fields: dict[str, Any],
) -> Any:
    before = current.status
    if before not in allowed_from:
        raise error
    now = clock.now()
    updated = (
        type(current)
        .objects.filter(pk=current.pk, status=before)
        .update(status=to, updated_at=now, **fields)
    )
    if updated == 0:
        raise error
    current.refresh_from_db()
    timeline.record(
        current,
        "status_changed",
        actor=actor,
        actor_label=actor_label,
        before=before,
        after=to,
        reason=reason,
    )
    return current
