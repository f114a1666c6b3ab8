"""Hand-off from ticket actions to the channel that delivers outbound messages.

Tickets sit below the channels in the import order, so a channel registers
its sender here when its app loads (see ``EmailChannelConfig.ready``), and the
reply action schedules delivery without importing the channel.

With the database task backend, relaydesk's own, a delivery task is a row
in the same database as its message. It is queued inside the transaction
that writes the message, so the two commit together or not at all: a
crash can leave neither a queued message without its task nor a task
without its message. An import batch's task rows go in with the batch's
other held rows (``core.tasks``). Any other task backend, such as the
immediate one the tests use, gets the delivery when the transaction
commits, so nothing is sent for a message that was rolled back.
"""

from collections.abc import Callable

from django.db import transaction
from django_tasks import task_backends
from django_tasks_db import DatabaseBackend

Sender = Callable[[int], None]

_senders: dict[str, Sender] = {}


def register_sender(kind: str, sender: Sender) -> None:
    _senders[kind] = sender


def schedule_delivery(kind: str, message_id: int) -> bool:
    """Queue delivery of message ``message_id``; False when no sender handles ``kind``.

    Call it inside the transaction that writes the message.
    """
    sender = _senders.get(kind)
    if sender is None:
        return False
    if isinstance(task_backends["default"], DatabaseBackend):
        sender(message_id)
    else:
        transaction.on_commit(lambda: sender(message_id))
    return True
