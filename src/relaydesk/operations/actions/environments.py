"""Environments: the deploy targets that administrators maintain."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from relaydesk.accounts import permissions
from relaydesk.accounts.models import User
from relaydesk.core import timeline
from relaydesk.operations.errors import InvalidEnvironment, NotAllowed
from relaydesk.operations.models import Environment, EnvironmentKind

logger = logging.getLogger(__name__)

MAX_NAME_LENGTH = 100
MAX_ORDER = 32767  # the largest value the order column stores on every database


def require_admin(actor: User | None) -> None:
    """Raise NotAllowed unless ``actor`` is None (relaydesk itself) or an administrator."""
    if actor is not None and not permissions.can_administer(actor):
        raise NotAllowed(_("Only administrators may add or change environments."))


def check_environment_name(name: str, environment: Environment | None = None) -> str:
    """Return ``name`` stripped, or raise InvalidEnvironment.

    Deployments name their environment in the API and the webhook, so a name
    must not differ from another environment's name only in upper or lower
    case. ``environment`` is the one being changed, which may keep its name.
    """
    name = (name or "").strip()
    if not name:
        raise InvalidEnvironment(_("The environment name is empty: write one, such as test."))
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidEnvironment(
            _("The environment name is %(length)d characters long: shorten it to %(max)d.")
            % {"length": len(name), "max": MAX_NAME_LENGTH}
        )
    others = Environment.objects.filter(name__iexact=name)
    if environment is not None:
        others = others.exclude(pk=environment.pk)
    existing = others.first()
    if existing is not None:
        raise InvalidEnvironment(
            _("Environment %(name)r already exists: choose another name.") % {"name": existing.name}
        )
    return name


def check_environment_kind(kind: str) -> str:
    if kind not in EnvironmentKind.values:
        raise InvalidEnvironment(
            _("Environment kind %(value)r is invalid: use one of %(choices)s.")
            % {"value": kind, "choices": ", ".join(EnvironmentKind.values)}
        )
    return kind


def check_environment_order(order: int) -> int:
    if not 0 <= order <= MAX_ORDER:
        raise InvalidEnvironment(
            _("The pipeline order %(value)d is out of range: use a number from 0 to %(max)d.")
            % {"value": order, "max": MAX_ORDER}
        )
    return order


def create_environment(
    *, name: str, kind: str, order: int = 0, actor: User | None = None
) -> Environment:
    """Create a deploy target and record ``environment_created``.

    ``order`` places it in the pipeline: lower numbers come first, so a test
    environment gets a lower number than production. ``actor`` is None only
    for relaydesk itself, such as the demo data. Raises NotAllowed and
    InvalidEnvironment.
    """
    require_admin(actor)
    name = check_environment_name(name)
    kind = check_environment_kind(kind)
    order = check_environment_order(order)

    with transaction.atomic():
        environment = Environment.objects.create(name=name, kind=kind, order=order)
        timeline.record(
            environment, "environment_created", actor=actor, name=name, kind=kind, order=order
        )
    logger.info("environment created", extra={"environment": environment.pk})
    return environment


def update_environment(
    environment: Environment, *, name: str, kind: str, order: int, actor: User | None
) -> Environment:
    """Change a deploy target, recording ``environment_changed`` with each change.

    Past deployments keep pointing at the environment, so they show its new
    name. Raises NotAllowed and InvalidEnvironment.
    """
    require_admin(actor)
    name = check_environment_name(name, environment)
    kind = check_environment_kind(kind)
    order = check_environment_order(order)

    with transaction.atomic():
        environment = Environment.objects.select_for_update().get(pk=environment.pk)
        changes = {
            field: [getattr(environment, field), value]
            for field, value in (("name", name), ("kind", kind), ("order", order))
            if getattr(environment, field) != value
        }
        if not changes:
            return environment
        environment.name, environment.kind, environment.order = name, kind, order
        environment.save(update_fields=["name", "kind", "order"])
        timeline.record(environment, "environment_changed", actor=actor, changes=changes)
    logger.info("environment changed", extra={"environment": environment.pk})
    return environment


def delete_environment(environment: Environment, *, actor: User | None) -> None:
    """Delete a deploy target that has no deployments and record ``environment_deleted``.

    Deployments keep their environment, so an environment with deployments
    stays. Raises NotAllowed and InvalidEnvironment.
    """
    require_admin(actor)
    environment_id = environment.pk

    with transaction.atomic():
        environment = Environment.objects.select_for_update().get(pk=environment_id)
        if environment.deployments.exists():
            raise InvalidEnvironment(
                _("Environment %(name)r has deployments and cannot be deleted: rename it instead.")
                % {"name": environment.name}
            )
        timeline.record(environment, "environment_deleted", actor=actor, name=environment.name)
        environment.delete()
    logger.info("environment deleted", extra={"environment": environment_id})
