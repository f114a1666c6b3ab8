import subprocess
import sys

import pytest
from django.db import connection


def test_production_mode_without_secret_key_fails():
    result = subprocess.run(
        [sys.executable, "-c", "import relaydesk.settings"],
        env={"RELAYDESK_MODE": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "RELAYDESK_SECRET_KEY is missing" in result.stderr


def test_unknown_mode_is_rejected():
    result = subprocess.run(
        [sys.executable, "-c", "import relaydesk.settings"],
        env={"RELAYDESK_MODE": "staging", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert "RELAYDESK_MODE='staging' is invalid" in result.stderr


def test_cli_reports_configuration_error_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", "check"],
        env={"RELAYDESK_MODE": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "relaydesk: configuration error: RELAYDESK_SECRET_KEY is missing" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr
    assert "Traceback" not in result.stderr


def _read_setting(expression: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Import the settings with only ``variables`` set and print ``expression`` of them."""
    return subprocess.run(
        [sys.executable, "-c", f"import relaydesk.settings as s; print({expression})"],
        env={"PATH": "/usr/bin:/bin", **variables},
        capture_output=True,
        text=True,
    )


def _check(tmp_path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run ``relaydesk check`` in ``tmp_path`` with only ``variables`` set."""
    return subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", "check"],
        env={"PATH": "/usr/bin:/bin", **variables},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


def _postgres_options(prepared: str | None) -> subprocess.CompletedProcess[str]:
    variables = {"DATABASE_URL": "postgres://relaydesk@127.0.0.1:5432/relaydesk"}
    if prepared is not None:
        variables["RELAYDESK_DB_PREPARED_STATEMENTS"] = prepared
    return _read_setting("s.DATABASES['default']['OPTIONS']", **variables)


def test_postgres_prepares_repeated_statements():
    result = _postgres_options(None)
    assert result.stdout.strip() == (
        "{'server_side_binding': True, 'prepare_threshold': 5, "
        "'options': '-c plan_cache_mode=force_custom_plan'}"
    )


def test_prepared_statements_turned_off():
    result = _postgres_options("0")
    assert result.stdout.strip() == "{'server_side_binding': True}"


def test_postgres_url_query_options_kept():
    result = _read_setting(
        "s.DATABASES['default']['OPTIONS']",
        DATABASE_URL="postgres://desk@127.0.0.1:5432/relaydesk?sslmode=require"
        "&options=-c%20search_path%3Ddesk",
    )
    assert result.stdout.strip() == (
        "{'sslmode': 'require', 'options': '-c search_path=desk -c plan_cache_mode="
        "force_custom_plan', 'server_side_binding': True, 'prepare_threshold': 5}"
    )


def test_invalid_prepared_statements_value_is_rejected():
    result = _postgres_options("yes")
    assert result.returncode != 0
    assert "RELAYDESK_DB_PREPARED_STATEMENTS='yes' is invalid" in result.stderr


def test_numeric_settings_are_read_as_numbers():
    result = _read_setting(
        "s.RELAYDESK['MAX_MESSAGE_BYTES'], s.RELAYDESK['SLA_WARNING_SHARE']",
        RELAYDESK_MAX_MESSAGE_BYTES="1048576",
        RELAYDESK_SLA_WARNING_SHARE="0.5",
    )
    assert result.stdout.strip() == "1048576 0.5"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RELAYDESK_MAX_MESSAGE_BYTES", "25MB", "use a whole number of at least 1024"),
        ("RELAYDESK_DELIVERY_MAX_ATTEMPTS", "0", "use a whole number of at least 1"),
        ("RELAYDESK_IMAP_POLL_SECONDS", "1.5", "use a whole number of at least 1"),
        ("RELAYDESK_SLA_WARNING_SHARE", "80", "use a number from 0.01 to 1.0"),
        ("RELAYDESK_SLA_WARNING_SHARE", "0", "use a number from 0.01 to 1.0"),
    ],
)
def test_invalid_numeric_setting_rejected(variable, value, expected):
    result = _read_setting("s.RELAYDESK", **{variable: value})
    assert result.returncode != 0
    assert f"{variable}={value!r} is invalid: {expected}." in result.stderr


@pytest.mark.django_db
def test_postgres_uses_custom_plans():
    if connection.vendor != "postgresql":
        pytest.skip("plan_cache_mode is a PostgreSQL setting, and the tests run on SQLite")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_custom_plan",)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RELAYDESK_LOG_LEVEL", "LOUD", "RELAYDESK_LOG_LEVEL='LOUD' is invalid: use one of DEBUG"),
        ("RELAYDESK_TIME_ZONE", "Mars/Base", "RELAYDESK_TIME_ZONE='Mars/Base' is invalid"),
        ("DATABASE_URL", "mysqlx://x", "DATABASE_URL scheme 'mysqlx' is invalid"),
        ("DATABASE_URL", "mysql://desk@db/relaydesk", "DATABASE_URL scheme 'mysql' is invalid"),
        ("DATABASE_URL", "oracle://desk@db/relaydesk", "DATABASE_URL scheme 'oracle' is invalid"),
        (
            "DATABASE_URL",
            "postgres://desk:secret@127.0.0.1:notaport/relaydesk",
            "DATABASE_URL port 'notaport' is invalid: use a number from 1 to 65535",
        ),
        (
            "DATABASE_URL",
            "postgres://desk:secret@127.0.0.1:99999/relaydesk",
            "DATABASE_URL port '99999' is invalid",
        ),
        ("DATABASE_URL", "postgres://desk@[::1]:0/relaydesk", "DATABASE_URL port '0' is invalid"),
        (
            "DATABASE_URL",
            "postgres://desk:secret@127.0.0.1:1",
            "DATABASE_URL 'postgres://desk:***@127.0.0.1:1' has no database name",
        ),
        ("DATABASE_URL", "postgres://", "DATABASE_URL 'postgres://' has no database name"),
        ("DATABASE_URL", "postgres://desk:secret@[::1/relaydesk", "is not a valid URL"),
        ("DATABASE_URL", "sqlite://", "DATABASE_URL 'sqlite://' names no SQLite file"),
        ("DATABASE_URL", "sqlite:///:memory:", "names no SQLite file"),
        ("DATABASE_URL", "sqlite://var/desk.sqlite3", "reads 'var' as a host"),
        ("RELAYDESK_DEBUG", "maybe", "RELAYDESK_DEBUG='maybe' is invalid: use 1 (or true"),
        (
            "RELAYDESK_CSRF_TRUSTED_ORIGINS",
            "https://ok.example.com,desk.example.com",
            "has 'desk.example.com', which is not an origin",
        ),
        (
            "RELAYDESK_SUPPORT_ADDRESS",
            "notanaddress",
            "has 'notanaddress', which is not an e-mail address",
        ),
        (
            "RELAYDESK_SUPPORT_ADDRESS",
            "support@example.com, help desk@example.com",
            "has 'help desk@example.com', which is not an e-mail address",
        ),
        ("RELAYDESK_SMTP_URL", "http://relay", "has the unsupported scheme 'http'"),
        ("RELAYDESK_IMAP_URL", "pop3://desk:secret@mail", "has the unsupported scheme 'pop3'"),
    ],
)
def test_cli_rejects_invalid_setting_in_one_line(tmp_path, variable, value, expected):
    result = subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", "check"],
        env={"PATH": "/usr/bin:/bin", "RELAYDESK_DATA_DIR": str(tmp_path), variable: value},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"relaydesk: configuration error: {variable}")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "secret" not in result.stderr


def test_database_url_scheme_message_names_sqlite_url(tmp_path):
    result = _check(tmp_path, DATABASE_URL="mysql://desk@db/relaydesk")
    assert "sqlite:////srv/relaydesk/relaydesk.sqlite3 for an SQLite file" in result.stderr


def test_sqlite_database_url_names_file(tmp_path):
    result = _read_setting(
        "s.DATABASES['default']['NAME']", DATABASE_URL=f"sqlite:///{tmp_path}/desk.sqlite3"
    )
    assert result.stdout.strip() == str(tmp_path / "desk.sqlite3")


def test_sqlite_database_url_relative_to_working_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "import relaydesk.settings as s; print(s.DATABASES['default'])"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///desk.sqlite3"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert f"'NAME': '{tmp_path / 'desk.sqlite3'}'" in result.stdout


def test_sqlite_database_url_uses_wal(tmp_path):
    result = _read_setting(
        "s.DATABASES['default']['OPTIONS']['init_command']",
        DATABASE_URL=f"sqlite:///{tmp_path}/desk.sqlite3",
    )
    assert "PRAGMA journal_mode=WAL" in result.stdout


def test_postgres_url_with_ipv6_host_and_port_accepted():
    result = _read_setting(
        "s.DATABASES['default']['HOST'], s.DATABASES['default']['PORT']",
        DATABASE_URL="postgres://desk@[::1]:5433/relaydesk",
    )
    assert result.stdout.strip() == "::1 5433"


def test_data_dir_file_rejected(tmp_path):
    (tmp_path / "var").write_text("")
    result = _check(tmp_path, RELAYDESK_DATA_DIR="var")
    assert result.returncode == 2
    assert result.stderr == (
        f"relaydesk: configuration error: RELAYDESK_DATA_DIR={str(tmp_path / 'var')!r} "
        "is a file, not a folder: point it at a folder that relaydesk may create and "
        "write to.\n"
    )


def test_data_dir_under_file_rejected_in_one_line(tmp_path):
    (tmp_path / "var").write_text("")
    result = _check(tmp_path, RELAYDESK_DATA_DIR="var/desk")
    assert result.returncode == 2
    assert f"because {str(tmp_path / 'var')!r} is a file" in result.stderr
    assert "Traceback" not in result.stderr


def test_outbox_dir_file_rejected(tmp_path):
    (tmp_path / "outbox").write_text("")
    result = _check(tmp_path, RELAYDESK_OUTBOX_DIR="outbox")
    assert result.returncode == 2
    assert result.stderr == (
        f"relaydesk: configuration error: RELAYDESK_OUTBOX_DIR={str(tmp_path / 'outbox')!r} "
        "is a file, not a folder: point it at a folder that relaydesk may create and "
        "write to.\n"
    )


def test_outbox_dir_unchecked_with_smtp_relay(tmp_path):
    # With a relay, nothing is written to the outbox folder.
    (tmp_path / "outbox").write_text("")
    result = _check(
        tmp_path, RELAYDESK_OUTBOX_DIR="outbox", RELAYDESK_SMTP_URL="smtp://127.0.0.1:1"
    )
    assert result.returncode == 0


PRODUCTION = {
    "RELAYDESK_MODE": "production",
    "RELAYDESK_SECRET_KEY": "k" * 32,
    # Never connected to: check reads the settings only.
    "DATABASE_URL": "postgres://desk@127.0.0.1:1/relaydesk",
}


def test_production_settings_pass_check(tmp_path):
    result = _check(tmp_path, **PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_production_with_debug_rejected(tmp_path, value):
    result = _check(tmp_path, **PRODUCTION, RELAYDESK_DEBUG=value)
    assert result.returncode == 2
    assert result.stderr == (
        f"relaydesk: configuration error: RELAYDESK_DEBUG={value!r} is not allowed in "
        "production mode, because debug pages show settings and code to whoever meets "
        "an error: unset it, or set it to 0.\n"
    )


def test_production_with_debug_off_accepted(tmp_path):
    assert _check(tmp_path, **PRODUCTION, RELAYDESK_DEBUG="0").returncode == 0


@pytest.mark.parametrize("key", ["abc123", "k" * 31])
def test_production_short_secret_key_rejected(tmp_path, key):
    result = _check(tmp_path, **{**PRODUCTION, "RELAYDESK_SECRET_KEY": key})
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"relaydesk: configuration error: RELAYDESK_SECRET_KEY is too short ({len(key)} "
        "characters): production mode needs at least 32 random characters."
    )
    assert "secrets.token_urlsafe(50)" in result.stderr
    assert key not in result.stderr


@pytest.mark.parametrize("hosts", [" ", " , "])
def test_production_without_allowed_hosts_rejected(tmp_path, hosts):
    result = _check(tmp_path, **PRODUCTION, RELAYDESK_ALLOWED_HOSTS=hosts)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "relaydesk: configuration error: RELAYDESK_ALLOWED_HOSTS is empty: production mode "
        "needs the host names"
    )


def test_embedded_mode_accepts_short_secret_key(tmp_path):
    assert _check(tmp_path, RELAYDESK_SECRET_KEY="abc123").returncode == 0


def test_production_without_database_url_rejected(tmp_path):
    variables = {name: value for name, value in PRODUCTION.items() if name != "DATABASE_URL"}
    result = _check(tmp_path, **variables)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "relaydesk: configuration error: DATABASE_URL is missing: production mode needs it"
    )
    assert "postgres://user:password@host:5432/relaydesk" in result.stderr


def test_production_with_sqlite_database_url_accepted(tmp_path):
    result = _check(
        tmp_path, **{**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path}/desk.sqlite3"}
    )
    assert result.returncode == 0, result.stderr


def test_log_level_in_lower_case_is_accepted():
    result = _read_setting(
        "s.LOGGING['loggers']['relaydesk']['level']", RELAYDESK_LOG_LEVEL="debug"
    )
    assert result.stdout.strip() == "DEBUG"


@pytest.mark.parametrize(
    ("value", "expected"), [("true", "True"), ("Yes", "True"), ("off", "False")]
)
def test_debug_accepts_words_for_yes_and_no(value, expected):
    result = _read_setting("s.DEBUG", RELAYDESK_DEBUG=value)
    assert result.stdout.strip() == expected


def test_debug_defaults_to_off_in_embedded_mode():
    assert _read_setting("s.DEBUG").stdout.strip() == "False"


def test_several_support_addresses_are_accepted():
    result = _read_setting(
        "s.RELAYDESK['SUPPORT_ADDRESSES']",
        RELAYDESK_SUPPORT_ADDRESS="support@example.com, help@example.com",
    )
    assert result.stdout.strip() == "support@example.com, help@example.com"
