"""Run the web server, a task worker and the SMTP endpoint in one foreground group."""

import os
import shlex
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from relaydesk.core import config
from relaydesk.core.ports import Listener, PortUnavailable, accepting, check_listeners

STOP_GRACE_SECONDS = 10
# How long the banner waits for the web server and SMTP endpoint to accept connections.
START_WAIT_SECONDS = 30
SMTP_HOST = "127.0.0.1"


class Command(BaseCommand):
    help = (
        "Start the web UI, a background task worker and the SMTP inbound endpoint "
        "together; Ctrl-C stops all three."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Web server address.")
        parser.add_argument(
            "--port", type=int, default=8000, help="Web server port (default: %(default)s)."
        )
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=2525,
            help="SMTP inbound port on 127.0.0.1 (default: %(default)s).",
        )
        parser.add_argument("--no-smtp", action="store_true", help="Do not start SMTP inbound.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            check_listeners(self._listeners(options))
        except PortUnavailable as error:
            raise CommandError(str(error)) from error
        stopping = False

        def request_stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        # Before the children start, so a signal during start-up stops them too.
        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        children = self._start_children(options)
        failed = self._wait_until_listening(children, self._listeners(options), lambda: stopping)
        if failed:
            self._stop(children)
            raise CommandError(f"{failed} exited while starting; everything was stopped.")
        if not stopping:
            self._print_banner(options)
        failed = self._wait(children, lambda: stopping)
        self._stop(children)
        if failed:
            raise CommandError(f"{failed} exited unexpectedly; everything was stopped.")
        self.stdout.write("relaydesk stopped.")

    def _listeners(self, options: dict[str, Any]) -> list[Listener]:
        listeners = [Listener("web server", options["host"], options["port"], "--port", "PORT")]
        if not options["no_smtp"]:
            listeners.append(
                Listener(
                    "SMTP inbound endpoint",
                    SMTP_HOST,
                    options["smtp_port"],
                    "--smtp-port",
                    "SMTP_PORT",
                )
            )
        return listeners

    def _start_children(self, options: dict[str, Any]) -> dict[str, subprocess.Popen[bytes]]:
        command = [sys.executable, "-m", "relaydesk.cli"]
        plan = {
            "web server": [
                *command,
                "runserver",
                _web_address(options["host"], options["port"]),
                "--noreload",
                "--skip-checks",
            ],
            # The worker schedules the SLA sweep and IMAP polling before it starts.
            "task worker": [*command, "worker", "--no-reload"],
        }
        if not options["no_smtp"]:
            plan["SMTP inbound"] = [
                *command,
                "smtp-inbound",
                "--host",
                SMTP_HOST,
                "--port",
                str(options["smtp_port"]),
            ]
        return {name: subprocess.Popen(argv) for name, argv in plan.items()}

    def _wait_until_listening(
        self,
        children: dict[str, subprocess.Popen[bytes]],
        listeners: list[Listener],
        stopping: Any,
    ) -> str:
        """Wait until every listener accepts connections, so the printed URL works at once.

        Returns the name of a child that exited while waiting, else "". The
        wait ends early on a stop request, and after START_WAIT_SECONDS the
        banner is printed anyway.
        """
        deadline = time.monotonic() + START_WAIT_SECONDS
        waiting = list(listeners)
        while waiting and not stopping() and time.monotonic() < deadline:
            for name, child in children.items():
                if child.poll() is not None:
                    return name
            waiting = [item for item in waiting if not accepting(item.host, item.port)]
            if waiting:
                time.sleep(0.1)
        return ""

    def _wait(self, children: dict[str, subprocess.Popen[bytes]], stopping: Any) -> str:
        while not stopping():
            for name, child in children.items():
                if child.poll() is not None:
                    return name
            time.sleep(0.2)
        return ""

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _print_banner(self, options: dict[str, Any]) -> None:
        from relaydesk.demo import data

        address = config.support_addresses()[0]
        outbox = config.get("OUTBOX_DIR") if not config.get("SMTP_URL") else None
        lines = [
            "",
            f"relaydesk is running at http://{_web_address(options['host'], options['port'])}/",
        ]
        if data.is_loaded():
            lines.append(
                f"Demo logins (password {data.DEMO_PASSWORD}): " + ", ".join(data.demo_logins())
            )
        if not options["no_smtp"]:
            command = f".venv/bin/relaydesk send-test-mail --port {options['smtp_port']}"
            if address != config.DEFAULT_SUPPORT_ADDRESS:
                # Another shell may not have the server's RELAYDESK_SUPPORT_ADDRESS.
                command += f" --to {address}"
            lines.append(f"Send a test e-mail to {address}: {command}")
        if outbox:
            lines.append(f"Outgoing mail is written to {outbox} (no RELAYDESK_SMTP_URL set).")
        lines.append(_other_commands_line())
        lines.append("Press Ctrl-C to stop.")
        self.stdout.write("\n".join(lines) + "\n")


def _other_commands_line() -> str:
    """Return how another shell's commands reach this desk's database."""
    if os.environ.get("DATABASE_URL", "").strip():
        return (
            "Other commands reach this desk with the same DATABASE_URL: .venv/bin/relaydesk --help"
        )
    if os.environ.get("RELAYDESK_DATA_DIR", "").strip():
        return (
            "Other commands reach this desk with the same data folder: "
            f"RELAYDESK_DATA_DIR={shlex.quote(str(settings.DATA_DIR))} .venv/bin/relaydesk --help"
        )
    return "Other commands reach this desk when run from this folder: .venv/bin/relaydesk --help"


def _web_address(host: str, port: int) -> str:
    """Return ``host:port``, with an IPv6 address in brackets as runserver and URLs need it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
