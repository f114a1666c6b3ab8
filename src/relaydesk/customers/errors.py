"""Customer errors with stable codes."""

from relaydesk.core.errors import ValidationFailed


class InvalidOrganization(ValidationFailed):
    code = "invalid_organization"


class InvalidContact(ValidationFailed):
    code = "invalid_contact"
