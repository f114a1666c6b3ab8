"""Front-office tickets, their conversation and attachments."""

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relaydesk.customers.models import Channel, Contact, Organization


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CLIENT = "pending_client", _("Pending client")
    ESCALATED = "escalated", _("Escalated")
    SOLUTION_RECEIVED = "solution_received", _("Solution received")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (
    Status.NEW,
    Status.OPEN,
    Status.PENDING_CLIENT,
    Status.ESCALATED,
    Status.SOLUTION_RECEIVED,
)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Ticket(models.Model):
    """A client's case in the front office, numbered ``CS-<n>``."""

    number = models.PositiveBigIntegerField(unique=True)
    subject = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    last_client_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["team", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"CS-{self.number}"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    INTERNAL = "internal", _("Internal")


class MessageKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CALL = "call", _("Call")
    ASSISTANT = "assistant", _("Assistant message")
    PORTAL = "portal", _("Portal message")
    API = "api", _("API message")
    REPLY = "reply", _("Reply")
    NOTE = "note", _("Internal note")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    BOUNCE = "bounce", _("Bounce")
    COMPLAINT = "complaint", _("Spam complaint")
    AUTO_REPLY = "auto_reply", _("Automatic reply")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class DeliveryStatus(models.TextChoices):
    NOT_APPLICABLE = "", _("Not sent")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One entry in a ticket's conversation.

    ``text`` is the full decoded text; ``display_text`` is the same with quoted
    history and signature folded away for agents. ``raw`` links to the stored
    original for e-mail.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    from_address = models.CharField(max_length=320, blank=True)
    from_name = models.CharField(max_length=200, blank=True)
    to_addresses = models.JSONField(default=list, blank=True)
    cc_addresses = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=1000, blank=True)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    display_text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="Sanitized HTML body, if the message had one.")
    headers = models.JSONField(default=dict, blank=True)
    raw = models.ForeignKey(
        "email.RawMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default="", blank=True
    )
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    delivery_error = models.TextField(blank=True)
    automatic = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"]),
            # The acknowledgement rate limit counts one kind of message in the
            # last hour; without this index it scanned every message.
            models.Index(fields=["kind", "created_at"], name="tickets_message_kind_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on CS-{self.ticket.number}"

    @cached_property
    def client_label(self) -> str:
        """Return the sender as the message names them, ``Name <address>``, or its contact."""
        if self.from_address:
            return f"{self.from_name} <{self.from_address}>".strip()
        if self.from_name:
            return self.from_name
        return str(self.contact) if self.contact_id else ""


class Blob(models.Model):
    """Attachment content, stored once per SHA-256 on the default storage."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    detected_type = models.CharField(max_length=200, blank=True)
    storage_name = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField(max_length=500)
    declared_type = models.CharField(max_length=200, blank=True)
    content_id = models.CharField(max_length=500, blank=True)
    inline = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
