"""Read ``DATABASE_URL`` into Django's database settings.

Every mistake gets its own message naming the part of the URL that is wrong
and the fix, with any password hidden, so that start-up stops with one line.
"""

import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from relaydesk.core.redaction import redact_url

POSTGRES_EXAMPLE = "postgres://user:password@host:5432/relaydesk"
SQLITE_EXAMPLE = "sqlite:////srv/relaydesk/relaydesk.sqlite3"
SQLITE_ENGINE = "django.db.backends.sqlite3"
# The first SQLite with UPDATE ... RETURNING.
MIN_SQLITE_VERSION = (3, 35, 0)
POSTGRES_ENGINE = "django.db.backends.postgresql"


def parse_database_url(url: str, conn_max_age: int) -> dict[str, Any]:
    """Parse ``url`` into a ``DATABASES`` entry; raises ImproperlyConfigured naming the fault.

    dj-database-url also parses MySQL, Oracle and other URLs, which relaydesk
    does not support, so those are rejected here rather than when a driver is
    missing. A relative SQLite path is made absolute against the working folder.
    """
    url = url.strip()
    _check_scheme(url)
    parts = _split(url)
    if _engine(url) == SQLITE_ENGINE:
        return _sqlite(url, parts, conn_max_age)
    _check_port(url, parts)
    database = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    if not database["NAME"]:
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r} has no database name: add it after the host "
            f"and port, as in {POSTGRES_EXAMPLE}."
        )
    return database


def _engine(url: str) -> str | None:
    engine = dj_database_url.ENGINE_SCHEMES.get(url.partition(":")[0].lower())
    return engine.backend if engine else None


def _check_scheme(url: str) -> None:
    if _engine(url) not in (SQLITE_ENGINE, POSTGRES_ENGINE):
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {url.partition(':')[0]!r} is invalid: use "
            f"{POSTGRES_EXAMPLE} for PostgreSQL or {SQLITE_EXAMPLE} for an SQLite file, "
            "or leave it unset for the SQLite database in RELAYDESK_DATA_DIR."
        )


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r} is not a valid URL ({error}): write it as "
            f"{POSTGRES_EXAMPLE}, with special characters in the password percent-encoded."
        ) from None


def _check_port(url: str, parts: SplitResult) -> None:
    host_and_port = parts.netloc.rpartition("@")[2]
    text = host_and_port.rpartition("]")[2] if host_and_port.startswith("[") else host_and_port
    text = text.partition(":")[2]
    try:
        port = parts.port
    except ValueError:
        port = None
    if text and not (port and 0 < port < 65536):
        raise ImproperlyConfigured(
            f"DATABASE_URL port {text!r} is invalid: use a number from 1 to 65535, "
            f"as in {POSTGRES_EXAMPLE}, or leave it out for 5432."
        )


def _sqlite(url: str, parts: SplitResult, conn_max_age: int) -> dict[str, Any]:
    name = parts.path[1:]
    if parts.netloc == ":memory:" or name in ("", ":memory:"):
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r} names no SQLite file, and an in-memory "
            "database would lose every ticket when the command ends: name a file, "
            f"as in {SQLITE_EXAMPLE}."
        )
    # dj-database-url reads sqlite://var/desk.db as the file desk.db on a host
    # "var" and drops the host without a word. One slash too few is the usual
    # cause.
    if parts.netloc:
        raise ImproperlyConfigured(
            f"DATABASE_URL {redact_url(url)!r} reads {parts.netloc!r} as a host, which SQLite "
            "URLs do not have: write three slashes before a relative path and four before "
            f"an absolute one, as in {SQLITE_EXAMPLE}."
        )
    return sqlite_database(Path(unquote(name)), conn_max_age)


def sqlite_database(path: Path, conn_max_age: int) -> dict[str, Any]:
    """Return the ``DATABASES`` entry for the SQLite file at ``path``."""
    check_sqlite_version(sqlite3.sqlite_version_info)
    return {"ENGINE": SQLITE_ENGINE, "NAME": str(path.resolve()), "CONN_MAX_AGE": conn_max_age}


def check_sqlite_version(version: tuple[int, int, int]) -> None:
    """Raise ImproperlyConfigured when SQLite ``version`` is older than relaydesk needs.

    Ticket numbers and reserved keys use ``UPDATE ... RETURNING``, which
    SQLite has since 3.35. An older library would fail at the first ticket.
    """
    if version < MIN_SQLITE_VERSION:
        found = ".".join(str(part) for part in version)
        needed = ".".join(str(part) for part in MIN_SQLITE_VERSION[:2])
        raise ImproperlyConfigured(
            f"SQLite {found}, the library this Python uses, is too old: relaydesk needs "
            f"{needed} or newer. Use a Python built with a newer SQLite, or set DATABASE_URL "
            f"to PostgreSQL, as in {POSTGRES_EXAMPLE}."
        )


def describe_connection_failure(
    error: Exception, database: dict[str, Any], *, url: str, data_dir: Path
) -> str:
    """Return one line saying which database could not be opened, why, and what to check.

    ``url`` is ``DATABASE_URL`` as set (empty when unset), shown without its
    password; ``data_dir`` is ``RELAYDESK_DATA_DIR``, which contains the default
    SQLite database.
    """
    reason = _driver_reason(error)
    if database["ENGINE"] != SQLITE_ENGINE:
        return (
            f"cannot connect to the database in DATABASE_URL ({redact_url(url)}): {reason}. "
            "Check that PostgreSQL is running and that the host, port, user, password "
            "and database name are right."
        )
    if url:
        return (
            f"cannot open the SQLite database {database['NAME']} in DATABASE_URL "
            f"({redact_url(url)}): {reason}. Check that its folder exists and that "
            "relaydesk may write to it."
        )
    return (
        f"cannot open the SQLite database {database['NAME']} in RELAYDESK_DATA_DIR "
        f"({data_dir}): {reason}. Check that RELAYDESK_DATA_DIR is a folder that "
        "relaydesk may write to."
    )


# psycopg 3 starts its message with what it tried, as in "connection failed:
# connection to server at "127.0.0.1", port 1 failed: ". The server's own
# errors add "FATAL:". The cause follows, then a hint on the next line.
_DRIVER_PREFIX = re.compile(
    r"^(?:connection (?:failed|is bad): )?(?:connection to server .*? failed: )?(?:FATAL:\s*)?"
)


def _driver_reason(error: Exception) -> str:
    text = str(error).strip()
    first_line = text.splitlines()[0] if text else ""
    reason = _DRIVER_PREFIX.sub("", first_line).strip()
    if not reason:
        return type(error).__name__
    # "Connection refused" reads as "connection refused" after a colon; "SSL" stays.
    if reason[1:2].islower():
        reason = reason[:1].lower() + reason[1:]
    return reason
