"""Shared kernel records: the append-only timeline and number sequences."""

from django.conf import settings
from django.db import models


class TimelineEvent(models.Model):
    """One thing that happened to a ticket, incident, known error or change.

    Rows are only ever inserted. Timelines, audits and reports read them, so
    every state change writes exactly one row through ``core.timeline.record``.
    """

    subject_type = models.CharField(max_length=32)
    subject_id = models.BigIntegerField()
    kind = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id", "created_at"])]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} {self.kind}"


class Sequence(models.Model):
    """A named counter for human numbers such as ``CS-<n>``."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
