"""Incident actions: escalate, link, triage, apply a known error, transfer, close."""

import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relaydesk.accounts import permissions
from relaydesk.accounts.models import Role, Team, User
from relaydesk.core import clock, sequences, timeline
from relaydesk.core.text import MAX_TEXT_LENGTH
from relaydesk.operations import stages
from relaydesk.operations.actions._common import (
    check_level,
    check_text,
    move_incident,
    require_back_office,
    require_front_office,
)
from relaydesk.operations.actions.clients import inform_automatically
from relaydesk.operations.errors import (
    InvalidIncident,
    InvalidIncidentTransition,
    InvalidKnownError,
    InvalidMessageReference,
    InvalidTicketState,
    MissingResolution,
    NoTeam,
    TicketAlreadyLinked,
)
from relaydesk.operations.models import (
    OPEN_INCIDENT_STATUSES,
    Incident,
    IncidentReference,
    IncidentStatus,
    IncidentTicket,
    KnownError,
    StageName,
    priority_for,
)
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.models import Message, Status, Ticket

logger = logging.getLogger(__name__)

# A ticket still with Customer Service can be escalated; one already waiting
# on the back office, solved or closed cannot.
ESCALATABLE_TICKET_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING_CLIENT)

# Statuses in which analysts work the incident and may apply a known error.
WORKING_STATUSES = (
    IncidentStatus.TRIAGE,
    IncidentStatus.SECOND_LINE,
    IncidentStatus.AWAITING_CHANGE,
)
CLOSABLE_STATUSES = (*WORKING_STATUSES, IncidentStatus.RESOLVED)


def create_incident(*, actor: User, summary: str, impact: str, urgency: str) -> Incident:
    """Open incident ``PO-<n>`` from the back office, without a ticket.

    Raises NotAllowed for a front-office actor and InvalidIncident for an
    empty summary or an unknown impact or urgency.
    """
    require_back_office(actor)
    summary = _check_incident_fields(summary, impact, urgency)

    with transaction.atomic():
        incident = _insert_incident(actor, summary, impact, urgency)
    return incident


def escalate_ticket(
    ticket: Ticket,
    *,
    actor: User,
    summary: str,
    impact: str,
    urgency: str,
    message_ids: Iterable[int] = (),
) -> Incident:
    """Open a new incident for ``ticket`` and move the ticket to ``escalated``.

    ``message_ids`` name messages of this ticket that the incident references
    (their attachments come with them). The organization's CSM is notified
    for Premium clients. Raises NotAllowed, InvalidIncident,
    InvalidMessageReference, InvalidTicketState or TicketAlreadyLinked.
    """
    require_front_office(actor)
    summary = _check_incident_fields(summary, impact, urgency)
    message_ids = list(dict.fromkeys(message_ids))
    _check_escalatable(ticket)
    _check_message_ids(ticket, message_ids)

    with transaction.atomic():
        incident = _insert_incident(actor, summary, impact, urgency)
        _link(ticket, incident, actor)
        for message_id in message_ids:
            IncidentReference.objects.create(incident=incident, message_id=message_id)
        if message_ids:
            timeline.record(
                incident,
                "messages_referenced",
                actor=actor,
                messages=message_ids,
                ticket=ticket.reference,
            )
    logger.info("ticket escalated", extra={"ticket": ticket.number, "incident": incident.number})
    return incident


def link_ticket(ticket: Ticket, incident: Incident, *, actor: User) -> IncidentTicket:
    """Link ``ticket`` to an existing open incident and move it to ``escalated``.

    Raises NotAllowed, InvalidTicketState, TicketAlreadyLinked, or
    InvalidIncidentTransition when the incident is closed.
    """
    require_front_office(actor)
    _check_escalatable(ticket)

    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status not in OPEN_INCIDENT_STATUSES:
            raise InvalidIncidentTransition(
                _("Incident %(incident)s is closed: escalate the ticket to a new incident.")
                % {"incident": incident.reference}
            )
        link = _link(ticket, incident, actor)
    return link


def start_triage(incident: Incident, *, actor: User) -> Incident:
    """Move a new incident to ``triage``; raises InvalidIncidentTransition otherwise."""
    require_back_office(actor)

    with transaction.atomic():
        incident = move_incident(incident, [IncidentStatus.NEW], IncidentStatus.TRIAGE, actor=actor)
        stages.enter(stages.waiting_ticket_ids(incident), incident, StageName.TRIAGE)
    return incident


def apply_known_error(incident: Incident, known_error: KnownError, *, actor: User) -> Incident:
    """Link the known error and send its client workaround to every linked ticket.

    Each open ticket gets a public answer from Production Operations, moves to
    ``solution_received`` and is remembered as having only a workaround. The
    sla app's listener notifies the agents who pass it on. A ticket that
    already received this known error's workaround is skipped, so applying
    the same known error again only reaches tickets linked since, and
    records no event twice.
    Raises InvalidKnownError when the known error has no client workaround
    and InvalidIncidentTransition outside triage, 2nd line or awaiting change.
    """
    require_back_office(actor)
    if not known_error.workaround_clients.strip():
        raise InvalidKnownError(
            _("Known error %(known_error)s has no workaround for clients: write one first.")
            % {"known_error": known_error.reference}
        )

    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        before = incident.known_error
        updated = Incident.objects.filter(pk=incident.pk, status__in=WORKING_STATUSES).update(
            known_error=known_error, updated_at=clock.now()
        )
        if updated == 0:
            raise InvalidIncidentTransition(
                _(
                    "Incident %(incident)s is %(status)s: a known error applies only in "
                    "triage, 2nd line or awaiting change."
                )
                % {"incident": incident.reference, "status": incident.get_status_display()}
            )
        incident.refresh_from_db()
        if before != known_error:
            timeline.record(
                incident,
                "known_error_applied",
                actor=actor,
                known_error=known_error.reference,
                before=before.reference if before else None,
            )
            timeline.record(
                known_error, "incident_linked", actor=actor, incident=incident.reference
            )
        _deliver_workaround(incident, known_error, actor)
    return incident


def transfer_to_second_line(incident: Incident, *, actor: User, note: str) -> Incident:
    """Transfer a triaged incident to the 2nd line team with an internal note.

    Raises InvalidIncident for an empty note, NoTeam when no team has the
    2nd line role, and InvalidIncidentTransition unless the incident is in triage.
    """
    require_back_office(actor)
    note = check_text(_("The note"), note, 10_000, InvalidIncident)
    team = Team.objects.filter(role=Role.SECOND_LINE).order_by("pk").first()
    if team is None:
        raise NoTeam(_("No team has the 2nd line role: create one before transferring."))

    with transaction.atomic():
        incident = move_incident(
            incident,
            [IncidentStatus.TRIAGE],
            IncidentStatus.SECOND_LINE,
            actor=actor,
            reason="transferred",
            team=team,
        )
        timeline.record(incident, "team_changed", actor=actor, team=team.slug, team_name=team.name)
        timeline.record(incident, "note_added", actor=actor, text=note, visibility="internal")
        stages.enter(stages.waiting_ticket_ids(incident), incident, StageName.SECOND_LINE)
    return incident


def assign_incident(incident: Incident, *, actor: User, assignee: User | None) -> Incident:
    """Make ``assignee`` the incident's owner, or leave it without one for ``None``.

    The owner must be an active back-office agent. The sla app's listener
    notifies a new owner other than ``actor``. Raises InvalidIncident for
    another agent, and InvalidIncidentTransition for a closed incident.
    """
    require_back_office(actor)
    if assignee is not None and not permissions.can_work_back_office(assignee):
        raise InvalidIncident(
            _(
                "Agent %(name)s is not in the back office: assign the incident to a "
                "Production Operations, 2nd line or release agent."
            )
            % {"name": assignee}
        )
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == IncidentStatus.CLOSED:
            raise InvalidIncidentTransition(
                _("Incident %(incident)s is closed: it needs no owner any more.")
                % {"incident": incident.reference}
            )
        if incident.assignee_id == (assignee.pk if assignee else None):
            return incident
        incident.assignee = assignee
        incident.updated_at = clock.now()
        incident.save(update_fields=["assignee", "updated_at"])
        timeline.record(
            incident,
            "incident_assigned",
            actor=actor,
            assignee=assignee.username if assignee else None,
            assignee_name=str(assignee) if assignee else None,
        )
    return incident


def close_incident(incident: Incident, *, actor: User, resolution: str) -> Incident:
    """Close the incident and deliver its public resolution to every linked ticket.

    Each open ticket receives a public answer and moves to
    ``solution_received``, and the sla app's listener notifies the agents who
    pass it on. Where the organization's plan informs the client on close,
    relaydesk replies to the client itself, the ticket goes on to ``solved``
    and no agent is notified. Raises MissingResolution for an empty resolution
    and InvalidIncidentTransition for a new or closed incident.
    """
    require_back_office(actor)
    resolution = (resolution or "").strip()
    if not resolution:
        raise MissingResolution(
            _("The public resolution is empty: write what was fixed before closing.")
        )
    resolution = check_text(
        _("The public resolution"), resolution, MAX_TEXT_LENGTH, InvalidIncident
    )

    with transaction.atomic():
        now = clock.now()
        incident = move_incident(
            incident,
            CLOSABLE_STATUSES,
            IncidentStatus.CLOSED,
            actor=actor,
            public_resolution=resolution,
            closed_at=now,
        )
        for link in _links(incident):
            _deliver_resolution(incident, link, actor)
    logger.info("incident closed", extra={"incident": incident.number})
    return incident


def _check_incident_fields(summary: str, impact: str, urgency: str) -> str:
    summary = check_text(_("The summary"), summary, 500, InvalidIncident)
    check_level(_("Impact"), impact, InvalidIncident)
    check_level(_("Urgency"), urgency, InvalidIncident)
    return summary


def _check_escalatable(ticket: Ticket) -> None:
    """Raise unless the ticket may be escalated.

    A ticket linked to a closed incident may be: its client wrote again
    after the resolution, so the problem is back or was another one.
    """
    ticket.refresh_from_db(fields=["status"])
    link = IncidentTicket.objects.current().select_related("incident").filter(ticket=ticket).first()
    if link is not None and link.incident.status != IncidentStatus.CLOSED:
        raise TicketAlreadyLinked(
            _(
                "Ticket %(ticket)s is already linked to incident %(incident)s, which is "
                "%(status)s: follow the ticket there, or escalate it again once that "
                "incident is closed."
            )
            % {
                "ticket": ticket.reference,
                "incident": link.incident.reference,
                "status": link.incident.get_status_display(),
            }
        )
    if ticket.status not in ESCALATABLE_TICKET_STATUSES:
        raise InvalidTicketState(
            _("Ticket %(ticket)s is %(status)s: only new, open or pending tickets are escalated.")
            % {"ticket": ticket.reference, "status": ticket.get_status_display()}
        )


def _check_message_ids(ticket: Ticket, message_ids: list[int]) -> None:
    found = set(
        Message.objects.filter(ticket=ticket, pk__in=message_ids).values_list("pk", flat=True)
    )
    missing = [message_id for message_id in message_ids if message_id not in found]
    if missing:
        raise InvalidMessageReference(
            _("Not messages of ticket %(ticket)s: %(ids)s. Reference the ticket's own messages.")
            % {"ids": ", ".join(str(i) for i in missing), "ticket": ticket.reference}
        )


def _insert_incident(actor: User, summary: str, impact: str, urgency: str) -> Incident:
    now = clock.now()
    incident = Incident.objects.create(
        number=sequences.next_value("incident"),
        summary=summary,
        impact=impact,
        urgency=urgency,
        priority=priority_for(impact, urgency),
        created_at=now,
        updated_at=now,
    )
    timeline.record(incident, "incident_created", actor=actor, priority=incident.priority)
    return incident


def _link(ticket: Ticket, incident: Incident, actor: User) -> IncidentTicket:
    _move_from_closed_incident(ticket, incident, actor)
    try:
        with transaction.atomic():
            link = IncidentTicket.objects.create(
                incident=incident, ticket=ticket, linked_at=clock.now(), linked_by=actor
            )
    except IntegrityError as error:
        raise TicketAlreadyLinked(
            _("Ticket %(ticket)s is already linked to an incident.") % {"ticket": ticket.reference}
        ) from error
    tickets.set_status_from_back_office(ticket, Status.ESCALATED, actor=actor, reason="escalated")
    timeline.record(ticket, "escalated", actor=actor, incident=incident.reference)
    timeline.record(incident, "ticket_linked", actor=actor, ticket=ticket.reference)

    stages.enter([ticket.pk], incident, StageName.ESCALATED)
    current_stage = stages.STAGE_OF_INCIDENT_STATUS.get(incident.status)
    if current_stage is not None:
        stages.enter([ticket.pk], incident, current_stage)
    _notify_csm(ticket, incident)
    return link


def _move_from_closed_incident(ticket: Ticket, incident: Incident, actor: User) -> None:
    """Mark the ticket's link to a closed incident as moved to ``incident``.

    The closed incident keeps the link, so it still lists the ticket, and
    its timeline records which incident took the ticket over.
    """
    previous = (
        IncidentTicket.objects.current()
        .select_related("incident")
        .filter(ticket=ticket, incident__status=IncidentStatus.CLOSED)
        .first()
    )
    if previous is None:
        return
    IncidentTicket.objects.filter(pk=previous.pk).update(moved_to=incident)
    timeline.record(
        previous.incident,
        "ticket_unlinked",
        actor=actor,
        ticket=ticket.reference,
        incident=incident.reference,
    )


def _notify_csm(ticket: Ticket, incident: Incident) -> None:
    organization = ticket.organization
    csm = organization.premium_csm if organization is not None else None
    if csm is None:
        return
    # NOTE: only the timeline event is written. Sending it to the CSM by
    # e-mail or in the desk waits for the notifications app.
    timeline.record(
        ticket,
        "csm_notified",
        csm=csm.username,
        csm_name=str(csm),
        incident=incident.reference,
    )


def _links(incident: Incident) -> list[IncidentTicket]:
    return list(
        incident.ticket_links.current().select_related(
            "ticket", "ticket__organization__plan", "ticket__contact", "ticket__assignee"
        )
    )


def _deliver_workaround(incident: Incident, known_error: KnownError, actor: User) -> None:
    for link in _links(incident):
        if link.ticket.status == Status.CLOSED or link.workaround_from_id == known_error.pk:
            continue
        text = known_error.workaround_clients
        tickets.add_back_office_answer(link.ticket, text=text, actor=actor)
        IncidentTicket.objects.filter(pk=link.pk).update(workaround_from=known_error)
        timeline.record(
            link.ticket,
            "workaround_received",
            actor=actor,
            incident=incident.reference,
            known_error=known_error.reference,
        )
        # No stage: the incident is still worked on, and the ticket's stages
        # follow it to the resolution. The timeline keeps the workaround.


def _deliver_resolution(incident: Incident, link: IncidentTicket, actor: User) -> None:
    ticket = link.ticket
    if ticket.status == Status.CLOSED:
        return
    organization = ticket.organization
    informs_client = organization is not None and organization.plan.informs_client_on_close
    tickets.add_back_office_answer(ticket, text=incident.public_resolution, actor=actor)
    timeline.record(
        ticket,
        "resolution_received",
        actor=actor,
        incident=incident.reference,
        informed_automatically=informs_client,
    )
    stages.enter([ticket.pk], incident, StageName.RESOLUTION_RECEIVED)
    if informs_client:
        inform_automatically(ticket, incident)
