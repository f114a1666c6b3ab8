"""Creating, changing and deleting environments."""

import pytest

from relaydesk.accounts.models import Role
from relaydesk.core.models import TimelineEvent
from relaydesk.operations import actions
from relaydesk.operations.errors import InvalidEnvironment, NotAllowed
from relaydesk.operations.models import Environment, EnvironmentKind
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_agent():
    return AgentFactory(username="root", role=Role.ADMIN)


def events(environment: Environment) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(subject_type="environment", subject_id=environment.pk))


def test_create_environment_stores_fields(admin_agent):
    environment = actions.create_environment(
        name=" test ", kind=EnvironmentKind.TEST, order=10, actor=admin_agent
    )
    environment.refresh_from_db()
    assert environment.name == "test"
    assert environment.kind == EnvironmentKind.TEST
    assert environment.order == 10


def test_create_environment_records_event(admin_agent):
    environment = actions.create_environment(
        name="test", kind=EnvironmentKind.TEST, order=10, actor=admin_agent
    )
    [event] = events(environment)
    assert event.kind == "environment_created"
    assert event.actor == admin_agent
    assert event.data == {"name": "test", "kind": "test", "order": 10}


def test_create_environment_without_actor_is_relaydesk():
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    [event] = events(environment)
    assert event.actor is None
    assert event.actor_label == "relaydesk"


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.ADMIN])
def test_create_environment_non_admin_rejected(role):
    with pytest.raises(NotAllowed) as raised:
        actions.create_environment(
            name="test", kind=EnvironmentKind.TEST, actor=AgentFactory(role=role)
        )
    assert raised.value.code == "operations_forbidden"
    assert not Environment.objects.exists()


def test_create_environment_inactive_admin_rejected():
    inactive = AgentFactory(role=Role.ADMIN, is_active=False)
    with pytest.raises(NotAllowed):
        actions.create_environment(name="test", kind=EnvironmentKind.TEST, actor=inactive)
    assert not Environment.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "name is empty"),
        ("   ", "name is empty"),
        ("x" * 101, "101 characters long: shorten it to 100"),
    ],
    ids=["empty", "blank", "too_long"],
)
def test_create_environment_bad_name_rejected(admin_agent, name, message):
    with pytest.raises(InvalidEnvironment, match=message) as raised:
        actions.create_environment(name=name, kind=EnvironmentKind.TEST, actor=admin_agent)
    assert raised.value.code == "invalid_environment"
    assert not Environment.objects.exists()


def test_create_environment_name_taken_in_other_case(admin_agent):
    actions.create_environment(name="test", kind=EnvironmentKind.TEST, actor=admin_agent)
    with pytest.raises(InvalidEnvironment, match="'test' already exists") as raised:
        actions.create_environment(name="Test", kind=EnvironmentKind.TEST, actor=admin_agent)
    assert raised.value.code == "invalid_environment"
    assert Environment.objects.count() == 1


def test_create_environment_bad_kind_rejected(admin_agent):
    with pytest.raises(InvalidEnvironment, match="kind 'staging' is invalid") as raised:
        actions.create_environment(name="test", kind="staging", actor=admin_agent)
    assert raised.value.code == "invalid_environment"
    assert not Environment.objects.exists()


@pytest.mark.parametrize("order", [-1, 32768])
def test_create_environment_order_out_of_range(admin_agent, order):
    with pytest.raises(InvalidEnvironment, match="out of range") as raised:
        actions.create_environment(
            name="test", kind=EnvironmentKind.TEST, order=order, actor=admin_agent
        )
    assert raised.value.code == "invalid_environment"
    assert not Environment.objects.exists()


def test_update_environment_records_changes(admin_agent):
    environment = actions.create_environment(name="staging", kind=EnvironmentKind.TEST)
    actions.update_environment(
        environment, name="test", kind=EnvironmentKind.TEST, order=5, actor=admin_agent
    )
    environment.refresh_from_db()
    assert environment.name == "test"
    event = events(environment)[-1]
    assert event.kind == "environment_changed"
    assert event.data == {"changes": {"name": ["staging", "test"], "order": [0, 5]}}


def test_update_environment_unchanged_records_nothing(admin_agent):
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    actions.update_environment(
        environment, name="test", kind=EnvironmentKind.TEST, order=0, actor=admin_agent
    )
    assert [event.kind for event in events(environment)] == ["environment_created"]


def test_update_environment_may_change_own_name_case(admin_agent):
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    actions.update_environment(
        environment, name="Test", kind=EnvironmentKind.TEST, order=0, actor=admin_agent
    )
    environment.refresh_from_db()
    assert environment.name == "Test"


def test_update_environment_name_of_another_rejected(admin_agent):
    actions.create_environment(name="production", kind=EnvironmentKind.PRODUCTION)
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    with pytest.raises(InvalidEnvironment, match="'production' already exists"):
        actions.update_environment(
            environment, name="production", kind=EnvironmentKind.TEST, order=0, actor=admin_agent
        )
    environment.refresh_from_db()
    assert environment.name == "test"


def test_update_environment_non_admin_rejected():
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    with pytest.raises(NotAllowed):
        actions.update_environment(
            environment,
            name="prod",
            kind=EnvironmentKind.PRODUCTION,
            order=0,
            actor=AgentFactory(role=Role.RELEASE),
        )
    environment.refresh_from_db()
    assert environment.name == "test"


def test_delete_environment_records_event(admin_agent):
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    environment_id = environment.pk
    actions.delete_environment(environment, actor=admin_agent)
    assert not Environment.objects.exists()
    event = TimelineEvent.objects.filter(subject_type="environment", subject_id=environment_id)
    assert event.last().kind == "environment_deleted"


def test_delete_environment_with_deployments_rejected(admin_agent):
    po_agent = AgentFactory(role=Role.PRODUCTION_OPERATIONS)
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    change = actions.create_change(actor=po_agent, title="Fix export")
    actions.deploy_to_environment(change, environment, version="1.0", actor=po_agent)
    with pytest.raises(InvalidEnvironment, match="has deployments") as raised:
        actions.delete_environment(environment, actor=admin_agent)
    assert raised.value.code == "invalid_environment"
    assert Environment.objects.filter(pk=environment.pk).exists()


def test_delete_environment_non_admin_rejected():
    environment = actions.create_environment(name="test", kind=EnvironmentKind.TEST)
    with pytest.raises(NotAllowed):
        actions.delete_environment(environment, actor=AgentFactory(role=Role.RELEASE))
    assert Environment.objects.filter(pk=environment.pk).exists()
