"""Background tasks of the SLA clocks, on the ``default`` queue.

``recompute_organization_sla_clocks`` rebuilds the clocks of an
organization's open tickets after its plan changes. ``sweep_sla_clocks``
runs one sweep pass. While a pass finds a full chunk it
enqueues the next pass at once; otherwise it schedules the next sweep
``SLA_SWEEP_SECONDS`` later. ``schedule_sla_sweep`` starts that cycle, and
every process may call it at start: at most one sweep waits in the queue.
Keep the task's name (its module path) stable, because queued rows refer to it.
"""

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django_tasks import TaskResultStatus, task

from relaydesk.core import clock, config, sequences
from relaydesk.customers.models import Organization
from relaydesk.sla.sweep import sweep_pass
from relaydesk.sla.tracking import recompute_organization_clocks

logger = logging.getLogger(__name__)

QUEUE = "default"


@task(queue_name=QUEUE)
def sweep_sla_clocks() -> dict[str, Any]:
    """Run one sweep pass over the clocks due now, then enqueue the next pass or sweep."""
    result = sweep_pass(clock.now(), chunk=config.get("SLA_SWEEP_CHUNK"))
    if result.more:
        _enqueue_next(delay=timedelta(0))
    else:
        schedule_sla_sweep()
    return {
        "warned": result.warned,
        "breached": result.breached,
        "notifications": result.notifications,
        "more": result.more,
    }


@task(queue_name=QUEUE)
def recompute_organization_sla_clocks(organization_id: int) -> dict[str, int]:
    """Rebuild the SLA clocks of an organization's open tickets after a plan change.

    Running it twice rebuilds the same clocks, because they are computed
    from each ticket's timeline.
    """
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        logger.warning(
            "sla clocks not rebuilt: organization not found",
            extra={"organization": organization_id},
        )
        return {"rebuilt": 0}
    rebuilt = recompute_organization_clocks(organization)
    logger.info("sla clocks rebuilt", extra={"organization": organization_id, "tickets": rebuilt})
    return {"rebuilt": rebuilt}


def _enqueue_next(*, delay: timedelta) -> None:
    backend = sweep_sla_clocks.get_backend()
    if not backend.supports_defer:
        # The immediate backend (tests) would recurse; those callers loop on
        # sweep.sweep() instead.
        return
    sweep_sla_clocks.using(run_after=clock.now() + delay).enqueue()


def schedule_sla_sweep(*, delay: timedelta | None = None) -> bool:
    """Enqueue the next sweep unless one is waiting; return False when none was added."""
    backend = sweep_sla_clocks.get_backend()
    if not backend.supports_defer:
        logger.warning("sla sweep not scheduled: the task backend cannot run tasks later")
        return False
    if delay is None:
        delay = timedelta(seconds=config.get("SLA_SWEEP_SECONDS"))

    with transaction.atomic():
        # Bumping this counter takes its row lock (the write lock on SQLite)
        # until commit, so two schedulers never both see "none waiting".
        sequences.next_value("sla_sweep_schedule")
        if _sweep_waiting():
            return False
        sweep_sla_clocks.using(run_after=clock.now() + delay).enqueue()
    return True


def _sweep_waiting() -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(sweep_sla_clocks.get_backend(), DatabaseBackend):
        # NOTE: only the database backend can be asked for waiting tasks; on
        # another deferring backend every call enqueues a sweep.
        return False
    return DBTaskResult.objects.filter(
        task_path=sweep_sla_clocks.module_path,
        status=TaskResultStatus.READY,
        backend_name=sweep_sla_clocks.backend,
    ).exists()
