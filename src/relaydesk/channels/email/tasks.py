"""Background tasks of the e-mail channel, on the ``mail`` queue.

``deliver_message`` sends one outbound message and re-enqueues itself with
a growing delay while the relay fails. ``fetch_mail`` polls the IMAP
mailboxes and, while ``RELAYDESK_IMAP_URL`` is set, schedules its own next
run ``IMAP_POLL_SECONDS`` later. ``schedule_fetch_mail`` starts that cycle,
and every process may call it at start.
"""

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task

from relaydesk.channels.email import imap, outbound
from relaydesk.core import clock, config, sequences

logger = logging.getLogger(__name__)

QUEUE = "mail"


@task(queue_name=QUEUE)
def deliver_message(message_pk: int) -> str:
    """Send outbound message ``message_pk`` once; enqueue a later attempt if it is due."""
    result = outbound.deliver(message_pk)
    if result.retry_after is not None:
        _enqueue_later(deliver_message, result.retry_after, message_pk)
    return result.status


def enqueue_delivery(message_pk: int) -> None:
    """Enqueue delivery of ``message_pk``; the sender registered with ``tickets.delivery``."""
    deliver_message.enqueue(message_pk)


@task(queue_name=QUEUE)
def fetch_mail() -> dict[str, Any]:
    """Fetch every configured IMAP mailbox once, then schedule the next run."""
    try:
        run = imap.fetch_all()
    finally:
        schedule_fetch_mail()
    return {
        "stored": sum(report.stored for report in run.reports),
        "failed": run.failed,
    }


def schedule_fetch_mail(*, delay: timedelta | None = None) -> bool:
    """Enqueue the next ``fetch_mail`` run; return False when none was added.

    Nothing is added while RELAYDESK_IMAP_URL is empty or a run is already
    waiting, so restarts and several workers keep at most one pending run.
    ``delay`` defaults to IMAP_POLL_SECONDS; ``run-all`` passes zero at start.
    """
    if not config.get("IMAP_URL").strip():
        return False
    backend = fetch_mail.get_backend()
    if not backend.supports_defer:
        logger.warning("fetch_mail not scheduled: the task backend cannot run tasks later")
        return False
    if delay is None:
        delay = timedelta(seconds=config.get("IMAP_POLL_SECONDS"))

    with transaction.atomic():
        # Bumping this counter takes its row lock (the write lock on SQLite)
        # until commit, so two schedulers never both see "none pending".
        sequences.next_value("fetch_mail_schedule")
        if _fetch_mail_pending():
            return False
        fetch_mail.using(run_after=clock.now() + delay).enqueue()
    logger.info("fetch_mail scheduled", extra={"delay_seconds": delay.total_seconds()})
    return True


def _fetch_mail_pending() -> bool:
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(fetch_mail.get_backend(), DatabaseBackend):
        # NOTE: only the database backend can be asked for waiting tasks; on
        # another deferring backend every call enqueues a run.
        return False
    return DBTaskResult.objects.filter(
        task_path=fetch_mail.module_path,
        status=TaskResultStatus.READY,
        backend_name=fetch_mail.backend,
    ).exists()


def _enqueue_later(task_to_run: Task, delay: timedelta, *args: Any) -> None:
    if task_to_run.get_backend().supports_defer:
        task_to_run.using(run_after=clock.now() + delay).enqueue(*args)
        return
    # The immediate backend (tests, development) cannot wait: the next attempt
    # runs now, and DELIVERY_MAX_ATTEMPTS still bounds the attempts.
    task_to_run.enqueue(*args)
