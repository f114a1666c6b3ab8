"""Changing an organization's plan rebuilds its open tickets' SLA clocks."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from relaydesk.accounts.models import Role
from relaydesk.core import clock
from relaydesk.customers import actions as customers
from relaydesk.customers.models import Plan
from relaydesk.sla.models import SlaClock
from relaydesk.sla.tasks import recompute_organization_sla_clocks
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, MessageKind
from tests.factories import AgentFactory, ContactFactory

pytestmark = pytest.mark.django_db

# A Wednesday morning, open on both shipped calendars.
WEDNESDAY = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


def test_plan_change_moves_due_times(django_capture_on_commit_callbacks):
    with clock.frozen_at(WEDNESDAY), django_capture_on_commit_callbacks(execute=True):
        contact = ContactFactory()
        draft = MessageDraft(direction=Direction.INBOUND, kind=MessageKind.EMAIL, text="Slow")
        ticket = tickets.create_ticket(channel="email", first_message=draft, contact=contact)
        before = dict(SlaClock.objects.filter(ticket=ticket).values_list("kind", "due_at"))

        customers.change_plan(
            contact.organization,
            plan=Plan.objects.get(code="premium"),
            actor=None,
            csm=AgentFactory(role=Role.CSM),
        )

    after = dict(SlaClock.objects.filter(ticket=ticket).values_list("kind", "due_at"))
    assert before, "the Universal ticket should have SLA clocks"
    assert before.keys() == after.keys()
    assert all(after[kind] < before[kind] for kind in before)


def test_plan_change_waits_for_its_commit(django_capture_on_commit_callbacks):
    with clock.frozen_at(WEDNESDAY):
        contact = ContactFactory()
        draft = MessageDraft(direction=Direction.INBOUND, kind=MessageKind.EMAIL, text="Slow")
        ticket = tickets.create_ticket(channel="email", first_message=draft, contact=contact)
        before = dict(SlaClock.objects.filter(ticket=ticket).values_list("kind", "due_at"))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            customers.change_plan(
                contact.organization,
                plan=Plan.objects.get(code="premium"),
                actor=None,
                csm=AgentFactory(role=Role.CSM),
            )

    # The rebuild is queued for after the commit, not done in the request.
    assert len(callbacks) == 1
    assert dict(SlaClock.objects.filter(ticket=ticket).values_list("kind", "due_at")) == before


def test_recompute_task_of_deleted_organization_rebuilds_nothing():
    assert recompute_organization_sla_clocks.call(999_999) == {"rebuilt": 0}
