import subprocess
import sys


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
