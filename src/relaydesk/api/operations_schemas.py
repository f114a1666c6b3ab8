"""Request and response schemas of the back-office endpoints in ``api.operations``."""

from datetime import datetime

from ninja import Field, Schema

from relaydesk.api.pagination import PageBase
from relaydesk.api.schemas import BodyRowId, InputSchema
from relaydesk.operations.models import IncidentStatus, Level, Outcome


class EscalateIn(InputSchema):
    """Open a new incident, or link to ``incident`` (then the other fields are ignored)."""

    summary: str = ""
    impact: Level | None = None
    urgency: Level | None = None
    message_ids: list[BodyRowId] = []
    incident: str | None = None


class IncidentIn(InputSchema):
    summary: str
    impact: Level
    urgency: Level


class IncidentSummaryOut(Schema):
    """The part of an incident that front-office agents see."""

    number: str
    status: str
    public_resolution: str


class LinkedTicketOut(Schema):
    number: str
    status: str
    organization: str | None
    workaround_from: str | None
    permanent_fix_available: bool
    moved_to: str | None = Field(
        None,
        description=(
            "The incident that took the ticket over when it was escalated again after this "
            "incident closed; null while the ticket follows this incident."
        ),
    )


class ChangeRefOut(Schema):
    number: str
    title: str
    status: str
    current_version: str


class NoteOut(Schema):
    text: str
    author: str
    created_at: datetime


class ClockOut(Schema):
    """One SLA clock of an incident, as of the request."""

    kind: str = Field(description="Stable code: triage, workaround or resolution.")
    label: str = Field(description="The kind as agents read it, in the request's language.")
    state: str = Field(description="running, at_risk, breached, paused or met.")
    target_minutes: int = Field(description="The target in business minutes.")
    elapsed_minutes: int = Field(description="Business minutes counted so far, pauses excluded.")
    remaining_minutes: int = Field(description="Business minutes left; negative once past due.")
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    paused_since: datetime | None
    met_at: datetime | None
    breached_at: datetime | None


class IncidentOut(Schema):
    """An incident in full, for back-office agents."""

    number: str
    summary: str
    impact: str
    urgency: str
    priority: str
    status: str
    assignee: str | None
    team: str | None
    known_error: str | None
    public_resolution: str
    draft_resolution: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    tickets: list[LinkedTicketOut]
    changes: list[ChangeRefOut]
    referenced_messages: list[int]
    notes: list[NoteOut]
    sla_clocks: list[ClockOut] = Field(
        description="Triage, workaround and resolution clocks, oldest first; empty without policy."
    )


class SuggestionOut(Schema):
    kind: str
    reference: str
    title: str
    score: float
    matched_terms: list[str]
    matched_fields: list[str]


class ApplyKnownErrorIn(InputSchema):
    known_error: str


class TransferIn(InputSchema):
    note: str


class AssignIncidentIn(InputSchema):
    """The new owner's username, or ``null`` to leave the incident without one."""

    assignee: str | None


class CloseIn(InputSchema):
    resolution: str


class InformIn(InputSchema):
    text: str | None = None


class KnownErrorIn(InputSchema):
    title: str
    symptoms: str = ""
    root_cause: str = ""
    workaround_agents: str = ""
    workaround_clients: str = ""
    product_area: str = ""
    affected_versions: str = ""


class KnownErrorOut(Schema):
    number: str
    title: str
    symptoms: str
    root_cause: str
    workaround_agents: str
    workaround_clients: str
    status: str
    product_area: str
    affected_versions: str
    fixed_by: str | None


class ChangeIn(InputSchema):
    title: str
    description: str = ""
    incidents: list[str] = []
    known_errors: list[str] = []


class DeploymentIn(InputSchema):
    environment: str
    version: str
    outcome: Outcome = Outcome.SUCCEEDED
    notes: str = ""
    override_reason: str = ""


class TestResultIn(InputSchema):
    # A JSON true or false: "yes" or 1 is refused rather than read as a verdict.
    passed: bool = Field(strict=True)
    notes: str = ""


class DeploymentOut(Schema):
    id: int
    change: str | None
    environment: str
    version: str
    outcome: str
    notes: str
    override_reason: str
    actor: str
    deployed_at: datetime
    delivery_id: str | None


class ChangeOut(Schema):
    number: str
    title: str
    description: str
    status: str
    current_version: str
    incidents: list[str]
    known_errors: list[str]
    deployments: list[DeploymentOut]


class IncidentFilters(Schema):
    status: list[IncidentStatus] | None = Field(None, description="Repeat to match any of several.")


class IncidentPage(PageBase):
    """A page of incidents in full, for back-office agents."""

    items: list[IncidentOut]


class IncidentSummaryPage(PageBase):
    """A page of incidents as front-office agents see them."""

    items: list[IncidentSummaryOut]


class KnownErrorPage(PageBase):
    items: list[KnownErrorOut]


class ChangePage(PageBase):
    items: list[ChangeOut]
