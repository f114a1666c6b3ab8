"""Back-office endpoints: escalation, incidents, known errors, changes, deployments.

Every write goes through ``operations.actions``, which checks the caller's
role. The deployment webhook authenticates by its HMAC signature, not by a
token or session.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from relaydesk.accounts.models import User
from relaydesk.api.errors import UnknownAgent
from relaydesk.api.operations_schemas import (
    ApplyKnownErrorIn,
    AssignIncidentIn,
    ChangeIn,
    ChangeOut,
    ChangePage,
    ChangeRefOut,
    ClockOut,
    CloseIn,
    DeploymentIn,
    DeploymentOut,
    EscalateIn,
    IncidentFilters,
    IncidentIn,
    IncidentOut,
    IncidentPage,
    IncidentSummaryOut,
    IncidentSummaryPage,
    InformIn,
    KnownErrorIn,
    KnownErrorOut,
    KnownErrorPage,
    LinkedTicketOut,
    NoteOut,
    SuggestionOut,
    TestResultIn,
    TransferIn,
)
from relaydesk.api.pagination import PageParams, paginate
from relaydesk.api.problems import Problem
from relaydesk.api.tickets import parse_ticket_number
from relaydesk.core import clock
from relaydesk.operations import actions, queries, suggestions, webhooks
from relaydesk.operations.errors import NotAllowed, unknown_environment
from relaydesk.operations.models import (
    Change,
    Deployment,
    Incident,
    IncidentTicket,
    KnownError,
)
from relaydesk.sla import queries as sla_queries
from relaydesk.tickets.errors import TicketNotFound
from relaydesk.tickets.models import Ticket

router = Router(tags=["operations"])

ERRORS = frozenset({400, 401, 403, 404, 409, 413, 415, 422})


@router.post(
    "/tickets/{number}/escalate",
    response={201: IncidentSummaryOut, ERRORS: Problem},
    summary="Escalate a ticket to a new incident, or link it to an open one",
)
def escalate(request: HttpRequest, number: str, payload: EscalateIn) -> Status:
    agent = _agent(request)
    ticket = _ticket(number)
    if payload.incident:
        incident = queries.incident_for(agent, payload.incident)
        actions.link_ticket(ticket, incident, actor=agent)
    else:
        incident = actions.escalate_ticket(
            ticket,
            actor=agent,
            summary=payload.summary,
            impact=payload.impact or "",
            urgency=payload.urgency or "",
            message_ids=payload.message_ids,
        )
    return Status(201, _incident_summary(incident))


@router.post(
    "/tickets/{number}/inform-client",
    response={200: LinkedTicketOut, ERRORS: Problem},
    summary="Reply to the client with the back office's answer and solve the ticket",
)
def inform_client(request: HttpRequest, number: str, payload: InformIn) -> LinkedTicketOut:
    agent = _agent(request)
    ticket = _ticket(number)
    actions.inform_client(ticket, actor=agent, text=payload.text)
    link = IncidentTicket.objects.current().select_related(
        "ticket__organization", "workaround_from"
    )
    return _linked_ticket(link.get(ticket=ticket))


@router.get(
    "/incidents",
    response={200: IncidentPage | IncidentSummaryPage, ERRORS: Problem},
    summary="List incidents (number, status and resolution only for the front office)",
)
def list_incidents(
    request: HttpRequest, filters: Query[IncidentFilters], page: Query[PageParams]
) -> dict:
    agent = _agent(request)
    incidents = queries.incidents_visible_to(agent).order_by("-number")
    if filters.status:
        incidents = incidents.filter(status__in=filters.status)
    found = paginate(request, incidents, page)
    found["items"] = _incident_views(agent, list(found["items"]))
    return found


@router.post(
    "/incidents",
    response={201: IncidentOut, ERRORS: Problem},
    summary="Open an incident without a ticket",
)
def create_incident(request: HttpRequest, payload: IncidentIn) -> Status:
    agent = _agent(request)
    incident = actions.create_incident(
        actor=agent, summary=payload.summary, impact=payload.impact, urgency=payload.urgency
    )
    return Status(201, _incident_detail(incident))


@router.get(
    "/incidents/{number}",
    response={200: IncidentOut | IncidentSummaryOut, ERRORS: Problem},
    summary="Get an incident with its tickets, known error and changes",
)
def get_incident(request: HttpRequest, number: str) -> IncidentOut | IncidentSummaryOut:
    agent = _agent(request)
    return _incident_view(agent, queries.incident_for(agent, number))


@router.get(
    "/incidents/{number}/suggestions",
    response={200: list[SuggestionOut], ERRORS: Problem},
    summary="Known errors and past incidents that share terms with this incident",
)
def incident_suggestions(request: HttpRequest, number: str) -> list[SuggestionOut]:
    incident = _back_office_incident(request, number)
    return [
        SuggestionOut(
            kind=found.kind,
            reference=found.reference,
            title=found.title,
            score=found.score,
            matched_terms=list(found.matched_terms),
            matched_fields=list(found.matched_fields),
        )
        for found in suggestions.suggestions_for(incident)
    ]


@router.post(
    "/incidents/{number}/triage",
    response={200: IncidentOut, ERRORS: Problem},
    summary="Start triage of a new incident",
)
def start_triage(request: HttpRequest, number: str) -> IncidentOut:
    incident = _back_office_incident(request, number)
    return _incident_detail(actions.start_triage(incident, actor=request.auth))


@router.post(
    "/incidents/{number}/apply-known-error",
    response={200: IncidentOut, ERRORS: Problem},
    summary="Apply a known error and send its client workaround to every linked ticket",
)
def apply_known_error(request: HttpRequest, number: str, payload: ApplyKnownErrorIn) -> IncidentOut:
    incident = _back_office_incident(request, number)
    known_error = queries.known_error_for(request.auth, payload.known_error)
    return _incident_detail(actions.apply_known_error(incident, known_error, actor=request.auth))


@router.post(
    "/incidents/{number}/assign",
    response={200: IncidentOut, ERRORS: Problem},
    summary="Give the incident an owner from the back office, or none",
)
def assign(request: HttpRequest, number: str, payload: AssignIncidentIn) -> IncidentOut:
    incident = _back_office_incident(request, number)
    assignee = None
    if payload.assignee is not None:
        assignee = User.objects.filter(username=payload.assignee, is_active=True).first()
        if assignee is None:
            raise UnknownAgent(
                _("No active agent has the username %(value)r: use a back-office agent's username.")
                % {"value": payload.assignee}
            )
    return _incident_detail(
        actions.assign_incident(incident, actor=request.auth, assignee=assignee)
    )


@router.post(
    "/incidents/{number}/transfer",
    response={200: IncidentOut, ERRORS: Problem},
    summary="Transfer the incident to the 2nd line with an internal note",
)
def transfer(request: HttpRequest, number: str, payload: TransferIn) -> IncidentOut:
    incident = _back_office_incident(request, number)
    moved = actions.transfer_to_second_line(incident, actor=request.auth, note=payload.note)
    return _incident_detail(moved)


@router.post(
    "/incidents/{number}/close",
    response={200: IncidentOut, ERRORS: Problem},
    summary="Close the incident and deliver its public resolution to every linked ticket",
)
def close(request: HttpRequest, number: str, payload: CloseIn) -> IncidentOut:
    incident = _back_office_incident(request, number)
    closed = actions.close_incident(incident, actor=request.auth, resolution=payload.resolution)
    return _incident_detail(closed)


@router.get(
    "/known-errors",
    response={200: KnownErrorPage, ERRORS: Problem},
    summary="List known errors, newest first",
)
def list_known_errors(request: HttpRequest, page: Query[PageParams]) -> dict:
    agent = _agent(request)
    known_errors = queries.known_errors_visible_to(agent).order_by("-number")
    found = paginate(request, known_errors, page)
    found["items"] = [_known_error(known_error) for known_error in found["items"]]
    return found


@router.post(
    "/known-errors",
    response={201: KnownErrorOut, ERRORS: Problem},
    summary="Record a known error",
)
def create_known_error(request: HttpRequest, payload: KnownErrorIn) -> Status:
    agent = _agent(request)
    known_error = actions.create_known_error(actor=agent, **payload.dict())
    return Status(201, _known_error(known_error))


@router.get(
    "/changes",
    response={200: ChangePage, ERRORS: Problem},
    summary="List changes with their deployments, newest first",
)
def list_changes(request: HttpRequest, page: Query[PageParams]) -> dict:
    agent = _agent(request)
    found = paginate(request, queries.changes_visible_to(agent).order_by("-number"), page)
    found["items"] = [_change(change) for change in found["items"]]
    return found


@router.post(
    "/changes",
    response={201: ChangeOut, ERRORS: Problem},
    summary="Request a change for incidents and known errors",
)
def create_change(request: HttpRequest, payload: ChangeIn) -> Status:
    agent = _agent(request)
    incidents = [queries.incident_for(agent, number) for number in payload.incidents]
    known_errors = [queries.known_error_for(agent, number) for number in payload.known_errors]
    change = actions.create_change(
        actor=agent,
        title=payload.title,
        description=payload.description,
        incidents=incidents,
        known_errors=known_errors,
    )
    return Status(201, _change(queries.change_for(agent, change.number)))


@router.post(
    "/changes/{number}/deployments",
    response={201: DeploymentOut, ERRORS: Problem},
    summary="Report a deployment of the change by a person",
)
def deploy(request: HttpRequest, number: str, payload: DeploymentIn) -> Status:
    agent = _agent(request)
    change = queries.change_for(agent, number)
    lookup = queries.environment_named(payload.environment)
    if lookup.environment is None:
        raise unknown_environment(payload.environment, lookup.names)
    result = actions.deploy_to_environment(
        change,
        lookup.environment,
        version=payload.version,
        actor=agent,
        outcome=payload.outcome,
        notes=payload.notes,
        override_reason=payload.override_reason,
    )
    return Status(201, _deployment(result.deployment))


@router.post(
    "/changes/{number}/test-results",
    response={200: ChangeOut, ERRORS: Problem},
    summary="Record whether the change's version in test passed",
)
def record_test_result(request: HttpRequest, number: str, payload: TestResultIn) -> ChangeOut:
    agent = _agent(request)
    change = queries.change_for(agent, number)
    actions.record_test_result(change, actor=agent, passed=payload.passed, notes=payload.notes)
    return _change(queries.change_for(agent, number))


@router.post(
    "/deployments",
    auth=None,
    response={200: DeploymentOut, 201: DeploymentOut, ERRORS: Problem},
    summary="Deployment webhook for CI/CD pipelines, signed with HMAC-SHA256",
    description=(
        "Body: `{change, environment, version, outcome, delivery_id}` (optional `notes`, "
        "`override_reason`). Headers: `X-Relaydesk-Integration: <name>` and "
        "`X-Relaydesk-Signature: sha256=<hex HMAC-SHA256 of the raw body with the "
        "integration's secret>`. A delivery id seen before returns 200 with the first "
        "deployment and stores nothing."
    ),
)
def deployment_webhook(request: HttpRequest) -> Status:
    result = webhooks.receive_deployment(
        integration_name=request.headers.get("X-Relaydesk-Integration"),
        signature=request.headers.get("X-Relaydesk-Signature"),
        body=request.body,
    )
    return Status(201 if result.created else 200, _deployment(result.deployment))


def _agent(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


def _ticket(number: str) -> Ticket:
    parsed = parse_ticket_number(number)
    ticket = Ticket.objects.select_related("organization__plan").filter(number=parsed).first()
    if ticket is None:
        raise TicketNotFound(
            _("Ticket CS-%(number)s not found: check the number.") % {"number": parsed}
        )
    return ticket


def _back_office_incident(request: HttpRequest, number: str) -> Incident:
    agent = _agent(request)
    incident = queries.incident_for(agent, number)
    if not queries.sees_incident_details(agent):
        raise NotAllowed(_("Only Production Operations, 2nd line and release agents may do this."))
    return incident


def _incident_view(agent: User, incident: Incident) -> IncidentOut | IncidentSummaryOut:
    return _incident_views(agent, [incident])[0]


def _incident_views(
    agent: User, incidents: list[Incident]
) -> list[IncidentOut] | list[IncidentSummaryOut]:
    if queries.sees_incident_details(agent):
        return _incident_details(incidents)
    return [_incident_summary(incident) for incident in incidents]


def _incident_summary(incident: Incident) -> IncidentSummaryOut:
    return IncidentSummaryOut(
        number=incident.reference,
        status=incident.status,
        public_resolution=incident.public_resolution,
    )


def _incident_detail(incident: Incident) -> IncidentOut:
    return _incident_details([incident])[0]


def _incident_details(incidents: list[Incident]) -> list[IncidentOut]:
    """Full views of ``incidents`` with a fixed number of queries, however many there are."""
    details = queries.incident_details(incidents)
    clocks = sla_queries.incidents_clock_views([found.incident for found in details], clock.now())
    return [_detail_out(found, clocks[found.incident.pk]) for found in details]


def _detail_out(
    details: queries.IncidentDetails, clocks: list[sla_queries.ClockView]
) -> IncidentOut:
    incident = details.incident
    return IncidentOut(
        number=incident.reference,
        summary=incident.summary,
        impact=incident.impact,
        urgency=incident.urgency,
        priority=incident.priority,
        status=incident.status,
        assignee=incident.assignee.username if incident.assignee else None,
        team=incident.team.slug if incident.team else None,
        known_error=incident.known_error.reference if incident.known_error else None,
        public_resolution=incident.public_resolution,
        draft_resolution=incident.draft_resolution,
        created_at=incident.created_at,
        updated_at=incident.updated_at,
        closed_at=incident.closed_at,
        tickets=[_linked_ticket(link) for link in details.links],
        changes=[
            ChangeRefOut(
                number=change.reference,
                title=change.title,
                status=change.status,
                current_version=change.current_version,
            )
            for change in details.changes
        ],
        referenced_messages=details.referenced_message_ids,
        notes=[
            NoteOut(
                text=event.data.get("text", ""),
                author=event.actor_label,
                created_at=event.created_at,
            )
            for event in details.notes
        ],
        sla_clocks=[_clock(view) for view in clocks],
    )


def _clock(view: sla_queries.ClockView) -> ClockOut:
    return ClockOut(
        kind=view.clock.kind,
        label=view.label,
        state=view.state,
        target_minutes=view.clock.target_minutes,
        elapsed_minutes=view.elapsed_minutes,
        remaining_minutes=view.remaining_minutes,
        started_at=view.clock.started_at,
        due_at=view.clock.due_at,
        warn_at=view.clock.warn_at,
        paused_since=view.clock.paused_since,
        met_at=view.clock.met_at,
        breached_at=view.clock.breached_at,
    )


def _linked_ticket(link: IncidentTicket) -> LinkedTicketOut:
    ticket = link.ticket
    return LinkedTicketOut(
        number=ticket.reference,
        status=ticket.status,
        organization=ticket.organization.name if ticket.organization else None,
        workaround_from=link.workaround_from.reference if link.workaround_from else None,
        permanent_fix_available=link.permanent_fix_available,
        moved_to=link.moved_to.reference if link.moved_to else None,
    )


def _known_error(known_error: KnownError) -> KnownErrorOut:
    return KnownErrorOut(
        number=known_error.reference,
        title=known_error.title,
        symptoms=known_error.symptoms,
        root_cause=known_error.root_cause,
        workaround_agents=known_error.workaround_agents,
        workaround_clients=known_error.workaround_clients,
        status=known_error.status,
        product_area=known_error.product_area,
        affected_versions=known_error.affected_versions,
        fixed_by=known_error.fixed_by.reference if known_error.fixed_by else None,
    )


def _change(change: Change) -> ChangeOut:
    return ChangeOut(
        number=change.reference,
        title=change.title,
        description=change.description,
        status=change.status,
        current_version=change.current_version,
        incidents=[incident.reference for incident in change.incidents.all()],
        known_errors=[known_error.reference for known_error in change.known_errors.all()],
        deployments=[_deployment(deployment) for deployment in change.deployments.all()],
    )


def _deployment(deployment: Deployment) -> DeploymentOut:
    return DeploymentOut(
        id=deployment.pk,
        change=deployment.change.reference if deployment.change else None,
        environment=deployment.environment.name,
        version=deployment.version,
        outcome=deployment.outcome,
        notes=deployment.notes,
        override_reason=deployment.override_reason,
        actor=deployment.actor_label,
        deployed_at=deployment.deployed_at,
        delivery_id=deployment.delivery_id,
    )
