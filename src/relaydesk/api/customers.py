"""Organization and contact endpoints (read-only for now)."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from relaydesk.api.auth import ticket_agent
from relaydesk.api.errors import ContactNotFound, OrganizationNotFound
from relaydesk.api.filters import check_organization_filter
from relaydesk.api.pagination import PageBase, PageParams, paginate
from relaydesk.api.problems import Problem
from relaydesk.api.schemas import ContactOut, OrganizationOut, RowId
from relaydesk.customers import queries
from relaydesk.customers.models import Contact, Organization

router = Router(tags=["customers"])

ERRORS = frozenset({400, 401, 403, 404, 422})


class OrganizationPage(PageBase):
    items: list[OrganizationOut]


class ContactPage(PageBase):
    items: list[ContactOut]


class OrganizationSearch(Schema):
    q: str = Field("", max_length=200, description="Part of the name or of an e-mail domain.")


class ContactSearch(Schema):
    q: str = Field(
        "", max_length=200, description="Part of the name, an e-mail address or a phone number."
    )
    organization: RowId | None = Field(None, description="Organization id.")


@router.get(
    "/organizations",
    response={200: OrganizationPage, ERRORS: Problem},
    summary="List organizations",
)
def list_organizations(
    request: HttpRequest, search: Query[OrganizationSearch], page: Query[PageParams]
) -> dict:
    ticket_agent(request)
    return paginate(request, queries.organization_list(search=search.q.strip()), page)


@router.get(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, ERRORS: Problem},
    summary="Get an organization",
)
def get_organization(request: HttpRequest, organization_id: RowId) -> Organization:
    ticket_agent(request)
    organization = queries.organization_list().filter(pk=organization_id).first()
    if organization is None:
        raise OrganizationNotFound(
            _("Organization %(id)s not found: check the id.") % {"id": organization_id}
        )
    return organization


@router.get("/contacts", response={200: ContactPage, ERRORS: Problem}, summary="List contacts")
def list_contacts(
    request: HttpRequest, search: Query[ContactSearch], page: Query[PageParams]
) -> dict:
    ticket_agent(request)
    check_organization_filter(search.organization)
    contacts = queries.contact_list(search=search.q.strip(), organization_id=search.organization)
    return paginate(request, contacts, page)


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, ERRORS: Problem},
    summary="Get a contact",
)
def get_contact(request: HttpRequest, contact_id: RowId) -> Contact:
    ticket_agent(request)
    contact = queries.contact_list().filter(pk=contact_id).first()
    if contact is None:
        raise ContactNotFound(_("Contact %(id)s not found: check the id.") % {"id": contact_id})
    return contact
