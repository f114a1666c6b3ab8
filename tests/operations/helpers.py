"""Request helpers for the back-office API tests."""

import json

from django.http import HttpResponse
from django.test import Client

from relaydesk.operations.webhooks import sign


def post_json(client: Client, path: str, body: dict) -> HttpResponse:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def post_webhook(
    client: Client,
    body: bytes,
    *,
    integration: str | None = "ci",
    secret: str | None = None,
    signature: str | None = None,
) -> HttpResponse:
    """POST ``body`` to the deployment webhook, signed with ``secret`` unless given."""
    headers = {}
    if integration is not None:
        headers["X-Relaydesk-Integration"] = integration
    if signature is None and secret is not None:
        signature = sign(secret, body)
    if signature is not None:
        headers["X-Relaydesk-Signature"] = signature
    return client.post(
        "/api/deployments", data=body, content_type="application/json", headers=headers
    )
