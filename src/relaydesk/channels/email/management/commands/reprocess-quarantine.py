"""``relaydesk reprocess-quarantine``: list, retry or discard quarantined inbound messages."""

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relaydesk.channels.email import quarantine
from relaydesk.channels.email.models import RawMessage

# Rows that --list reads from the database per query.
LIST_CHUNK = 500


class Command(BaseCommand):
    help = (
        "Process quarantined inbound messages again and report what became of them. "
        "Messages that are no longer quarantined are left as they are, so running it "
        "twice is safe. --list shows the quarantined messages and why, and changes nothing. "
        "--discard --id N takes junk out of the quarantine for good; its raw bytes are kept."
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
            "--discard",
            action="store_true",
            help="Discard the quarantined messages given with --id instead of retrying them.",
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
        wanted = quarantine.quarantined()
        if ids:
            wanted = wanted.filter(pk__in=ids)
        if options["list"] and options["discard"]:
            raise CommandError("--list and --discard do not go together: choose one")
        if options["list"]:
            self._list(wanted, as_json=options["json"])
            return
        if options["discard"]:
            self._discard(ids, as_json=options["json"])
            return
        pks = list(wanted.order_by("pk").values_list("pk", flat=True))
        report = quarantine.retry(pks)
        counts = report.counts
        counts["not_quarantined"] = len(set(ids) - set(pks))
        still_held_ids = report.still_quarantined_ids
        if options["json"]:
            self.stdout.write(json.dumps({**counts, "still_quarantined_ids": still_held_ids}))
            return
        for key, value in counts.items():
            self.stdout.write(f"{key}: {value}")
        if still_held_ids:
            self.stdout.write("Still quarantined:")
            self._list(RawMessage.objects.filter(pk__in=still_held_ids), as_json=False, total=False)

    def _discard(self, ids: list[int], *, as_json: bool) -> None:
        if not ids:
            raise CommandError(
                "--discard needs the messages to discard: give --id N for each one "
                "(`relaydesk reprocess-quarantine --list` shows them)"
            )
        discarded = quarantine.discard(ids, actor=None, actor_label="reprocess-quarantine")
        not_quarantined = sorted(set(ids) - set(discarded))
        if as_json:
            summary = {"discarded": discarded, "not_quarantined": not_quarantined}
            self.stdout.write(json.dumps(summary))
            return
        self.stdout.write(f"discarded: {len(discarded)}")
        if not_quarantined:
            self.stdout.write(
                "not quarantined, left as they are: " + ", ".join(map(str, not_quarantined))
            )

    def _list(self, wanted: Any, *, as_json: bool, total: bool = True) -> None:
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
            reason = quarantine.reason(detail)
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
        if total and not as_json:
            self.stderr.write(f"{count} quarantined message(s)")
