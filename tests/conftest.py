"""Shared pytest fixtures: agents, organizations and contacts as factories."""

import os
from pathlib import Path

import pytest
from django.test import Client

# RELAYDESK_CORPORA points elsewhere, for checkouts (such as git worktrees)
# that do not sit beside ../shared.
CORPORA = Path(
    os.environ.get("RELAYDESK_CORPORA")
    or Path(__file__).resolve().parents[2] / "shared" / "corpora"
)


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    """Give each test its own media and outbox folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RELAYDESK = {**settings.RELAYDESK, "OUTBOX_DIR": str(tmp_path / "outbox")}
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "mail"],
        }
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Hash the factories' passwords cheaply; the tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(db):
    """An agent with the admin role, who may open the administration pages."""
    from relaydesk.accounts.models import Role
    from tests.factories import AgentFactory

    return AgentFactory(username="root", role=Role.ADMIN)


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def database_tasks(settings):
    """Queue tasks as rows in the database, with relaydesk's own backend, as installed."""
    settings.TASKS = {
        "default": {
            "BACKEND": "relaydesk.core.task_backend.DatabaseBackend",
            "QUEUES": ["default", "mail"],
        }
    }


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"public corpora not found at {CORPORA}; they live beside the checkout")
    return CORPORA
