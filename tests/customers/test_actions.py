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


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"role": Role.ADMIN},
            "Rita Sousa has the role Administrator, not Customer Success Manager: "
            "choose an agent with that role, or give Rita Sousa the role first.",
        ),
        (
            {"role": Role.CUSTOMER_SERVICE},
            "Rita Sousa has the role Customer Service, not Customer Success Manager: "
            "choose an agent with that role, or give Rita Sousa the role first.",
        ),
        (
            {"role": Role.CSM, "is_active": False},
            "Rita Sousa is inactive: choose an active Customer Success Manager.",
        ),
    ],
)
def test_create_organization_rejects_non_csm(fields, expected):
    agent = AgentFactory(first_name="Rita", last_name="Sousa", **fields)
    with pytest.raises(InvalidOrganization) as error:
        actions.create_organization(name="Acme", plan=premium(), csm=agent)
    assert error.value.code == "invalid_organization"
    assert error.value.message == expected
    assert not Organization.objects.exists()


def test_update_organization_rejects_administrator_as_csm():
    csm = AgentFactory(role=Role.CSM)
    organization = actions.create_organization(name="Acme", plan=premium(), csm=csm)
    administrator = AgentFactory(role=Role.ADMIN)
    with pytest.raises(InvalidOrganization):
        actions.update_organization(
            organization,
            actor=None,
            **organization_details(organization, csm=administrator),
        )
    organization.refresh_from_db()
    assert organization.csm == csm


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


def test_create_contact_rejects_phone_extension():
    with pytest.raises(InvalidContact) as error:
        actions.create_contact(name="Ana", phones=["+1 202 555 0143 ext 5"])
    assert "has an extension" in error.value.message
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("number", "letters"),
    [
        ("+351 9123A45678", "A"),
        ("+351 91 234 5678 x", "x"),
        ("+351 21 12E 4567", "E"),
        ("+1 800 FLOWERS", "E, F, L, O, R, S, W"),
    ],
)
def test_check_phone_number_rejects_letters(number, letters):
    with pytest.raises(InvalidContact) as error:
        actions.check_phone_number(number)
    assert error.value.code == "invalid_contact"
    assert error.value.message == (
        f"Phone number {number!r} contains letters ({letters}): "
        "write the number with digits only, such as +351211234567."
    )


@pytest.mark.parametrize(
    "number", ["+351211234567 ext. 12", "+351211234567x12", "+351 21 123 4567;ext=12"]
)
def test_check_phone_number_keeps_extension_message(number):
    with pytest.raises(InvalidContact) as error:
        actions.check_phone_number(number)
    assert "has an extension" in error.value.message


def test_update_contact_with_lettered_phone_keeps_numbers():
    contact = actions.create_contact(name="Ana", phones=["+351 21 123 4567"])
    with pytest.raises(InvalidContact):
        actions.update_contact(
            contact,
            name="Ana",
            organization=None,
            locale="",
            emails=[],
            phones=["+351 9123A45678"],
            actor=None,
        )
    assert list(contact.phones.values_list("number", flat=True)) == ["+351211234567"]


def test_create_contact_rejects_invalid_email():
    with pytest.raises(InvalidContact) as error:
        actions.create_contact(name="Ana", emails=["not-an-address"])
    assert "not-an-address" in error.value.message


@pytest.mark.parametrize("address", ["support@localhost", "Support+CS-4@localhost"])
def test_create_contact_rejects_support_address(address):
    with pytest.raises(InvalidContact) as error:
        actions.create_contact(name="Ana", emails=[address])
    assert "is one of this desk's support addresses" in error.value.message
    assert not Contact.objects.exists()


def test_check_email_address_accepts_utf8_local_part():
    address = actions.check_email_address("José@Correio-Exemplo.example")
    assert address == "josé@correio-exemplo.example"


def test_check_email_address_accepts_unicode_domain():
    assert actions.check_email_address("ana@Exémplo.example") == "ana@exémplo.example"


def test_check_email_address_composes_accents():
    assert actions.check_email_address("jose\u0301@client.example") == "josé@client.example"


@pytest.mark.parametrize(
    "address",
    [
        "josé@",
        "@client.example",
        "jo sé@client.example",
        "josé..silva@client.example",
        ".josé@client.example",
        "josé@@client.example",
        "josé@-bad-.example",
        "josé@client",
        '"josé"@client.example',
    ],
)
def test_check_email_address_rejects_malformed_utf8(address):
    with pytest.raises(InvalidContact) as error:
        actions.check_email_address(address)
    assert error.value.code == "invalid_contact"
    assert "is invalid" in error.value.message


def test_contact_for_sender_matches_ascii_form_of_domain():
    organization = OrganizationFactory(domain="exémplo.example")
    contact = actions.contact_for_sender("ana@xn--exmplo-cva.example")
    assert contact.organization == organization


def test_contact_for_sender_matches_unicode_form_of_domain():
    organization = OrganizationFactory(domain="xn--exmplo-cva.example")
    contact = actions.contact_for_sender("josé@exémplo.example")
    assert contact.organization == organization


@pytest.mark.parametrize(
    ("stored", "sender"),
    [
        ("ana@exémplo.example", "ana@xn--exmplo-cva.example"),
        ("ana@xn--exmplo-cva.example", "ana@exémplo.example"),
    ],
)
def test_contact_for_sender_matches_other_idna_form(stored, sender):
    existing = ContactFactory(email=stored)
    assert actions.contact_for_sender(sender) == existing
    assert Contact.objects.count() == 1


def test_contacts_for_addresses_prefers_the_address_as_written():
    # Stored before the lookup matched both forms: two contacts, one per form.
    unicode_form = ContactFactory(email="ana@exémplo.example")
    ascii_form = ContactFactory(email="ana@xn--exmplo-cva.example")
    found = actions.contacts_for_addresses(["ana@exémplo.example", "ana@xn--exmplo-cva.example"])
    assert found == {
        "ana@exémplo.example": unicode_form,
        "ana@xn--exmplo-cva.example": ascii_form,
    }


def test_create_organization_rejects_other_form_of_taken_domain():
    OrganizationFactory(domain="exémplo.example")
    with pytest.raises(InvalidOrganization) as error:
        actions.create_organization(
            name="Other", plan=universal(), domains=["xn--exmplo-cva.example"]
        )
    assert "exémplo.example already belongs to" in error.value.message
    assert Organization.objects.count() == 1


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


def organization_details(organization: Organization, **changes) -> dict:
    """The keyword arguments of update_organization that keep ``organization`` as it is."""
    details = {
        "name": organization.name,
        "plan": organization.plan,
        "csm": organization.csm,
        "locale": organization.locale,
        "time_zone": organization.time_zone,
        "domains": list(organization.domains.values_list("domain", flat=True)),
    }
    return {**details, **changes}


def test_create_organization_records_event():
    organization = actions.create_organization(
        name="Acme", plan=universal(), domains=["acme.example"]
    )
    event = TimelineEvent.objects.get(subject_type="organization", subject_id=organization.pk)
    assert event.kind == "organization_created"
    assert event.data == {"plan": "universal", "domains": ["acme.example"]}


def test_update_organization_records_each_change():
    admin = AgentFactory(role=Role.ADMIN)
    organization = OrganizationFactory(name="Acme", domain="old.example")
    actions.update_organization(
        organization,
        actor=admin,
        **organization_details(
            organization,
            name="Acme Lda",
            locale="pt-PT",
            time_zone="Atlantic/Azores",
            domains=["new.example", "OLD.example"],
        ),
    )
    organization.refresh_from_db()
    assert (organization.name, organization.locale, organization.time_zone) == (
        "Acme Lda",
        "pt-pt",
        "Atlantic/Azores",
    )
    assert sorted(organization.domains.values_list("domain", flat=True)) == [
        "new.example",
        "old.example",
    ]
    event = TimelineEvent.objects.get(kind="organization_changed")
    assert event.actor == admin
    assert event.data["changes"] == {
        "name": ["Acme", "Acme Lda"],
        "locale": ["en", "pt-pt"],
        "time_zone": ["Europe/Lisbon", "Atlantic/Azores"],
        "domains": [["old.example"], ["new.example", "old.example"]],
    }


def test_unchanged_organization_records_nothing():
    organization = OrganizationFactory(domain="same.example")
    actions.update_organization(organization, actor=None, **organization_details(organization))
    assert not TimelineEvent.objects.filter(kind="organization_changed").exists()


def test_update_organization_to_premium():
    csm = AgentFactory(role=Role.CSM)
    organization = OrganizationFactory()
    actions.update_organization(
        organization, actor=None, **organization_details(organization, plan=premium(), csm=csm)
    )
    organization.refresh_from_db()
    assert (organization.plan.code, organization.csm) == ("premium", csm)
    assert TimelineEvent.objects.get(kind="plan_changed").data == {
        "before": "universal",
        "after": "premium",
    }
    changed = TimelineEvent.objects.get(kind="organization_changed")
    assert changed.data["changes"] == {"csm": [None, str(csm)]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": "  "}, "organization name is empty"),
        ({"plan": "premium"}, "requires a Customer Success Manager"),
        ({"time_zone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"domains": ["taken.example"]}, "taken.example already belongs to Other"),
        ({"domains": ["no-dot"]}, "'no-dot' is invalid"),
    ],
)
def test_update_organization_rejects_bad_input(changes, expected):
    OrganizationFactory(name="Other", domain="taken.example")
    organization = OrganizationFactory(name="Acme", domain="acme.example")
    if changes.get("plan") == "premium":
        changes["plan"] = premium()
    with pytest.raises(InvalidOrganization) as error:
        actions.update_organization(
            organization, actor=None, **organization_details(organization, **changes)
        )
    assert expected in error.value.message
    organization.refresh_from_db()
    assert (organization.name, organization.plan.code, organization.time_zone) == (
        "Acme",
        "universal",
        "Europe/Lisbon",
    )
    assert list(organization.domains.values_list("domain", flat=True)) == ["acme.example"]
    assert not TimelineEvent.objects.filter(subject_type="organization").exists()


def test_update_contact_replaces_addresses():
    admin = AgentFactory(role=Role.ADMIN)
    contact = ContactFactory(name="Ana", email="ana@old.example")
    moved_to = OrganizationFactory(name="New home")
    actions.update_contact(
        contact,
        name="Ana Sousa",
        organization=moved_to,
        locale="pt-pt",
        emails=["Ana@New.example"],
        phones=["+351 21 123 4567"],
        actor=admin,
    )
    contact.refresh_from_db()
    assert (contact.name, contact.organization, contact.locale) == ("Ana Sousa", moved_to, "pt-pt")
    assert list(contact.emails.values_list("address", flat=True)) == ["ana@new.example"]
    assert list(contact.phones.values_list("number", flat=True)) == ["+351211234567"]
    changes = TimelineEvent.objects.get(kind="contact_changed").data["changes"]
    assert changes["emails"] == [["ana@old.example"], ["ana@new.example"]]
    assert changes["phones"] == [[], ["+351211234567"]]
    assert changes["organization"][1] == "New home"


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("taken@client.example", "taken@client.example"),
        # A Unicode domain and its "xn--" form are one mailbox.
        ("rui@exémplo.example", "rui@xn--exmplo-cva.example"),
    ],
)
def test_update_contact_rejects_taken_address(stored, typed):
    ContactFactory(name="Rui Dias", email=stored)
    contact = ContactFactory(name="Ana", email="ana@client.example")
    with pytest.raises(InvalidContact) as error:
        actions.update_contact(
            contact,
            name="Ana",
            organization=contact.organization,
            locale="",
            emails=["ana@client.example", typed],
            phones=[],
            actor=None,
        )
    assert f"{stored} already belongs to contact Rui Dias" in error.value.message
    assert list(contact.emails.values_list("address", flat=True)) == ["ana@client.example"]
    assert not TimelineEvent.objects.filter(kind="contact_changed").exists()


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (actions.check_email_address, "a" * 250 + "@b.pt", "longer than 254 characters"),
        (actions.check_domain, "a" * 250 + ".com", "longer than 253 characters"),
        (actions.check_organization_name, "n" * 201, "longer than 200 characters"),
    ],
)
def test_overlong_values_rejected(check, value, expected):
    with pytest.raises((InvalidContact, InvalidOrganization)) as error:
        check(value)
    assert expected in error.value.message
