"""``relaydesk smtp-inbound``: serve the SMTP endpoint until SIGINT or SIGTERM."""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relaydesk.channels.email.smtp_inbound import DEFAULT_HOST, DEFAULT_PORT, InboundSmtpServer
from relaydesk.core.ports import (
    Listener,
    PortUnavailable,
    check_listeners,
    describe_bind_failure,
)


class Command(BaseCommand):
    help = (
        "Receive e-mail for the support addresses over SMTP and turn it into tickets. "
        "Runs until interrupted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default=DEFAULT_HOST, help="Address to listen on (default: %(default)s)."
        )
        parser.add_argument(
            "--port", type=int, default=DEFAULT_PORT, help="TCP port (default: %(default)s)."
        )

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        listener = Listener("SMTP inbound endpoint", host, port, "--port")
        try:
            check_listeners([listener])
        except PortUnavailable as error:
            raise CommandError(str(error)) from error
        server = InboundSmtpServer(host, port)
        try:
            server.start()
        except OSError as error:
            # Another program took the port after the check.
            raise CommandError(describe_bind_failure(listener, error)) from error
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"SMTP endpoint listening on {listener.address}; stop with Ctrl+C.")
        try:
            stop.wait()
        finally:
            server.stop()
