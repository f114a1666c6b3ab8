"""``relaydesk worker``: the task worker, with the periodic tasks scheduled first.

Django's ``db_worker`` runs the tasks that are queued. The SLA sweep and
IMAP polling each queue their own next run, so something must queue the
first one: this command does, then runs ``db_worker`` on every queue. Run it
in place of ``db_worker``; ``run-all`` starts it as its task worker.
"""

from datetime import timedelta
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from relaydesk.channels.email.tasks import schedule_fetch_mail
from relaydesk.sla.tasks import schedule_sla_sweep


class Command(DbWorkerCommand):
    help = (
        "Run the background task worker on every queue, after scheduling the SLA sweep "
        "and, when RELAYDESK_IMAP_URL is set, IMAP polling."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")

    def handle(self, *args: Any, **options: Any) -> None:
        # Both keep at most one run waiting, so restarts and extra workers add none.
        if schedule_fetch_mail(delay=timedelta(0)):
            self.stdout.write("IMAP polling scheduled.")
        if schedule_sla_sweep(delay=timedelta(0)):
            self.stdout.write("SLA sweep scheduled.")
        super().handle(*args, **options)
