"""Per-ticket stage records, written by the actions so time per stage can be reported."""

from collections.abc import Iterable
from datetime import datetime

from relaydesk.core import clock
from relaydesk.operations.models import Incident, IncidentStatus, Stage, StageName
from relaydesk.tickets.models import Status

# The stage a ticket linked to an incident in this status is in. Statuses not
# listed (new, resolved, closed) add no stage of their own.
STAGE_OF_INCIDENT_STATUS: dict[str, str] = {
    IncidentStatus.TRIAGE: StageName.TRIAGE,
    IncidentStatus.SECOND_LINE: StageName.SECOND_LINE,
}


def enter(
    ticket_ids: Iterable[int], incident: Incident, name: str, *, at: datetime | None = None
) -> None:
    """End each ticket's open stage and start ``name``; a ticket already in it is skipped.

    ``client_informed`` is the last step, so it ends when it starts.
    """
    now = at or clock.now()
    for ticket_id in ticket_ids:
        open_stages = Stage.objects.filter(ticket_id=ticket_id, ended_at__isnull=True)
        current = open_stages.first()
        if current is not None and current.name == name:
            continue
        open_stages.update(ended_at=now)
        Stage.objects.create(
            ticket_id=ticket_id,
            incident=incident,
            name=name,
            started_at=now,
            ended_at=now if name == StageName.CLIENT_INFORMED else None,
        )


def waiting_ticket_ids(incident: Incident) -> list[int]:
    """Return the ids of the incident's tickets that wait for its resolution.

    These are the linked tickets that are not closed, the same tickets that
    ``close_incident`` sends the resolution to. Stages driven by the incident
    (triage, 2nd line, change in test, deployed) apply to them. A ticket that
    received a known error's workaround is one of them, because only the
    workaround has reached it.
    """
    return list(
        incident.ticket_links.current()
        .exclude(ticket__status=Status.CLOSED)
        .values_list("ticket_id", flat=True)
    )
