"""Checks that the addresses a server listens on are free, before it starts anything.

``run-all`` checks all of its listeners together; ``smtp-inbound`` checks its
one, so that both explain a busy port in the same words.
"""

import errno
import socket
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

# How many ports after a busy one are tried for a free one to suggest.
PORTS_TO_TRY = 20


@dataclass(frozen=True)
class Listener:
    """One address that a server listens on, and how a user changes its port.

    ``make_variable`` is the ``make run`` variable for the port, for the
    servers that ``make run`` starts.
    """

    name: str
    host: str
    port: int
    option: str
    make_variable: str | None = None

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


class PortUnavailable(Exception):
    """Error raised when a listener's address cannot be bound. Its message names the fix."""


def check_listeners(listeners: Sequence[Listener]) -> None:
    """Bind every listener's address once, together, and release them all.

    Raises PortUnavailable naming every one that is in use or otherwise
    cannot be bound, one per line, so both busy ports of a second ``make
    run`` are reported at once. An invalid port number is raised on its own,
    first. Holding the probes together also catches two listeners on one
    port, which the message names as such. Another program can still take a
    port between this check and the server start, so the caller must handle
    that failure too.
    """
    for listener in listeners:
        if not 0 < listener.port < 65536:
            raise PortUnavailable(
                f"Port {listener.port} of the {listener.name} is invalid: "
                f"use a number from 1 to 65535 with {listener.option}."
            )
    failures: list[str] = []
    with ExitStack() as probes:
        bound: list[Listener] = []
        for listener in listeners:
            try:
                probes.enter_context(_bound(listener.host, listener.port))
            except OSError as error:
                failures.append(_bind_failure(listener, error, bound))
                continue
            bound.append(listener)
    if failures:
        raise PortUnavailable("\n".join(failures))


@contextmanager
def _bound(host: str, port: int) -> Iterator[socket.socket]:
    family, kind, protocol, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    with socket.socket(family, kind, protocol) as probe:
        # Django's runserver and asyncio's create_server (used by aiosmtpd) set
        # SO_REUSEADDR on Unix too, so a port that a stopped run left in
        # TIME_WAIT counts as free, as it is for them.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
        probe.listen()
        yield probe


def _bind_failure(listener: Listener, error: OSError, bound: list[Listener]) -> str:
    """Explain ``error``, naming an earlier listener of the same check that has the port bound."""
    same_port = [other for other in bound if other.port == listener.port]
    if same_port and error.errno == errno.EADDRINUSE:
        return (
            f"The {same_port[0].name} and the {listener.name} are both set to port "
            f"{listener.port}, but each needs a port of its own: {_fix(listener)}."
        )
    return describe_bind_failure(listener, error)


def _fix(listener: Listener) -> str:
    free_port = _free_port_after(listener)
    if free_port is None:
        return f"choose a free port with {listener.option}"
    fix = f"choose a free port with {listener.option} {free_port}"
    if listener.make_variable:
        fix += f" (make run {listener.make_variable}={free_port})"
    return fix


def _free_port_after(listener: Listener) -> int | None:
    """Return the first of the next PORTS_TO_TRY ports that binds on the listener's host now."""
    for port in range(listener.port + 1, min(listener.port + 1 + PORTS_TO_TRY, 65536)):
        try:
            with _bound(listener.host, port):
                return port
        except OSError:
            continue
    return None


def describe_bind_failure(listener: Listener, error: OSError) -> str:
    """Return the message for ``error`` from binding ``listener``'s address, with the fix."""
    fix = _fix(listener)
    if isinstance(error, socket.gaierror):
        return f"Host {listener.host!r} of the {listener.name} is invalid ({error}): check --host."
    if error.errno == errno.EADDRINUSE:
        return (
            f"{listener.address} is already in use, so the {listener.name} cannot start: "
            f"stop the program that uses it, or {fix}."
        )
    return f"The {listener.name} cannot listen on {listener.address} ({error}): {fix}."


def accepting(host: str, port: int) -> bool:
    """Return whether a server accepts TCP connections on ``host``:``port`` now.

    A wildcard address (``0.0.0.0`` or ``::``) is tried on loopback.
    """
    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    try:
        with socket.create_connection((target, port), timeout=0.5):
            return True
    except OSError:
        return False
