"""Helpers for API tests: a token-sending client and problem+json checks."""

import json
from typing import Any

from django.test import Client

from relaydesk.core.models import TimelineEvent
from relaydesk.customers.models import Contact, ContactEmail
from relaydesk.tickets.models import Attachment, Message, Ticket


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {})

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json.dumps(body), content_type="application/json")

    def post_raw(self, path: str, raw: bytes) -> Any:
        return self.client.post(path, raw, content_type="application/json")


def row_counts() -> dict[str, int]:
    """Count the rows a write endpoint could add, to prove a rejection changed nothing."""
    models = (Ticket, Message, Attachment, Contact, ContactEmail, TimelineEvent)
    return {model.__name__: model.objects.count() for model in models}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check that ``response`` is a problem+json with ``status`` and ``code``; return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["type"] == f"urn:relaydesk:problem:{code}"
    assert body["title"]
    assert body["detail"]
    assert body["instance"].startswith("/api/")
    return body
