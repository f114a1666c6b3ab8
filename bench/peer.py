"""The peer: django-helpdesk's ``get_email`` reading the same corpus from a local folder.

django-helpdesk lives in its own virtual environment under ``bench/out`` so
that its Django and dependencies never mix with relaydesk's. Each run gets a
fresh project folder and SQLite database. The Queue reads a folder of hard
links to the corpus files, because ``get_email`` deletes each file it has
processed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from measure import run_checked

PEER_REQUIREMENT = "django-helpdesk>=2,<3"
HELPER = Path(__file__).resolve().parent / "peer_django.py"

SETTINGS = """\
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.staticfiles",
    "rest_framework",
    "helpdesk",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peer_urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# The same SQLite settings relaydesk uses, so the database is not the difference.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "peer.sqlite3",
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "Europe/Lisbon"
STATIC_URL = "static/"
MEDIA_ROOT = BASE_DIR / "media"
# Notification e-mails are rendered but not sent, as relaydesk only queues them.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = "support@relaydesk.example"
HELPDESK_TEAMS_MODE_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
"""

URLS = """\
from django.urls import include, path

urlpatterns = [path("helpdesk/", include("helpdesk.urls", namespace="helpdesk"))]
"""


@dataclass(frozen=True)
class PeerRun:
    messages: int
    seconds: float
    cpu_seconds: float
    max_rss_kib: int
    tickets: int
    followups: int
    attachments: int
    files_left: int


def ensure_venv(out_dir: Path) -> Path:
    """Create the peer's virtual environment once and return its Python."""
    venv = out_dir / "peer-venv"
    python = venv / "bin" / "python"
    if not (venv / ".installed").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", PEER_REQUIREMENT]
        subprocess.run(pip, check=True)
        (venv / ".installed").touch()
    return python


def peer_version(python: Path) -> str:
    command = [
        str(python),
        "-c",
        "import importlib.metadata as m; print(m.version('django-helpdesk'))",
    ]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def _project_env(project: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="peer_settings", PYTHONPATH=str(project), PYTHONUTF8="1")
    return env


def prepare_project(python: Path, project: Path, files: list[Path]) -> dict[str, str]:
    """Write a fresh project, migrate it and fill its mail folder; nothing here is timed."""
    shutil.rmtree(project, ignore_errors=True)
    mail_dir = project / "mail"
    mail_dir.mkdir(parents=True)
    (project / "peer_settings.py").write_text(SETTINGS)
    (project / "peer_urls.py").write_text(URLS)
    env = _project_env(project)
    run_checked([str(python), "-m", "django", "migrate", "--no-input", "-v", "0"], env=env)
    run_checked([str(python), str(HELPER), "setup", str(mail_dir)], env=env)
    for path in files:
        os.link(path, mail_dir / path.name)
    return env


def run_peer(python: Path, project: Path, files: list[Path]) -> PeerRun:
    """Time one ``get_email`` over ``files`` on a fresh database and count what it made."""
    env = prepare_project(python, project, files)
    command = [str(python), "-m", "django", "get_email", "--quiet"]
    result = run_checked(command, env=env)
    counts = json.loads(run_checked([str(python), str(HELPER), "count"], env=env).stdout)
    return PeerRun(
        messages=len(files),
        seconds=result.seconds,
        cpu_seconds=result.cpu_seconds,
        max_rss_kib=result.max_rss_kib,
        tickets=counts["tickets"],
        followups=counts["followups"],
        attachments=counts["attachments"],
        files_left=len(list((project / "mail").iterdir())),
    )
