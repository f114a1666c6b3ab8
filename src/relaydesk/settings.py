"""Django settings for relaydesk.

Everything an operator may change comes from environment variables
(``RELAYDESK_*`` and ``DATABASE_URL``). The defaults run the embedded mode: an
SQLite database and files under ``var/`` in the working directory. With
``RELAYDESK_MODE=production`` the secret key must be set explicitly.
"""

import os
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from relaydesk.channels.email.mailurl import parse_imap_urls, parse_smtp_url
from relaydesk.core.config import DEFAULT_SUPPORT_ADDRESS
from relaydesk.core.database import (
    POSTGRES_EXAMPLE,
    SQLITE_ENGINE,
    SQLITE_EXAMPLE,
    parse_database_url,
    sqlite_database,
)
from relaydesk.core.folders import check_folder


def _number(name: str, default: float, *, minimum: float, maximum: float | None = None) -> Any:
    """Read the numeric variable ``name``: a whole number, or a fraction where ``default`` is one.

    A value that is not such a number, or is out of range, stops start-up
    with a message naming the variable, the value and the range.
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    kind = type(default)
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        allowed = "a whole number" if kind is int else "a number"
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise ImproperlyConfigured(f"{name}={text!r} is invalid: use {allowed} {bounds}.")
    return value


def _choice(name: str, default: str, choices: list[str]) -> str:
    """Read the variable ``name``, one of ``choices`` in any case, or stop start-up."""
    text = os.environ.get(name, "").strip() or default
    if text.upper() not in choices:
        raise ImproperlyConfigured(f"{name}={text!r} is invalid: use one of {', '.join(choices)}.")
    return text.upper()


def _time_zone(name: str, default: str) -> str:
    """Read the IANA time zone in the variable ``name``, or stop start-up."""
    text = os.environ.get(name, "").strip() or default
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={text!r} is invalid: use an IANA time zone name such as Europe/Lisbon."
        ) from None
    return text


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _flag(name: str, default: bool) -> bool:
    """Read the yes/no variable ``name`` (1/0, true/false, yes/no, on/off), or stop start-up."""
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return default
    if text not in _TRUE + _FALSE:
        raise ImproperlyConfigured(
            f"{name}={text!r} is invalid: use 1 (or true, yes, on) or 0 (or false, no, off)."
        )
    return text in _TRUE


def _addresses(name: str, default: str) -> str:
    """Read a comma-separated list of e-mail addresses, or stop start-up naming the bad one."""
    text = os.environ.get(name, "").strip() or default
    addresses = [address.strip() for address in text.split(",") if address.strip()]
    for address in addresses or [text]:
        local, at, domain = address.rpartition("@")
        if not (at and local and domain) or any(char.isspace() for char in address):
            raise ImproperlyConfigured(
                f"{name} has {address!r}, which is not an e-mail address: "
                "use addresses such as support@example.com, separated by commas."
            )
    return text


def _origins(name: str) -> list[str]:
    """Read a comma-separated list of origins such as https://desk.example.com, or stop start-up."""
    origins = [origin.strip() for origin in os.environ.get(name, "").split(",") if origin.strip()]
    for origin in origins:
        scheme, separator, host = origin.partition("://")
        if scheme not in ("http", "https") or not separator or not host:
            raise ImproperlyConfigured(
                f"{name} has {origin!r}, which is not an origin: write the scheme and host "
                "the desk is opened at, such as https://desk.example.com."
            )
    return origins


def _mail_url(name: str, parse: Callable[[str], object]) -> str:
    """Read a mail server URL, checked at start-up so a typo stops every command (MailUrlError)."""
    value = os.environ.get(name, "")
    parse(value)
    return value


def _outbox(default: Path) -> str:
    """Read ``RELAYDESK_OUTBOX_DIR``, checked only without a relay, when mail is written there."""
    value = os.environ.get("RELAYDESK_OUTBOX_DIR", str(default))
    if not os.environ.get("RELAYDESK_SMTP_URL", "").strip():
        check_folder("RELAYDESK_OUTBOX_DIR", Path(value).resolve())
    return value


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("RELAYDESK_DATA_DIR", Path.cwd() / "var")).resolve()

MODE = os.environ.get("RELAYDESK_MODE", "embedded")
if MODE not in ("embedded", "production"):
    raise ImproperlyConfigured(
        f"RELAYDESK_MODE={MODE!r} is invalid: use 'embedded' or 'production'."
    )

_GENERATE_SECRET = (
    "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
)
# Django's deployment check (security.W009) warns below 50 characters. 32
# random characters are already beyond guessing, and the generated key has 67.
_MIN_SECRET_KEY_LENGTH = 32
SECRET_KEY = os.environ.get("RELAYDESK_SECRET_KEY", "")
if not SECRET_KEY:
    if MODE == "production":
        raise ImproperlyConfigured(
            "RELAYDESK_SECRET_KEY is missing: production mode has no default secret. "
            + _GENERATE_SECRET
        )
    SECRET_KEY = "embedded-mode-only-not-secret"  # noqa: S105 - embedded mode only
elif MODE == "production" and len(SECRET_KEY) < _MIN_SECRET_KEY_LENGTH:
    raise ImproperlyConfigured(
        f"RELAYDESK_SECRET_KEY is too short ({len(SECRET_KEY)} characters): production "
        f"mode needs at least {_MIN_SECRET_KEY_LENGTH} random characters. {_GENERATE_SECRET}"
    )

# Off in both modes, because teams try relaydesk in embedded mode and a debug
# page shows settings and code to any visitor who meets an error.
DEBUG = _flag("RELAYDESK_DEBUG", False)
if DEBUG and MODE == "production":
    raise ImproperlyConfigured(
        f"RELAYDESK_DEBUG={os.environ['RELAYDESK_DEBUG'].strip()!r} is not allowed in "
        "production mode, because debug pages show settings and code to whoever meets "
        "an error: unset it, or set it to 0."
    )
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("RELAYDESK_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if host.strip()
]
if MODE == "production" and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "RELAYDESK_ALLOWED_HOSTS is empty: production mode needs the host names the desk "
        "is served under, comma-separated, such as desk.example.com."
    )
CSRF_TRUSTED_ORIGINS = _origins("RELAYDESK_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # The administration pages (accounts.admin_site); it finds each app's admin module.
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "relaydesk.core",
    "relaydesk.accounts",
    "relaydesk.customers",
    "relaydesk.tickets",
    "relaydesk.channels.email",
    "relaydesk.sla",
    "relaydesk.operations",
    "relaydesk.api",
    "relaydesk.desk",
    "relaydesk.demo",
    "relaydesk.runner",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "relaydesk.desk.access.AgentLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "relaydesk.urls"
# A form sent with an outdated token gets the desk's own page, in the agent's language.
CSRF_FAILURE_VIEW = "relaydesk.desk.views.errors.csrf_failure"
WSGI_APPLICATION = "relaydesk.wsgi.application"
ASGI_APPLICATION = "relaydesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_PATH = DATA_DIR / "relaydesk.sqlite3"
# Lower-case names, so Django does not take them as settings and show the
# URL's password on a debug page.
conn_max_age = _number("RELAYDESK_DB_CONN_MAX_AGE", 0, minimum=0)
database_url = os.environ.get("DATABASE_URL", "").strip()
if MODE == "production" and not database_url:
    raise ImproperlyConfigured(
        "DATABASE_URL is missing: production mode needs it, so that the data does not "
        f"go to an SQLite file by mistake. Set it as in {POSTGRES_EXAMPLE}, or to "
        f"{SQLITE_EXAMPLE} to keep SQLite on one machine."
    )
DATABASES = {
    "default": parse_database_url(database_url, conn_max_age)
    if database_url
    else sqlite_database(SQLITE_PATH, conn_max_age)
}
# SQLite and the embedded mode's static files need the data folder now. With
# PostgreSQL in production, the first upload or collectstatic creates it.
check_folder(
    "RELAYDESK_DATA_DIR",
    DATA_DIR,
    create=DATABASES["default"]["ENGINE"] == SQLITE_ENGINE or MODE == "embedded",
)
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    # WAL lets the web server, the worker and the SMTP endpoint read while one
    # of them writes; IMMEDIATE transactions take the write lock up front so a
    # writer waits on busy_timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    # Parameters travel apart from the statement text, so a statement that a
    # connection runs again and again (an import batch's INSERTs) is prepared
    # after its fifth run and no longer parsed each time. Each run is still
    # planned for its own values, because a plan made once, while a table
    # was still small, would keep scanning all of it as it grew. A
    # connection pooler that cannot keep prepared statements, or rejects the
    # "options" startup parameter, needs RELAYDESK_DB_PREPARED_STATEMENTS=0.
    prepared = os.environ.get("RELAYDESK_DB_PREPARED_STATEMENTS", "1")
    if prepared not in ("0", "1"):
        raise ImproperlyConfigured(
            f"RELAYDESK_DB_PREPARED_STATEMENTS={prepared!r} is invalid: use '1' (the default) "
            "or '0' behind a connection pooler that cannot keep prepared statements."
        )
    # Options from the URL's query string, such as ?sslmode=require, are kept.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["server_side_binding"] = True
    if prepared == "1":
        options["prepare_threshold"] = 5
        url_options = str(options.get("options", ""))
        options["options"] = f"{url_options} -c plan_cache_mode=force_custom_plan".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:inbox"
LOGOUT_REDIRECT_URL = "desk:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
FORMAT_MODULE_PATH = ["relaydesk.formats"]
LANGUAGES = [("en", _("English")), ("pt-pt", _("Portuguese (Portugal)"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = _time_zone("RELAYDESK_TIME_ZONE", "Europe/Lisbon")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves collected files from STATIC_ROOT; in embedded mode it also
# finds them in the apps, so a checkout works before `collectstatic` has run.
WHITENOISE_USE_FINDERS = MODE == "embedded"
if MODE == "embedded":
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

TASKS = {
    "default": {
        "BACKEND": "relaydesk.core.task_backend.DatabaseBackend",
        "QUEUES": ["default", "mail"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = MODE == "production"
CSRF_COOKIE_SECURE = MODE == "production"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "relaydesk.core.logformat.KeyValueFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {"disallowed_host": {"()": "relaydesk.core.logformat.DisallowedHostFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "relaydesk": {
            "handlers": ["console"],
            "level": _choice(
                "RELAYDESK_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
            ),
        },
        # The task worker raises these two to INFO and, when a logger has no
        # handler, adds one that prints lines without time or level.
        "django_tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Django prints failed and refused requests only with DEBUG on; these
        # keep them in the log with DEBUG off. Naming "django" itself would
        # also silence runserver's line per request ("django.server").
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security.DisallowedHost": {
            "handlers": ["console"],
            "level": "WARNING",
            "filters": ["disallowed_host"],
            "propagate": False,
        },
    },
}

# relaydesk's own settings. Code reads them through relaydesk.core.config at
# call time, so tests and operators can change them without re-importing.
RELAYDESK = {
    "SUPPORT_ADDRESSES": _addresses("RELAYDESK_SUPPORT_ADDRESS", DEFAULT_SUPPORT_ADDRESS),
    "SMTP_URL": _mail_url("RELAYDESK_SMTP_URL", parse_smtp_url),
    "IMAP_URL": _mail_url("RELAYDESK_IMAP_URL", parse_imap_urls),
    "IMAP_FOLDER": os.environ.get("RELAYDESK_IMAP_FOLDER", "INBOX"),
    "IMAP_PROCESSED_FOLDER": os.environ.get("RELAYDESK_IMAP_PROCESSED_FOLDER", ""),
    "IMAP_POLL_SECONDS": _number("RELAYDESK_IMAP_POLL_SECONDS", 60, minimum=1),
    "MAX_MESSAGE_BYTES": _number("RELAYDESK_MAX_MESSAGE_BYTES", 25 * 1024 * 1024, minimum=1024),
    "ACKS_PER_ADDRESS_PER_HOUR": _number("RELAYDESK_ACKS_PER_ADDRESS_PER_HOUR", 3, minimum=0),
    # Outbound e-mail: attempts per message, and the wait before the second
    # attempt in seconds, doubled for each later one (capped at six hours).
    "DELIVERY_MAX_ATTEMPTS": _number("RELAYDESK_DELIVERY_MAX_ATTEMPTS", 8, minimum=1),
    "DELIVERY_RETRY_SECONDS": _number("RELAYDESK_DELIVERY_RETRY_SECONDS", 60, minimum=1),
    "OUTBOX_DIR": _outbox(DATA_DIR / "outbox"),
    "FROM_NAME": os.environ.get("RELAYDESK_FROM_NAME", "relaydesk support"),
    # SLA: the share of a target after which the sweep warns (0.8 is 80%), the
    # seconds between sweeps and the clocks one sweep task handles per pass.
    "SLA_WARNING_SHARE": _number("RELAYDESK_SLA_WARNING_SHARE", 0.8, minimum=0.01, maximum=1.0),
    "SLA_SWEEP_SECONDS": _number("RELAYDESK_SLA_SWEEP_SECONDS", 60, minimum=1),
    "SLA_SWEEP_CHUNK": _number("RELAYDESK_SLA_SWEEP_CHUNK", 1000, minimum=1),
}
