"""``relaydesk import-mail PATH...``: import .eml files, directories, mbox files and Maildirs."""

import json
import logging
import sys
import time
from argparse import ArgumentParser, ArgumentTypeError
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, reset_queries

from relaydesk.channels.email.batch import (
    BATCH_MAX_BYTES,
    DEFAULT_BATCH_SIZE,
    SETTLED_MAX_AGE_SECONDS,
    BatchImporter,
    IncomingMessage,
)
from relaydesk.channels.email.models import Source
from relaydesk.channels.email.parse_pool import default_workers, parsed_messages
from relaydesk.channels.email.sources import (
    MailSource,
    SourceError,
    discover,
    read_messages,
)
from relaydesk.core import config, memo

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

    def finish(self, done: int) -> None:
        """Replace the progress line with the final count, rate and time taken."""
        if not self.enabled:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(
            f"\r{done} messages, {done / elapsed:.0f}/s, done in {elapsed:.1f} s          \n"
        )
        sys.stderr.flush()


@contextmanager
def query_logging_off() -> Iterator[None]:
    """Stop Django from timing and keeping every SQL statement while the import runs.

    With RELAYDESK_DEBUG on, Django wraps each cursor to time every
    statement and keep the last 9,000, which an import of thousands of
    messages pays for on every statement.
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


class _Reader:
    """Read every message of the sources in order, counting the sources that fail."""

    def __init__(self, sources: Iterable[MailSource]) -> None:
        self.sources = sources
        self.unreadable = 0
        self.bytes_read = 0

    def messages(self) -> Iterator[tuple[str, bytes]]:
        for source in self.sources:
            try:
                for reference, content in read_messages(source):
                    self.bytes_read += len(content)
                    yield reference, content
            except OSError as exc:
                self.unreadable += 1
                logger.error("mail source unreadable: %s", exc, extra={"kind": source.kind})


def _batches(
    messages: Iterator[IncomingMessage], size: int, max_bytes: int
) -> Iterator[list[IncomingMessage]]:
    """Group ``messages`` into batches of ``size`` messages or ``max_bytes`` of content."""
    batch: list[IncomingMessage] = []
    batch_bytes = 0
    for message in messages:
        batch.append(message)
        batch_bytes += len(message.content)
        if len(batch) >= size or batch_bytes >= max_bytes:
            yield batch
            batch, batch_bytes = [], 0
    if batch:
        yield batch


def _positive(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise ArgumentTypeError(f"{text!r} is invalid: use a whole number of {minimum} or more")
        return value

    return parse


def _total_bytes(paths: list[Path], *, measure: bool) -> int:
    """Return the size of every source under ``paths``, or 0 when not ``measure``.

    Raises SourceError for a missing path either way, because ``discover``
    checks every path before it yields the first source.
    """
    sources = discover(paths)
    if not measure:
        next(sources, None)
        return 0
    return sum(source.size for source in sources)


# Explanations of the counts whose names alone could mislead, for the text summary.
_TEXT_NOTES = {
    "stored": "messages read and kept raw, duplicates included",
    "duplicates": "already imported: no new ticket or message",
}


class Command(BaseCommand):
    help = (
        "Import e-mail from .eml files, directories (searched recursively), mbox files "
        "and Maildir folders into tickets. Exits 0 when every input was handled; "
        "quarantined messages count as handled."
    )
    # Django's system checks load every URL pattern and the API's schemas,
    # which an import never uses; ``relaydesk check`` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders to import.")
        parser.add_argument(
            "--json", action="store_true", help="Print only one JSON object with the counts."
        )
        parser.add_argument(
            "--batch-size",
            type=_positive(1),
            default=DEFAULT_BATCH_SIZE,
            help="Messages stored and processed per database transaction (default: %(default)s).",
        )
        parser.add_argument(
            "--no-acknowledgements",
            action="store_true",
            help=(
                "Send no acknowledgement for the tickets this import opens, as when "
                "migrating an archive of mail that was answered long ago."
            ),
        )
        parser.add_argument(
            "--workers",
            type=_positive(0),
            default=default_workers(),
            help=(
                "Processes that parse messages beside the main one; 0 parses in the main "
                "process (default: the number of CPUs, %(default)s)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        show_progress = not options["json"] and sys.stderr.isatty()
        try:
            total_bytes = _total_bytes(paths, measure=show_progress)
        except SourceError as exc:
            raise CommandError(f"{exc}: check the path and try again.") from None
        if options["verbosity"] < 2:
            # One info line per stored message would drown the summary.
            logging.getLogger("relaydesk").setLevel(logging.WARNING)

        progress = Progress(total_bytes, show_progress)
        # The sources are walked again lazily, so memory does not grow with
        # the number of files.
        skipped: list[Path] = []
        with query_logging_off():
            importer = BatchImporter(
                source=Source.IMPORT, acknowledge=not options["no_acknowledgements"]
            )
            summary = self._import(
                discover(paths, skipped),
                importer,
                progress,
                options["batch_size"],
                options["workers"],
            )
        summary["skipped_files"] = len(skipped)
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            for key, value in summary.items():
                note = _TEXT_NOTES.get(key)
                self.stdout.write(f"{key}: {value} ({note})" if note else f"{key}: {value}")

    def _import(
        self,
        sources: Iterable[MailSource],
        importer: BatchImporter,
        progress: Progress,
        batch_size: int,
        workers: int,
    ) -> dict[str, int]:
        counts: Counter[str] = Counter({key: 0 for key in ("stored", *_SUMMARY_KEYS.values())})
        reader = _Reader(sources)
        logger.info(
            "mail import started",
            extra={"workers": workers, "acknowledgements": importer.acknowledge},
        )
        messages = parsed_messages(
            reader.messages(),
            workers=workers,
            # Keep the parser processes busy for about two batches ahead.
            window=2 * batch_size,
            max_bytes=config.get("MAX_MESSAGE_BYTES"),
        )
        with memo.lasting(SETTLED_MAX_AGE_SECONDS):
            for batch in _batches(messages, batch_size, BATCH_MAX_BYTES):
                # Counted only once the batch is committed.
                for result in importer.import_batch(batch):
                    counts["stored"] += 1
                    counts[_SUMMARY_KEYS[result.outcome]] += 1
                progress.update(counts["stored"], reader.bytes_read)
        counts["unreadable"] = reader.unreadable
        progress.finish(counts["stored"])
        logger.info("mail import finished", extra={"stored": counts["stored"]})
        return dict(counts)
