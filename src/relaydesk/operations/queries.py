"""Read-only back-office queries; they own select_related, prefetch_related and visibility.

Contacts (clients) never see incidents, known errors, changes or internal
notes. There is no client login yet, so these functions return nothing for
any user who is not an active agent. Portal code must go through them.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from relaydesk.accounts import permissions
from relaydesk.accounts.models import User
from relaydesk.core.folding import Fold, fold
from relaydesk.core.models import TimelineEvent
from relaydesk.core.timeline import subject_type_of
from relaydesk.operations.errors import (
    ChangeNotFound,
    IncidentNotFound,
    KnownErrorNotFound,
    NotAllowed,
)
from relaydesk.operations.models import (
    OPEN_INCIDENT_STATUSES,
    Change,
    Deployment,
    Environment,
    Incident,
    IncidentReference,
    IncidentStatus,
    IncidentTicket,
    KnownError,
    Stage,
    StageName,
)
from relaydesk.tickets.models import Message, Priority

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
            _(
                "Incident %(value)s does not exist: check the number, written as PO-12, "
                "in the list of incidents."
            )
            % {"value": number}
        )
    return incident


def linked_tickets(incident: Incident) -> QuerySet[IncidentTicket]:
    return _ticket_links().filter(incident=incident)


def _ticket_links() -> QuerySet[IncidentTicket]:
    return IncidentTicket.objects.select_related(
        "ticket", "ticket__organization", "workaround_from", "moved_to"
    ).order_by("linked_at", "id")


def incident_changes(incident: Incident) -> QuerySet[Change]:
    return incident.changes.order_by("number")


@dataclass(frozen=True)
class IncidentDetails:
    """The records a full view of one incident shows beside its own fields."""

    incident: Incident
    links: list[IncidentTicket]
    changes: list[Change]
    referenced_message_ids: list[int]
    notes: list[TimelineEvent]


def incident_details(incidents: list[Incident]) -> list[IncidentDetails]:
    """Load the details of ``incidents``, in their order, with six queries for the lot.

    A page of incidents costs as much as one incident, instead of a handful
    of queries per incident.
    """
    ids = [incident.pk for incident in incidents]
    loaded = (
        Incident.objects.select_related("assignee", "team", "known_error")
        .prefetch_related(
            Prefetch("ticket_links", queryset=_ticket_links(), to_attr="loaded_links"),
            Prefetch(
                "changes", queryset=Change.objects.order_by("number"), to_attr="loaded_changes"
            ),
            Prefetch(
                "references",
                queryset=IncidentReference.objects.order_by("id"),
                to_attr="loaded_references",
            ),
        )
        .in_bulk(ids)
    )
    notes: dict[int, list[TimelineEvent]] = {pk: [] for pk in ids}
    if ids:
        for event in TimelineEvent.objects.filter(
            subject_type=subject_type_of(incidents[0]), subject_id__in=ids, kind="note_added"
        ).select_related("actor"):
            notes[event.subject_id].append(event)
    return [
        IncidentDetails(
            incident=loaded[pk],
            links=loaded[pk].loaded_links,
            changes=loaded[pk].loaded_changes,
            referenced_message_ids=[
                reference.message_id for reference in loaded[pk].loaded_references
            ],
            notes=notes[pk],
        )
        for pk in ids
        if pk in loaded
    ]


def incident_for_ticket(ticket_id: int) -> Incident | None:
    link = (
        IncidentTicket.objects.current()
        .select_related("incident")
        .filter(ticket_id=ticket_id)
        .first()
    )
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
            _(
                "Known error %(value)s does not exist: check the number, written as KE-12, "
                "in the list of known errors."
            )
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
            _(
                "Change %(value)s does not exist: check the number, written as CHG-12, "
                "in the list of changes."
            )
            % {"value": number}
        )
    return change


@dataclass(frozen=True)
class EnvironmentLookup:
    environment: Environment | None
    names: tuple[str, ...]


def environment_named(name: str) -> EnvironmentLookup:
    """Return the environment called ``name`` (or None) and every known name for errors.

    Names are unique without regard to case, so "Production" finds production.
    """
    environment = Environment.objects.filter(name__iexact=name.strip()).first()
    names = tuple(Environment.objects.values_list("name", flat=True))
    return EnvironmentLookup(environment, names)


def _require_back_office_reader(user: User) -> None:
    if not permissions.can_work_back_office(user):
        raise NotAllowed(
            _("Only Production Operations, 2nd line and release agents see or change this record.")
        )


# Reads for the desk pages of the escalation path. Each one checks the user's role.

# Sort order of the triage queue: the most urgent priority first.
PRIORITY_RANK = Case(
    When(priority=Priority.URGENT, then=Value(0)),
    When(priority=Priority.HIGH, then=Value(1)),
    When(priority=Priority.NORMAL, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
TRIAGE_STATUSES = (IncidentStatus.NEW, IncidentStatus.TRIAGE)


def incident_list(user: User, *, status: str = "") -> QuerySet[Incident]:
    """Incidents with their linked ticket count, newest first, for back-office agents.

    ``status`` keeps one status; empty keeps all. Raises NotAllowed for anyone else.
    """
    _require_back_office_reader(user)
    incidents = (
        Incident.objects.select_related("known_error", "team", "assignee")
        # distinct, so that a join the caller adds (the SLA clocks) cannot inflate it.
        .annotate(ticket_count=Count("ticket_links", distinct=True))
        .order_by("-number")
    )
    return incidents.filter(status=status) if status else incidents


def triage_queue(user: User) -> QuerySet[Incident]:
    """Incidents that are new or in triage, most urgent first, then oldest first."""
    return (
        incident_list(user)
        .filter(status__in=TRIAGE_STATUSES)
        .annotate(priority_rank=PRIORITY_RANK)
        .order_by("priority_rank", "created_at", "number")
    )


def open_incidents_matching(user: User, text: str, *, limit: int = 20) -> list[Incident]:
    """Return open incidents numbered ``text`` (``PO-12`` or ``12``) or whose summary contains it.

    The summary matches when it contains every word of ``text``, in any
    order and without regard to accents or case, as the inbox search does:
    "exportacao documentos" finds "Exportação de documentos".

    Front-office agents choose from these the incident to link a ticket to,
    so every agent may call it.

    NOTE: the ticket page shows each match's summary to front-office agents,
    beyond the number, status and resolution they see elsewhere, because
    they cannot choose by number alone. Customer Service wrote that summary
    when escalating; nothing else of the incident should be shown with it.
    """
    text = text.strip()
    if not text:
        return []
    incidents = incidents_visible_to(user).filter(status__in=OPEN_INCIDENT_STATUSES)
    number = parse_number(text, "PO")
    incidents = incidents.alias(summary_folded=Fold("summary"))
    matches = _every_word(text, "summary_folded")
    if number is not None:
        matches |= Q(number=number)
    return list(incidents.filter(matches).order_by("-number")[:limit])


def _every_word(text: str, folded_field: str) -> Q:
    """Match rows whose folded ``folded_field`` contains every word of ``text``, in any order."""
    matches = Q()
    for word in fold(text).split():
        matches &= Q(**{f"{folded_field}__contains": word})
    return matches


def incident_ticket_links(user: User, incident: Incident) -> QuerySet[IncidentTicket]:
    """Return the incident's ticket links with each ticket's organization and plan."""
    _require_back_office_reader(user)
    return linked_tickets(incident).select_related("ticket__organization__plan")


def referenced_messages(user: User, incident: Incident) -> QuerySet[Message]:
    """Return the ticket messages the incident references, oldest first, with their tickets."""
    _require_back_office_reader(user)
    message_ids = incident.references.values("message_id")
    return (
        Message.objects.filter(pk__in=message_ids)
        .select_related("ticket", "author", "contact")
        .order_by("created_at", "id")
    )


def known_error_list(user: User, *, search: str = "") -> QuerySet[KnownError]:
    """Known errors, newest first, with the number of incidents they were applied to.

    ``search`` matches the number (``KE-12`` or ``12``), or the title or the
    symptoms when one of them contains every word of it, without regard to
    accents or case.
    """
    known_errors = known_errors_visible_to(user).annotate(incident_count=Count("incidents"))
    search = search.strip()
    if search:
        known_errors = known_errors.alias(
            title_folded=Fold("title"), symptoms_folded=Fold("symptoms")
        )
        matches = _every_word(search, "title_folded") | _every_word(search, "symptoms_folded")
        number = parse_number(search, "KE")
        if number is not None:
            matches |= Q(number=number)
        known_errors = known_errors.filter(matches)
    return known_errors.order_by("-number")


def known_error_incidents(user: User, known_error: KnownError) -> QuerySet[Incident]:
    _require_back_office_reader(user)
    return known_error.incidents.order_by("-number")


def change_list(user: User, *, status: str = "") -> QuerySet[Change]:
    """Changes, newest first, with their linked incidents and known errors prefetched."""
    changes = changes_visible_to(user).order_by("-number")
    return changes.filter(status=status) if status else changes


def environment_list(user: User) -> QuerySet[Environment]:
    """Environments in their configured order, each with its latest deployment's facts."""
    _require_back_office_reader(user)
    latest = Deployment.objects.filter(environment=OuterRef("pk")).order_by("-deployed_at", "-id")
    return Environment.objects.annotate(
        deployment_count=Count("deployments"),
        latest_version=Subquery(latest.values("version")[:1]),
        latest_deployed_at=Subquery(latest.values("deployed_at")[:1]),
        latest_change_number=Subquery(latest.values("change__number")[:1]),
    ).order_by("order", "name")


@dataclass(frozen=True)
class StageProgress:
    """One stage of a ticket's escalation path; the times are None until it is reached."""

    name: str
    label: str
    started_at: datetime | None
    ended_at: datetime | None
    current: bool


@dataclass(frozen=True)
class TicketCase:
    """The part of a ticket's incident that the ticket page shows to every agent.

    It contains the incident's number, status and public resolution, the
    client workaround the ticket received and the ticket's stages. It
    contains no summary, internal note, agents' workaround or root cause, so
    a template given only this cannot show back-office data to Customer Service.
    """

    incident_number: int
    incident_reference: str
    incident_status: str
    incident_status_label: str
    public_resolution: str
    workaround: str
    permanent_fix_available: bool
    stages: tuple[StageProgress, ...]
    # When the fix behind the public resolution was rolled back after close.
    fix_rolled_back_at: datetime | None = None


def ticket_case(user: User, ticket_id: int) -> TicketCase | None:
    """Return the case of a ticket linked to an incident, or None if it is not linked."""
    if not permissions.can_see_incident_summary(user):
        return None
    link = (
        IncidentTicket.objects.current()
        .select_related("incident", "workaround_from")
        .filter(ticket_id=ticket_id)
        .first()
    )
    if link is None:
        return None
    incident = link.incident
    workaround = link.workaround_from.workaround_clients if link.workaround_from else ""
    return TicketCase(
        incident_number=incident.number,
        incident_reference=incident.reference,
        incident_status=incident.status,
        incident_status_label=incident.get_status_display(),
        public_resolution=incident.public_resolution,
        workaround=workaround,
        permanent_fix_available=link.permanent_fix_available,
        stages=_stage_progress(ticket_id, incident.pk),
        fix_rolled_back_at=_fix_rolled_back_at(incident),
    )


def _fix_rolled_back_at(incident: Incident) -> datetime | None:
    if incident.status != IncidentStatus.CLOSED:
        return None
    event = (
        TimelineEvent.objects.filter(
            subject_type="incident", subject_id=incident.pk, kind="fix_rolled_back"
        )
        .order_by("-created_at")
        .first()
    )
    return event.created_at if event is not None else None


def _stage_progress(ticket_id: int, incident_id: int) -> tuple[StageProgress, ...]:
    """Return every stage in path order; one entered twice shows its first start and last end.

    Only the stages on the way to ``incident_id`` count: a ticket escalated
    again after its first incident closed starts a new path.
    """
    rows = list(
        Stage.objects.filter(ticket_id=ticket_id, incident_id=incident_id).order_by(
            "started_at", "id"
        )
    )
    progress = []
    for name, label in StageName.choices:
        entered = [row for row in rows if row.name == name]
        progress.append(
            StageProgress(
                name=name,
                label=str(label),
                started_at=entered[0].started_at if entered else None,
                ended_at=entered[-1].ended_at if entered else None,
                current=any(row.ended_at is None for row in entered),
            )
        )
    return tuple(progress)


def ticket_link(ticket_id: int) -> IncidentTicket | None:
    """Return the ticket's link to its incident, loaded for rendering the message to the client."""
    return (
        IncidentTicket.objects.current()
        .select_related("incident", "workaround_from", "ticket__contact__organization")
        .filter(ticket_id=ticket_id)
        .first()
    )
