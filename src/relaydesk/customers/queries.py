"""Read-only customer queries; they own select_related and prefetch_related."""

from django.db.models import Q, QuerySet

from relaydesk.customers.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Organization,
    OrganizationDomain,
)


def organization_list(*, search: str = "") -> QuerySet[Organization]:
    """Organizations by name, optionally those whose name or e-mail domain contains ``search``."""
    organizations = Organization.objects.select_related("plan", "csm").prefetch_related("domains")
    if search:
        by_domain = OrganizationDomain.objects.filter(domain__icontains=search).values(
            "organization_id"
        )
        organizations = organizations.filter(Q(name__icontains=search) | Q(pk__in=by_domain))
    return organizations.order_by("name", "id")


def contact_list(*, search: str = "", organization_id: int | None = None) -> QuerySet[Contact]:
    """Contacts by name; ``search`` matches the name, an e-mail address or a phone number."""
    contacts = Contact.objects.select_related("organization__plan").prefetch_related(
        "emails", "phones"
    )
    if organization_id is not None:
        contacts = contacts.filter(organization_id=organization_id)
    if search:
        by_email = ContactEmail.objects.filter(address__icontains=search).values("contact_id")
        by_phone = ContactPhone.objects.filter(number__contains=search).values("contact_id")
        contacts = contacts.filter(
            Q(name__icontains=search) | Q(pk__in=by_email) | Q(pk__in=by_phone)
        )
    return contacts.order_by("name", "id")
