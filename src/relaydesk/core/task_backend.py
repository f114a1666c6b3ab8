"""The task backend: django-tasks-db's, with task rows that can wait for a batch.

Enqueueing a task with django-tasks-db inserts its row at once. Inside an
``inserts.deferred()`` block this backend holds the row instead, so an
import batch that queues a delivery task for each acknowledgement writes
them all with one statement, together with the acknowledgements
themselves. Outside a block a row is inserted at once, as django-tasks-db
does. Either way the row belongs to the caller's transaction.
"""

from typing import Any

from django.utils import timezone
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend as BaseDatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from relaydesk.core import inserts


class DatabaseBackend(BaseDatabaseBackend):
    """django-tasks-db's backend whose task rows go through ``inserts.add``."""

    def _task_to_db_task(self, task: Task, args: Any, kwargs: Any) -> DBTaskResult:
        # The fields django-tasks-db 0.13 writes. Its pre_save handler gives
        # a task without run_after the maximum date, and a held row is
        # inserted without model signals, so that date is set here.
        return inserts.add(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after or get_date_max(),
                backend_name=self.alias,
                enqueued_at=timezone.now(),
            )
        )
