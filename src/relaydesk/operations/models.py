"""Back-office records: incidents, known errors, changes and their deployments.

Tickets sit below operations in the import order, so the links between a
ticket and an incident live here (``IncidentTicket``) and the tickets app never
imports this module.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relaydesk.tickets.models import Message, Priority, Ticket


class Level(models.TextChoices):
    """An incident's impact or urgency.

    The labels have their own translation context: ticket priorities share the
    English words, but impact and urgency differ in grammatical gender in
    Portuguese, so they need a form that fits both.
    """

    LOW = "low", pgettext_lazy("impact or urgency", "Low")
    MEDIUM = "medium", pgettext_lazy("impact or urgency", "Medium")
    HIGH = "high", pgettext_lazy("impact or urgency", "High")


# Impact x urgency -> priority. Either axis at "high" lifts the priority one
# step above the other axis; both "high" is the only urgent case.
PRIORITY_MATRIX: dict[tuple[str, str], str] = {
    (Level.HIGH, Level.HIGH): Priority.URGENT,
    (Level.HIGH, Level.MEDIUM): Priority.HIGH,
    (Level.MEDIUM, Level.HIGH): Priority.HIGH,
    (Level.HIGH, Level.LOW): Priority.NORMAL,
    (Level.LOW, Level.HIGH): Priority.NORMAL,
    (Level.MEDIUM, Level.MEDIUM): Priority.NORMAL,
    (Level.MEDIUM, Level.LOW): Priority.LOW,
    (Level.LOW, Level.MEDIUM): Priority.LOW,
    (Level.LOW, Level.LOW): Priority.LOW,
}


def priority_for(impact: str, urgency: str) -> str:
    """Return the ticket-style priority for an impact and an urgency."""
    return PRIORITY_MATRIX[(impact, urgency)]


class IncidentStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "triage", _("Triage")
    SECOND_LINE = "second_line", _("2nd line")
    AWAITING_CHANGE = "awaiting_change", _("Awaiting change")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_INCIDENT_STATUSES = (
    IncidentStatus.NEW,
    IncidentStatus.TRIAGE,
    IncidentStatus.SECOND_LINE,
    IncidentStatus.AWAITING_CHANGE,
    IncidentStatus.RESOLVED,
)


class KnownErrorStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FIX_IN_PROGRESS = "fix_in_progress", _("Fix in progress")
    FIXED = "fixed", _("Fixed")


class ChangeStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_TEST = "in_test", _("In test")
    TEST_FAILED = "test_failed", _("Test failed")
    TEST_PASSED = "test_passed", _("Test passed")
    DEPLOYED = "deployed", _("Deployed")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class EnvironmentKind(models.TextChoices):
    TEST = "test", _("Test")
    PRODUCTION = "production", _("Production")


class Outcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class KnownError(models.Model):
    """A recognised problem, numbered ``KE-<n>``, with its cause and workarounds.

    The agents' workaround is internal; the clients' workaround is what
    applying the known error sends to every linked ticket.
    """

    number = models.PositiveBigIntegerField(unique=True)
    title = models.CharField(max_length=300)
    symptoms = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    workaround_agents = models.TextField(blank=True)
    workaround_clients = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=KnownErrorStatus.choices, default=KnownErrorStatus.OPEN
    )
    product_area = models.CharField(max_length=100, blank=True)
    affected_versions = models.CharField(max_length=200, blank=True)
    fixed_by = models.ForeignKey(
        "Change", null=True, blank=True, on_delete=models.SET_NULL, related_name="fixed_errors"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"KE-{self.number}"


class Incident(models.Model):
    """A production problem in the back office, numbered ``PO-<n>``.

    One or more tickets are linked to it through ``IncidentTicket``. The
    public resolution is what every linked ticket receives on close; the
    draft resolution is written when a fix is deployed and waits for
    Production Operations to confirm it.
    """

    number = models.PositiveBigIntegerField(unique=True)
    summary = models.CharField(max_length=500)
    impact = models.CharField(max_length=10, choices=Level.choices)
    urgency = models.CharField(max_length=10, choices=Level.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    status = models.CharField(
        max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_incidents",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    known_error = models.ForeignKey(
        KnownError, null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    public_resolution = models.TextField(blank=True)
    draft_resolution = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        indexes = [models.Index(fields=["status", "-updated_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"PO-{self.number}"


class IncidentTicketQuerySet(models.QuerySet["IncidentTicket"]):
    def current(self) -> "IncidentTicketQuerySet":
        """Return the links that the tickets still follow, without the moved ones."""
        return self.filter(moved_to__isnull=True)


class IncidentTicket(models.Model):
    """The link of one ticket to an incident.

    A ticket follows one incident at a time: its current link. When a ticket
    whose incident closed is escalated again, its link to the closed incident
    stays, with ``moved_to`` naming the incident that took the ticket over, so
    the closed incident still lists every ticket it resolved.

    ``workaround_from`` is set when the ticket received a known error's client
    workaround rather than a resolution, and ``permanent_fix_available`` once
    the change fixing that known error reached production.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="incident_links")
    moved_to = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workaround_from = models.ForeignKey(
        KnownError, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    permanent_fix_available = models.BooleanField(default=False)

    objects = IncidentTicketQuerySet.as_manager()

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(moved_to__isnull=True),
                name="operations_one_current_incident_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket} -> {self.incident}"


class IncidentReference(models.Model):
    """A ticket message (and so its attachments) that the incident points to.

    The message stays on its ticket; the incident only references it.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="references")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "message"], name="unique_incident_message")
        ]

    def __str__(self) -> str:
        return f"{self.incident} message {self.message_id}"


class Change(models.Model):
    """A code change request, numbered ``CHG-<n>``, that fixes incidents."""

    number = models.PositiveBigIntegerField(unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PLANNED
    )
    current_version = models.CharField(max_length=100, blank=True)
    incidents = models.ManyToManyField(Incident, related_name="changes", blank=True)
    known_errors = models.ManyToManyField(KnownError, related_name="changes", blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CHG-{self.number}"


class Environment(models.Model):
    """A named deploy target. Admins maintain the list in the database."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=EnvironmentKind.choices)
    order = models.PositiveSmallIntegerField(_("pipeline order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("environment")
        verbose_name_plural = _("environments")

    def __str__(self) -> str:
        return self.name


class Deployment(models.Model):
    """One change (or a release version) deployed to one environment.

    ``delivery_id`` is the pipeline's id of a webhook delivery: a delivery
    seen before returns the deployment it created instead of a new row.
    """

    change = models.ForeignKey(
        Change, null=True, blank=True, on_delete=models.PROTECT, related_name="deployments"
    )
    environment = models.ForeignKey(
        Environment, on_delete=models.PROTECT, related_name="deployments"
    )
    version = models.CharField(max_length=100)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    deployed_at = models.DateTimeField()
    delivery_id = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["deployed_at", "id"]

    def __str__(self) -> str:
        return f"{self.change or 'release'} {self.version} to {self.environment}"


class Integration(models.Model):
    """A CI/CD pipeline allowed to report deployments through the signed webhook.

    The secret is stored as is, unlike API tokens, because verifying an
    HMAC signature needs the key itself.
    """

    name = models.SlugField(max_length=100, unique=True)
    secret = models.CharField(max_length=128)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class StageName(models.TextChoices):
    ESCALATED = "escalated", _("Escalated")
    TRIAGE = "triage", _("Triage")
    SECOND_LINE = "second_line", _("2nd line")
    CHANGE_IN_TEST = "change_in_test", _("Change in test")
    DEPLOYED = "deployed", _("Deployed")
    RESOLUTION_RECEIVED = "resolution_received", _("Resolution received")
    CLIENT_INFORMED = "client_informed", _("Client informed")


class Stage(models.Model):
    """One stretch of a ticket's path through the back office.

    Entering a stage ends the ticket's open one, so the rows of a ticket are
    consecutive and time per stage is ``ended_at - started_at``.
    ``client_informed`` is the last step and ends when it starts.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="stages")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=30, choices=StageName.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["ticket", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.ticket} {self.name}"
