"""The check that run-all's listen addresses are free, against ports bound here."""

import socket
from collections.abc import Iterator

import pytest

from relaydesk.core.ports import Listener, PortUnavailable, check_listeners
from tests import ports
from tests.ports import free_port, free_port_with_free_next


@pytest.fixture
def busy_port() -> Iterator[int]:
    """Yield a port on 127.0.0.1 that a listening socket of this test holds."""
    with ports.busy_port() as port:
        yield port


def web(port: int, host: str = "127.0.0.1") -> Listener:
    return Listener("web server", host, port, "--port", "PORT")


def smtp(port: int) -> Listener:
    return Listener("SMTP inbound endpoint", "127.0.0.1", port, "--smtp-port", "SMTP_PORT")


def test_check_listeners_accepts_free_ports():
    check_listeners([web(free_port()), smtp(free_port())])


def test_check_listeners_releases_free_ports():
    port = free_port()
    check_listeners([web(port)])
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))


def test_check_listeners_busy_web_port_names_address(busy_port):
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(busy_port), smtp(free_port())])
    assert str(raised.value).startswith(
        f"127.0.0.1:{busy_port} is already in use, so the web server cannot start"
    )


def test_check_listeners_busy_web_port_names_fix(busy_port):
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(busy_port)])
    suggested = busy_port + 1
    assert f"--port {suggested} (make run PORT={suggested})" in str(raised.value)


def test_check_listeners_busy_smtp_port_names_fix(busy_port):
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(free_port()), smtp(busy_port)])
    message = str(raised.value)
    assert f"127.0.0.1:{busy_port} is already in use" in message
    assert "SMTP inbound endpoint" in message
    assert f"make run SMTP_PORT={busy_port + 1}" in message


def test_check_listeners_names_both_busy_ports(busy_port):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        smtp_port = other.getsockname()[1]

        with pytest.raises(PortUnavailable) as raised:
            check_listeners([web(busy_port), smtp(smtp_port)])

    web_line, smtp_line = str(raised.value).splitlines()
    assert web_line.startswith(f"127.0.0.1:{busy_port} is already in use, so the web server")
    assert smtp_line.startswith(f"127.0.0.1:{smtp_port} is already in use, so the SMTP")


def test_check_listeners_rejects_one_port_twice():
    port = free_port_with_free_next()
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(port), smtp(port)])
    assert str(raised.value) == (
        f"The web server and the SMTP inbound endpoint are both set to port {port}, but "
        f"each needs a port of its own: choose a free port with --smtp-port {port + 1} "
        f"(make run SMTP_PORT={port + 1})."
    )


def test_check_listeners_one_port_twice_on_all_interfaces():
    port = free_port()
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(port, host="0.0.0.0"), smtp(port)])
    assert "are both set to port" in str(raised.value)


def test_check_listeners_busy_shared_port_blames_program(busy_port):
    # The first listener fails on the other program's socket, before the clash.
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(busy_port), smtp(busy_port)])
    assert str(raised.value).startswith(
        f"127.0.0.1:{busy_port} is already in use, so the web server cannot start"
    )


def test_listener_without_make_variable_names_option_only(busy_port):
    listener = Listener("SMTP inbound endpoint", "127.0.0.1", busy_port, "--port")
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([listener])
    assert str(raised.value).endswith(f"choose a free port with --port {busy_port + 1}.")


def test_check_listeners_busy_port_on_all_interfaces(busy_port):
    # On Linux a wildcard bind clashes with a listening 127.0.0.1 socket on the
    # same port, even with SO_REUSEADDR.
    with pytest.raises(PortUnavailable):
        check_listeners([web(busy_port, host="0.0.0.0")])


@pytest.mark.parametrize("port", [0, -1, 65536])
def test_check_listeners_rejects_port_out_of_range(port):
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(port)])
    assert str(raised.value) == (
        f"Port {port} of the web server is invalid: use a number from 1 to 65535 with --port."
    )


def test_check_listeners_rejects_unknown_host(monkeypatch):
    def fail_lookup(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # The lookup fails here, so the test sends no DNS query.
    monkeypatch.setattr(socket, "getaddrinfo", fail_lookup)
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(8001, host="no-such-host.invalid")])
    assert "Host 'no-such-host.invalid' of the web server is invalid" in str(raised.value)


def test_check_listeners_address_not_on_this_machine():
    # 192.0.2.1 is reserved for documentation, so no interface here has it and
    # bind() fails locally without sending anything.
    with pytest.raises(PortUnavailable) as raised:
        check_listeners([web(free_port(), host="192.0.2.1")])
    assert "The web server cannot listen on 192.0.2.1:" in str(raised.value)


def test_listener_address_brackets_ipv6():
    assert web(8001, host="::1").address == "[::1]:8001"


def test_check_listeners_suggests_a_port_that_is_free(busy_port):
    # Hold the port after the busy one too: the suggestion must skip it.
    with socket.socket() as next_one:
        try:
            next_one.bind(("127.0.0.1", busy_port + 1))
        except OSError:
            pytest.skip(f"port {busy_port + 1} is taken by another program")
        next_one.listen()
        with pytest.raises(PortUnavailable) as raised:
            check_listeners([web(busy_port)])
    message = str(raised.value)
    assert f"--port {busy_port + 1}" not in message
    suggested = int(message.split("--port ")[1].split(" ")[0])
    assert suggested > busy_port + 1
