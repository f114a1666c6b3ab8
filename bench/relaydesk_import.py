"""relaydesk's side: ``relaydesk import-mail DIR --json`` on a fresh database.

Each run creates an empty database (a new SQLite file under a temporary
RELAYDESK_DATA_DIR, or a dropped and re-created PostgreSQL database), applies
the migrations and creates the corpus's organizations. Only the import
command is timed; its wall time includes interpreter and Django start-up.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from measure import ChildFailed, run_checked, run_timed

BIN_DIR = Path(sys.executable).parent
HELPER = Path(__file__).resolve().parent / "relaydesk_django.py"


@dataclass(frozen=True)
class ImportRun:
    backend: str
    messages: int
    seconds: float
    cpu_seconds: float
    max_rss_kib: int
    summary: dict[str, int]
    threading: dict[str, object]


def recreate_postgres(url: str) -> None:
    """Drop and create the database named in ``url``; the server must run on this machine."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("rd_bench"):
        raise ValueError(f"refusing to drop database {name!r}: benchmark databases start rd_bench")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _env(backend: str, data_dir: Path, postgres_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["RELAYDESK_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "relaydesk.settings"
    # Embedded mode turns DEBUG on, so Django would time every query and keep
    # the last 9,000 in memory. A production installation runs with it off.
    env["RELAYDESK_DEBUG"] = "0"
    if backend == "postgresql":
        env["DATABASE_URL"] = postgres_url
    return env


def _prepare(env: dict[str, str], backend: str, postgres_url: str) -> None:
    if backend == "postgresql":
        recreate_postgres(postgres_url)
    run_checked([str(BIN_DIR / "relaydesk"), "migrate", "--no-input", "-v", "0"], env=env)
    run_checked([sys.executable, str(HELPER), "seed"], env=env)


def _summary(stdout: str) -> dict[str, int]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ChildFailed(f"import-mail printed no JSON object; its output ended: {stdout[-500:]!r}")


def run_import(
    backend: str,
    mail_dir: Path,
    corpus_dir: Path,
    count: int,
    postgres_url: str,
    extra_args: tuple[str, ...] = (),
) -> ImportRun:
    """Import ``mail_dir`` (the first ``count`` corpus files) once and check threading.

    ``extra_args`` go to ``import-mail``, such as ``("--workers", "0")``.
    """
    with tempfile.TemporaryDirectory(prefix="rd-bench-") as data_dir:
        env = _env(backend, Path(data_dir), postgres_url)
        _prepare(env, backend, postgres_url)
        command = [
            str(BIN_DIR / "relaydesk"),
            "import-mail",
            str(mail_dir),
            "--json",
            *extra_args,
        ]
        result = run_checked(command, env=env)
        check = [sys.executable, str(HELPER), "check", str(corpus_dir), str(count)]
        threading = json.loads(run_checked(check, env=env).stdout)
    return ImportRun(
        backend=backend,
        messages=count,
        seconds=result.seconds,
        cpu_seconds=result.cpu_seconds,
        max_rss_kib=result.max_rss_kib,
        summary=_summary(result.stdout),
        threading=threading,
    )


def startup_seconds(
    backend: str, postgres_url: str, extra_args: tuple[str, ...] = ()
) -> float | None:
    """Time ``import-mail`` on an empty folder: the fixed cost inside every import's time."""
    with tempfile.TemporaryDirectory(prefix="rd-bench-") as data_dir:
        env = _env(backend, Path(data_dir), postgres_url)
        _prepare(env, backend, postgres_url)
        empty = Path(data_dir) / "empty"
        empty.mkdir()
        command = [str(BIN_DIR / "relaydesk"), "import-mail", str(empty), "--json", *extra_args]
        result = run_timed(command, env=env)
    return result.seconds if result.returncode == 0 else None
