"""``relaydesk export-tickets``: write every ticket as JSON Lines to standard output."""

import json
import logging
from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from relaydesk.tickets.exports import DEFAULT_CHUNK_SIZE, export_records
from relaydesk.tickets.models import Status

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Write tickets with their messages as JSON Lines (one ticket per line) to standard "
        "output, oldest first, for backups and migration. Internal notes are included "
        "unless --public-only is given; each message states its visibility."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--status",
            action="append",
            choices=Status.values,
            default=[],
            help="Export only tickets in this status; repeat for several.",
        )
        parser.add_argument(
            "--since",
            help="Export only tickets created at or after this ISO 8601 date or time, "
            "such as 2025-01-31 or 2025-01-31T09:00:00+00:00 (no offset: server time zone).",
        )
        visibility = parser.add_mutually_exclusive_group()
        visibility.add_argument(
            "--include-internal",
            dest="include_internal",
            action="store_true",
            default=True,
            help="Include internal notes (the default).",
        )
        visibility.add_argument(
            "--public-only",
            dest="include_internal",
            action="store_false",
            help="Leave out internal notes.",
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=DEFAULT_CHUNK_SIZE,
            help=f"Tickets read per database round (default {DEFAULT_CHUNK_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = parse_since(options["since"]) if options["since"] is not None else None
        if options["chunk_size"] < 1:
            raise CommandError(
                f"--chunk-size {options['chunk_size']} is invalid: use a positive number."
            )

        logger.info("ticket export started")
        count = 0
        records = export_records(
            statuses=options["status"],
            since=since,
            include_internal=options["include_internal"],
            chunk_size=options["chunk_size"],
        )
        for record in records:
            self.stdout.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            count += 1
        logger.info("ticket export finished", extra={"tickets": count})


def parse_since(value: str) -> datetime:
    """Return ``value`` as an aware datetime; a date means its midnight in the server time zone."""
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, time.min) if day is not None else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(
            f"--since {value!r} is invalid: use an ISO 8601 date or time such as "
            "2025-01-31 or 2025-01-31T09:00:00+00:00."
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
