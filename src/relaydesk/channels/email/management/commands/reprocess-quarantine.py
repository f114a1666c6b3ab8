"""``relaydesk reprocess-quarantine``: list quarantined inbound messages, or retry them."""

import json
from argparse import ArgumentParser
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relaydesk.channels.email.intake import process_raw
from relaydesk.channels.email.models import RawMessage, RawState

# Rows that --list reads from the database per query.
LIST_CHUNK = 500


class Command(BaseCommand):
    help = (
        "Process quarantined inbound messages again and report what became of them. "
        "Messages that are no longer quarantined are left as they are, so running it "
        "twice is safe. --list shows the quarantined messages and why, and changes nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--id",
            dest="ids",
            type=int,
            action="append",
            default=[],
            help="Raw message id to retry; repeat for several. Default: all quarantined.",
        )
        parser.add_argument(
            "--list",
            action="store_true",
            help="List the quarantined messages with their reasons instead of retrying them.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print one JSON object; with --list, one JSON object per message.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["ids"]
        missing = sorted(
            set(ids) - set(RawMessage.objects.filter(pk__in=ids).values_list("pk", flat=True))
        )
        if missing:
            raise CommandError(
                f"no inbound message has id {', '.join(map(str, missing))}: "
                "run `relaydesk reprocess-quarantine --list` to see the quarantined ones"
            )
        wanted = RawMessage.objects.filter(state=RawState.QUARANTINED)
        if ids:
            wanted = wanted.filter(pk__in=ids)
        if options["list"]:
            self._list(wanted, as_json=options["json"])
            return
        # Only ids are held in memory; each message is loaded when retried.
        pks = list(wanted.order_by("pk").values_list("pk", flat=True))
        counts: Counter[str] = Counter(retried=0, still_quarantined=0)
        counts["not_quarantined"] = len(set(ids) - set(pks))
        for pk in pks:
            result = process_raw(RawMessage.objects.get(pk=pk))
            counts["retried"] += 1
            key = "still_quarantined" if result.outcome == "quarantined" else result.outcome
            counts[key] += 1
        if options["json"]:
            self.stdout.write(json.dumps(dict(counts)))
        else:
            for key, value in counts.items():
                self.stdout.write(f"{key}: {value}")

    def _list(self, wanted: Any, *, as_json: bool) -> None:
        rows = wanted.order_by("pk").values_list(
            "pk",
            "received_at",
            "source",
            "source_ref",
            "envelope_from",
            "error_code",
            "error_detail",
        )
        count = 0
        for pk, received_at, source, source_ref, envelope_from, code, detail in rows.iterator(
            chunk_size=LIST_CHUNK
        ):
            count += 1
            # A processing failure stores a traceback, whose last line names the error.
            reason = detail.strip().splitlines()[-1] if detail.strip() else ""
            if as_json:
                entry = {
                    "id": pk,
                    "received_at": received_at.isoformat(),
                    "source": source,
                    "source_ref": source_ref,
                    "envelope_from": envelope_from,
                    "error_code": code,
                    "error_detail": reason,
                }
                self.stdout.write(json.dumps(entry, ensure_ascii=False))
                continue
            origin = source_ref or envelope_from or source
            self.stdout.write(f"{pk}\t{received_at:%Y-%m-%d %H:%M}\t{code}\t{origin}\t{reason}")
        if not as_json:
            self.stderr.write(f"{count} quarantined message(s)")
