"""``relaydesk send-test-mail`` when nothing listens on the port."""

import socket

import pytest
from django.core.management import CommandError, call_command


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
