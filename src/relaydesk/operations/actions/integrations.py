"""Integrations: CI/CD pipelines that report deployments through the signed webhook."""

import logging
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from relaydesk.core import clock
from relaydesk.operations.errors import InvalidIntegration
from relaydesk.operations.models import Integration

logger = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


def create_integration(name: str) -> tuple[Integration, str]:
    """Create integration ``name`` with a new random secret; return both.

    The secret is 32 random bytes as hex. Callers show it once; it is
    stored for verifying signatures but never displayed again. Raises
    InvalidIntegration for a bad or taken name.
    """
    if not NAME_PATTERN.match(name):
        raise InvalidIntegration(
            _(
                "Integration name %(name)r is invalid: use up to 100 lower-case letters, "
                "digits, '-' or '_', starting with a letter or digit."
            )
            % {"name": name}
        )
    secret = secrets.token_hex(32)
    try:
        with transaction.atomic():
            integration = Integration.objects.create(
                name=name, secret=secret, created_at=clock.now()
            )
    except IntegrityError as error:
        raise InvalidIntegration(
            _("Integration %(name)r already exists: choose another name.") % {"name": name}
        ) from error
    logger.info("integration created", extra={"integration": name})
    return integration, secret
