import re

import pytest
from django.test import Client

from relaydesk.accounts.models import Role
from relaydesk.customers.models import ContactPhone, OrganizationDomain
from tests.factories import (
    AgentFactory,
    ContactFactory,
    OrganizationFactory,
    PremiumOrganizationFactory,
)

pytestmark = pytest.mark.django_db


def row_links(response, kind: str) -> list[int]:
    pattern = rf'<th scope="row"><a href="/{kind}/(\d+)/">'.encode()
    return [int(pk) for pk in re.findall(pattern, response.content)]


def ticket_links(response) -> list[int]:
    """Return the CS numbers in the page's ticket table, in page order."""
    return row_links(response, "tickets")


def test_organization_list_search_by_name(agent_client: Client):
    wanted = OrganizationFactory(name="Câmara Municipal de Braga")
    OrganizationFactory(name="Farmácia Central")
    response = agent_client.get("/organizations/?q=braga")
    assert row_links(response, "organizations") == [wanted.pk]


@pytest.mark.parametrize("query", ["camara", "CÂMARA", "Camara Municipal"])
def test_organization_list_search_ignores_accents(agent_client: Client, query):
    expected = OrganizationFactory(name="Câmara Municipal de Braga")
    OrganizationFactory(name="Farmácia Central")
    response = agent_client.get("/organizations/", {"q": query})
    assert row_links(response, "organizations") == [expected.pk]


def test_organization_list_search_by_domain(agent_client: Client):
    wanted = OrganizationFactory(name="Acme", domain="acme.example")
    OrganizationFactory(name="Other")
    assert row_links(agent_client.get("/organizations/?q=acme.ex"), "organizations") == [wanted.pk]


def test_organization_list_paginates(agent_client: Client):
    for number in range(27):
        OrganizationFactory(name=f"Org {number:02d}")
    first = agent_client.get("/organizations/")
    second = agent_client.get("/organizations/?page=2")
    assert len(row_links(first, "organizations")) == 25
    assert len(row_links(second, "organizations")) == 2


def test_organization_page_shows_facts_contacts_and_tickets(agent_client: Client, make_ticket):
    organization = PremiumOrganizationFactory(
        name="Hotel Atlântico",
        locale="pt-pt",
        time_zone="Atlantic/Azores",
        csm__first_name="Carla",
        csm__last_name="Mendes",
    )
    OrganizationDomain.objects.create(organization=organization, domain="atlantico.example")
    contact = ContactFactory(organization=organization, name="Rita Sousa")
    ticket = make_ticket(contact=contact)
    content = agent_client.get(f"/organizations/{organization.pk}/").content.decode()
    assert "Premium" in content
    assert "Carla Mendes" in content
    assert "Atlantic/Azores" in content
    assert "<dd>Portuguese (Portugal)</dd>" in content
    assert "atlantico.example" in content
    assert "Rita Sousa" in content
    assert f"CS-{ticket.number}" in content


def test_organization_page_unknown_id_is_404(agent_client: Client):
    assert agent_client.get("/organizations/999999/").status_code == 404


def test_contact_list_search_by_email(agent_client: Client):
    wanted = ContactFactory(name="Rita", email="rita@hotel.example")
    ContactFactory(name="Rui")
    assert row_links(agent_client.get("/contacts/?q=hotel.example"), "contacts") == [wanted.pk]


@pytest.mark.parametrize("query", ["camara", "Câmara Municipal"])
def test_contact_list_search_by_organization(agent_client: Client, query):
    council = OrganizationFactory(name="Câmara Municipal de Vila Nova")
    expected = ContactFactory(name="Rita Sousa", organization=council)
    ContactFactory(name="Rui")
    response = agent_client.get("/contacts/", {"q": query})
    assert row_links(response, "contacts") == [expected.pk]


def test_contact_list_search_by_phone(agent_client: Client):
    wanted = ContactFactory(name="Rita")
    ContactPhone.objects.create(contact=wanted, number="+351211234567")
    ContactFactory(name="Rui")
    assert row_links(agent_client.get("/contacts/?q=21123"), "contacts") == [wanted.pk]


def test_contact_page_shows_addresses_phones_and_tickets(agent_client: Client, make_ticket):
    contact = ContactFactory(name="Rita Sousa", email="rita@hotel.example")
    ContactPhone.objects.create(contact=contact, number="+351211234567")
    ticket = make_ticket(contact=contact)
    content = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert 'href="mailto:rita@hotel.example"' in content
    assert 'href="tel:+351211234567"' in content
    assert contact.organization.name in content
    assert f"CS-{ticket.number}" in content


def test_contact_list_query_count_is_bounded(agent_client: Client, django_assert_max_num_queries):
    for _ in range(25):
        ContactFactory()
    with django_assert_max_num_queries(7):
        agent_client.get("/contacts/")


def test_organization_page_query_count_is_bounded(
    agent_client: Client, make_ticket, django_assert_max_num_queries
):
    organization = PremiumOrganizationFactory()
    for _ in range(20):
        make_ticket(contact=ContactFactory(organization=organization))
    # Session, user, organization, domains, contacts, their e-mails and
    # phones, tickets with their SLA state, the tickets' contact e-mails,
    # unread notifications.
    with django_assert_max_num_queries(10):
        response = agent_client.get(f"/organizations/{organization.pk}/")
    assert len(ticket_links(response)) == 20


def test_contact_page_query_count_is_bounded(
    agent_client: Client, make_ticket, django_assert_max_num_queries
):
    contact = ContactFactory(organization=PremiumOrganizationFactory())
    for _ in range(20):
        make_ticket(contact=contact)
    # Session, user, contact, e-mails, phones, tickets with their SLA state,
    # the tickets' contact e-mails, unread notifications.
    with django_assert_max_num_queries(8):
        response = agent_client.get(f"/contacts/{contact.pk}/")
    assert len(ticket_links(response)) == 20


def test_organization_page_lists_20_latest_tickets(agent_client: Client, make_ticket):
    contact = ContactFactory()
    tickets = [make_ticket(contact=contact) for _ in range(21)]
    response = agent_client.get(f"/organizations/{contact.organization.pk}/")
    listed = ticket_links(response)
    assert len(listed) == 20
    assert tickets[0].number not in listed
    assert listed[0] == tickets[-1].number


def test_admin_gets_edit_links(client: Client):
    client.force_login(AgentFactory(role=Role.ADMIN))
    contact = ContactFactory()
    organization = contact.organization
    organization_page = client.get(f"/organizations/{organization.pk}/").content.decode()
    contact_page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'href="/admin/customers/organization/{organization.pk}/change/"' in organization_page
    assert f'href="/admin/customers/contact/{contact.pk}/change/"' in contact_page


def test_other_agents_get_no_edit_links(agent_client: Client):
    contact = ContactFactory()
    contact_page = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "/admin/customers/" not in contact_page


def test_contact_page_names_the_inherited_language(agent_client: Client):
    contact = ContactFactory(organization=OrganizationFactory(locale="pt-pt"))
    content = agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "<dd>Portuguese (Portugal)</dd>" in content
