"""How a database that cannot be opened is described to the operator."""

from pathlib import Path

import pytest
from django.db import OperationalError

from relaydesk.core.database import describe_connection_failure

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
