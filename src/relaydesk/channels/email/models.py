"""Raw inbound e-mail and the IMAP polling position."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RawState(models.TextChoices):
    RECEIVED = "received", _("Received, not yet processed")
    PROCESSED = "processed", _("Processed")
    DUPLICATE = "duplicate", _("Duplicate of an earlier message")
    QUARANTINED = "quarantined", _("Quarantined")
    # Set by an operator for junk that no fix will make usable; the raw bytes stay.
    DISCARDED = "discarded", _("Discarded from quarantine")


class Outcome(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Ticket created")
    MESSAGE_ADDED = "message_added", _("Message added to a ticket")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    BOUNCE = "bounce", _("Bounce")


class Source(models.TextChoices):
    SMTP = "smtp", _("SMTP")
    IMAP = "imap", _("IMAP")
    IMPORT = "import", _("Import")
    API = "api", _("API")


class RawMessage(models.Model):
    """An inbound e-mail exactly as it arrived, stored before any parsing.

    ``dedupe_key`` identifies the same message delivered twice: its Message-ID
    and a digest of its body, or a digest of the whole source when it has no
    Message-ID. A re-delivery is stored as its own row in state ``duplicate``
    so nothing received is ever dropped silently.
    """

    source = models.CharField(max_length=10, choices=Source.choices)
    source_ref = models.CharField(max_length=500, blank=True, db_index=True)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    message_id = models.CharField(max_length=998, blank=True)
    dedupe_key = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=RawState.choices, default=RawState.RECEIVED)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_detail = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["state", "received_at"])]

    def __str__(self) -> str:
        return f"raw {self.pk} ({self.state})"


class QuarantinedMessage(RawMessage):
    """A raw message as the administration pages show the quarantine."""

    class Meta:
        proxy = True
        verbose_name = _("quarantined message")
        verbose_name_plural = _("quarantined messages")

    def __str__(self) -> str:
        origin = self.source_ref or self.envelope_from or self.get_source_display()
        return _("Message %(id)s from %(origin)s") % {"id": self.pk, "origin": origin}


class ImapCursor(models.Model):
    """How far ``fetch-mail`` has read one IMAP folder.

    When the server's UIDVALIDITY changes the stored UIDs mean nothing, so the
    folder is read again from the start and Message-ID deduplication keeps
    tickets from being created twice.
    """

    account = models.CharField(max_length=500)
    folder = models.CharField(max_length=500)
    uidvalidity = models.PositiveBigIntegerField(null=True)
    last_uid = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "folder"], name="imap_cursor_unique_folder")
        ]

    def __str__(self) -> str:
        return f"{self.account}/{self.folder}@{self.last_uid}"
