"""The ``relaydesk`` console script: Django's manage.py for the installed product."""

import os
import sys
import traceback

from django.core.management import ManagementUtility

# The commands an operator needs, each with one line for ``relaydesk help``
# that fits in 80 columns. tests/test_cli.py checks that every command of a
# relaydesk app is listed.
RELAYDESK_COMMANDS = (
    ("run-all", "web server, task worker and SMTP inbound (make run)"),
    ("smtp-inbound", "the SMTP inbound endpoint alone"),
    ("fetch-mail", "poll the configured IMAP mailboxes once"),
    ("import-mail", "import .eml files, folders, mbox files and Maildirs"),
    ("reprocess-quarantine", "list, or retry, messages that could not be processed"),
    ("export-tickets", "write every ticket as JSON Lines to standard output"),
    ("create-token", "create an API token (printed once), or revoke one"),
    ("create-integration", "create a CI/CD integration; prints its secret once"),
    ("load-demo", "load the demo organizations, agents and tickets"),
    ("send-test-mail", "send a test e-mail to the SMTP inbound endpoint"),
    ("worker", "the task worker, with the SLA sweep and IMAP polling"),
)
DJANGO_COMMANDS = (
    ("migrate", "create or upgrade the database"),
    ("createsuperuser", "create an agent with the Administrator role"),
    ("collectstatic", "copy the static files for the web server (production)"),
    ("check", "check the configuration without starting anything"),
    ("runserver", "the development web server alone"),
    ("db_worker", "Django's task worker alone (no SLA sweep, no IMAP)"),
)


class RelaydeskUtility(ManagementUtility):
    """Django's manage.py, named relaydesk, whose help lists relaydesk's commands first."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.prog_name = "relaydesk"

    def main_help_text(self, commands_only: bool = False) -> str:
        django_text = super().main_help_text(commands_only)
        if commands_only:
            return django_text
        return "\n".join(
            [
                f"Usage: {self.prog_name} <command> [options]",
                "",
                "relaydesk's commands:",
                *_command_lines(RELAYDESK_COMMANDS),
                "",
                "Django's commands that relaydesk uses:",
                *_command_lines(DJANGO_COMMANDS),
                django_text.replace("Available subcommands:", "All commands, by application:"),
            ]
        )


def _command_lines(commands: tuple[tuple[str, str], ...]) -> list[str]:
    width = max(len(name) for name, _summary in RELAYDESK_COMMANDS + DJANGO_COMMANDS)
    return [f"  {name.ljust(width)}  {summary}" for name, summary in commands]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relaydesk.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.db import OperationalError, ProgrammingError

    try:
        _connect_before_runserver(sys.argv)
        RelaydeskUtility(sys.argv).execute()
    except ImproperlyConfigured as error:
        # A configuration mistake is the operator's to fix: show the message,
        # which names the setting and the fix, without a traceback.
        sys.stderr.write(f"relaydesk: configuration error: {error}\n")
        sys.exit(2)
    except (OperationalError, ProgrammingError) as error:
        message = _unreachable_database(error) or _unmigrated_database(error)
        if message is None:
            raise
        sys.stderr.write(f"relaydesk: {message}\n")
        sys.exit(1)


def _connect_before_runserver(argv: list[str]) -> None:
    """Open the database once before ``runserver`` starts, so failing to is one line.

    With autoreload, runserver checks the migrations in a thread of a child
    process, where a refused connection prints a traceback and the server
    waits for a file change. Connecting here first raises the error where
    ``main`` reports it.
    """
    if len(argv) < 2 or argv[1] != "runserver":
        return
    import django
    from django.db import DEFAULT_DB_ALIAS, connections

    django.setup()
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    connection.close()


def _unreachable_database(error: Exception) -> str | None:
    """Describe ``error`` in one line if it came from opening the database, else return None.

    Django's database backends open a connection in ``get_new_connection``, so
    an error raised inside it means the database is down, misnamed or not
    writable. Errors from statements on an open connection (a lock, a missing
    table) keep their traceback. Web requests never reach this handler,
    because Django turns their errors into a 500 page.
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


def _unmigrated_database(error: Exception) -> str | None:
    """Describe ``error`` in one line if the database lacks migrations, else return None.

    A command run before ``relaydesk migrate``, or after an upgrade without
    it, fails on a missing table or column; the fix is to migrate.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    # The failed statement may have left the connection's transaction aborted.
    connection.close()
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        applied = executor.loader.applied_migrations
    except Exception:  # noqa: BLE001 - the original error is the one to report
        return None
    if not pending:
        return None
    if not applied:
        # An empty database may be the wrong one, when the desk runs with another
        # data folder or DATABASE_URL.
        return (
            f"the database {_database_name()} is empty: no relaydesk migration is "
            f"applied, so {str(error).strip()!r}. If a desk is running, run this command "
            "with the same RELAYDESK_DATA_DIR or DATABASE_URL as the desk. To set up a "
            "new desk in this database, run `relaydesk migrate` first."
        )
    return (
        f"the database {_database_name()} is not set up for this version of relaydesk: "
        f"{len(pending)} migration(s) are not applied, so {str(error).strip()!r}. "
        "Run `relaydesk migrate` first, then this command again."
    )


def _database_name() -> str:
    """Return the default database as a person would look for it: a file, or a name and server."""
    from django.conf import settings
    from django.db import DEFAULT_DB_ALIAS

    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    if database["ENGINE"].endswith("sqlite3"):
        return str(database["NAME"])
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{database['NAME']} on {host}{port}"


if __name__ == "__main__":
    main()
