"""Back-office errors with stable codes that API clients can rely on."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from relaydesk.core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)


class NotAllowed(PermissionDenied):
    code = "operations_forbidden"


class IncidentNotFound(NotFound):
    code = "incident_not_found"


class KnownErrorNotFound(NotFound):
    code = "known_error_not_found"


class ChangeNotFound(NotFound):
    code = "change_not_found"


class InvalidIncidentTransition(Conflict):
    code = "invalid_incident_transition"


class InvalidChangeTransition(Conflict):
    code = "invalid_change_transition"


class TestNotPassed(Conflict):
    """A production deployment of a change whose test has not passed."""

    __test__ = False  # not a pytest test class despite the name
    code = "test_not_passed"


class TicketAlreadyLinked(Conflict):
    code = "ticket_already_linked"


class InvalidTicketState(Conflict):
    code = "invalid_ticket_state"


class InvalidIncident(ValidationFailed):
    code = "invalid_incident"


class InvalidKnownError(ValidationFailed):
    code = "invalid_known_error"


class InvalidChange(ValidationFailed):
    code = "invalid_change"


class InvalidDeployment(ValidationFailed):
    code = "invalid_deployment"


class MissingResolution(ValidationFailed):
    code = "missing_resolution"


class InvalidMessageReference(ValidationFailed):
    code = "invalid_message_reference"


class NoTeam(ValidationFailed):
    code = "team_not_configured"


class InvalidEnvironment(ValidationFailed):
    code = "invalid_environment"


class InvalidIntegration(ValidationFailed):
    code = "invalid_integration"


WEBHOOK_CHALLENGE = 'Relaydesk-Signature realm="relaydesk-webhooks", algorithm="HMAC-SHA256"'

# Webhook errors. The signature ones are 401 because the caller has not
# proven who it is; the payload ones are 422 because the body was read.


class WebhookUnauthorized(DomainError):
    status = 401
    code = "invalid_signature"

    def problem_headers(self) -> dict[str, str]:
        # A 401 must name how to authenticate (RFC 9110, 11.6.1). The webhook
        # takes an HMAC signature header, not the API's bearer token.
        return {"WWW-Authenticate": WEBHOOK_CHALLENGE}


class UnknownIntegration(WebhookUnauthorized):
    code = "unknown_integration"


class MissingSignature(WebhookUnauthorized):
    code = "missing_signature"


class InvalidSignature(WebhookUnauthorized):
    code = "invalid_signature"


class MalformedPayload(ValidationFailed):
    code = "malformed_payload"


class MissingField(ValidationFailed):
    code = "missing_field"


class InvalidField(ValidationFailed):
    code = "invalid_field"


class UnknownChange(ValidationFailed):
    code = "unknown_change"


class UnknownEnvironment(ValidationFailed):
    code = "unknown_environment"


def unknown_environment(value: object, names: Iterable[str]) -> UnknownEnvironment:
    """Build the error for a deployment to ``value``, which names no environment.

    ``names`` are the environments that exist. When there are none, the
    message names the page where an administrator adds them.
    """
    known = ", ".join(names)
    if not known:
        return UnknownEnvironment(
            _(
                "Environment %(value)r does not exist, and no environments exist yet: "
                "an administrator adds them under Environments in the administration "
                "pages (/admin/)."
            )
            % {"value": value}
        )
    return UnknownEnvironment(
        _("Environment %(value)r does not exist: use one of %(names)s.")
        % {"value": value, "names": known}
    )
