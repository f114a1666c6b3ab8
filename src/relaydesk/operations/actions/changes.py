"""Known errors and changes: creating them and moving a change through test."""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from relaydesk.accounts.models import User
from relaydesk.core import clock, sequences, timeline
from relaydesk.core.text import MAX_TEXT_LENGTH
from relaydesk.operations import stages
from relaydesk.operations.actions._common import (
    check_text,
    move_change,
    move_incident,
    move_known_error,
    require_back_office,
)
from relaydesk.operations.errors import InvalidChange, InvalidIncidentTransition, InvalidKnownError
from relaydesk.operations.models import (
    Change,
    ChangeStatus,
    Incident,
    IncidentStatus,
    KnownError,
    KnownErrorStatus,
)

logger = logging.getLogger(__name__)

# An incident waits on a change from these statuses.
INCIDENT_STATUSES_FOR_CHANGE = (
    IncidentStatus.TRIAGE,
    IncidentStatus.SECOND_LINE,
    IncidentStatus.AWAITING_CHANGE,
)


def create_known_error(
    *,
    actor: User,
    title: str,
    symptoms: str = "",
    root_cause: str = "",
    workaround_agents: str = "",
    workaround_clients: str = "",
    product_area: str = "",
    affected_versions: str = "",
) -> KnownError:
    """Record known error ``KE-<n>``; raises InvalidKnownError for an empty title."""
    require_back_office(actor)
    title = check_text(_("The title"), title, 300, InvalidKnownError)
    texts = {
        "symptoms": (_("The symptoms field"), symptoms, MAX_TEXT_LENGTH),
        "root_cause": (_("The root cause"), root_cause, MAX_TEXT_LENGTH),
        "workaround_agents": (_("The workaround for agents"), workaround_agents, MAX_TEXT_LENGTH),
        "workaround_clients": (
            _("The workaround for clients"),
            workaround_clients,
            MAX_TEXT_LENGTH,
        ),
        "product_area": (_("The product area"), product_area, 100),
        "affected_versions": (_("The affected versions field"), affected_versions, 200),
    }
    checked = {
        name: check_text(label, value, limit, InvalidKnownError, required=False)
        for name, (label, value, limit) in texts.items()
    }

    with transaction.atomic():
        now = clock.now()
        known_error = KnownError.objects.create(
            number=sequences.next_value("known_error"),
            title=title,
            **checked,
            created_at=now,
            updated_at=now,
        )
        timeline.record(known_error, "known_error_created", actor=actor)
    return known_error


def create_change(
    *,
    actor: User,
    title: str,
    description: str = "",
    incidents: Iterable[Incident] = (),
    known_errors: Iterable[KnownError] = (),
) -> Change:
    """Record change ``CHG-<n>`` as ``planned`` and link it to incidents and known errors.

    Each incident moves to ``awaiting_change`` and each open known error to
    ``fix_in_progress``. Raises InvalidChange for an empty title,
    InvalidKnownError for a fixed known error and InvalidIncidentTransition
    for an incident that is new, resolved or closed.
    """
    require_back_office(actor)
    title = check_text(_("The title"), title, 300, InvalidChange)
    description = check_text(
        _("The description"), description, MAX_TEXT_LENGTH, InvalidChange, required=False
    )
    incidents = list(incidents)
    known_errors = list(known_errors)
    for known_error in known_errors:
        if known_error.status == KnownErrorStatus.FIXED:
            raise InvalidKnownError(
                _("Known error %(known_error)s is already fixed.")
                % {"known_error": known_error.reference}
            )

    with transaction.atomic():
        change = _insert_change(actor, title, description)
        for incident in incidents:
            _link_incident(change, incident, actor)
        for known_error in known_errors:
            _link_known_error(change, known_error, actor)
    logger.info("change created", extra={"change": change.number})
    return change


def request_change(incident: Incident, *, actor: User, title: str, description: str = "") -> Change:
    """Create a change that fixes ``incident`` and the known error applied to it, if any."""
    incident = Incident.objects.select_related("known_error").get(pk=incident.pk)
    known_errors = [incident.known_error] if incident.known_error_id else []
    known_errors = [ke for ke in known_errors if ke.status != KnownErrorStatus.FIXED]
    return create_change(
        actor=actor,
        title=title,
        description=description,
        incidents=[incident],
        known_errors=known_errors,
    )


def record_test_result(change: Change, *, actor: User, passed: bool, notes: str = "") -> Change:
    """Record the test of the change's current version as passed or failed.

    A failed change goes back to test when a new version is deployed to a
    test environment. Raises InvalidChangeTransition unless it is ``in_test``.
    """
    require_back_office(actor)
    target = ChangeStatus.TEST_PASSED if passed else ChangeStatus.TEST_FAILED

    with transaction.atomic():
        change = move_change(
            change,
            [ChangeStatus.IN_TEST],
            target,
            actor=actor,
            reason="test_result",
        )
        timeline.record(
            change,
            "test_recorded",
            actor=actor,
            passed=passed,
            version=change.current_version,
            notes=notes.strip(),
        )
    return change


def _insert_change(actor: User, title: str, description: str) -> Change:
    now = clock.now()
    change = Change.objects.create(
        number=sequences.next_value("change"),
        title=title,
        description=description.strip(),
        created_at=now,
        updated_at=now,
    )
    timeline.record(change, "change_created", actor=actor)
    return change


def _link_incident(change: Change, incident: Incident, actor: User) -> None:
    incident = Incident.objects.get(pk=incident.pk)
    if incident.status not in INCIDENT_STATUSES_FOR_CHANGE:
        raise InvalidIncidentTransition(
            _(
                "Incident %(incident)s is %(status)s: only a triaged or transferred incident "
                "waits on a change."
            )
            % {"incident": incident.reference, "status": incident.get_status_display()}
        )
    change.incidents.add(incident)
    timeline.record(change, "incident_linked", actor=actor, incident=incident.reference)
    timeline.record(incident, "change_linked", actor=actor, change=change.reference)
    if incident.status != IncidentStatus.AWAITING_CHANGE:
        move_incident(
            incident,
            INCIDENT_STATUSES_FOR_CHANGE,
            IncidentStatus.AWAITING_CHANGE,
            actor=actor,
            reason="change_requested",
        )


def _link_known_error(change: Change, known_error: KnownError, actor: User) -> None:
    change.known_errors.add(known_error)
    timeline.record(change, "known_error_linked", actor=actor, known_error=known_error.reference)
    timeline.record(known_error, "change_linked", actor=actor, change=change.reference)
    if known_error.status == KnownErrorStatus.OPEN:
        move_known_error(
            known_error,
            [KnownErrorStatus.OPEN],
            KnownErrorStatus.FIX_IN_PROGRESS,
            actor=actor,
            reason="change_requested",
        )


def enter_stage_for_waiting_tickets(change: Change, name: str) -> None:
    """Move the waiting tickets of incidents waiting on ``change`` to stage ``name``."""
    for incident in change.incidents.filter(status=IncidentStatus.AWAITING_CHANGE):
        stages.enter(stages.waiting_ticket_ids(incident), incident, name)
