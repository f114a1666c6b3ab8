"""relaydesk settings, read at call time so a changed setting takes effect."""

from typing import Any

from django.conf import settings

# The support address of a fresh install, when RELAYDESK_SUPPORT_ADDRESS is not set.
DEFAULT_SUPPORT_ADDRESS = "support@localhost"


def get(name: str) -> Any:
    return settings.RELAYDESK[name]


def support_addresses() -> list[str]:
    """Return the configured support addresses, lower-cased."""
    raw = get("SUPPORT_ADDRESSES")
    return [address.strip().lower() for address in raw.split(",") if address.strip()]


def is_support_address(address: str) -> bool:
    """Return whether ``address``, or it without its ``+tag``, is one of the support addresses."""
    local, _at, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" in support_addresses()
