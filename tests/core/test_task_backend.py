"""Task rows queued at once, or held with an import batch's rows."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from relaydesk.channels.email.tasks import deliver_message
from relaydesk.core import clock, inserts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_tasks(database_tasks):
    return database_tasks


def task_inserts(queries: CaptureQueriesContext) -> list[str]:
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    return [
        query["sql"] for query in queries.captured_queries if f"INSERT INTO {table}" in query["sql"]
    ]


def test_task_row_inserted_at_once_outside_block():
    result = deliver_message.enqueue(7)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.args_kwargs == {"args": [7], "kwargs": {}}
    assert row.queue_name == "mail"
    assert row.backend_name == "default"
    # As django-tasks-db stores a task without a start time: due at once.
    assert row.run_after == get_date_max()
    assert DBTaskResult.objects.ready().filter(id=result.id).exists()


def test_held_task_rows_written_together():
    with CaptureQueriesContext(connection) as queries, transaction.atomic(), inserts.deferred():
        first = deliver_message.enqueue(1)
        second = deliver_message.enqueue(2)
        assert task_inserts(queries) == []
    assert len(task_inserts(queries)) == 1
    rows = DBTaskResult.objects.ready().order_by("args_kwargs__args")
    assert [str(row.id) for row in rows] == [first.id, second.id]
    assert all(row.enqueued_at is not None for row in rows)


def test_read_in_block_sees_held_task():
    with transaction.atomic(), inserts.deferred():
        result = deliver_message.enqueue(3)
        assert DBTaskResult.objects.filter(id=result.id).exists()


def test_held_task_keeps_its_start_time():
    later = clock.now() + timedelta(minutes=5)
    with transaction.atomic(), inserts.deferred():
        result = deliver_message.using(run_after=later).enqueue(4)
    assert DBTaskResult.objects.get(id=result.id).run_after == later
    assert not DBTaskResult.objects.ready().exists()


def test_held_task_rows_roll_back_with_the_block():
    with pytest.raises(RuntimeError), transaction.atomic(), inserts.deferred():
        deliver_message.enqueue(5)
        raise RuntimeError("the batch failed")
    assert not DBTaskResult.objects.exists()
