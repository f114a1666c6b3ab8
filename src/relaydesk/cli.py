"""The ``relaydesk`` console script: Django's manage.py for the installed product."""

import os
import sys
import traceback


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydesk.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A configuration mistake is the operator's to fix: show the message,
        # which names the setting and the fix, without a traceback.
        sys.stderr.write(f"relaydesk: configuration error: {error}\n")
        sys.exit(2)
    except OperationalError as error:
        message = _unreachable_database(error)
        if message is None:
            raise
        sys.stderr.write(f"relaydesk: {message}\n")
        sys.exit(1)


def _unreachable_database(error: Exception) -> str | None:
    """Describe ``error`` in one line if it came from opening the database, else return None.

    Django's database backends open a connection in ``get_new_connection``, so
    an error raised inside it means the database is down, misnamed or not
    writable. Errors from statements on an open connection (a lock, a missing
    table) keep their traceback. Web requests never reach this handler,
    because Django answers their errors with a 500 page.
    """
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS

    from relaydesk.core.database import describe_connection_failure

    frames = traceback.walk_tb(error.__traceback__)
    if not any(frame.f_code.co_name == "get_new_connection" for frame, _line in frames):
        return None
    return describe_connection_failure(
        error,
        settings.DATABASES[DEFAULT_DB_ALIAS],
        url=os.environ.get("DATABASE_URL", "").strip(),
        data_dir=settings.DATA_DIR,
    )


if __name__ == "__main__":
    main()
