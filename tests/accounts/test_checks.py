"""Checks on agents and teams."""

import pytest

from relaydesk.accounts.checks import check_agent_email, check_keeps_an_admin, check_team_members
from relaydesk.accounts.errors import InvalidAgent, InvalidTeam
from relaydesk.accounts.models import Role
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_check_agent_email_strips_address():
    assert check_agent_email("  ana@desk.example ") == "ana@desk.example"


def test_check_agent_email_rejects_support_address():
    with pytest.raises(InvalidAgent) as error:
        check_agent_email("support@localhost")
    assert error.value.code == "invalid_agent"
    assert "support addresses" in error.value.message


def test_check_agent_email_allows_empty():
    assert check_agent_email("") == ""


def test_check_agent_email_taken_in_other_case():
    AgentFactory(username="ana", email="ana@desk.example")
    with pytest.raises(InvalidAgent, match="already belongs to agent ana") as raised:
        check_agent_email("Ana@Desk.example")
    assert raised.value.code == "invalid_agent"


def test_check_agent_email_own_address_kept():
    agent = AgentFactory(username="ana", email="ana@desk.example")
    assert check_agent_email("ana@desk.example", agent) == "ana@desk.example"


def test_check_keeps_an_admin_last_admin_demoted():
    admin = AgentFactory(username="root", role=Role.ADMIN)
    with pytest.raises(InvalidAgent, match="only active administrator") as raised:
        check_keeps_an_admin(admin, Role.RELEASE, True)
    assert raised.value.code == "invalid_agent"


def test_check_keeps_an_admin_last_admin_deactivated():
    admin = AgentFactory(username="root", role=Role.ADMIN)
    with pytest.raises(InvalidAgent, match="only active administrator"):
        check_keeps_an_admin(admin, Role.ADMIN, False)


def test_check_keeps_an_admin_with_another_admin():
    admin = AgentFactory(username="root", role=Role.ADMIN)
    AgentFactory(username="deputy", role=Role.ADMIN)
    check_keeps_an_admin(admin, Role.RELEASE, False)


def test_check_keeps_an_admin_ignores_inactive_admins():
    admin = AgentFactory(username="root", role=Role.ADMIN)
    AgentFactory(username="former", role=Role.ADMIN, is_active=False)
    with pytest.raises(InvalidAgent):
        check_keeps_an_admin(admin, Role.RELEASE, True)


def test_check_keeps_an_admin_non_admin_change_allowed():
    agent = AgentFactory(username="ana", role=Role.CUSTOMER_SERVICE)
    check_keeps_an_admin(agent, Role.CSM, False)


def test_check_team_members_inactive_rejected():
    inactive = AgentFactory(username="gone", is_active=False)
    with pytest.raises(InvalidTeam, match="team members: gone") as raised:
        check_team_members([AgentFactory(username="ana"), inactive])
    assert raised.value.code == "invalid_team"
