"""Channels a plan opens, and the Universal phone line that opens only in support hours."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from relaydesk.sla.entitlements import check_channel
from relaydesk.sla.errors import ChannelNotInPlan, SupportLineClosed
from tests.factories import OrganizationFactory, PremiumOrganizationFactory

pytestmark = pytest.mark.django_db

# Saturday 7 March 2026, 10:00 in Lisbon (UTC+0 until 29 March).
SATURDAY = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
MONDAY_OPENING = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def test_universal_phone_open_in_hours():
    check_channel(OrganizationFactory(), "phone", MONDAY_MORNING, "normal")


def test_universal_phone_closed_outside_hours():
    with pytest.raises(SupportLineClosed) as raised:
        check_channel(OrganizationFactory(), "phone", SATURDAY, "normal")
    assert raised.value.params["opens_at"] == MONDAY_OPENING
    assert "Monday" in raised.value.message
    assert "09:00 (Europe/Lisbon)" in raised.value.message
    assert raised.value.problem_members() == {
        "opens_at": "2026-03-09T09:00:00Z",
        "notice": "This support line is closed now for your plan. It opens on Monday, "
        "9 March 2026 at 09:00 (Europe/Lisbon time).",
    }


def test_universal_email_open_outside_hours():
    organization = OrganizationFactory()
    for channel in ("email", "portal", "api"):
        check_channel(organization, channel, SATURDAY, "normal")


def test_premium_phone_open_outside_hours():
    check_channel(PremiumOrganizationFactory(), "phone", SATURDAY, "normal")


def test_channel_outside_plan_rejected():
    with pytest.raises(ChannelNotInPlan) as raised:
        check_channel(OrganizationFactory(), "assistant", MONDAY_MORNING, "normal")
    assert raised.value.code == "channel_not_in_plan"
    assert "the “Assistant” channel" in raised.value.message
    assert "E-mail, Phone, Portal, API" in raised.value.message


def test_plan_edit_closes_channel():
    organization = OrganizationFactory()
    organization.plan.channels = ["email"]
    organization.plan.save()
    with pytest.raises(ChannelNotInPlan):
        check_channel(organization, "portal", MONDAY_MORNING, "normal")


def test_contact_without_organization_unlimited():
    check_channel(None, "assistant", SATURDAY, "normal")


def test_closed_line_message_translated():
    with translation.override("pt-pt"), pytest.raises(SupportLineClosed) as raised:
        check_channel(OrganizationFactory(), "phone", SATURDAY, "normal")
    assert "pelo canal “Telefone”" in raised.value.message
    assert "Volta a abrir segunda-feira, 9 de março de 2026, às 09:00" in raised.value.message


def test_closed_line_notice_in_client_language():
    with pytest.raises(SupportLineClosed) as raised:
        check_channel(OrganizationFactory(), "phone", SATURDAY, "normal", client_locale="pt-pt")
    assert "Plan Universal takes contacts" in raised.value.message
    assert raised.value.params["notice"].startswith("Esta linha de apoio está fechada")
    assert "segunda-feira, 9 de março de 2026" in raised.value.params["notice"]
