"""Benchmark the SLA sweep over many open tickets and the due-time arithmetic.

    python bench/sla_bench.py [--tickets N] [--database sqlite|postgres] [--runs R]

The script loads N open tickets with two clocks each into a database of its
own (it empties that database first), then measures:

- creation: COPY on PostgreSQL, bulk_create in batches on SQLite;
- one full sweep at an instant when a small share of the clocks is due
  (``--due-share``, 0.1% by default), as the median of ``--runs`` sweeps,
  per sweep and per open ticket. Between runs the sweep's marks,
  notifications and timeline events are removed again;
- the query plan of the sweep's candidate query (EXPLAIN ANALYZE on
  PostgreSQL, EXPLAIN QUERY PLAN on SQLite);
- ``add_business_minutes`` calls per second on the Universal calendar.

Default: 1,000,000 tickets on both databases.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/relaydesk_sla_bench"
BATCH = 10_000
# The sweep runs at NOW. Running clocks are due up to ten days after it.
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument(
        "--tickets", type=int, default=1_000_000, help="open tickets to create (default 1000000)"
    )
    parser.add_argument("--runs", type=int, default=5, help="sweeps to time (default 5)")
    parser.add_argument(
        "--due-share",
        type=float,
        default=0.001,
        help="share of tickets with a warning and a breach due at the sweep (default 0.001)",
    )
    parser.add_argument("--database-url", default=DEFAULT_POSTGRES_URL, help="PostgreSQL URL")
    return parser.parse_args()


def prepare_environment(args: argparse.Namespace) -> None:
    """Point Django at the benchmark's own database before it loads."""
    if args.database == "postgres":
        create_postgres_database(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    else:
        path = ROOT / "var" / "bench" / "sla.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydesk.settings")
    os.environ.setdefault("RELAYDESK_LOG_LEVEL", "WARNING")


def create_postgres_database(url: str) -> None:
    import psycopg

    base, _slash, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# -- data ---------------------------------------------------------------------


def make_people():
    from relaydesk.accounts.models import Team, User
    from relaydesk.customers.models import Organization, Plan

    agents = [User.objects.create(username=f"bench{index}") for index in range(3)]
    team = Team.objects.create(slug="bench", name="Bench", role="customer_service")
    team.members.add(*agents)
    csm = User.objects.create(username="bench-csm", role="csm")
    organization = Organization.objects.create(
        name="Bench client", plan=Plan.objects.get(code="premium"), csm=csm
    )
    return agents[0], team, organization


def clock_rows(index: int, tickets: int, due_every: int, rng: random.Random) -> list[tuple]:
    """Return (kind, target, started, due, warn, paused_since, met_at) of ticket ``index``.

    Every ``due_every``-th ticket has a resolution clock past its due time and
    a first response clock past its warning time. The others are due within
    ten days. A tenth of the tickets are paused; 70% had their first response.
    """
    started = NOW - timedelta(hours=2)
    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    if index % due_every == 0:
        return [
            ("first_response", 120, started, NOW + 5 * minute, NOW - 5 * minute, None, None),
            ("resolution", 1440, started, NOW - minute, NOW - hour, None, None),
        ]
    due = NOW + rng.randint(30, 14_400) * minute
    paused = NOW - 10 * minute if rng.random() < 0.1 else None
    first_met = started + 30 * minute if rng.random() < 0.7 else None
    return [
        ("first_response", 120, started, due, due - 24 * minute, paused, first_met),
        ("resolution", 1440, started, due + 8 * hour, due + 3 * hour, paused, None),
    ]


def ticket_row(index: int, organization_id: int, assignee_id: int, team_id: int) -> tuple:
    created = NOW - timedelta(hours=2)
    return (index + 1, f"Bench ticket {index + 1}", "open", "normal", "email",
            organization_id, assignee_id, team_id, created, created)  # fmt: skip


TICKET_COLUMNS = (
    "number", "subject", "status", "priority", "channel",
    "organization_id", "assignee_id", "team_id", "created_at", "updated_at",
)  # fmt: skip
CLOCK_COLUMNS = (
    "ticket_id", "kind", "cycle", "target_minutes", "started_at", "due_at", "warn_at",
    "paused_since", "met_at", "paused_minutes", "pauses",
)  # fmt: skip


def load_postgres(count: int, due_every: int, people: tuple) -> None:
    from django.db import connection

    assignee, team, organization = people
    rng = random.Random(7)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        columns = ", ".join(TICKET_COLUMNS)
        with raw.copy(f"COPY tickets_ticket ({columns}) FROM STDIN") as copy:
            for index in range(count):
                copy.write_row(ticket_row(index, organization.pk, assignee.pk, team.pk))
        cursor.execute("SELECT min(id) FROM tickets_ticket")
        first_id = cursor.fetchone()[0]
        columns = ", ".join(CLOCK_COLUMNS)
        with raw.copy(f"COPY sla_slaclock ({columns}) FROM STDIN") as copy:
            for index in range(count):
                for kind, target, started, due, warn, paused, met in clock_rows(
                    index, count, due_every, rng
                ):
                    copy.write_row(
                        (first_id + index, kind, 1, target, started, due, warn, paused, met,
                         0, "[]" if paused is None else f'[["{paused.isoformat()}", null]]')
                    )  # fmt: skip
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("ANALYZE sla_slaclock")


def load_sqlite(count: int, due_every: int, people: tuple) -> None:
    from django.db import connection, transaction

    from relaydesk.sla.models import SlaClock
    from relaydesk.tickets.models import Ticket

    assignee, team, organization = people
    ids = (organization.pk, assignee.pk, team.pk)
    rng = random.Random(7)
    for start in range(0, count, BATCH):
        indexes = range(start, min(start + BATCH, count))
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create(
                Ticket(**dict(zip(TICKET_COLUMNS, ticket_row(i, *ids), strict=True)))
                for i in indexes
            )
            clocks = []
            for ticket, index in zip(tickets, indexes, strict=True):
                for kind, target, started, due, warn, paused, met in clock_rows(
                    index, count, due_every, rng
                ):
                    clocks.append(
                        SlaClock(ticket=ticket, kind=kind, target_minutes=target,
                                 started_at=started, due_at=due, warn_at=warn,
                                 paused_since=paused, met_at=met,
                                 pauses=[] if paused is None else [[paused.isoformat(), None]])
                    )  # fmt: skip
            SlaClock.objects.bulk_create(clocks)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# -- measurements ---------------------------------------------------------------


def reset_sweep_marks() -> None:
    from relaydesk.core.models import TimelineEvent
    from relaydesk.sla.models import Notification, SlaClock

    SlaClock.objects.filter(warned_at__isnull=False).update(warned_at=None)
    SlaClock.objects.filter(breached_at__isnull=False).update(breached_at=None)
    Notification.objects.all().delete()
    TimelineEvent.objects.filter(kind__in=("sla_warning", "sla_breached")).delete()


def time_sweeps(runs: int) -> tuple[list[float], object]:
    from relaydesk.sla.sweep import sweep

    timings = []
    result = None
    for _run in range(runs):
        reset_sweep_marks()
        started = time.perf_counter()
        result = sweep(NOW, chunk=1000)
        timings.append(time.perf_counter() - started)
    return timings, result


def explain_sweep(vendor: str) -> str:
    from django.db import transaction

    from relaydesk.sla.sweep import breaches_due, warnings_due

    reset_sweep_marks()
    plans = []
    with transaction.atomic():
        for name, queryset in (("warnings", warnings_due(NOW)), ("breaches", breaches_due(NOW))):
            query = queryset.select_for_update(skip_locked=True, of=("self",)).values_list(
                "pk", flat=True
            )[:1000]
            options = {"analyze": True} if vendor == "postgresql" else {}
            plans.append(f"-- {name}\n{query.explain(**options)}")
        transaction.set_rollback(True)
    return "\n".join(plans)


def business_minutes_rate(seconds: float = 3.0) -> float:
    from relaydesk.sla.business_time import add_business_minutes
    from relaydesk.sla.models import Calendar
    from relaydesk.sla.queries import calendar_from_record

    calendar = calendar_from_record(Calendar.objects.get(name="Universal limited line"))
    rng = random.Random(11)
    starts = [NOW + timedelta(minutes=rng.randint(0, 60 * 24 * 90)) for _index in range(1000)]
    targets = (120, 480, 960, 2400, 4800)
    calls = 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        for start in starts[:100]:
            add_business_minutes(calendar, start, targets[calls % len(targets)])
            calls += 1
        starts.append(starts.pop(0))
    return calls / (time.perf_counter() - started)


def machine() -> str:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.partition(":")[2].strip()
            break
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main() -> int:
    args = parse_args()
    count = args.tickets
    due_every = max(1, round(1 / args.due_share))
    prepare_environment(args)
    sys.path.insert(0, str(ROOT / "src"))
    setup_django()
    from django.db import connection

    out = io.StringIO()
    people = make_people()
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        load_postgres(count, due_every, people)
    else:
        load_sqlite(count, due_every, people)
    creation = time.perf_counter() - started

    plan = explain_sweep(connection.vendor)
    timings, result = time_sweeps(args.runs)
    rate = business_minutes_rate()
    median = statistics.median(timings)

    print(f"machine: {machine()}", file=out)
    print(f"database: {connection.vendor}", file=out)
    print(f"open tickets: {count:,}; clocks: {2 * count:,}", file=out)
    print(f"creation: {creation:.1f} s ({2 * count / creation:,.0f} clocks/s)", file=out)
    print(f"sweep handled: {result.warned} warnings, {result.breached} breaches, "
          f"{result.notifications} notifications", file=out)  # fmt: skip
    print(f"sweep runs (s): {', '.join(f'{value:.3f}' for value in timings)}", file=out)
    print(f"sweep median: {median:.3f} s; per open ticket: {median / count * 1e6:.2f} µs", file=out)
    print(f"add_business_minutes: {rate:,.0f} calls/s", file=out)
    print(f"sweep plan:\n{plan}", file=out)
    sys.stdout.write(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
