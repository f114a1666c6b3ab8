"""``relaydesk reprocess-quarantine``: retry quarantined inbound messages after a fix."""

import json
from argparse import ArgumentParser
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand

from relaydesk.channels.email.intake import process_raw
from relaydesk.channels.email.models import RawMessage, RawState


class Command(BaseCommand):
    help = (
        "Process quarantined inbound messages again and report what became of them. "
        "Messages that are no longer quarantined are left as they are, so running it "
        "twice is safe."
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
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = RawMessage.objects.filter(state=RawState.QUARANTINED)
        if options["ids"]:
            wanted = wanted.filter(pk__in=options["ids"])
        # Only ids are held in memory; each message is loaded when retried.
        pks = list(wanted.order_by("pk").values_list("pk", flat=True))
        counts: Counter[str] = Counter(retried=0, still_quarantined=0)
        counts["not_quarantined"] = len(set(options["ids"]) - set(pks))
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
