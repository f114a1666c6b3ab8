"""``relaydesk worker``: the periodic tasks are queued before the worker runs."""

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_runs(monkeypatch) -> list[dict]:
    """Record the options db_worker would run with, instead of running its loop."""
    runs: list[dict] = []
    monkeypatch.setattr(
        DbWorkerCommand, "handle", lambda self, *args, **options: runs.append(options)
    )
    return runs


def waiting_tasks() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_worker_schedules_periodic_tasks(settings, database_tasks, worker_runs):
    settings.RELAYDESK = {**settings.RELAYDESK, "IMAP_URL": "imap://desk:secret@127.0.0.1:1"}
    call_command("worker", "--no-reload")
    assert waiting_tasks() == [
        "relaydesk.channels.email.tasks.fetch_mail",
        "relaydesk.sla.tasks.sweep_sla_clocks",
    ]
    assert worker_runs[0]["queue_name"] == "*"


def test_worker_without_imap_schedules_the_sweep_only(settings, database_tasks, worker_runs):
    settings.RELAYDESK = {**settings.RELAYDESK, "IMAP_URL": ""}
    call_command("worker", "--no-reload")
    assert waiting_tasks() == ["relaydesk.sla.tasks.sweep_sla_clocks"]


def test_restarted_worker_adds_no_second_run(settings, database_tasks, worker_runs):
    settings.RELAYDESK = {**settings.RELAYDESK, "IMAP_URL": "imap://desk:secret@127.0.0.1:1"}
    call_command("worker", "--no-reload")
    call_command("worker", "--no-reload")
    assert len(waiting_tasks()) == 2
    assert len(worker_runs) == 2
