"""Errors that only the REST API raises, with stable codes."""

from typing import Any

from relaydesk.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class NotAnAgent(PermissionDenied):
    code = "forbidden"


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


class InvalidTicketNumber(ValidationFailed):
    code = "invalid_ticket_number"


class UnknownContact(ValidationFailed):
    """A request body names a contact that does not exist."""

    code = "unknown_contact"


class UnknownAgent(ValidationFailed):
    """A filter names an agent that does not exist."""

    code = "unknown_agent"


class UnknownOrganization(ValidationFailed):
    """A filter names an organization that does not exist."""

    code = "unknown_organization"


class ContactNotFound(NotFound):
    code = "contact_not_found"


class OrganizationNotFound(NotFound):
    code = "organization_not_found"


class UnknownQueryParameter(DomainError):
    """A URL carries a query parameter that the endpoint does not take."""

    code = "unknown_query_parameter"
    status = 400

    def problem_members(self) -> dict[str, Any]:
        return {"errors": self.params.get("errors", [])}


class MalformedJson(DomainError):
    code = "malformed_json"
    status = 400


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    status = 415


class RequestTooLarge(DomainError):
    code = "request_too_large"
    status = 413
