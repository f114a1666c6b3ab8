"""Start the real `relaydesk run-all` process group and stop it with a signal."""

import importlib
import io
import os
import queue
import shutil
import signal
import smtplib
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import ports
from tests.ports import free_port, free_port_with_free_next

STARTUP_ATTEMPTS = 150  # 0.2 s apart
REPOSITORY = Path(__file__).resolve().parents[2]


def wait_for_http(url: str) -> int:
    for _attempt in range(STARTUP_ATTEMPTS):
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def wait_for_smtp(port: int) -> None:
    for _attempt in range(STARTUP_ATTEMPTS):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=2) as client:
                client.noop()
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"SMTP port {port} did not answer")


@pytest.fixture
def data_dir(tmp_path: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "RELAYDESK_DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": "",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [sys.executable, "-m", "relaydesk.cli", "migrate", "-v0"], env=environment, check=True
    )
    return environment


def start_run_all(
    environment: dict[str, str], web_port: int, smtp_port: int
) -> subprocess.Popen[str]:
    """Start ``relaydesk run-all`` on the given ports, with its output on one pipe."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "relaydesk.cli",
            "run-all",
            "--port",
            str(web_port),
            "--smtp-port",
            str(smtp_port),
        ],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_run_all_serves_and_stops_on_sigterm(data_dir):
    web_port, smtp_port = free_port(), free_port()
    process = start_run_all(data_dir, web_port, smtp_port)
    printed = ProcessOutput(process)
    try:
        # run-all prints the banner once both servers accept connections, so wait for it.
        printed.wait_for("relaydesk is running at")
        status = wait_for_http(f"http://127.0.0.1:{web_port}/login/")
        wait_for_smtp(smtp_port)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    output = printed.text()

    assert status == 200
    assert process.returncode == 0
    assert f"relaydesk is running at http://127.0.0.1:{web_port}/" in output
    assert "relaydesk stopped." in output


class ProcessOutput:
    """Collect a process's output on a thread, so a test can wait for a line with a timeout.

    Waiting with select() on the pipe misses lines that the text wrapper has
    already read into its buffer, so the lines are read here instead.
    """

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        for line in process.stdout:
            self._lines.append(line)
            self._queue.put(line)

    def wait_for(self, text: str, seconds: float = 60) -> None:
        """Return once a line containing ``text`` is printed; fail after ``seconds``."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                if text in self._queue.get(timeout=remaining):
                    return
            except queue.Empty:
                break
        raise AssertionError(f"{text!r} never printed:\n{self.text()}")

    def text(self, seconds: float = 60) -> str:
        """Return everything printed, once the process closed its output or ``seconds`` passed."""
        self._reader.join(timeout=seconds)
        return "".join(self._lines)


def test_run_all_banner_after_listening(data_dir):
    web_port, smtp_port = free_port(), free_port()
    process = start_run_all(data_dir, web_port, smtp_port)
    printed = ProcessOutput(process)
    try:
        printed.wait_for("relaydesk is running at")
        # No retry: a newcomer opens the URL as soon as it is printed.
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/login/", timeout=10) as page:
            status = page.status
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as client:
            smtp_reply = client.noop()[0]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
        printed.text()

    assert status == 200
    assert smtp_reply == 250


@pytest.fixture
def busy_port() -> Iterator[int]:
    """Yield a port on 127.0.0.1 that a listening socket of this test holds."""
    with ports.busy_port() as port:
        yield port


def run_all_until_exit(environment: dict[str, str], *arguments: str) -> tuple[int, str]:
    """Run ``relaydesk run-all`` and return its exit code and its combined output.

    It runs in its own session, so a run that starts servers despite the
    test's intent is stopped with everything it started.
    """
    process = subprocess.Popen(
        [sys.executable, "-m", "relaydesk.cli", "run-all", *arguments],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise AssertionError(f"run-all kept running:\n{output}") from None
    return process.returncode, output


def test_run_all_busy_web_port_stops_before_banner(data_dir, busy_port):
    code, output = run_all_until_exit(
        data_dir, "--port", str(busy_port), "--smtp-port", str(free_port())
    )

    assert code == 1
    assert "relaydesk is running" not in output
    assert output.strip() == (
        f"CommandError: 127.0.0.1:{busy_port} is already in use, so the web server cannot "
        "start: stop the program that uses it, or choose a free port with "
        f"--port {busy_port + 1} (make run PORT={busy_port + 1})."
    )


def test_run_all_busy_smtp_port_stops_before_banner(data_dir, busy_port):
    code, output = run_all_until_exit(
        data_dir, "--port", str(free_port()), "--smtp-port", str(busy_port)
    )

    assert code == 1
    assert "relaydesk is running" not in output
    assert f"127.0.0.1:{busy_port} is already in use" in output
    assert f"--smtp-port {busy_port + 1} (make run SMTP_PORT={busy_port + 1})" in output


def test_run_all_same_ports_named(data_dir):
    port = free_port_with_free_next()
    code, output = run_all_until_exit(data_dir, "--port", str(port), "--smtp-port", str(port))

    assert code == 1
    assert output.strip() == (
        f"CommandError: The web server and the SMTP inbound endpoint are both set to port "
        f"{port}, but each needs a port of its own: choose a free port with --smtp-port "
        f"{port + 1} (make run SMTP_PORT={port + 1})."
    )


def test_run_all_without_smtp_ignores_busy_smtp_port(data_dir, busy_port):
    web_port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "relaydesk.cli",
            "run-all",
            "--port",
            str(web_port),
            "--smtp-port",
            str(busy_port),
            "--no-smtp",
        ],
        env=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = wait_for_http(f"http://127.0.0.1:{web_port}/login/")
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)

    assert status == 200
    assert "already in use" not in output


@pytest.mark.skipif(shutil.which("make") is None, reason="make not found")
def test_make_run_passes_ports_to_run_all():
    result = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "run", "PORT=8001", "SMTP_PORT=2526"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )

    assert "relaydesk run-all --port 8001 --smtp-port 2526" in result.stdout


@pytest.mark.parametrize(
    ("host", "expected"),
    [("127.0.0.1", "127.0.0.1:8001"), ("::1", "[::1]:8001"), ("localhost", "localhost:8001")],
)
def test_web_address_brackets_ipv6(host, expected):
    command = importlib.import_module("relaydesk.runner.management.commands.run-all")
    assert command._web_address(host, 8001) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("addresses", "command"),
    [
        ("support@localhost", "send-test-mail --port 2526\n"),
        (
            "help@desk.example,sales@desk.example",
            "send-test-mail --port 2526 --to help@desk.example\n",
        ),
    ],
)
def test_banner_names_changed_support_address(settings, addresses, command):
    # Another shell may not have the server's RELAYDESK_SUPPORT_ADDRESS.
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": addresses}
    module = importlib.import_module("relaydesk.runner.management.commands.run-all")
    out = io.StringIO()
    module.Command(stdout=out)._print_banner(
        {"host": "127.0.0.1", "port": 8001, "smtp_port": 2526, "no_smtp": False}
    )
    assert command in out.getvalue()


def banner_text() -> str:
    module = importlib.import_module("relaydesk.runner.management.commands.run-all")
    out = io.StringIO()
    module.Command(stdout=out)._print_banner(
        {"host": "127.0.0.1", "port": 8001, "smtp_port": 2526, "no_smtp": False}
    )
    return out.getvalue()


@pytest.mark.django_db
def test_banner_names_data_folder_for_other_commands(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("RELAYDESK_DATA_DIR", str(tmp_path / "my desk"))
    settings.DATA_DIR = tmp_path / "my desk"
    expected = f"RELAYDESK_DATA_DIR='{tmp_path / 'my desk'}' .venv/bin/relaydesk --help\n"
    assert expected in banner_text()


@pytest.mark.django_db
def test_banner_names_database_url_for_other_commands(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://desk@127.0.0.1/desk")
    assert "the same DATABASE_URL: .venv/bin/relaydesk --help\n" in banner_text()


@pytest.mark.django_db
def test_banner_says_default_data_folder_is_here(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("RELAYDESK_DATA_DIR", raising=False)
    assert "when run from this folder: .venv/bin/relaydesk --help\n" in banner_text()
