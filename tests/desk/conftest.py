"""Fixtures for the desk pages: a signed-in agent and tickets made through actions."""

from collections.abc import Callable

import pytest
from django.test import Client

from relaydesk.accounts.models import User
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, MessageKind, Ticket
from tests.factories import AgentFactory, ContactFactory


@pytest.fixture
def agent(db) -> User:
    return AgentFactory(username="ana", first_name="Ana", last_name="Silva")


@pytest.fixture
def agent_client(agent: User) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def inbound_draft(text: str = "The invoice export fails with an error.", **fields) -> MessageDraft:
    fields.setdefault("subject", "Invoice export fails")
    return MessageDraft(direction=Direction.INBOUND, kind=MessageKind.EMAIL, text=text, **fields)


@pytest.fixture
def make_ticket(db) -> Callable[..., Ticket]:
    """Create a ticket from an inbound e-mail; keyword arguments go to create_ticket."""

    def make(text: str = "The invoice export fails with an error.", **options) -> Ticket:
        draft_fields = options.pop("draft", {})
        options.setdefault("contact", ContactFactory())
        return actions.create_ticket(
            channel=options.pop("channel", "email"),
            first_message=inbound_draft(text, **draft_fields),
            **options,
        )

    return make
