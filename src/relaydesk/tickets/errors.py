"""Ticket errors with stable codes."""

from typing import Any

from relaydesk.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class TicketNotFound(NotFound):
    code = "ticket_not_found"


class InvalidTransition(Conflict):
    code = "invalid_status_transition"

    def problem_members(self) -> dict[str, Any]:
        # The message names statuses by their translated labels; API clients get the values.
        if "current" not in self.params:
            return {}
        return {"ticket_status": self.params["current"], "allowed_statuses": self.params["allowed"]}


class NotAllowed(PermissionDenied):
    code = "ticket_forbidden"


class InvalidMessage(ValidationFailed):
    code = "invalid_message"


class InvalidAssignee(ValidationFailed):
    code = "invalid_assignee"
