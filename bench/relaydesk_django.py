"""Helper run with relaydesk's settings before and after a timed import.

``seed`` creates the corpus's client organizations with their e-mail domains,
so senders are matched to organizations as in a real installation.
``check CORPUS_DIR N`` reads the first N manifest entries and prints, as JSON,
whether every generated reply landed in the same ticket as the message it
answers, plus row counts. The database comes from the environment
(RELAYDESK_DATA_DIR or DATABASE_URL), as for the ``relaydesk`` command.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402 - needs the path above


def seed() -> None:
    from relaydesk.customers.actions import create_organization
    from relaydesk.customers.models import Plan, PlanCode

    plan = Plan.objects.get(code=PlanCode.UNIVERSAL)
    for name, domain, locale in corpus.ORGANIZATIONS:
        create_organization(name=name, plan=plan, locale=_product_locale(locale), domains=[domain])


def _product_locale(locale: str) -> str:
    # Only English and Portuguese (Portugal) ship as translations so far.
    return {"pt": "pt-pt"}.get(locale, "en")


def _normalize(message_id: str) -> str:
    return "<" + message_id.strip().strip("<>") + ">"


def check(corpus_dir: Path, limit: int) -> dict[str, object]:
    from relaydesk.channels.email.models import RawMessage
    from relaydesk.tickets.models import Message, Ticket

    ticket_of: dict[str, int] = {}
    for message_id, ticket_id in Message.objects.values_list("message_id", "ticket_id"):
        if message_id:
            ticket_of[_normalize(message_id)] = ticket_id

    outcome: Counter[str] = Counter()
    for entry in corpus.load_manifest(corpus_dir, limit):
        if entry.kind != "reply":
            continue
        reply_ticket = ticket_of.get(_normalize(entry.message_id))
        parent_ticket = ticket_of.get(_normalize(entry.parent or ""))
        if reply_ticket is None:
            outcome["reply_not_stored"] += 1
        elif parent_ticket is None:
            outcome["parent_not_stored"] += 1
        elif reply_ticket == parent_ticket:
            outcome["threaded"] += 1
        else:
            outcome["other_ticket"] += 1

    replies = sum(outcome.values())
    return {
        "replies": replies,
        "threaded": outcome["threaded"],
        "misses": replies - outcome["threaded"],
        "miss_reasons": {key: value for key, value in outcome.items() if key != "threaded"},
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "raw_states": dict(Counter(RawMessage.objects.values_list("state", flat=True))),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydesk.settings")
    django.setup()
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "seed":
        seed()
    elif command == "check":
        print(json.dumps(check(Path(sys.argv[2]), int(sys.argv[3]))))
    else:
        raise SystemExit(f"unknown command {command!r}: use 'seed' or 'check CORPUS_DIR N'")


if __name__ == "__main__":
    main()
