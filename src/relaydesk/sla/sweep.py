"""The sweep that finds SLA clocks at risk or breached and tells people, exactly once.

Each pass reads at most ``chunk`` clocks through a partial index
(``sla_clock_warn_pending`` or ``sla_clock_breach_pending``), so the work per
pass does not grow with the number of open tickets. Several workers may sweep
at once:

- On PostgreSQL a pass locks the rows it reads with ``FOR UPDATE SKIP
  LOCKED``, so concurrent workers take different clocks.
- Whatever the database, a clock is claimed by a conditional update
  (``warned_at IS NULL`` becomes ``now``). Only the worker whose update
  changed the row notifies, in the same transaction, so one event never
  notifies twice. SQLite ignores the row locks but runs one writer at a time.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, QuerySet

from relaydesk.sla import events, notifications
from relaydesk.sla.models import NotificationKind, SlaClock

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassResult:
    """What one sweep pass did; ``more`` is true when a full chunk was read."""

    warned: int
    breached: int
    notifications: int
    more: bool


def warnings_due(now: datetime) -> QuerySet[SlaClock]:
    """Running clocks past their warning time and not warned yet, oldest first."""
    return SlaClock.objects.filter(
        warn_at__lte=now, warned_at__isnull=True, met_at__isnull=True, paused_since__isnull=True
    ).order_by("warn_at")


def breaches_due(now: datetime) -> QuerySet[SlaClock]:
    """Running clocks past their due time and not marked breached, oldest first."""
    return SlaClock.objects.filter(
        due_at__lte=now, breached_at__isnull=True, met_at__isnull=True, paused_since__isnull=True
    ).order_by("due_at")


def sweep_pass(now: datetime, *, chunk: int) -> PassResult:
    """Handle up to ``chunk`` warnings and ``chunk`` breaches that are due at ``now``."""
    warned, warn_notes, more_warnings = _sweep_warnings(now, chunk)
    breached, breach_notes, more_breaches = _sweep_breaches(now, chunk)
    notes = warn_notes + breach_notes
    if warned or breached:
        logger.info(
            "sla sweep pass",
            extra={"warned": warned, "breached": breached, "notifications": notes},
        )
    return PassResult(warned, breached, notes, more_warnings or more_breaches)


def _candidates(queryset: QuerySet[SlaClock], chunk: int) -> list[int]:
    return list(
        queryset.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[
            :chunk
        ]
    )


def _sweep_warnings(now: datetime, chunk: int) -> tuple[int, int, bool]:
    with transaction.atomic():
        candidates = _candidates(warnings_due(now), chunk)
        claimed = [pk for pk in candidates if claim_warning(pk, now)]
        clocks = notifications.clocks_for_notice(claimed)
        count = notifications.notify(clocks, NotificationKind.SLA_WARNING, now)
        for clock in clocks:
            events.record_warning(clock)
    return len(claimed), count, len(candidates) == chunk


def _sweep_breaches(now: datetime, chunk: int) -> tuple[int, int, bool]:
    with transaction.atomic():
        candidates = _candidates(breaches_due(now), chunk)
        claimed = [pk for pk in candidates if claim_breach(pk, now)]
        clocks = notifications.clocks_for_notice(claimed)
        count = notifications.notify(clocks, NotificationKind.SLA_BREACH, now)
        for clock in clocks:
            events.record_breach(clock)
    return len(claimed), count, len(candidates) == chunk


def claim_warning(clock_id: int, now: datetime) -> bool:
    """Mark clock ``clock_id`` warned if nobody did yet; True only for the caller that did."""
    return warnings_due(now).filter(pk=clock_id).order_by().update(warned_at=now) == 1


def claim_breach(clock_id: int, now: datetime) -> bool:
    """Mark clock ``clock_id`` breached at its due time; True only for the caller that did.

    ``breached_at`` stores when the target was missed, which is the due time,
    not when the sweep saw it.
    """
    return breaches_due(now).filter(pk=clock_id).order_by().update(breached_at=F("due_at")) == 1


def sweep(now: datetime, *, chunk: int, max_passes: int = 1_000_000) -> PassResult:
    """Run passes until nothing is due at ``now``; return the totals (benchmarks, commands)."""
    warned = breached = notes = 0
    for _pass in range(max_passes):
        result = sweep_pass(now, chunk=chunk)
        warned += result.warned
        breached += result.breached
        notes += result.notifications
        if not result.more:
            break
    return PassResult(warned, breached, notes, more=False)
