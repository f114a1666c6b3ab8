"""``relaydesk send-test-mail`` against the SMTP inbound endpoint, and without one."""

import socket
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from relaydesk.channels.email.models import RawMessage
from relaydesk.channels.email.smtp_inbound import InboundSmtpServer
from tests.ports import free_port


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_send_test_mail_without_server_names_port():
    port = closed_port()
    with pytest.raises(CommandError) as error:
        call_command("send-test-mail", "--port", str(port))
    assert f"Could not send to 127.0.0.1:{port}" in str(error.value)
    assert "--port" in str(error.value)


@pytest.fixture
def endpoint(settings) -> Iterator[InboundSmtpServer]:
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": "help@desk.example"}
    server = InboundSmtpServer("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


# The endpoint stores from its own thread, which reads only committed rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_test_mail_to_refused_recipient_names_it(endpoint):
    with pytest.raises(CommandError) as error:
        call_command("send-test-mail", "--port", str(endpoint.port), "--to", "support@localhost")
    message = str(error.value)
    assert message.startswith(
        f"The server at 127.0.0.1:{endpoint.port} rejected the recipient support@localhost: 550 "
    )
    assert "with --to" in message
    assert "running?" not in message
    assert not RawMessage.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_send_test_mail_to_given_support_address(endpoint):
    out = StringIO()
    call_command(
        "send-test-mail",
        "--port",
        str(endpoint.port),
        "--to",
        "help+billing@desk.example",
        stdout=out,
    )
    assert out.getvalue().endswith("to help+billing@desk.example.\n")
    assert RawMessage.objects.count() == 1
