"""Outbound e-mail: placeholder for the acknowledgement hook the intake calls.

NOTE: this file contains only the function the intake pipeline calls. The
real module, with delivery and the per-address hourly limit on
acknowledgements, replaces it.
"""

from relaydesk.tickets.models import Message, Ticket


def queue_acknowledgement(ticket: Ticket, message: Message) -> None:
    """Queue the "we received your message" reply for a new ticket (no-op placeholder).

    The intake calls this on commit, only for tickets opened by personal mail:
    never for auto-replies, bounces, bulk or list mail.
    """
