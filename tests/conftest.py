"""Shared pytest fixtures: agents, organizations and contacts as factories."""

import os
from pathlib import Path

import pytest

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
