"""Agents of every team, environments and back-office records for the escalation pages."""

from collections.abc import Callable

import pytest
from django.test import Client

from relaydesk.accounts.models import Role, User
from relaydesk.operations import actions
from relaydesk.operations.models import Environment, Incident, KnownError
from relaydesk.tickets.models import Ticket
from tests.factories import AgentFactory, EnvironmentFactory, TeamFactory


@pytest.fixture
def cs_agent(db) -> User:
    return AgentFactory(username="carla", first_name="Carla", role=Role.CUSTOMER_SERVICE)


@pytest.fixture
def csm_agent(db) -> User:
    return AgentFactory(username="marta", first_name="Marta", role=Role.CSM)


@pytest.fixture
def po_agent(db) -> User:
    return AgentFactory(username="pedro", first_name="Pedro", role=Role.PRODUCTION_OPERATIONS)


@pytest.fixture
def second_line_agent(db) -> User:
    return AgentFactory(username="ines", first_name="Ines", role=Role.SECOND_LINE)


@pytest.fixture
def release_agent(db) -> User:
    return AgentFactory(username="rui", first_name="Rui", role=Role.RELEASE)


@pytest.fixture
def second_line_team(second_line_agent: User):
    team = TeamFactory(slug="second_line", name="2nd line", role=Role.SECOND_LINE)
    team.members.add(second_line_agent)
    return team


@pytest.fixture
def signed_in() -> Callable[[User], Client]:
    """A test client signed in as the given agent."""

    def client_for(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return client_for


@pytest.fixture
def test_env(db) -> Environment:
    return EnvironmentFactory(name="staging", kind="test", order=1)


@pytest.fixture
def production_env(db) -> Environment:
    return EnvironmentFactory(name="production", kind="production", order=2)


@pytest.fixture
def escalated(make_ticket, cs_agent: User) -> tuple[Ticket, Incident]:
    """A ticket escalated to a new incident by Customer Service."""
    ticket = make_ticket("Invoice export times out for March.")
    incident = actions.escalate_ticket(
        ticket,
        actor=cs_agent,
        summary="Invoice export times out",
        impact="high",
        urgency="medium",
    )
    return ticket, incident


@pytest.fixture
def known_error(po_agent: User) -> KnownError:
    return actions.create_known_error(
        actor=po_agent,
        title="Invoice export times out for large months",
        symptoms="The invoice export spinner never stops",
        root_cause="SECRET-ROOT-CAUSE: the export query scans every invoice line",
        workaround_agents="SECRET-AGENT-TIP: run the export from the admin page",
        workaround_clients="Export one week at a time until the fix ships.",
    )
