import pytest
from django.core.management import call_command

from relaydesk.accounts.models import Role, User
from relaydesk.channels.email.models import RawMessage
from relaydesk.customers.models import Organization
from relaydesk.demo import data
from relaydesk.operations.models import Environment
from relaydesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_load_creates_premium_organizations_with_csm():
    data.load()
    premium = Organization.objects.filter(plan__code="premium")
    assert premium.count() == 2
    assert all(organization.csm.role == Role.CSM for organization in premium)


def test_load_creates_three_universal_organizations():
    data.load()
    assert Organization.objects.filter(plan__code="universal").count() == 3


def test_load_creates_an_agent_per_team_role():
    data.load()
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)


def test_load_creates_test_then_production_environment():
    data.load()
    environments = list(Environment.objects.values_list("name", "kind"))
    assert environments == [("test", "test"), ("production", "production")]


def test_load_makes_tickets_through_the_intake():
    created = data.load()
    assert created == Ticket.objects.count()
    assert created >= 5
    assert RawMessage.objects.filter(state="processed").count() == RawMessage.objects.count()


def test_load_threads_the_demo_reply():
    data.load()
    export = Ticket.objects.get(subject__startswith="Exportação")
    assert export.messages.count() == 2


def test_load_demo_command_runs_once(capsys):
    call_command("load-demo")
    call_command("load-demo")
    assert "already loaded" in capsys.readouterr().out
    assert Organization.objects.count() == 5
