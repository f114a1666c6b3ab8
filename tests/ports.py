"""Ports on 127.0.0.1 for tests that start servers or need one taken."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager

# Tries to find a busy port whose next port is free, before giving up.
BUSY_PORT_ATTEMPTS = 20


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_port_with_free_next() -> int:
    """Return a free TCP port on 127.0.0.1 whose next port is free too.

    For tests that expect relaydesk to suggest ``port + 1``, which it does
    only when no other program uses that port.
    """
    for _attempt in range(BUSY_PORT_ATTEMPTS):
        port = free_port()
        if port < 65535 and _bindable(port + 1):
            return port
    raise RuntimeError(f"no free port with a free next port in {BUSY_PORT_ATTEMPTS} tries")


@contextmanager
def busy_port() -> Iterator[int]:
    """Hold a listening port on 127.0.0.1 whose next port is free, and yield it.

    relaydesk suggests the first free port after a busy one, so tests can
    expect ``port + 1`` when no other program uses it.
    """
    for _attempt in range(BUSY_PORT_ATTEMPTS):
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
        if port < 65535 and _bindable(port + 1):
            with server:
                server.listen()
                yield port
            return
        server.close()
    raise RuntimeError(f"no port with a free next port in {BUSY_PORT_ATTEMPTS} tries")


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
