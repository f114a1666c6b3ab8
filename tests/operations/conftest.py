"""Agents, teams, environments, tickets and an API client for the back-office tests."""

from collections.abc import Callable

import pytest
from django.test import Client

from relaydesk.accounts.models import Role, User
from relaydesk.customers.models import Contact, Organization
from relaydesk.operations.models import Environment
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, MessageKind, Ticket
from tests.factories import (
    AgentFactory,
    ContactFactory,
    EnvironmentFactory,
    OrganizationFactory,
    PremiumOrganizationFactory,
    TeamFactory,
)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Agents here never sign in with a password, so hashing it slowly buys nothing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cs_agent() -> User:
    return AgentFactory(username="carla", role=Role.CUSTOMER_SERVICE)


@pytest.fixture
def po_agent() -> User:
    return AgentFactory(username="pedro", role=Role.PRODUCTION_OPERATIONS)


@pytest.fixture
def second_line_agent() -> User:
    return AgentFactory(username="ines", role=Role.SECOND_LINE)


@pytest.fixture
def release_agent() -> User:
    return AgentFactory(username="rui", role=Role.RELEASE)


@pytest.fixture
def second_line_team(second_line_agent):
    team = TeamFactory(slug="second_line", name="2nd line", role=Role.SECOND_LINE)
    team.members.add(second_line_agent)
    return team


@pytest.fixture
def test_env() -> Environment:
    return EnvironmentFactory(name="staging", kind="test", order=1)


@pytest.fixture
def production_env() -> Environment:
    return EnvironmentFactory(name="production", kind="production", order=2)


@pytest.fixture
def premium_org() -> Organization:
    return PremiumOrganizationFactory(name="Northwind Logistics")


@pytest.fixture
def premium_org_without_csm() -> Organization:
    return PremiumOrganizationFactory(name="Atlantico Seguros", csm=None, locale="pt-pt")


@pytest.fixture
def universal_org() -> Organization:
    """Universal is shipped with informs_client_on_close switched on."""
    return OrganizationFactory(name="Bakery Brothers")


@pytest.fixture
def make_ticket() -> Callable[..., Ticket]:
    def make(organization: Organization | None = None, text: str = "Export fails") -> Ticket:
        contact: Contact = ContactFactory(
            organization=organization or OrganizationFactory(), name="Olivia Grant"
        )
        draft = MessageDraft(
            direction=Direction.INBOUND, kind=MessageKind.EMAIL, text=text, subject=text
        )
        return tickets.create_ticket(channel="email", first_message=draft, contact=contact)

    return make


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    """A test client signed in as the given agent (session auth)."""

    def client_for(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return client_for
