"""Parse the IMAP and SMTP server URLs that operators configure.

``RELAYDESK_IMAP_URL`` holds one or more comma-separated URLs::

    imaps://user:password@imap.example.com:993          TLS from the start
    imap+starttls://user:password@imap.example.com:143  plain, then STARTTLS
    imap://user:password@127.0.0.1:143                  no encryption (local servers)

An optional path names the folder for that mailbox only
(``imaps://u:p@host/Support``); without it ``RELAYDESK_IMAP_FOLDER`` applies.
``RELAYDESK_SMTP_URL`` holds one URL: ``smtp://``, ``smtp+starttls://`` or
``smtps://``. User names and passwords are percent-decoded, so a password
containing ``,``, ``@``, ``:`` or ``/`` must be written as ``%2C``, ``%40``,
``%3A`` or ``%2F``.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from relaydesk.core.redaction import redact_url

IMAP_DEFAULT_PORTS = {"imaps": 993, "imap+starttls": 143, "imap": 143}
SMTP_DEFAULT_PORTS = {"smtps": 465, "smtp+starttls": 587, "smtp": 25}
IMAP_EXAMPLE = "imaps://user:password@imap.example.com:993"
SMTP_EXAMPLE = "smtp+starttls://user:password@smtp.example.com:587"


class MailUrlError(ImproperlyConfigured):
    """A configured mail server URL that cannot be used as written."""


@dataclass(frozen=True)
class MailServer:
    """One mail server to connect to, parsed from a URL."""

    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = ""
    folder: str = ""

    @property
    def account(self) -> str:
        """A stable name for this mailbox, without the password."""
        user = f"{self.username}@" if self.username else ""
        return f"{user}{self.host}:{self.port}"

    @property
    def uses_tls(self) -> bool:
        return self.scheme in ("imaps", "smtps")

    @property
    def uses_starttls(self) -> bool:
        return self.scheme.endswith("+starttls")


def parse_imap_urls(value: str) -> list[MailServer]:
    """Parse the comma-separated IMAP URLs; an empty value means no mailbox."""
    servers = []
    for item in value.split(","):
        if not item.strip():
            continue
        server = _parse(item, "RELAYDESK_IMAP_URL", IMAP_DEFAULT_PORTS, IMAP_EXAMPLE)
        if not server.username or not server.password:
            raise MailUrlError(
                f"RELAYDESK_IMAP_URL value {redact_url(item)!r} has no user name or "
                f"password: write it as {IMAP_EXAMPLE}."
            )
        if server.scheme == "imap+starttls" and server.port == 993:
            raise MailUrlError(
                f"RELAYDESK_IMAP_URL value {redact_url(item)!r} uses STARTTLS on port 993, "
                "where servers expect TLS from the start: use imaps:// for port 993."
            )
        servers.append(server)
    return servers


def parse_smtp_url(value: str) -> MailServer | None:
    """Parse the SMTP relay URL; an empty value means "write to the outbox folder"."""
    if not value.strip():
        return None
    if "," in value:
        raise MailUrlError(
            f"RELAYDESK_SMTP_URL value {redact_url(value)!r} contains a comma: relaydesk "
            "sends through one relay, so set a single smtp://, smtp+starttls:// or smtps:// URL."
        )
    server = _parse(value, "RELAYDESK_SMTP_URL", SMTP_DEFAULT_PORTS, SMTP_EXAMPLE)
    if server.folder:
        raise MailUrlError(
            f"RELAYDESK_SMTP_URL value {redact_url(value)!r} has a path: remove "
            f"'/{server.folder}', because an SMTP relay URL has only a scheme, "
            f"credentials, a host and a port, as in {SMTP_EXAMPLE}."
        )
    return server


def _parse(value: str, setting: str, default_ports: dict[str, int], example: str) -> MailServer:
    shown = redact_url(value)
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError as error:
        raise MailUrlError(
            f"{setting} value {shown!r} is invalid ({error}): write it as {example}."
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in default_ports:
        raise MailUrlError(
            f"{setting} value {shown!r} has the unsupported scheme {scheme!r}: use one of "
            f"{', '.join(default_ports)}, as in {example}."
        )
    if not parts.hostname:
        raise MailUrlError(f"{setting} value {shown!r} has no host name: write it as {example}.")
    if parts.query or parts.fragment:
        raise MailUrlError(
            f"{setting} value {shown!r} has a query or fragment, which relaydesk does not "
            f"read: remove the part after '?' or '#', as in {example}."
        )
    return MailServer(
        scheme=scheme,
        host=parts.hostname,
        port=port or default_ports[scheme],
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.strip("/")),
    )
