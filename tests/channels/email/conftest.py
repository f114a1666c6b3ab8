"""Fixtures for the e-mail channel tests: the support address, inputs and acknowledgements."""

from pathlib import Path

import pytest

from relaydesk.channels.email import outbound

FIXTURES = Path(__file__).parent / "fixtures"
SUPPORT = "support@desk.example"


def load(name: str, **fields: object) -> bytes:
    """Return fixture ``name``, with ``{field}`` placeholders filled in when given."""
    content = (FIXTURES / name).read_bytes()
    for key, value in fields.items():
        content = content.replace(b"{" + key.encode() + b"}", str(value).encode())
    return content


@pytest.fixture(autouse=True)
def _support_address(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": SUPPORT}


@pytest.fixture
def acknowledgements(monkeypatch) -> list[tuple[int, int]]:
    """Record (ticket number, message pk) for every acknowledgement the intake queues."""
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(
        outbound,
        "queue_acknowledgement",
        lambda ticket, message: calls.append((ticket.number, message.pk)),
    )
    return calls
