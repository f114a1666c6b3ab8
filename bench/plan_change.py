"""Time the clock rebuild of a plan change for an organization with many open tickets.

Creates a Universal organization with ``--tickets`` open e-mail tickets
through the tickets actions, then times ``customers.actions.change_plan`` to
Premium, which is what the admin's request waits for, and the task that
rebuilds every open ticket's SLA clocks afterwards in the task worker.
Run it against an empty, migrated database, for example:

    RELAYDESK_DATA_DIR=$(mktemp -d) .venv/bin/relaydesk migrate
    RELAYDESK_DATA_DIR=<same folder> .venv/bin/python bench/plan_change.py --tickets 1000

Prints one JSON object with the ticket count, the seconds the plan change
and the rebuild took, and the distinct (clock kind, target minutes) pairs
written.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser(description="Time a plan change's clock rebuild.")
    parser.add_argument("--tickets", type=int, default=1000, help="open tickets to create")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydesk.settings")
    os.environ.setdefault("RELAYDESK_DEBUG", "0")
    django.setup()

    from relaydesk.accounts.models import Role, User
    from relaydesk.customers import actions as customers
    from relaydesk.customers.models import Plan
    from relaydesk.sla.models import SlaClock
    from relaydesk.sla.tasks import recompute_organization_sla_clocks
    from relaydesk.tickets import actions as tickets
    from relaydesk.tickets.drafts import MessageDraft
    from relaydesk.tickets.models import Direction, MessageKind

    organization = customers.create_organization(
        name="Plan change bench", plan=Plan.objects.get(code="universal"), domains=["bench.example"]
    )
    contact = customers.create_contact(organization=organization, emails=["a@bench.example"])
    for number in range(args.tickets):
        draft = MessageDraft(
            direction=Direction.INBOUND,
            kind=MessageKind.EMAIL,
            text="The invoices page is slow.",
            subject=f"Case {number}",
            from_address="a@bench.example",
        )
        tickets.create_ticket(channel="email", contact=contact, first_message=draft)
    csm = User.objects.create(username="plan-change-bench-csm", role=Role.CSM)

    started = time.perf_counter()
    customers.change_plan(organization, plan=Plan.objects.get(code="premium"), actor=None, csm=csm)
    request_seconds = time.perf_counter() - started

    # What the task worker runs once the change has committed.
    started = time.perf_counter()
    recompute_organization_sla_clocks.call(organization.pk)
    rebuild_seconds = time.perf_counter() - started

    targets = sorted(set(SlaClock.objects.values_list("kind", "target_minutes")))
    print(
        json.dumps(
            {
                "tickets": args.tickets,
                "request_seconds": request_seconds,
                "rebuild_seconds": rebuild_seconds,
                "targets": targets,
            }
        )
    )


if __name__ == "__main__":
    main()
