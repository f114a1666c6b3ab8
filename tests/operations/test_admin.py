"""The administration pages for environments."""

import pytest

from relaydesk.accounts.models import Role
from relaydesk.core.models import TimelineEvent
from relaydesk.operations import actions
from relaydesk.operations.models import Environment, EnvironmentKind
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/operations/environment/"
ADD = "/admin/operations/environment/add/"


def environment_form(**fields: str) -> dict[str, str]:
    data = {"name": "test", "kind": "test", "order": "10"}
    data.update(fields)
    return data


def test_admin_index_lists_environments(admin_client):
    page = admin_client.get("/admin/")
    assert b"Environments" in page.content


@pytest.mark.parametrize("role", [Role.RELEASE, Role.PRODUCTION_OPERATIONS])
def test_environment_admin_non_admin_redirected(client, role):
    client.force_login(AgentFactory(role=role))
    page = client.get(CHANGELIST)
    assert page.status_code == 302
    assert "/admin/login/" in page["Location"]


def test_environment_admin_non_admin_cannot_add(client):
    client.force_login(AgentFactory(role=Role.RELEASE))
    client.post(ADD, environment_form())
    assert not Environment.objects.exists()


def test_environment_admin_adds_with_event(admin_client, admin_user):
    page = admin_client.post(ADD, environment_form())
    assert page.status_code == 302
    environment = Environment.objects.get(name="test")
    assert (environment.kind, environment.order) == ("test", 10)
    event = TimelineEvent.objects.get(subject_type="environment", subject_id=environment.pk)
    assert (event.kind, event.actor) == ("environment_created", admin_user)


def test_environment_admin_changes_with_event(admin_client, admin_user):
    environment = actions.create_environment(name="staging", kind=EnvironmentKind.TEST)
    page = admin_client.post(f"{CHANGELIST}{environment.pk}/change/", environment_form(name="test"))
    assert page.status_code == 302
    environment.refresh_from_db()
    assert environment.name == "test"
    event = TimelineEvent.objects.filter(subject_type="environment").last()
    assert (event.kind, event.actor) == ("environment_changed", admin_user)


def test_environment_admin_taken_name_shown(admin_client):
    actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    page = admin_client.post(ADD, environment_form(name="TEST"))
    assert page.status_code == 200
    assert "Environment &#x27;test&#x27; already exists" in page.content.decode()
    assert Environment.objects.count() == 1


def test_environment_admin_empty_name_shown(admin_client):
    page = admin_client.post(ADD, environment_form(name=""))
    assert page.status_code == 200
    assert "This field is required" in page.content.decode()
    assert not Environment.objects.exists()


def test_environment_admin_negative_order_shown(admin_client):
    page = admin_client.post(ADD, environment_form(order="-1"))
    assert page.status_code == 200
    assert "greater than or equal to 0" in page.content.decode()
    assert not Environment.objects.exists()


def test_environment_admin_deletes_unused_with_event(admin_client):
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    page = admin_client.post(f"{CHANGELIST}{environment.pk}/delete/", {"post": "yes"})
    assert page.status_code == 302
    assert not Environment.objects.exists()
    event = TimelineEvent.objects.filter(subject_type="environment").last()
    assert event.kind == "environment_deleted"


def test_environment_admin_keeps_environment_with_deployments(admin_client):
    po_agent = AgentFactory(role=Role.PRODUCTION_OPERATIONS)
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    change = actions.create_change(actor=po_agent, title="Fix export")
    actions.deploy_to_environment(change, environment, version="1.0", actor=po_agent)
    page = admin_client.post(f"{CHANGELIST}{environment.pk}/delete/", {"post": "yes"})
    assert page.status_code == 403
    assert Environment.objects.filter(pk=environment.pk).exists()


def test_environment_admin_has_no_bulk_delete(admin_client):
    actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    page = admin_client.get(CHANGELIST)
    assert b"delete_selected" not in page.content
