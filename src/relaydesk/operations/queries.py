"""Read-only back-office queries; they own select_related, prefetch_related and visibility.

Contacts (clients) never see incidents, known errors, changes or internal
notes. There is no client login yet, so these functions return nothing for
any user who is not an active agent. Portal code must go through them.
"""

import re
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from relaydesk.accounts import permissions
from relaydesk.accounts.models import User
from relaydesk.core.models import TimelineEvent
from relaydesk.core.timeline import events_for
from relaydesk.operations.errors import (
    ChangeNotFound,
    IncidentNotFound,
    KnownErrorNotFound,
    NotAllowed,
)
from relaydesk.operations.models import (
    Change,
    Deployment,
    Environment,
    Incident,
    IncidentTicket,
    KnownError,
)

NUMBER_PATTERN = re.compile(r"^\s*(?:(?P<prefix>[A-Za-z]+)-)?(?P<number>\d{1,18})\s*$")


def parse_number(value: str | int, prefix: str) -> int | None:
    """Return the number in ``"<prefix>-<n>"`` or ``"<n>"``; None if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    match = NUMBER_PATTERN.match(value)
    if match is None:
        return None
    if match["prefix"] is not None and match["prefix"].upper() != prefix:
        return None
    return int(match["number"])


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Incidents ``user`` may see: all of them for agents, none for anyone else.

    Front-office agents may see only the number, status and public
    resolution; serialize with ``sees_incident_details`` in mind.
    """
    if not permissions.can_see_incident_summary(user):
        return Incident.objects.none()
    return Incident.objects.select_related("assignee", "team", "known_error")


def sees_incident_details(user: User) -> bool:
    """Return whether ``user`` may read an incident beyond its number, status and resolution."""
    return permissions.can_work_back_office(user)


def incident_for(user: User, number: str | int) -> Incident:
    """Return incident ``PO-<number>`` if ``user`` may see it; raises IncidentNotFound."""
    parsed = parse_number(number, "PO")
    incident = incidents_visible_to(user).filter(number=parsed).first() if parsed else None
    if incident is None:
        raise IncidentNotFound(
            _("Incident %(value)s does not exist: use a number such as PO-12.") % {"value": number}
        )
    return incident


def linked_tickets(incident: Incident) -> QuerySet[IncidentTicket]:
    return incident.ticket_links.select_related(
        "ticket", "ticket__organization", "workaround_from"
    ).order_by("linked_at", "id")


def incident_changes(incident: Incident) -> QuerySet[Change]:
    return incident.changes.order_by("number")


def incident_notes(incident: Incident) -> QuerySet[TimelineEvent]:
    """Internal notes of the incident, for back-office eyes only."""
    return events_for(incident).filter(kind="note_added")


def incident_for_ticket(ticket_id: int) -> Incident | None:
    link = IncidentTicket.objects.select_related("incident").filter(ticket_id=ticket_id).first()
    return link.incident if link is not None else None


def known_errors_visible_to(user: User) -> QuerySet[KnownError]:
    """Known errors for back-office agents; raises NotAllowed for anyone else."""
    _require_back_office_reader(user)
    return KnownError.objects.select_related("fixed_by")


def known_error_for(user: User, number: str | int) -> KnownError:
    parsed = parse_number(number, "KE")
    known_error = known_errors_visible_to(user).filter(number=parsed).first() if parsed else None
    if known_error is None:
        raise KnownErrorNotFound(
            _("Known error %(value)s does not exist: use a number such as KE-12.")
            % {"value": number}
        )
    return known_error


def changes_visible_to(user: User) -> QuerySet[Change]:
    """Changes for back-office agents; raises NotAllowed for anyone else."""
    _require_back_office_reader(user)
    return Change.objects.prefetch_related(
        "incidents",
        "known_errors",
        Prefetch("deployments", queryset=Deployment.objects.select_related("environment")),
    )


def change_for(user: User, number: str | int) -> Change:
    parsed = parse_number(number, "CHG")
    change = changes_visible_to(user).filter(number=parsed).first() if parsed else None
    if change is None:
        raise ChangeNotFound(
            _("Change %(value)s does not exist: use a number such as CHG-12.") % {"value": number}
        )
    return change


@dataclass(frozen=True)
class EnvironmentLookup:
    environment: Environment | None
    names: tuple[str, ...]


def environment_named(name: str) -> EnvironmentLookup:
    """Return the environment called ``name`` (or None) and every known name for errors."""
    environment = Environment.objects.filter(name=name).first()
    names = tuple(Environment.objects.values_list("name", flat=True))
    return EnvironmentLookup(environment, names)


def _require_back_office_reader(user: User) -> None:
    if not permissions.can_work_back_office(user):
        raise NotAllowed(
            _("Only Production Operations, 2nd line and release agents see this record.")
        )
