"""Hide secrets in values that appear in messages and logs."""

from urllib.parse import urlsplit


def redact_url(value: str) -> str:
    """Return ``value`` with any password replaced by ``***`` for messages and logs."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return "<unparseable URL>"
    if parts.password is None:
        return value.strip()
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
