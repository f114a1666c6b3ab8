"""The ``relaydesk`` console script, run as a user runs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from relaydesk.cli import DJANGO_COMMANDS, RELAYDESK_COMMANDS

# Nothing listens on port 1, so connecting is refused at once on this machine.
UNREACHABLE_POSTGRES = "postgres://desk:secret@127.0.0.1:1/relaydesk"


def run_cli(*arguments: str, data_dir: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run ``relaydesk ARGUMENTS`` with a data folder and only ``variables`` set."""
    return subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", *arguments],
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "RELAYDESK_DATA_DIR": str(data_dir),
            "RELAYDESK_LOG_LEVEL": "WARNING",
            **variables,
        },
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["export-tickets"],
        ["reprocess-quarantine", "--list"],
        ["runserver", "127.0.0.1:8799"],
        ["runserver", "--noreload", "127.0.0.1:8799"],
    ],
)
def test_unreachable_postgres_one_line(tmp_path, command):
    result = run_cli(*command, data_dir=tmp_path / "var", DATABASE_URL=UNREACHABLE_POSTGRES)
    assert result.returncode == 1
    assert result.stderr == (
        "relaydesk: cannot connect to the database in DATABASE_URL "
        "(postgres://desk:***@127.0.0.1:1/relaydesk): connection refused. Check that "
        "PostgreSQL is running and that the host, port, user, password and database "
        "name are right.\n"
    )


def test_unreachable_postgres_message_hides_password(tmp_path):
    result = run_cli("migrate", data_dir=tmp_path / "var", DATABASE_URL=UNREACHABLE_POSTGRES)
    assert "secret" not in result.stderr + result.stdout


def test_unopenable_sqlite_file_reported(tmp_path):
    data_dir = tmp_path / "var"
    # A folder where the database file should be: SQLite cannot open it, even as root.
    (data_dir / "relaydesk.sqlite3").mkdir(parents=True)
    result = run_cli("migrate", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr == (
        f"relaydesk: cannot open the SQLite database {data_dir / 'relaydesk.sqlite3'} in "
        f"RELAYDESK_DATA_DIR ({data_dir}): unable to open database file. Check that "
        "RELAYDESK_DATA_DIR is a folder that relaydesk may write to.\n"
    )


def test_sqlite_url_missing_folder_reported(tmp_path):
    database = tmp_path / "missing" / "desk.sqlite3"
    result = run_cli(
        "export-tickets", data_dir=tmp_path / "var", DATABASE_URL=f"sqlite:///{database}"
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"relaydesk: cannot open the SQLite database {database} in DATABASE_URL "
        f"(sqlite:///{database}): unable to open database file. Check that its folder "
        "exists and that relaydesk may write to it.\n"
    )


def test_unreachable_database_leaves_sqlite_data_unchanged(tmp_path):
    data_dir = tmp_path / "var"
    assert run_cli("migrate", "-v0", data_dir=data_dir).returncode == 0
    before = (data_dir / "relaydesk.sqlite3").read_bytes()
    run_cli("migrate", data_dir=data_dir, DATABASE_URL=UNREACHABLE_POSTGRES)
    assert (data_dir / "relaydesk.sqlite3").read_bytes() == before


def test_command_on_empty_database_names_it(tmp_path):
    # The database opens, so the error is not about reaching it.
    result = run_cli("export-tickets", data_dir=tmp_path / "var")
    database = tmp_path / "var" / "relaydesk.sqlite3"
    assert result.returncode == 1
    assert result.stderr.startswith(f"relaydesk: the database {database} is empty")
    assert "no such table" in result.stderr
    assert "with the same RELAYDESK_DATA_DIR or DATABASE_URL as the desk" in result.stderr
    assert "run `relaydesk migrate` first" in result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot open the SQLite database" not in result.stderr


def test_command_before_upgrade_migrate_says_to_migrate(tmp_path):
    data_dir = tmp_path / "var"
    assert run_cli("migrate", "tickets", "0001", "-v0", data_dir=data_dir).returncode == 0
    result = run_cli("export-tickets", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"relaydesk: the database {data_dir / 'relaydesk.sqlite3'} is not set up for this version"
    )
    assert "Run `relaydesk migrate` first, then this command again." in result.stderr
    assert "Traceback" not in result.stderr


def test_help_starts_with_relaydesk_commands(tmp_path):
    result = run_cli("--help", data_dir=tmp_path / "var")
    assert result.returncode == 0
    assert result.stdout.startswith(
        "Usage: relaydesk <command> [options]\n\nrelaydesk's commands:\n"
        "  run-all               web server, task worker and SMTP inbound (make run)\n"
    )


def test_help_keeps_django_list_below(tmp_path):
    output = run_cli("--help", data_dir=tmp_path / "var").stdout
    assert output.index("Django's commands that relaydesk uses:") < output.index("[auth]")
    assert "All commands, by application:" in output
    assert "    changepassword\n" in output


def test_help_summary_fits_80_columns(tmp_path):
    output = run_cli("--help", data_dir=tmp_path / "var").stdout
    summary = output.partition("Type 'relaydesk help")[0]
    assert max(len(line) for line in summary.splitlines()) <= 80


def test_help_lists_every_relaydesk_command():
    ours = {name for name, app in get_commands().items() if app.startswith("relaydesk")}
    assert ours == {name for name, _summary in RELAYDESK_COMMANDS}


def test_help_lists_only_existing_django_commands():
    assert {name for name, _summary in DJANGO_COMMANDS} <= set(get_commands())


def test_help_without_command_is_same_help(tmp_path):
    alone = run_cli(data_dir=tmp_path / "var")
    assert alone.stdout == run_cli("--help", data_dir=tmp_path / "var").stdout


def test_help_commands_option_lists_names_only(tmp_path):
    output = run_cli("help", "--commands", data_dir=tmp_path / "var").stdout
    assert "run-all" in output.splitlines()
    assert "Usage" not in output


def test_help_with_bad_configuration_still_lists_commands(tmp_path):
    result = run_cli("--help", data_dir=tmp_path / "var", RELAYDESK_MODE="production")
    assert "relaydesk's commands:" in result.stdout
    assert "RELAYDESK_SECRET_KEY is missing" in result.stdout


def test_command_usage_names_relaydesk(tmp_path):
    output = run_cli("help", "migrate", data_dir=tmp_path / "var").stdout
    assert output.startswith("usage: relaydesk migrate")
