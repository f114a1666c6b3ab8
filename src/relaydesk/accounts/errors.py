"""Agent and team errors with stable codes."""

from relaydesk.core.errors import ValidationFailed


class InvalidAgent(ValidationFailed):
    code = "invalid_agent"


class InvalidTeam(ValidationFailed):
    code = "invalid_team"
