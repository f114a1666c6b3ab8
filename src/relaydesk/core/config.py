"""relaydesk settings, read at call time so a changed setting takes effect."""

from typing import Any

from django.conf import settings


def get(name: str) -> Any:
    return settings.RELAYDESK[name]


def support_addresses() -> list[str]:
    """Return the configured support addresses, lower-cased."""
    raw = get("SUPPORT_ADDRESSES")
    return [address.strip().lower() for address in raw.split(",") if address.strip()]
