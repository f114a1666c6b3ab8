"""Checks on list filters that name a record, shared by the list endpoints."""

from django.utils.translation import gettext as _

from relaydesk.api.errors import UnknownOrganization
from relaydesk.customers.models import Organization


def check_organization_filter(organization_id: int | None) -> None:
    """Reject an organization filter that names no organization.

    Such a filter would match nothing, and a client would take the empty
    list for a result.
    """
    if organization_id is not None and not Organization.objects.filter(pk=organization_id).exists():
        raise UnknownOrganization(
            _("Organization %(value)s does not exist: use an id from /api/organizations.")
            % {"value": organization_id}
        )
