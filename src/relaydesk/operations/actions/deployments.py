"""Deployments of a change and what a production fix sets off."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _

from relaydesk.accounts.models import User
from relaydesk.core import clock, timeline
from relaydesk.core.text import MAX_TEXT_LENGTH
from relaydesk.operations.actions._common import (
    check_text,
    move_change,
    move_incident,
    move_known_error,
    require_back_office,
)
from relaydesk.operations.actions.changes import enter_stage_for_waiting_tickets
from relaydesk.operations.errors import InvalidDeployment, TestNotPassed
from relaydesk.operations.models import (
    Change,
    ChangeStatus,
    Deployment,
    Environment,
    EnvironmentKind,
    IncidentStatus,
    IncidentTicket,
    KnownError,
    KnownErrorStatus,
    Outcome,
    StageName,
)

logger = logging.getLogger(__name__)

# A new version may go to a test environment from these statuses. A change
# already in production is finished, so a further fix needs a new change.
TESTABLE_STATUSES = (
    ChangeStatus.PLANNED,
    ChangeStatus.IN_TEST,
    ChangeStatus.TEST_FAILED,
    ChangeStatus.TEST_PASSED,
    ChangeStatus.ROLLED_BACK,
)
ROLLBACK_STATUSES = (
    ChangeStatus.IN_TEST,
    ChangeStatus.TEST_FAILED,
    ChangeStatus.TEST_PASSED,
    ChangeStatus.DEPLOYED,
)


@dataclass(frozen=True)
class DeploymentResult:
    """The deployment an action stored, or found stored for the same delivery id."""

    deployment: Deployment
    created: bool


@dataclass(frozen=True)
class _Actor:
    user: User | None
    label: str


def deploy_to_environment(
    change: Change,
    environment: Environment,
    *,
    version: str,
    actor: User | None,
    actor_label: str = "",
    outcome: str = Outcome.SUCCEEDED,
    notes: str = "",
    override_reason: str = "",
    delivery_id: str | None = None,
) -> DeploymentResult:
    """Record a deployment of ``change`` and move the change accordingly.

    A successful test deployment puts the change ``in_test`` with
    ``version``. A successful production deployment needs the same version
    to have passed its test, unless an ``override_reason`` is given and
    stored. It marks the change ``deployed``, resolves the incidents waiting
    only on it and fixes its known errors. A failed deployment changes no
    status; a rolled-back one rolls the change back. ``actor`` is None for a
    verified pipeline, named by ``actor_label``. A ``delivery_id`` seen
    before returns the earlier deployment with ``created=False``.

    Raises NotAllowed, InvalidDeployment for a bad version or outcome,
    TestNotPassed and InvalidChangeTransition.
    """
    if actor is not None:
        require_back_office(actor)
    performer = _Actor(actor, actor_label or (str(actor) if actor else "relaydesk"))
    version = check_text(_("The version"), version, 100, InvalidDeployment)
    notes = check_text(
        _("The notes field"), notes, MAX_TEXT_LENGTH, InvalidDeployment, required=False
    )
    if outcome not in Outcome.values:
        raise InvalidDeployment(
            _("Outcome %(value)r is invalid: use one of %(choices)s.")
            % {"value": outcome, "choices": ", ".join(Outcome.values)}
        )
    if delivery_id:
        existing = Deployment.objects.filter(delivery_id=delivery_id).first()
        if existing is not None:
            return DeploymentResult(existing, created=False)

    try:
        with transaction.atomic():
            change = Change.objects.select_for_update().get(pk=change.pk)
            fields = {"version": version, "outcome": outcome, "notes": notes.strip()}
            deployment = Deployment(
                change=change,
                environment=environment,
                actor=performer.user,
                actor_label=performer.label,
                deployed_at=clock.now(),
                delivery_id=delivery_id or None,
                **fields,
            )
            _apply(change, deployment, performer, override_reason.strip())
    except IntegrityError:
        # Two deliveries with one id raced past the lookup above.
        existing = Deployment.objects.filter(delivery_id=delivery_id).first()
        if delivery_id and existing is not None:
            return DeploymentResult(existing, created=False)
        raise
    logger.info(
        "deployment recorded",
        extra={"change": change.number, "deployment": deployment.pk, "outcome": outcome},
    )
    return DeploymentResult(deployment, created=True)


def rollback(
    change: Change,
    environment: Environment,
    *,
    actor: User,
    version: str,
    notes: str = "",
) -> DeploymentResult:
    """Record that ``version`` was rolled back in ``environment``; see deploy_to_environment."""
    return deploy_to_environment(
        change,
        environment,
        version=version,
        actor=actor,
        outcome=Outcome.ROLLED_BACK,
        notes=notes,
    )


def _apply(change: Change, deployment: Deployment, performer: _Actor, override_reason: str) -> None:
    production = deployment.environment.kind == EnvironmentKind.PRODUCTION
    if deployment.outcome == Outcome.SUCCEEDED and production:
        _check_tested(change, deployment.version, override_reason)
        deployment.override_reason = override_reason
    deployment.save()
    timeline.record(
        change,
        "deployed",
        actor=performer.user,
        actor_label=performer.label,
        environment=deployment.environment.name,
        version=deployment.version,
        outcome=deployment.outcome,
        deployment=deployment.pk,
        override_reason=deployment.override_reason,
    )

    if deployment.outcome == Outcome.ROLLED_BACK:
        _roll_back(change, performer)
    elif deployment.outcome == Outcome.SUCCEEDED and production:
        _mark_deployed(change, deployment, performer)
    elif deployment.outcome == Outcome.SUCCEEDED:
        _put_in_test(change, deployment.version, performer)


def _check_tested(change: Change, version: str, override_reason: str) -> None:
    tested = change.status in (ChangeStatus.TEST_PASSED, ChangeStatus.DEPLOYED)
    if (tested and change.current_version == version) or override_reason:
        return
    names = {"change": change.reference, "status": change.get_status_display(), "version": version}
    if not change.current_version:
        raise TestNotPassed(
            _(
                "Change %(change)s is in status “%(status)s” and no version of it has been "
                "tested: version %(version)r has not passed its test. Pass the test first or "
                "give an override reason."
            )
            % names
        )
    raise TestNotPassed(
        _(
            "Change %(change)s is in status “%(status)s” with version %(tested)r: version "
            "%(version)r has not passed its test. Pass the test first or give an override "
            "reason."
        )
        % {**names, "tested": change.current_version}
    )


def _put_in_test(change: Change, version: str, performer: _Actor) -> None:
    if change.status == ChangeStatus.IN_TEST:
        Change.objects.filter(pk=change.pk, status=ChangeStatus.IN_TEST).update(
            current_version=version, updated_at=clock.now()
        )
    else:
        move_change(
            change,
            TESTABLE_STATUSES,
            ChangeStatus.IN_TEST,
            actor=performer.user,
            actor_label=performer.label,
            reason="deployed_to_test",
            current_version=version,
        )
    enter_stage_for_waiting_tickets(change, StageName.CHANGE_IN_TEST)


def _mark_deployed(change: Change, deployment: Deployment, performer: _Actor) -> None:
    if change.status == ChangeStatus.DEPLOYED:
        return
    change = move_change(
        change,
        [status for status in ChangeStatus.values if status != ChangeStatus.DEPLOYED],
        ChangeStatus.DEPLOYED,
        actor=performer.user,
        actor_label=performer.label,
        reason="deployed_to_production",
        current_version=deployment.version,
    )
    _resolve_waiting_incidents(change, deployment, performer)
    _fix_known_errors(change, performer)


def _resolve_waiting_incidents(change: Change, deployment: Deployment, performer: _Actor) -> None:
    # The draft becomes the public resolution that clients read, so it leaves
    # out the change's number and title, which are internal records. It uses
    # the desk's default language, not the language of the deployment's reporter.
    with translation.override(settings.LANGUAGE_CODE):
        draft = _("Fixed in version %(version)s, released on %(date)s.") % {
            "version": deployment.version,
            "date": formats.date_format(deployment.deployed_at, "DATE_FORMAT"),
        }
    enter_stage_for_waiting_tickets(change, StageName.DEPLOYED)
    for incident in change.incidents.filter(status=IncidentStatus.AWAITING_CHANGE):
        if incident.changes.exclude(status=ChangeStatus.DEPLOYED).exists():
            continue  # still waiting on another change
        move_incident(
            incident,
            [IncidentStatus.AWAITING_CHANGE],
            IncidentStatus.RESOLVED,
            actor=performer.user,
            actor_label=performer.label,
            reason="fix_deployed",
            draft_resolution=draft,
        )
        timeline.record(
            incident,
            "fix_deployed",
            actor=performer.user,
            actor_label=performer.label,
            change=change.reference,
            version=deployment.version,
        )


def _fix_known_errors(change: Change, performer: _Actor) -> None:
    for known_error in change.known_errors.exclude(status=KnownErrorStatus.FIXED):
        move_known_error(
            known_error,
            [KnownErrorStatus.OPEN, KnownErrorStatus.FIX_IN_PROGRESS],
            KnownErrorStatus.FIXED,
            actor=performer.user,
            actor_label=performer.label,
            reason="fix_deployed",
            fixed_by=change,
        )
        timeline.record(
            known_error,
            "fix_deployed",
            actor=performer.user,
            actor_label=performer.label,
            change=change.reference,
        )
        _flag_workaround_tickets(known_error, change, performer, available=True)


def _roll_back(change: Change, performer: _Actor) -> None:
    was_deployed = change.status == ChangeStatus.DEPLOYED
    change = move_change(
        change,
        ROLLBACK_STATUSES,
        ChangeStatus.ROLLED_BACK,
        actor=performer.user,
        actor_label=performer.label,
        reason="rolled_back",
    )
    if not was_deployed:
        return
    _report_rollback_after_close(change, performer)
    for incident in change.incidents.filter(status=IncidentStatus.RESOLVED):
        move_incident(
            incident,
            [IncidentStatus.RESOLVED],
            IncidentStatus.AWAITING_CHANGE,
            actor=performer.user,
            actor_label=performer.label,
            reason="fix_rolled_back",
            draft_resolution="",
        )
    for known_error in change.fixed_errors.filter(status=KnownErrorStatus.FIXED):
        move_known_error(
            known_error,
            [KnownErrorStatus.FIXED],
            KnownErrorStatus.FIX_IN_PROGRESS,
            actor=performer.user,
            actor_label=performer.label,
            reason="fix_rolled_back",
            fixed_by=None,
        )
        _flag_workaround_tickets(known_error, change, performer, available=False)


def _report_rollback_after_close(change: Change, performer: _Actor) -> None:
    """Record ``fix_rolled_back`` on the closed incidents of ``change`` and their tickets.

    Their clients were informed that the problem is fixed. A closed incident
    stays closed. The sla app's listener notifies Production Operations and
    the agents who passed the resolution on, so that they can open a new
    incident and inform the clients.
    """
    for incident in change.incidents.filter(status=IncidentStatus.CLOSED):
        timeline.record(
            incident,
            "fix_rolled_back",
            actor=performer.user,
            actor_label=performer.label,
            change=change.reference,
        )
        for link in incident.ticket_links.select_related("ticket"):
            timeline.record(
                link.ticket,
                "fix_rolled_back",
                actor=performer.user,
                actor_label=performer.label,
                change=change.reference,
                incident=incident.reference,
            )


def _flag_workaround_tickets(
    known_error: KnownError, change: Change, performer: _Actor, *, available: bool
) -> None:
    """Set or clear "permanent fix available" on the tickets that got only a workaround."""
    links = IncidentTicket.objects.filter(
        workaround_from=known_error, permanent_fix_available=not available
    ).select_related("ticket")
    for link in links:
        updated = IncidentTicket.objects.filter(
            pk=link.pk, permanent_fix_available=not available
        ).update(permanent_fix_available=available)
        if updated == 0:
            continue
        timeline.record(
            link.ticket,
            "permanent_fix_available" if available else "permanent_fix_withdrawn",
            actor=performer.user,
            actor_label=performer.label,
            known_error=known_error.reference,
            change=change.reference,
        )
