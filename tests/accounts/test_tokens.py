from datetime import timedelta

import pytest

from relaydesk.accounts.models import ApiToken, hash_token
from relaydesk.accounts.tokens import (
    AmbiguousTokenPrefix,
    TokenNotFound,
    issue_token,
    revoke_token,
    user_for_token,
)
from relaydesk.core import clock
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_issue_token_stores_only_digest():
    issued = issue_token(AgentFactory(), name="CI")
    stored = ApiToken.objects.get()
    assert issued.plaintext.startswith("rd_")
    assert stored.digest == hash_token(issued.plaintext)
    assert stored.prefix == issued.plaintext[:8]
    assert stored.name == "CI"
    assert issued.plaintext not in (stored.digest, stored.prefix, stored.name)


def test_issue_token_values_differ():
    agent = AgentFactory()
    assert issue_token(agent).plaintext != issue_token(agent).plaintext


def test_user_for_token_finds_owner():
    agent = AgentFactory()
    assert user_for_token(issue_token(agent).plaintext) == agent


def test_user_for_token_rejects_unknown():
    assert user_for_token("rd_" + "A" * 43) is None


def test_user_for_token_rejects_revoked():
    issued = issue_token(AgentFactory())
    revoke_token(issued.token.prefix)
    assert user_for_token(issued.plaintext) is None


def test_user_for_token_rejects_inactive_user():
    agent = AgentFactory(is_active=False)
    assert user_for_token(issue_token(agent).plaintext) is None


def test_user_for_token_updates_stale_last_use():
    issued = issue_token(AgentFactory())
    start = clock.now()
    with clock.frozen_at(start):
        user_for_token(issued.plaintext)
    with clock.frozen_at(start + timedelta(minutes=2)):
        user_for_token(issued.plaintext)
    issued.token.refresh_from_db()
    assert issued.token.last_used_at == start + timedelta(minutes=2)


def test_revoke_token_sets_time():
    issued = issue_token(AgentFactory())
    revoked = revoke_token(issued.token.prefix)
    assert revoked.revoked_at is not None


def test_revoke_token_unknown_prefix():
    with pytest.raises(TokenNotFound) as raised:
        revoke_token("rd_nope1")
    assert raised.value.code == "token_not_found"


def test_revoke_token_ambiguous_prefix_needs_user():
    first, second = AgentFactory(), AgentFactory()
    for agent in (first, second):
        ApiToken.objects.create(user=agent, prefix="rd_same0", digest=hash_token(agent.username))
    with pytest.raises(AmbiguousTokenPrefix):
        revoke_token("rd_same0")
    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0
    assert revoke_token("rd_same0", user=second).user == second
