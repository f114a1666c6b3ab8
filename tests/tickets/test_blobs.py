"""Attachment content stored once per SHA-256."""

import pytest

from relaydesk.tickets import blobs
from relaydesk.tickets.models import Blob

pytestmark = pytest.mark.django_db


def test_same_content_stored_once():
    first = blobs.store_blob(b"%PDF-1.4 report", "report.pdf")
    second = blobs.store_blob(b"%PDF-1.4 report", "copy.pdf")
    assert first.pk == second.pk
    assert Blob.objects.count() == 1
    assert first.detected_type == "application/pdf"
    assert blobs.read_blob(first) == b"%PDF-1.4 report"


def test_store_blob_lost_race(monkeypatch):
    # Another writer stores the same content between the look-up and the insert.
    winner = blobs.store_blob(b"shared content", "a.txt")
    real_filter = Blob.objects.filter
    calls = []

    def first_lookup_misses(**kwargs):
        calls.append(kwargs)
        found = real_filter(**kwargs)
        return found.none() if len(calls) == 1 else found

    monkeypatch.setattr(Blob.objects, "filter", first_lookup_misses)
    assert blobs.store_blob(b"shared content", "b.txt").pk == winner.pk
    assert Blob.objects.count() == 1
