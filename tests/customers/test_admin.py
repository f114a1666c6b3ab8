"""The administration pages for organizations and contacts."""

import pytest

from relaydesk.accounts.models import Role
from relaydesk.core.models import TimelineEvent
from relaydesk.customers import actions
from relaydesk.customers.models import Contact, Organization, Plan
from tests.factories import (
    AgentFactory,
    ContactFactory,
    OrganizationFactory,
    PremiumOrganizationFactory,
)

pytestmark = pytest.mark.django_db


def organization_form(**fields: str) -> dict[str, str]:
    data = {
        "name": "Acme",
        "plan": str(Plan.objects.get(code="universal").pk),
        "csm": "",
        "locale": "en",
        "time_zone": "Europe/Lisbon",
        "domains": "acme.example\nacme-mail.example",
    }
    data.update(fields)
    return data


def contact_form(**fields: str) -> dict[str, str]:
    data = {
        "name": "Ana",
        "organization": "",
        "locale": "",
        "emails": "ana@acme.example",
        "phones": "",
    }
    data.update(fields)
    return data


def test_admin_index_lists_customers(admin_client):
    page = admin_client.get("/admin/")
    assert b"Organizations" in page.content
    assert b"Contacts" in page.content


def test_non_admin_cannot_open_organizations(client):
    client.force_login(AgentFactory(role=Role.CSM))
    page = client.get("/admin/customers/organization/")
    assert page.status_code == 302
    assert "/admin/login/" in page["Location"]


def test_admin_adds_organization_with_domains(admin_client, admin_user):
    page = admin_client.post("/admin/customers/organization/add/", organization_form())
    assert page.status_code == 302
    organization = Organization.objects.get(name="Acme")
    assert sorted(organization.domains.values_list("domain", flat=True)) == [
        "acme-mail.example",
        "acme.example",
    ]
    event = TimelineEvent.objects.get(subject_type="organization", subject_id=organization.pk)
    assert (event.kind, event.actor) == ("organization_created", admin_user)


def test_premium_without_csm_rejected(admin_client):
    premium = Plan.objects.get(code="premium")
    page = admin_client.post(
        "/admin/customers/organization/add/", organization_form(plan=str(premium.pk))
    )
    assert page.status_code == 200
    assert "requires a Customer Success Manager" in page.content.decode()
    assert not Organization.objects.exists()


def test_domain_of_another_organization_rejected(admin_client):
    OrganizationFactory(name="Globex", domain="acme.example")
    page = admin_client.post("/admin/customers/organization/add/", organization_form())
    assert page.status_code == 200
    assert "acme.example already belongs to Globex" in page.content.decode()
    assert Organization.objects.count() == 1


@pytest.mark.parametrize("unseen_by", [1, 2], ids=["form", "form-and-action"])
def test_domain_taken_during_save_shown(admin_client, monkeypatch, unseen_by):
    """Another admin's organization took the domain after this form's check.

    Its domain is not seen by the first ``unseen_by`` checks, as when it was
    not yet committed: the form's check, then also the action's, so the
    database's unique constraint is what stops the save.
    """
    OrganizationFactory(name="Globex", domain="acme.example")
    real_check = actions.check_domains
    checks = 0

    def check_domains(domains, organization=None):
        nonlocal checks
        checks += 1
        if checks <= unseen_by:
            return list(dict.fromkeys(actions.check_domain(domain) for domain in domains))
        return real_check(domains, organization)

    monkeypatch.setattr(actions, "check_domains", check_domains)
    page = admin_client.post("/admin/customers/organization/add/", organization_form())
    assert page.status_code == 200
    assert "acme.example already belongs to Globex" in page.content.decode()
    assert checks == 3
    assert list(Organization.objects.values_list("name", flat=True)) == ["Globex"]


@pytest.mark.parametrize(
    "fields",
    [
        {"role": Role.CUSTOMER_SERVICE},
        {"role": Role.ADMIN},
        {"role": Role.CSM, "is_active": False},
    ],
)
def test_csm_choice_offers_only_active_csms(admin_client, fields):
    csm = AgentFactory(username="carla", role=Role.CSM)
    other = AgentFactory(username="other", **fields)
    premium = Plan.objects.get(code="premium")
    form = admin_client.get("/admin/customers/organization/add/").context["adminform"].form
    assert list(form.fields["csm"].queryset) == [csm]
    page = admin_client.post(
        "/admin/customers/organization/add/",
        organization_form(plan=str(premium.pk), csm=str(other.pk)),
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["csm"] == [
        "Choose an active agent with the Customer Success Manager role."
    ]
    assert not Organization.objects.exists()


def test_administrator_kept_as_csm_is_shown_and_refused(admin_client, admin_user):
    organization = PremiumOrganizationFactory(name="Acme", csm=admin_user, domain="acme.example")
    page = admin_client.get(f"/admin/customers/organization/{organization.pk}/change/")
    assert admin_user in page.context["adminform"].form.fields["csm"].queryset
    page = admin_client.post(
        f"/admin/customers/organization/{organization.pk}/change/",
        organization_form(
            name="Acme Ltd",
            plan=str(organization.plan_id),
            csm=str(admin_user.pk),
            domains="acme.example",
        ),
    )
    assert page.status_code == 200
    assert (
        page.context["adminform"]
        .form.errors["csm"][0]
        .startswith(f"{admin_user} has the role Administrator, not Customer Success Manager")
    )
    organization.refresh_from_db()
    assert organization.name == "Acme"


def test_admin_moves_an_organization_to_premium(admin_client, admin_user):
    organization = OrganizationFactory(name="Acme", domain="acme.example")
    csm = AgentFactory(role=Role.CSM)
    premium = Plan.objects.get(code="premium")
    page = admin_client.post(
        f"/admin/customers/organization/{organization.pk}/change/",
        organization_form(plan=str(premium.pk), csm=str(csm.pk), domains="acme.example"),
    )
    assert page.status_code == 302
    organization.refresh_from_db()
    assert (organization.plan, organization.csm) == (premium, csm)
    plan_changed = TimelineEvent.objects.get(kind="plan_changed")
    assert (plan_changed.actor, plan_changed.data["after"]) == (admin_user, "premium")


def test_change_page_shows_the_domains(admin_client):
    organization = OrganizationFactory(domain="acme.example")
    page = admin_client.get(f"/admin/customers/organization/{organization.pk}/change/")
    assert "acme.example</textarea>" in page.content.decode()


def test_organizations_cannot_be_deleted(admin_client):
    organization = OrganizationFactory()
    page = admin_client.get(f"/admin/customers/organization/{organization.pk}/delete/")
    assert page.status_code == 403


def test_admin_adds_contact_with_phones(admin_client):
    organization = OrganizationFactory(name="Acme")
    page = admin_client.post(
        "/admin/customers/contact/add/",
        contact_form(
            organization=str(organization.pk),
            emails="Ana@Acme.example, ana.sousa@acme.example",
            phones="+351 21 123 4567",
        ),
    )
    assert page.status_code == 302
    contact = Contact.objects.get(name="Ana")
    assert contact.organization == organization
    assert list(contact.emails.values_list("address", flat=True)) == [
        "ana@acme.example",
        "ana.sousa@acme.example",
    ]
    assert list(contact.phones.values_list("number", flat=True)) == ["+351211234567"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"phones": "21 123 4567"}, "Phone number &#x27;21 123 4567&#x27; is invalid"),
        ({"phones": "+351 9123A45678"}, "&#x27;+351 9123A45678&#x27; contains letters (A)"),
        ({"phones": "+351 91 234 5678 x"}, "&#x27;+351 91 234 5678 x&#x27; contains letters (x)"),
        ({"phones": "+351 21 12E 4567"}, "&#x27;+351 21 12E 4567&#x27; contains letters (E)"),
        ({"emails": "ana at acme"}, "&#x27;ana at acme&#x27; is invalid"),
        ({"emails": "taken@acme.example"}, "taken@acme.example already belongs to contact"),
    ],
)
def test_bad_contact_input_stores_nothing(admin_client, fields, expected):
    ContactFactory(name="Other", email="taken@acme.example")
    page = admin_client.post("/admin/customers/contact/add/", contact_form(**fields))
    assert page.status_code == 200
    assert expected in page.content.decode()
    assert Contact.objects.count() == 1


def test_admin_edits_a_contact(admin_client):
    contact = ContactFactory(name="Ana", email="ana@acme.example")
    page = admin_client.post(
        f"/admin/customers/contact/{contact.pk}/change/",
        contact_form(
            name="Ana Sousa",
            organization=str(contact.organization_id),
            locale="pt-pt",
            emails="ana@acme.example\nana@home.example",
        ),
    )
    assert page.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.locale) == ("Ana Sousa", "pt-pt")
    assert contact.emails.count() == 2
    assert TimelineEvent.objects.get(kind="contact_changed").data["changes"]["emails"] == [
        ["ana@acme.example"],
        ["ana@acme.example", "ana@home.example"],
    ]


def test_organization_pages_in_portuguese(admin_user, admin_client):
    admin_user.locale = "pt-pt"
    admin_user.save(update_fields=["locale"])
    page = admin_client.get("/admin/customers/organization/add/")
    text = page.content.decode()
    assert "Domínios de e-mail" in text
    assert "Gestor de Sucesso do Cliente" in text


def test_contact_form_finds_organizations_by_name(admin_client):
    harbour = OrganizationFactory(name="Harbour Tiles")
    OrganizationFactory(name="Globex")
    found = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "customers",
            "model_name": "contact",
            "field_name": "organization",
            "term": "harb",
        },
    )
    assert found.status_code == 200
    assert found.json()["results"] == [{"id": str(harbour.pk), "text": "Harbour Tiles"}]


def test_lists_show_language_names(admin_client):
    organization = OrganizationFactory(locale="pt-pt")
    ContactFactory(organization=organization, locale="en")
    organizations = admin_client.get("/admin/customers/organization/").content.decode()
    contacts = admin_client.get("/admin/customers/contact/").content.decode()
    assert '<td class="field-language">Portuguese (Portugal)</td>' in organizations
    assert '<td class="field-language">English</td>' in contacts
