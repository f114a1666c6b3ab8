"""Hand-off from ticket actions to the channel that delivers outbound messages.

Tickets sit below the channels in the import order, so a channel registers
its sender here when its app loads (see ``EmailChannelConfig.ready``), and the
reply action schedules delivery without importing the channel.

Inside ``collected()`` deliveries are gathered and scheduled together when
the block ends, in one transaction, so an import that acknowledges a
thousand tickets commits its delivery tasks once rather than a thousand
times.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

Sender = Callable[[int], None]

_senders: dict[str, Sender] = {}
_collected: ContextVar[list[tuple[str, int]] | None] = ContextVar("deliveries", default=None)


def register_sender(kind: str, sender: Sender) -> None:
    _senders[kind] = sender


def schedule_delivery(kind: str, message_id: int) -> bool:
    """Queue delivery of message ``message_id``; False when no sender handles ``kind``.

    Inside ``collected()`` the delivery is queued when the block ends.
    """
    sender = _senders.get(kind)
    if sender is None:
        return False
    collected = _collected.get()
    if collected is not None:
        collected.append((kind, message_id))
    else:
        sender(message_id)
    return True


@contextmanager
def collected() -> Iterator[None]:
    """Gather the deliveries scheduled inside the block and queue them in one transaction.

    Put the transactions whose ``on_commit`` schedules deliveries inside the
    block: a delivery of a rolled-back message is never scheduled, because
    its ``on_commit`` callback never runs. When the block raises, the
    deliveries gathered so far are still queued, because their messages
    are committed.

    NOTE: a crash after those transactions commit and before the block
    ends leaves their messages ``queued`` with no delivery task, and
    nothing queues them again yet.
    """
    if _collected.get() is not None:
        yield
        return
    gathered: list[tuple[str, int]] = []
    token = _collected.set(gathered)
    try:
        yield
    finally:
        _collected.reset(token)
        if gathered:
            with transaction.atomic():
                for kind, message_id in gathered:
                    _senders[kind](message_id)
