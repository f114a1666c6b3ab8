"""The signed deployment webhook: verify the signature, parse the body, record it.

The pipeline signs the raw request body with HMAC-SHA256 and its
integration's secret and sends ``X-Relaydesk-Signature: sha256=<hex>`` with
``X-Relaydesk-Integration: <name>``. The signature is checked over the bytes
as received, before any parsing, and compared in constant time. Nothing is
stored unless the whole request is valid.
"""

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from relaydesk.operations.actions.deployments import DeploymentResult, deploy_to_environment
from relaydesk.operations.errors import (
    InvalidField,
    InvalidSignature,
    MalformedPayload,
    MissingField,
    MissingSignature,
    UnknownChange,
    UnknownIntegration,
    unknown_environment,
)
from relaydesk.operations.models import Change, Environment, Integration, Outcome
from relaydesk.operations.queries import parse_number

logger = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="
REQUIRED_FIELDS = ("change", "environment", "version", "outcome", "delivery_id")


@dataclass(frozen=True)
class DeploymentNotice:
    """A verified and parsed webhook body."""

    change: Change
    environment: Environment
    version: str
    outcome: str
    delivery_id: str
    notes: str
    override_reason: str


def sign(secret: str, body: bytes) -> str:
    """Return the signature header value for ``body``, as a pipeline computes it."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def receive_deployment(
    *, integration_name: str | None, signature: str | None, body: bytes
) -> DeploymentResult:
    """Verify, parse and record one webhook delivery.

    Raises UnknownIntegration, MissingSignature or InvalidSignature (401),
    MalformedPayload, MissingField, InvalidField, UnknownChange or
    UnknownEnvironment (422), and the deployment action's errors.
    """
    integration = verify(integration_name, signature, body)
    notice = parse(body)
    return deploy_to_environment(
        notice.change,
        notice.environment,
        version=notice.version,
        actor=None,
        actor_label=f"integration:{integration.name}",
        outcome=notice.outcome,
        notes=notice.notes,
        override_reason=notice.override_reason,
        delivery_id=notice.delivery_id,
    )


def verify(integration_name: str | None, signature: str | None, body: bytes) -> Integration:
    """Return the active integration whose secret signed ``body``."""
    integration = Integration.objects.filter(name=integration_name or "", active=True).first()
    if not integration_name:
        logger.info("webhook rejected: missing integration header")
        raise UnknownIntegration(
            _("X-Relaydesk-Integration is missing: send the name the integration was created with.")
        )
    if integration is None:
        logger.info("webhook rejected: unknown integration")
        raise UnknownIntegration(
            _("Integration %(name)r is unknown or inactive: send X-Relaydesk-Integration.")
            % {"name": integration_name or ""}
        )
    if not signature:
        logger.info("webhook rejected: missing signature", extra={"integration": integration.name})
        raise MissingSignature(_("X-Relaydesk-Signature is missing: sign the body."))
    expected = sign(integration.secret, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        logger.info("webhook rejected: bad signature", extra={"integration": integration.name})
        raise InvalidSignature(
            _(
                "X-Relaydesk-Signature does not match: send sha256=<hex HMAC-SHA256 of the raw "
                "body with the integration's secret>."
            )
        )
    return integration


def parse(body: bytes) -> DeploymentNotice:
    """Parse a verified body into a notice naming a stored change and environment."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedPayload(
            _("The body is not valid JSON (%(error)s): send a JSON object.") % {"error": error}
        ) from error
    if not isinstance(payload, dict):
        raise MalformedPayload(_("The body is not a JSON object: send one."))
    missing = [name for name in REQUIRED_FIELDS if payload.get(name) in (None, "")]
    if missing:
        raise MissingField(
            _("Missing fields: %(fields)s. The body needs %(required)s.")
            % {"fields": ", ".join(missing), "required": ", ".join(REQUIRED_FIELDS)}
        )
    return DeploymentNotice(
        change=_change(payload["change"]),
        environment=_environment(payload["environment"]),
        version=_string(payload, "version", 100),
        outcome=_outcome(payload["outcome"]),
        delivery_id=_string(payload, "delivery_id", 200),
        notes=_string(payload, "notes", 10_000, required=False),
        override_reason=_string(payload, "override_reason", 10_000, required=False),
    )


def _string(payload: dict[str, Any], name: str, max_length: int, *, required: bool = True) -> str:
    value = payload.get(name, "" if not required else None)
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidField(
            _("Field %(field)s must be a string of at most %(max)d characters.")
            % {"field": name, "max": max_length}
        )
    return value.strip()


def _change(value: Any) -> Change:
    number = parse_number(value, "CHG") if isinstance(value, str | int) else None
    change = Change.objects.filter(number=number).first() if number is not None else None
    if change is None:
        raise UnknownChange(
            _(
                "Change %(value)r does not exist: send the number of a recorded change, "
                "written as CHG-12."
            )
            % {"value": value}
        )
    return change


def _environment(value: Any) -> Environment:
    environment = Environment.objects.filter(name=value).first() if isinstance(value, str) else None
    if environment is None:
        raise unknown_environment(value, Environment.objects.values_list("name", flat=True))
    return environment


def _outcome(value: Any) -> str:
    if value not in Outcome.values:
        raise InvalidField(
            _("Outcome %(value)r is invalid: use one of %(choices)s.")
            % {"value": value, "choices": ", ".join(Outcome.values)}
        )
    return str(value)
