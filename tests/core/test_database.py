"""How a database that cannot be opened is described to the operator."""

import sqlite3
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError

from relaydesk.core.database import (
    check_sqlite_version,
    describe_connection_failure,
    sqlite_database,
)

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "relaydesk"}
URL = "postgres://desk:secret@127.0.0.1:5432/relaydesk"


@pytest.mark.parametrize(
    ("driver_message", "reason"),
    [
        (
            'connection failed: connection to server at "127.0.0.1", port 1 failed: '
            "Connection refused\n\tIs the server running on that host and accepting "
            "TCP/IP connections?",
            "connection refused",
        ),
        (
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            'FATAL:  password authentication failed for user "desk"',
            'password authentication failed for user "desk"',
        ),
        (
            'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
            'FATAL:  database "relaydesk" does not exist',
            'database "relaydesk" does not exist',
        ),
        (
            "failed to resolve host 'db.example': [Errno -2] Name or service not known",
            "failed to resolve host 'db.example': [Errno -2] Name or service not known",
        ),
        ("SSL SYSCALL error: EOF detected", "SSL SYSCALL error: EOF detected"),
        ("", "OperationalError"),
    ],
)
def test_connection_failure_states_driver_reason(driver_message, reason):
    message = describe_connection_failure(
        OperationalError(driver_message), POSTGRES, url=URL, data_dir=Path("/srv/var")
    )
    assert message.startswith(
        f"cannot connect to the database in DATABASE_URL "
        f"(postgres://desk:***@127.0.0.1:5432/relaydesk): {reason}. Check that"
    )


@pytest.mark.parametrize("version", [(3, 34, 1), (3, 31, 1), (2, 8, 17)])
def test_old_sqlite_rejected_with_fix(version):
    with pytest.raises(ImproperlyConfigured) as raised:
        check_sqlite_version(version)
    found = ".".join(str(part) for part in version)
    assert str(raised.value) == (
        f"SQLite {found}, the library this Python uses, is too old: relaydesk needs 3.35 or "
        "newer. Use a Python built with a newer SQLite, or set DATABASE_URL to PostgreSQL, "
        "as in postgres://user:password@host:5432/relaydesk."
    )


@pytest.mark.parametrize("version", [(3, 35, 0), (3, 40, 1), (3, 46, 0)])
def test_current_sqlite_accepted(version):
    check_sqlite_version(version)


def test_sqlite_database_checks_library_version(monkeypatch, tmp_path):
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    with pytest.raises(ImproperlyConfigured, match="SQLite 3.31.1, the library"):
        sqlite_database(tmp_path / "desk.sqlite3", 0)
