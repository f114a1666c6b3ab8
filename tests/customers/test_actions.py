import pytest

from relaydesk.accounts.models import Role
from relaydesk.core.models import TimelineEvent
from relaydesk.customers import actions
from relaydesk.customers.errors import InvalidContact, InvalidOrganization
from relaydesk.customers.models import Contact, Organization, Plan
from tests.factories import AgentFactory, ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def premium() -> Plan:
    return Plan.objects.get(code="premium")


def universal() -> Plan:
    return Plan.objects.get(code="universal")


def test_create_organization_premium_requires_csm():
    with pytest.raises(InvalidOrganization) as error:
        actions.create_organization(name="Acme", plan=premium())
    assert error.value.code == "invalid_organization"
    assert "Customer Success Manager" in error.value.message
    assert not Organization.objects.exists()


def test_create_organization_premium_with_csm():
    csm = AgentFactory(role=Role.CSM)
    organization = actions.create_organization(
        name="Acme", plan=premium(), csm=csm, domains=["Acme.EXAMPLE"]
    )
    assert organization.csm == csm
    assert list(organization.domains.values_list("domain", flat=True)) == ["acme.example"]


def test_create_organization_rejects_non_csm_agent():
    agent = AgentFactory(role=Role.CUSTOMER_SERVICE)
    with pytest.raises(InvalidOrganization):
        actions.create_organization(name="Acme", plan=premium(), csm=agent)


def test_create_organization_rejects_unknown_time_zone():
    with pytest.raises(InvalidOrganization) as error:
        actions.create_organization(name="Acme", plan=universal(), time_zone="Europe/Atlantis")
    assert "Europe/Atlantis" in error.value.message


def test_create_organization_rejects_taken_domain():
    OrganizationFactory(domain="shared.example")
    with pytest.raises(InvalidOrganization) as error:
        actions.create_organization(name="Other", plan=universal(), domains=["shared.example"])
    assert "shared.example" in error.value.message
    assert Organization.objects.count() == 1


def test_create_organization_rejects_unsupported_locale():
    with pytest.raises(InvalidContact) as error:
        actions.create_organization(name="Acme", plan=universal(), locale="klingon")
    assert "klingon" in error.value.message


def test_create_contact_normalises_phone_to_e164():
    contact = actions.create_contact(name="Ana", phones=["+351 21 123 4567"])
    assert list(contact.phones.values_list("number", flat=True)) == ["+351211234567"]


def test_create_contact_rejects_invalid_phone():
    with pytest.raises(InvalidContact) as error:
        actions.create_contact(name="Ana", phones=["12345"])
    assert "E.164" in error.value.message
    assert not Contact.objects.exists()


def test_create_contact_rejects_invalid_email():
    with pytest.raises(InvalidContact) as error:
        actions.create_contact(name="Ana", emails=["not-an-address"])
    assert "not-an-address" in error.value.message


def test_contact_for_sender_joins_domain_organization():
    organization = OrganizationFactory(domain="client.example")
    contact = actions.contact_for_sender("new.person@client.example", "New Person")
    assert contact.organization == organization
    assert contact.name == "New Person"


def test_contact_for_sender_reuses_existing_contact():
    existing = ContactFactory(email="known@client.example")
    assert actions.contact_for_sender("known@client.example") == existing
    assert Contact.objects.count() == 1


def test_contact_for_sender_without_domain_owner():
    contact = actions.contact_for_sender("someone@elsewhere.example")
    assert contact.organization is None


def test_change_plan_records_timeline_event():
    organization = OrganizationFactory()
    actions.change_plan(organization, plan=premium(), actor=None, csm=AgentFactory(role=Role.CSM))
    event = TimelineEvent.objects.get(subject_type="organization", kind="plan_changed")
    assert event.data == {"before": "universal", "after": "premium"}


def test_change_plan_to_premium_requires_csm():
    organization = OrganizationFactory()
    with pytest.raises(InvalidOrganization) as error:
        actions.change_plan(organization, plan=premium(), actor=None)
    assert error.value.code == "invalid_organization"
    organization.refresh_from_db()
    assert organization.plan.code == "universal"
    assert not TimelineEvent.objects.filter(kind="plan_changed").exists()


def test_contact_for_sender_lost_race(monkeypatch):
    # Another intake stores the address between the look-up and the insert.
    winner = ContactFactory(email="race@client.example")
    real_select_related = actions.ContactEmail.objects.select_related
    lookups = []

    def first_lookup_misses(*fields):
        lookups.append(fields)
        found = real_select_related(*fields)
        return found.none() if len(lookups) == 1 else found

    monkeypatch.setattr(actions.ContactEmail.objects, "select_related", first_lookup_misses)
    contacts_before = Contact.objects.count()
    assert actions.contact_for_sender("race@client.example") == winner
    assert len(lookups) == 2
    assert Contact.objects.count() == contacts_before
