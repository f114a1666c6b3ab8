"""Find or create the contact who sent an inbound message."""

from relaydesk.channels.email.errors import UnusableMessage
from relaydesk.channels.email.parse import ParsedEmail
from relaydesk.core import config
from relaydesk.customers.actions import (
    MAX_EMAIL_ADDRESS_LENGTH,
    check_email_address,
    contact_for_sender,
)
from relaydesk.customers.errors import InvalidContact
from relaydesk.customers.models import Contact


def sender_address(parsed: ParsedEmail) -> str:
    """Return the sender's validated, lower-cased address.

    Raises UnusableMessage ``sender_unusable`` when the From header has no
    address a reply could go to, and ``sender_is_support_address`` when the
    message claims to come from relaydesk itself, which would start a loop.
    """
    if not parsed.from_address:
        raise UnusableMessage("sender_unusable", "the From header has no usable address")
    # Checked first, because the address check below also rejects our own.
    if config.is_support_address(parsed.from_address):
        raise UnusableMessage("sender_is_support_address", "the From address is ours")
    if len(parsed.from_address.strip()) > MAX_EMAIL_ADDRESS_LENGTH:
        raise UnusableMessage(
            "sender_unusable",
            f"the From address is longer than {MAX_EMAIL_ADDRESS_LENGTH} characters",
        )
    try:
        address = check_email_address(parsed.from_address)
    except InvalidContact:
        raise UnusableMessage("sender_unusable", "the From address is invalid") from None
    return address


def identify_sender(parsed: ParsedEmail) -> Contact:
    """Return the contact for the sender of ``parsed``, created when the address is new."""
    return contact_for_sender(sender_address(parsed), parsed.from_name)
