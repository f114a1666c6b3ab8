"""``relaydesk import-mail PATH...``: import .eml files, directories, mbox files and Maildirs."""

import json
import logging
import sys
import time
from argparse import ArgumentParser
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, reset_queries

from relaydesk.channels.email.intake import ingest
from relaydesk.channels.email.models import Source
from relaydesk.channels.email.sources import SourceError, count_skipped, discover, read_messages

logger = logging.getLogger(__name__)

# IntakeResult.outcome -> the summary key that counts it.
_SUMMARY_KEYS = {
    "ticket_created": "tickets_created",
    "message_added": "messages_added",
    "duplicate": "duplicates",
    "auto_reply": "auto_replies",
    "bounce": "bounces",
    "quarantined": "quarantined",
}


class Progress:
    """A one-line progress report on stderr: messages done, rate and time left."""

    def __init__(self, total_bytes: int, enabled: bool) -> None:
        self.total_bytes = max(total_bytes, 1)
        self.enabled = enabled
        self.started = time.monotonic()
        self.last_shown = 0.0

    def update(self, done: int, bytes_done: int) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last_shown < 0.5:
            return
        self.last_shown = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        # The time left is estimated from bytes, the only total known without
        # reading every mbox file twice.
        left = elapsed * (self.total_bytes - bytes_done) / max(bytes_done, 1)
        sys.stderr.write(f"\r{done} messages, {rate:.0f}/s, about {left:.0f} s left   ")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


@contextmanager
def query_logging_off() -> Iterator[None]:
    """Stop Django from timing and keeping every SQL statement while the import runs.

    Embedded mode turns DEBUG on, and with it Django wraps each cursor to
    time every statement and keep the last 9,000, which an import of
    thousands of messages pays for on every statement.
    """
    debug = settings.DEBUG
    forced = {connection.alias: connection.force_debug_cursor for connection in connections.all()}
    settings.DEBUG = False
    for connection in connections.all():
        connection.force_debug_cursor = False
    reset_queries()
    try:
        yield
    finally:
        settings.DEBUG = debug
        for connection in connections.all():
            connection.force_debug_cursor = forced.get(connection.alias, False)


class Command(BaseCommand):
    help = (
        "Import e-mail from .eml files, directories (searched recursively), mbox files "
        "and Maildir folders into tickets. Exits 0 when every input was handled; "
        "quarantined messages count as handled."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders to import.")
        parser.add_argument(
            "--json", action="store_true", help="Print only one JSON object with the counts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        try:
            sources = list(discover(paths))
        except SourceError as exc:
            raise CommandError(f"{exc}: check the path and try again.") from None
        if options["verbosity"] < 2:
            # One info line per stored message would drown the summary.
            logging.getLogger("relaydesk").setLevel(logging.WARNING)

        show_progress = not options["json"] and sys.stderr.isatty()
        with query_logging_off():
            summary = self._import(sources, Progress(sum(s.size for s in sources), show_progress))
        summary["skipped_files"] = count_skipped(paths)
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for key, value in summary.items():
                self.stdout.write(f"{key}: {value}")

    def _import(self, sources: list, progress: Progress) -> dict[str, int]:
        counts: Counter[str] = Counter({key: 0 for key in ("stored", *_SUMMARY_KEYS.values())})
        counts["unreadable"] = 0
        bytes_done = 0
        logger.info("mail import started", extra={"sources": len(sources)})
        for source in sources:
            try:
                for reference, content in read_messages(source):
                    result = ingest(content, source=Source.IMPORT, source_ref=reference)
                    counts["stored"] += 1
                    counts[_SUMMARY_KEYS[result.outcome]] += 1
                    progress.update(counts["stored"], bytes_done)
            except OSError as exc:
                counts["unreadable"] += 1
                logger.error("mail source unreadable: %s", exc, extra={"kind": source.kind})
            bytes_done += source.size
        progress.finish()
        logger.info("mail import finished", extra={"stored": counts["stored"]})
        return dict(counts)
