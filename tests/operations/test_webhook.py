"""The signed deployment webhook: every bad input is rejected and changes nothing."""

import json

import pytest
from django.test import Client

from relaydesk.core.models import TimelineEvent
from relaydesk.operations import actions
from relaydesk.operations.models import ChangeStatus, Deployment, Integration
from relaydesk.operations.webhooks import sign
from tests.operations.helpers import post_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret() -> str:
    return actions.create_integration("ci")[1]


@pytest.fixture
def change(po_agent, release_agent, test_env, production_env):
    change = actions.create_change(actor=po_agent, title="Faster export")
    actions.deploy_to_environment(change, test_env, version="2.0.1", actor=release_agent)
    actions.record_test_result(change, actor=release_agent, passed=True)
    change.refresh_from_db()
    return change


def payload(change, /, **overrides) -> dict:
    body = {
        "change": change.reference,
        "environment": "production",
        "version": "2.0.1",
        "outcome": "succeeded",
        "delivery_id": "run-1",
    }
    body.update(overrides)
    return body


def encode(body: dict) -> bytes:
    return json.dumps(body).encode()


def snapshot(change) -> tuple:
    change.refresh_from_db()
    return (
        Deployment.objects.count(),
        TimelineEvent.objects.count(),
        change.status,
        change.current_version,
    )


def test_webhook_records_production_deployment(change, secret):
    response = post_webhook(Client(), encode(payload(change)), secret=secret)

    assert response.status_code == 201
    assert response.json()["environment"] == "production"
    assert response.json()["actor"] == "integration:ci"
    change.refresh_from_db()
    assert change.status == ChangeStatus.DEPLOYED


def test_webhook_accepts_plain_change_number(change, secret):
    body = encode(payload(change, change=change.number))
    response = post_webhook(Client(), body, secret=secret)
    assert response.status_code == 201


def test_webhook_duplicate_delivery_stored_once(change, secret):
    body = encode(payload(change))
    first = post_webhook(Client(), body, secret=secret)
    count = Deployment.objects.count()

    second = post_webhook(Client(), body, secret=secret)

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Deployment.objects.count() == count


def test_webhook_duplicate_id_with_other_body_returns_first(change, secret):
    first = post_webhook(Client(), encode(payload(change)), secret=secret)
    again = encode(payload(change, outcome="failed", version="9.9.9"))

    second = post_webhook(Client(), again, secret=secret)

    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["version"] == "2.0.1"


SIGNATURE_CASES = [
    ("missing_signature", {"signature": None, "secret": None}, 401, "missing_signature"),
    ("wrong_secret", {"secret": "not-the-secret"}, 401, "invalid_signature"),
    ("garbage", {"signature": "sha256=zz"}, 401, "invalid_signature"),
    ("no_prefix", {"signature": "abc"}, 401, "invalid_signature"),
    ("unknown_integration", {"integration": "nobody"}, 401, "unknown_integration"),
    ("no_integration_header", {"integration": None}, 401, "unknown_integration"),
]


@pytest.mark.parametrize(
    ("case", "options", "status", "code"), SIGNATURE_CASES, ids=[c[0] for c in SIGNATURE_CASES]
)
def test_webhook_rejects_bad_signature(change, secret, case, options, status, code):
    before = snapshot(change)
    kwargs = {"secret": secret, **options}

    response = post_webhook(Client(), encode(payload(change)), **kwargs)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response["WWW-Authenticate"].startswith('Relaydesk-Signature realm="relaydesk-webhooks"')
    assert snapshot(change) == before


def test_webhook_without_integration_header_names_it(change, secret):
    response = post_webhook(Client(), encode(payload(change)), secret=secret, integration=None)
    assert response.json()["detail"].startswith("X-Relaydesk-Integration is missing")


def test_webhook_rejects_signature_of_other_body(change, secret):
    before = snapshot(change)
    signature = sign(secret, encode(payload(change, version="2.0.0")))

    response = post_webhook(Client(), encode(payload(change)), signature=signature)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert snapshot(change) == before


def test_webhook_rejects_inactive_integration(change, secret):
    Integration.objects.filter(name="ci").update(active=False)
    response = post_webhook(Client(), encode(payload(change)), secret=secret)
    assert response.json()["code"] == "unknown_integration"


BODY_CASES = [
    ("malformed_json", b'{"change": ', "malformed_payload"),
    ("not_utf8", b"\xff\xfe{}", "malformed_payload"),
    ("json_list", b"[1, 2]", "malformed_payload"),
    ("missing_fields", b'{"change": "CHG-1"}', "missing_field"),
    ("empty_object", b"{}", "missing_field"),
]


@pytest.mark.parametrize(("case", "body", "code"), BODY_CASES, ids=[c[0] for c in BODY_CASES])
def test_webhook_rejects_malformed_body(change, secret, case, body, code):
    before = snapshot(change)

    response = post_webhook(Client(), body, secret=secret)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert snapshot(change) == before


FIELD_CASES = [
    ("unknown_change", {"change": "CHG-999"}, "unknown_change"),
    ("change_wrong_prefix", {"change": "PO-1"}, "unknown_change"),
    ("change_not_a_number", {"change": ["CHG-1"]}, "unknown_change"),
    ("unknown_environment", {"environment": "moon"}, "unknown_environment"),
    ("invalid_outcome", {"outcome": "maybe"}, "invalid_field"),
    ("version_not_string", {"version": 2}, "invalid_field"),
    ("missing_version", {"version": ""}, "missing_field"),
    ("missing_delivery_id", {"delivery_id": None}, "missing_field"),
]


@pytest.mark.parametrize(
    ("case", "overrides", "code"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES]
)
def test_webhook_rejects_invalid_field(change, secret, case, overrides, code):
    before = snapshot(change)

    response = post_webhook(Client(), encode(payload(change, **overrides)), secret=secret)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert snapshot(change) == before


def test_webhook_without_environments_names_admin(po_agent, secret):
    change = actions.create_change(actor=po_agent, title="Faster export")

    response = post_webhook(Client(), encode(payload(change)), secret=secret)

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_environment"
    assert "no environments exist yet" in response.json()["detail"]


def test_webhook_untested_production_deploy_conflicts(po_agent, production_env, secret):
    change = actions.create_change(actor=po_agent, title="Untested")
    before = snapshot(change)

    response = post_webhook(Client(), encode(payload(change)), secret=secret)

    assert response.status_code == 409
    assert response.json()["code"] == "test_not_passed"
    assert snapshot(change) == before


def test_webhook_override_reason_is_recorded(po_agent, production_env, secret):
    change = actions.create_change(actor=po_agent, title="Hotfix")
    body = encode(payload(change, override_reason="Outage; tested by hand"))

    response = post_webhook(Client(), body, secret=secret)

    assert response.status_code == 201
    assert response.json()["override_reason"] == "Outage; tested by hand"
    change.refresh_from_db()
    assert change.status == ChangeStatus.DEPLOYED


def test_webhook_failed_outcome_keeps_status(change, secret):
    response = post_webhook(Client(), encode(payload(change, outcome="failed")), secret=secret)

    assert response.status_code == 201
    change.refresh_from_db()
    assert change.status == ChangeStatus.TEST_PASSED
