"""``relaydesk smtp-inbound``: serve the SMTP endpoint until SIGINT or SIGTERM."""

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relaydesk.channels.email.smtp_inbound import DEFAULT_HOST, DEFAULT_PORT, serve


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
        if not 0 < port < 65536:
            raise CommandError(f"Port {port} is invalid: use a number from 1 to 65535.")
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self.stdout.write(f"SMTP endpoint listening on {host}:{port}; stop with Ctrl+C.")
        try:
            serve(host, port, stop)
        except OSError as error:
            raise CommandError(
                f"Listening on {host}:{port} failed ({error}): choose a free port with --port."
            ) from error
