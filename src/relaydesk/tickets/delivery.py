"""Hand-off from ticket actions to the channel that delivers outbound messages.

Tickets sit below the channels in the import order, so a channel registers
its sender here when its app loads (see ``EmailChannelConfig.ready``), and the
reply action schedules delivery without importing the channel.
"""

from collections.abc import Callable

Sender = Callable[[int], None]

_senders: dict[str, Sender] = {}


def register_sender(kind: str, sender: Sender) -> None:
    _senders[kind] = sender


def schedule_delivery(kind: str, message_id: int) -> bool:
    """Queue delivery of message ``message_id``; False when no sender handles ``kind``."""
    sender = _senders.get(kind)
    if sender is None:
        return False
    sender(message_id)
    return True
