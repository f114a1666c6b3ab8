"""Fixtures for API tests: an agent with a token and clients that send it."""

from collections.abc import Callable

import pytest

from relaydesk.accounts.tokens import issue_token
from relaydesk.customers.models import Contact
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, MessageKind, Ticket
from tests.api.helpers import ApiClient
from tests.factories import AgentFactory, ContactFactory


@pytest.fixture
def agent():
    return AgentFactory()


@pytest.fixture
def token(agent) -> str:
    return issue_token(agent, name="tests").plaintext


@pytest.fixture
def api(token) -> ApiClient:
    return ApiClient(token)


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient(None)


@pytest.fixture
def make_ticket() -> Callable[..., Ticket]:
    def make(contact: Contact | None = None, text: str = "The export fails.", **fields) -> Ticket:
        contact = contact or ContactFactory()
        draft = MessageDraft(
            direction=Direction.INBOUND, kind=MessageKind.EMAIL, text=text, subject="Export"
        )
        return actions.create_ticket(
            channel=fields.pop("channel", "email"), first_message=draft, contact=contact, **fields
        )

    return make
