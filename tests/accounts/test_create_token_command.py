from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relaydesk.accounts.models import ApiToken, hash_token
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create-token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_create_token_prints_token_once():
    AgentFactory(username="ana")
    token, notice = run("--user", "ana", "--name", "CI pipeline")
    stored = ApiToken.objects.get()
    assert stored.digest == hash_token(token)
    assert stored.name == "CI pipeline"
    assert token not in notice
    assert stored.prefix in notice
    # The prefix is not the token, so the notice names where the token is.
    assert "--revoke" in notice
    assert "standard output" in notice


def test_create_token_unknown_user():
    with pytest.raises(CommandError, match="'ghost' not found"):
        run("--user", "ghost")
    assert ApiToken.objects.count() == 0


def test_create_token_unknown_user_names_admin_page():
    with pytest.raises(CommandError, match=r"/admin/accounts/user/add/.*createsuperuser"):
        run("--user", "ghost")


def test_create_token_inactive_user():
    AgentFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        run("--user", "gone")
    assert ApiToken.objects.count() == 0


def test_create_token_requires_user():
    with pytest.raises(CommandError, match="--user is missing"):
        run()


def test_create_token_revoke_by_prefix():
    AgentFactory(username="ana")
    token, _notice = run("--user", "ana")
    output, _notice = run("--revoke", token[:8])
    assert "revoked" in output
    assert ApiToken.objects.get().revoked_at is not None


def test_create_token_revoke_unknown_prefix():
    with pytest.raises(CommandError, match="rd_zzzzz"):
        run("--revoke", "rd_zzzzz")
