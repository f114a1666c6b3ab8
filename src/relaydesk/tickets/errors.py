"""Ticket errors with stable codes."""

from relaydesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class InvalidTransition(Conflict):
    code = "invalid_status_transition"


class NotAllowed(PermissionDenied):
    code = "ticket_forbidden"


class InvalidMessage(ValidationFailed):
    code = "invalid_message"


class InvalidAssignee(ValidationFailed):
    code = "invalid_assignee"
