"""Create and change organizations and contacts, with their validation."""

import functools
import logging
import unicodedata
import zoneinfo
from collections.abc import Iterable
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils.translation import gettext as _

from relaydesk.accounts.models import Role, User
from relaydesk.core import config, inserts, memo, timeline
from relaydesk.core.addresses import (
    address_forms,
    domain_forms,
    is_utf8_local_part,
    normalize_address,
)
from relaydesk.customers.errors import InvalidContact, InvalidOrganization
from relaydesk.customers.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Organization,
    OrganizationDomain,
    Plan,
)

logger = logging.getLogger(__name__)

# SMTP limits a path to 256 octets with its angle brackets, so an address has
# at most 254. A DNS name has at most 253 characters in text form. The
# database columns have the same sizes.
MAX_EMAIL_ADDRESS_LENGTH = 254
MAX_DOMAIN_LENGTH = 253


def check_locale(locale: str) -> str:
    """Return ``locale`` normalised to a configured language code or raise."""
    normalised = locale.strip().lower().replace("_", "-")
    codes = [code for code, _name in settings.LANGUAGES]
    if normalised not in codes:
        raise InvalidContact(
            _("Locale %(value)r is not supported: use one of %(choices)s.")
            % {"value": locale, "choices": ", ".join(codes)}
        )
    return normalised


def check_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidOrganization(
            _("Time zone %(value)r is unknown: use an IANA name such as Europe/Lisbon.")
            % {"value": name}
        ) from None
    return name


def check_email_address(address: str) -> str:
    """Return ``address`` NFC-normalized and lower-cased, or raise InvalidContact.

    Internationalized addresses (RFC 6531) are valid: a UTF-8 local part and
    a domain in Unicode or "xn--" form.
    """
    normalised = normalize_address(address)
    if len(normalised) > MAX_EMAIL_ADDRESS_LENGTH:
        raise InvalidContact(
            _("E-mail address %(value)r is longer than %(limit)d characters: shorten it.")
            % {"value": address, "limit": MAX_EMAIL_ADDRESS_LENGTH}
        )
    if not _is_valid_email_address(normalised):
        raise InvalidContact(
            _("E-mail address %(value)r is invalid: write it as name@example.com.")
            % {"value": address}
        )
    if config.is_support_address(normalised):
        # Mail to it would come back into the desk, which quarantines it.
        raise InvalidContact(
            _(
                "E-mail address %(value)s is one of this desk's support addresses: "
                "use the client's own address."
            )
            % {"value": normalised}
        )
    return normalised


# An import checks the same senders' addresses over and over.
@functools.lru_cache(maxsize=4096)
def _is_valid_email_address(address: str) -> bool:
    local_part, _at, domain = address.rpartition("@")
    if is_utf8_local_part(local_part):
        # Django's validator takes Unicode domains but only ASCII local
        # parts, so the domain is checked after a placeholder local part.
        address = f"utf8-local-part@{domain}"
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def check_phone_number(number: str) -> str:
    """Return ``number`` in E.164 form, or raise InvalidContact.

    Spaces and punctuation may separate the digits, but letters are rejected:
    the phonenumbers library drops a stray letter or reads letters as keypad
    digits, so +351 9123A45678 would be stored as another number.
    """
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and parsed.extension:
        # E.164 has no extension, so storing the number would drop it unseen.
        raise InvalidContact(
            _(
                "Phone number %(value)r has an extension, which relaydesk cannot store: "
                "give the number without it."
            )
            % {"value": number}
        )
    letters = sorted({char for char in number if char.isalpha()})
    if letters:
        raise InvalidContact(
            _(
                "Phone number %(value)r contains letters (%(letters)s): "
                "write the number with digits only, such as +351211234567."
            )
            % {"value": number, "letters": ", ".join(letters)}
        )
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise InvalidContact(
            _("Phone number %(value)r is invalid: write it in E.164 form, such as +351211234567.")
            % {"value": number}
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_domain(domain: str) -> str:
    normalised = unicodedata.normalize("NFC", domain.strip()).lower().lstrip("@")
    if len(normalised) > MAX_DOMAIN_LENGTH:
        raise InvalidOrganization(
            _("E-mail domain %(value)r is longer than %(limit)d characters: shorten it.")
            % {"value": domain, "limit": MAX_DOMAIN_LENGTH}
        )
    if "." not in normalised or any(char in normalised for char in " /@"):
        raise InvalidOrganization(
            _("E-mail domain %(value)r is invalid: write it as example.com.") % {"value": domain}
        )
    return normalised


def check_csm(plan: Plan, csm: User | None) -> None:
    """Raise unless ``csm`` may manage an organization on ``plan``.

    A CSM is an active agent with the CSM role. Administrators are not,
    because the desk notifies the CSM of the client's SLA warnings and
    breaches, which are work for the Customer Success team.
    """
    if plan.csm_required and csm is None:
        raise InvalidOrganization(
            _("Plan %(plan)s requires a Customer Success Manager: choose one.")
            % {"plan": plan.name}
        )
    if csm is None:
        return
    if csm.role != Role.CSM:
        raise InvalidOrganization(
            _(
                "%(name)s has the role %(role)s, not Customer Success Manager: choose an "
                "agent with that role, or give %(name)s the role first."
            )
            % {"name": csm, "role": csm.get_role_display()}
        )
    if not csm.is_active:
        raise InvalidOrganization(
            _("%(name)s is inactive: choose an active Customer Success Manager.") % {"name": csm}
        )


def check_organization_name(name: str) -> str:
    if not name.strip():
        raise InvalidOrganization(_("The organization name is empty."))
    limit = Organization._meta.get_field("name").max_length
    if len(name.strip()) > limit:
        raise InvalidOrganization(
            _("The organization name is longer than %(limit)d characters: shorten it.")
            % {"limit": limit}
        )
    return name.strip()


def check_domains(domains: Iterable[str], organization: Organization | None = None) -> list[str]:
    """Return ``domains`` normalised and without repeats, or raise.

    A domain belongs to one organization only, so a domain of another
    organization is rejected. ``organization``, when given, keeps its own.
    """
    clean = list(dict.fromkeys(check_domain(domain) for domain in domains))
    # A Unicode domain and its "xn--" form name one domain.
    forms = [form for domain in clean for form in domain_forms(domain)]
    owners = OrganizationDomain.objects.filter(domain__in=forms).select_related("organization")
    if organization is not None:
        owners = owners.exclude(organization=organization)
    owned = owners.first()
    if owned is not None:
        raise InvalidOrganization(
            _("E-mail domain %(value)s already belongs to %(organization)s.")
            % {"value": owned.domain, "organization": owned.organization}
        )
    return clean


def check_contact_addresses(
    emails: Iterable[str], phones: Iterable[str], contact: Contact | None = None
) -> tuple[list[str], list[str]]:
    """Return the e-mail addresses and E.164 numbers normalised and without repeats, or raise.

    An address or number belongs to one contact only, so one of another
    contact is rejected. ``contact``, when given, keeps its own.
    """
    clean_emails = list(dict.fromkeys(check_email_address(address) for address in emails))
    clean_phones = list(dict.fromkeys(check_phone_number(number) for number in phones))
    for model, field, values, message in (
        (
            ContactEmail,
            "address",
            clean_emails,
            _("E-mail address %(value)s already belongs to contact %(owner)s."),
        ),
        (
            ContactPhone,
            "number",
            clean_phones,
            _("Phone number %(value)s already belongs to contact %(owner)s."),
        ),
    ):
        if model is ContactEmail:
            # A Unicode domain and its "xn--" form name one mailbox.
            values = [form for address in values for form in address_forms(address)]
        owners = model.objects.filter(**{f"{field}__in": values})
        if contact is not None:
            owners = owners.exclude(contact=contact)
        owned = owners.select_related("contact").first()
        if owned is not None:
            raise InvalidContact(message % {"value": getattr(owned, field), "owner": owned.contact})
    return clean_emails, clean_phones


def create_organization(
    *,
    name: str,
    plan: Plan,
    csm: User | None = None,
    locale: str = "en",
    time_zone: str = "Europe/Lisbon",
    domains: list[str] | tuple[str, ...] = (),
    actor: User | None = None,
) -> Organization:
    """Create a client organization; a plan that requires a CSM must get one."""
    name = check_organization_name(name)
    check_csm(plan, csm)
    locale = check_locale(locale)
    time_zone = check_time_zone(time_zone)
    clean_domains = check_domains(domains)

    with transaction.atomic():
        organization = Organization.objects.create(
            name=name, plan=plan, csm=csm, locale=locale, time_zone=time_zone
        )
        OrganizationDomain.objects.bulk_create(
            OrganizationDomain(organization=organization, domain=domain) for domain in clean_domains
        )
        timeline.record(
            organization, "organization_created", actor=actor, plan=plan.code, domains=clean_domains
        )
    logger.info("organization created", extra={"organization": organization.pk})
    return organization


def update_organization(
    organization: Organization,
    *,
    name: str,
    plan: Plan,
    csm: User | None,
    locale: str,
    time_zone: str,
    domains: list[str] | tuple[str, ...],
    actor: User | None,
) -> Organization:
    """Change an organization's details, recording ``organization_changed`` with each change.

    A new plan goes through ``change_plan``, so the open tickets' SLA clocks
    follow it. Contacts at a removed domain stay in the organization, but
    new senders there no longer join it.
    """
    name = check_organization_name(name)
    check_csm(plan, csm)
    locale = check_locale(locale)
    time_zone = check_time_zone(time_zone)
    clean_domains = check_domains(domains, organization)

    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        changes = _assign(organization, name=name, csm=csm, locale=locale, time_zone=time_zone)
        if plan.pk != organization.plan_id:
            change_plan(organization, plan=plan, actor=actor)
        organization.save(update_fields=["name", "csm", "locale", "time_zone"])
        before_domains = sorted(organization.domains.values_list("domain", flat=True))
        if before_domains != sorted(clean_domains):
            organization.domains.exclude(domain__in=clean_domains).delete()
            OrganizationDomain.objects.bulk_create(
                OrganizationDomain(organization=organization, domain=domain)
                for domain in clean_domains
                if domain not in before_domains
            )
            changes["domains"] = [before_domains, sorted(clean_domains)]
        if changes:
            timeline.record(organization, "organization_changed", actor=actor, changes=changes)
    logger.info("organization changed", extra={"organization": organization.pk})
    return organization


def create_contact(
    *,
    name: str = "",
    organization: Organization | None = None,
    emails: list[str] | tuple[str, ...] = (),
    phones: list[str] | tuple[str, ...] = (),
    locale: str = "",
    platform_user_id: str = "",
    actor: User | None = None,
) -> Contact:
    """Create a contact with its e-mail addresses and E.164 phone numbers."""
    clean_emails, clean_phones = check_contact_addresses(emails, phones)
    clean_locale = check_locale(locale) if locale else ""

    with transaction.atomic():
        contact = Contact.objects.create(
            name=name.strip()[:200],
            organization=organization,
            locale=clean_locale,
            platform_user_id=platform_user_id,
        )
        ContactEmail.objects.bulk_create(
            ContactEmail(contact=contact, address=address) for address in clean_emails
        )
        ContactPhone.objects.bulk_create(
            ContactPhone(contact=contact, number=number) for number in clean_phones
        )
        if actor is not None:
            timeline.record(contact, "contact_created", actor=actor)
    return contact


def update_contact(
    contact: Contact,
    *,
    name: str,
    organization: Organization | None,
    locale: str,
    emails: list[str] | tuple[str, ...],
    phones: list[str] | tuple[str, ...],
    actor: User | None,
) -> Contact:
    """Change a contact's details, recording ``contact_changed`` with each change.

    Tickets keep the organization they were opened under. The contact's
    next tickets get the new one.
    """
    clean_emails, clean_phones = check_contact_addresses(emails, phones, contact)
    clean_locale = check_locale(locale) if locale else ""

    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        changes = _assign(
            contact, name=name.strip()[:200], organization=organization, locale=clean_locale
        )
        contact.save(update_fields=["name", "organization", "locale"])
        for key, model, field, values in (
            ("emails", ContactEmail, "address", clean_emails),
            ("phones", ContactPhone, "number", clean_phones),
        ):
            current = model.objects.filter(contact=contact)
            before_values = sorted(current.values_list(field, flat=True))
            if before_values == sorted(values):
                continue
            current.exclude(**{f"{field}__in": values}).delete()
            model.objects.bulk_create(
                model(contact=contact, **{field: value})
                for value in values
                if value not in before_values
            )
            changes[key] = [before_values, sorted(values)]
        if changes:
            timeline.record(contact, "contact_changed", actor=actor, changes=changes)
    logger.info("contact changed", extra={"contact": contact.pk})
    return contact


def _assign(instance: models.Model, **values: Any) -> dict[str, list[Any]]:
    """Set ``values`` on ``instance`` and return the changed ones.

    The result maps each changed field to ``[before, after]``, as timeline
    events store them.
    """
    changes = {}
    for field, value in values.items():
        before = getattr(instance, field)
        if before != value:
            changes[field] = [_logged(before), _logged(value)]
            setattr(instance, field, value)
    return changes


def _logged(value: Any) -> Any:
    """Return ``value`` as a timeline event stores it: a related record by its name."""
    return str(value) if isinstance(value, models.Model) else value


def contact_for_sender(address: str, name: str = "") -> Contact:
    """Return the contact who owns ``address``, creating one when it is new.

    A new contact joins the organization that owns the address's domain, if
    any. ``address`` must already be a syntactically valid, lower-cased
    address. Two intakes racing on the same new address get the same contact.
    """
    found = contacts_for_addresses([address])
    return found[address] if found else create_contact_for_sender(address, name)


def contacts_for_addresses(addresses: Iterable[str]) -> dict[str, Contact]:
    """Return the contact of each of ``addresses`` that has one, with one query.

    Like ``contact_for_sender``, it takes lower-cased addresses. An address
    whose domain is stored in its other IDNA form (Unicode or "xn--") finds
    that contact too.
    """
    # Each address's own form comes first, so it wins over its other IDNA form.
    forms = {address: address_forms(address) for address in addresses}
    found = ContactEmail.objects.select_related("contact__organization").filter(
        address__in=[form for variants in forms.values() for form in variants]
    )
    stored = {row.address: row.contact for row in found}
    contacts: dict[str, Contact] = {}
    for address, address_variants in forms.items():
        contact = next((stored[form] for form in address_variants if form in stored), None)
        if contact is not None:
            contacts[address] = contact
    return contacts


def create_contact_for_sender(address: str, name: str = "") -> Contact:
    """Create the contact for ``address``, which the caller has just found to have none.

    When another intake creates the address first, its contact is returned
    instead, as ``contact_for_sender`` does.
    """
    domain = address.rpartition("@")[2]
    owner = memo.settled(
        ("customers.domain", domain),
        lambda: (
            OrganizationDomain.objects.filter(domain__in=domain_forms(domain))
            .select_related("organization")
            .first()
        ),
    )
    # No savepoint, so an import batch need not write what it holds back
    # (core.inserts): when another intake created the address first, the
    # new contact is removed again and theirs is returned.
    with transaction.atomic(savepoint=False):
        contact = Contact.objects.create(
            name=name.strip()[:200], organization=owner.organization if owner else None
        )
        if not inserts.insert_if_absent(ContactEmail(contact=contact, address=address)):
            contact.delete()
            return ContactEmail.objects.select_related("contact").get(address=address).contact
    logger.info("contact created from sender", extra={"contact": contact.pk})
    return contact


def change_plan(
    organization: Organization, *, plan: Plan, actor: User | None, csm: User | None = None
) -> Organization:
    """Move the organization to ``plan``, recording ``plan_changed`` on its timeline.

    A plan that requires a CSM needs one, either already set or given as
    ``csm``. Apps that derive state from the plan (the SLA clocks of open
    tickets) react to the timeline event inside this transaction.
    """
    csm = csm or organization.csm
    check_csm(plan, csm)
    if plan.pk == organization.plan_id and csm == organization.csm:
        return organization

    with transaction.atomic():
        before = organization.plan.code
        organization.plan = plan
        organization.csm = csm
        organization.save(update_fields=["plan", "csm"])
        timeline.record(organization, "plan_changed", actor=actor, before=before, after=plan.code)
    logger.info("organization plan changed", extra={"organization": organization.pk})
    return organization
