"""Agents created from the command line."""

import pytest
from django.core.management import call_command

from relaydesk.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_create_superuser_gets_admin_role():
    agent = User.objects.create_superuser("boss", "boss@desk.example", "a-long-pass-phrase-42")
    assert agent.role == Role.ADMIN


def test_create_superuser_keeps_given_role():
    agent = User.objects.create_superuser("boss", role=Role.RELEASE)
    assert agent.role == Role.RELEASE


def test_createsuperuser_command_opens_admin_pages(monkeypatch, client):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-pass-phrase-42")
    call_command("createsuperuser", "--no-input", "--username", "boss", "--email", "b@x.example")
    client.login(username="boss", password="a-long-pass-phrase-42")
    assert client.get("/admin/").status_code == 200
