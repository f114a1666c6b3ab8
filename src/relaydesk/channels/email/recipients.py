"""Support-address matching and address redaction for logs."""

from relaydesk.core import config


def base_address(address: str) -> str:
    """Return ``address`` lower-cased and without its plus tag.

    ``Support+CS-12@Example.com`` becomes ``support@example.com``.
    """
    local, at, domain = address.strip().strip("<>").lower().rpartition("@")
    if not at:
        return domain
    local = local.split("+", 1)[0]
    return f"{local}@{domain}"


def is_support_address(address: str) -> bool:
    """Return True when ``address``, plus tag ignored, is a configured support address."""
    return base_address(address) in config.support_addresses()


def redact(address: str) -> str:
    """Return ``address`` with the local part hidden, safe to write to logs."""
    local, at, domain = address.strip().strip("<>").rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain.lower()}"
