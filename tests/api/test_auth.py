from datetime import timedelta

import pytest
from django.test import Client

from relaydesk.accounts.models import ApiToken
from relaydesk.accounts.tokens import issue_token, revoke_token
from relaydesk.core import clock
from tests.api.helpers import ApiClient, assert_problem, row_counts
from tests.factories import AgentFactory, ContactFactory

pytestmark = pytest.mark.django_db

TICKETS = "/api/tickets"


def test_auth_missing_token_is_rejected(anonymous):
    response = anonymous.get(TICKETS)
    assert_problem(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="relaydesk"'


def test_auth_wrong_token_is_rejected(token):
    response = ApiClient(token[:-2] + "xx").get(TICKETS)
    assert_problem(response, 401, "unauthenticated")
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_auth_token_without_prefix_is_rejected():
    response = ApiClient("not-a-relaydesk-token").get(TICKETS)
    assert_problem(response, 401, "unauthenticated")


def test_auth_other_scheme_is_rejected(token):
    client = Client(headers={"Authorization": f"Token {token}"})
    assert_problem(client.get(TICKETS), 401, "unauthenticated")


def test_auth_revoked_token_is_rejected(api, token):
    revoke_token(token[:8])
    assert_problem(api.get(TICKETS), 401, "unauthenticated")


def test_auth_inactive_user_is_rejected(api, agent):
    agent.is_active = False
    agent.save()
    assert_problem(api.get(TICKETS), 401, "unauthenticated")


def test_auth_valid_token_is_accepted(api):
    response = api.get(TICKETS)
    assert response.status_code == 200


def test_auth_records_last_use(api, token):
    api.get(TICKETS)
    stored = ApiToken.objects.get(prefix=token[:8])
    assert stored.last_used_at is not None


def test_auth_last_use_throttled(api, token):
    earlier = clock.now() - timedelta(seconds=10)
    ApiToken.objects.filter(prefix=token[:8]).update(last_used_at=earlier)
    api.get(TICKETS)
    assert ApiToken.objects.get(prefix=token[:8]).last_used_at == earlier


def test_auth_non_agent_is_forbidden():
    outsider = AgentFactory(role="")
    client = ApiClient(issue_token(outsider).plaintext)
    assert_problem(client.get(TICKETS), 403, "forbidden")
    assert_problem(client.get("/api/contacts"), 403, "forbidden")


def test_auth_non_agent_cannot_create_ticket():
    outsider = AgentFactory(role="")
    contact = ContactFactory()
    before = row_counts()
    body = {"contact_id": contact.pk, "subject": "Help", "text": "Broken."}
    response = ApiClient(issue_token(outsider).plaintext).post(TICKETS, body)
    assert_problem(response, 403, "forbidden")
    assert row_counts() == before


def test_auth_session_allows_reads(agent):
    client = Client()
    client.force_login(agent)
    assert client.get(TICKETS).status_code == 200


def test_auth_session_post_without_csrf_is_rejected(agent):
    contact = ContactFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    before = row_counts()
    response = client.post(
        TICKETS,
        {"contact_id": contact.pk, "subject": "Help", "text": "Broken."},
        content_type="application/json",
    )
    assert_problem(response, 403, "csrf_failed")
    assert row_counts() == before


def test_auth_session_post_with_csrf_is_accepted(agent):
    contact = ContactFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    client.get("/api/docs")
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        TICKETS,
        {"contact_id": contact.pk, "subject": "Help", "text": "Broken."},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201, response.content


def test_auth_wrong_token_never_falls_back_to_session(agent):
    client = Client(headers={"Authorization": "Bearer rd_wrong"})
    client.force_login(agent)
    assert_problem(client.get(TICKETS), 401, "unauthenticated")
