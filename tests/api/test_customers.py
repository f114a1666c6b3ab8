import pytest

from relaydesk.customers.models import ContactPhone
from tests.api.helpers import assert_problem
from tests.factories import ContactFactory, OrganizationFactory, PremiumOrganizationFactory

pytestmark = pytest.mark.django_db


def test_list_organizations_sorted_by_name(api):
    OrganizationFactory(name="Zeta Bank")
    OrganizationFactory(name="Alfa Câmara")
    body = api.get("/api/organizations").json()
    assert body["count"] == 2
    assert [item["name"] for item in body["items"]] == ["Alfa Câmara", "Zeta Bank"]


def test_list_organizations_searches_name_and_domain(api):
    bank = OrganizationFactory(name="Zeta Bank", domain="zeta.example")
    council = OrganizationFactory(name="City Council", domain="city.example")

    def ids(query: str) -> list[int]:
        return [item["id"] for item in api.get("/api/organizations", {"q": query}).json()["items"]]

    assert ids("bank") == [bank.pk]
    assert ids("city.exa") == [council.pk]
    assert ids("nothing") == []


def test_list_organizations_paginates(api):
    for index in range(3):
        OrganizationFactory(name=f"Org {index}")
    body = api.get("/api/organizations", {"limit": 2}).json()
    assert len(body["items"]) == 2
    assert body["count"] == 3
    assert body["next"].endswith("limit=2&offset=2")


def test_get_organization_fields(api):
    organization = PremiumOrganizationFactory(name="Zeta Bank", domain="zeta.example")
    body = api.get(f"/api/organizations/{organization.pk}").json()
    assert body["name"] == "Zeta Bank"
    assert body["plan"] == {"code": "premium", "name": organization.plan.name}
    assert body["csm"]["username"] == organization.csm.username
    assert body["domains"] == ["zeta.example"]
    assert body["time_zone"] == "Europe/Lisbon"


def test_get_organization_unknown_id(api):
    assert_problem(api.get("/api/organizations/999"), 404, "organization_not_found")


def test_get_organization_rejects_non_integer_id(api):
    problem = assert_problem(api.get("/api/organizations/zeta"), 422, "invalid_request")
    assert problem["errors"][0]["field"] == "organization_id"
    assert problem["errors"][0]["location"] == "path"


def test_list_contacts_searches_name_email_and_phone(api):
    ana = ContactFactory(name="Ana Sousa", email="ana@zeta.example")
    rui = ContactFactory(name="Rui Lopes", email="rui@city.example")
    ContactPhone.objects.create(contact=rui, number="+351211234567")

    def ids(query: str) -> list[int]:
        return [item["id"] for item in api.get("/api/contacts", {"q": query}).json()["items"]]

    assert ids("sousa") == [ana.pk]
    assert ids("rui@city") == [rui.pk]
    assert ids("+35121") == [rui.pk]


def test_list_contacts_filters_organization(api):
    ana = ContactFactory()
    ContactFactory()
    body = api.get("/api/contacts", {"organization": ana.organization_id}).json()
    assert [item["id"] for item in body["items"]] == [ana.pk]


def test_list_contacts_rejects_unknown_organization(api):
    ContactFactory()
    problem = assert_problem(
        api.get("/api/contacts", {"organization": 999}), 422, "unknown_organization"
    )
    assert "999" in problem["detail"]


def test_list_contacts_rejects_overlong_search(api):
    assert_problem(api.get("/api/contacts", {"q": "x" * 201}), 422, "invalid_request")


def test_get_contact_fields(api):
    contact = ContactFactory(name="Ana", email="ana@zeta.example")
    body = api.get(f"/api/contacts/{contact.pk}").json()
    assert body["name"] == "Ana"
    assert body["emails"] == ["ana@zeta.example"]
    assert body["phones"] == []
    assert body["organization"]["id"] == contact.organization_id


def test_get_contact_unknown_id(api):
    assert_problem(api.get("/api/contacts/999"), 404, "contact_not_found")


def test_customers_require_authentication(anonymous):
    assert_problem(anonymous.get("/api/organizations"), 401, "unauthenticated")
    assert_problem(anonymous.get("/api/contacts/1"), 401, "unauthenticated")
