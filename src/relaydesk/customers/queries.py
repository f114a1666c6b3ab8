"""Read-only organization and contact queries; they own select_related and prefetch."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from relaydesk.core.folding import Fold, fold
from relaydesk.customers.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    Organization,
    OrganizationDomain,
)


def organization_list(search: str = "") -> QuerySet[Organization]:
    """Return organizations by name, narrowed to a name (accents ignored) or e-mail domain match."""
    organizations = Organization.objects.select_related("plan", "csm").prefetch_related("domains")
    search = search.strip()
    if search:
        organizations = organizations.alias(name_folded=Fold("name")).filter(
            Q(name_folded__contains=fold(search))
            | Exists(
                OrganizationDomain.objects.filter(
                    organization=OuterRef("pk"), domain__icontains=search
                )
            )
        )
    return organizations.order_by("name", "id")


def organization_detail(organization_id: int) -> Organization:
    """Return one organization with domains and contacts; raises Organization.DoesNotExist."""
    contacts = Contact.objects.prefetch_related("emails", "phones").order_by("name", "id")
    return (
        Organization.objects.select_related("plan", "csm")
        .prefetch_related("domains", Prefetch("contacts", queryset=contacts))
        .get(pk=organization_id)
    )


def contact_list(search: str = "", organization_id: int | None = None) -> QuerySet[Contact]:
    """Return contacts by name, narrowed to a match of their name, organization, address or number.

    Names match without regard to accents or case.
    """
    contacts = Contact.objects.select_related(
        "organization", "organization__plan"
    ).prefetch_related("emails", "phones")
    if organization_id is not None:
        contacts = contacts.filter(organization_id=organization_id)
    search = search.strip()
    if search:
        folded = fold(search)
        contacts = contacts.alias(
            name_folded=Fold("name"), organization_folded=Fold("organization__name")
        ).filter(
            Q(name_folded__contains=folded)
            | Q(organization_folded__contains=folded)
            | Exists(ContactEmail.objects.filter(contact=OuterRef("pk"), address__icontains=search))
            | Exists(ContactPhone.objects.filter(contact=OuterRef("pk"), number__icontains=search))
        )
    return contacts.order_by("name", "id")


def contact_detail(contact_id: int) -> Contact:
    """Return one contact with addresses and phones; raises Contact.DoesNotExist."""
    return (
        Contact.objects.select_related("organization", "organization__plan", "organization__csm")
        .prefetch_related("emails", "phones")
        .get(pk=contact_id)
    )
