"""Template filters of the back-office pages: what the agent may see, and field labels."""

from django import template

from relaydesk.accounts import permissions
from relaydesk.accounts.models import User
from relaydesk.operations.suggestions import FIELD_LABELS

register = template.Library()


@register.filter
def administers(user: User) -> bool:
    """Return whether ``user`` may open the administration pages (plans, calendars)."""
    return permissions.can_administer(user)


@register.filter
def works_back_office(user: User) -> bool:
    """Return whether ``user`` may open the back-office pages (incidents, changes...)."""
    return permissions.can_work_back_office(user)


@register.filter
def answers_clients(user: User) -> bool:
    """Return whether ``user`` may reply to clients and change a ticket's assignee or status."""
    return permissions.can_answer_clients(user)


@register.filter
def field_labels(names: tuple[str, ...]) -> str:
    """Return the labels of a suggestion's matched fields, joined: "title, symptoms"."""
    return ", ".join(str(FIELD_LABELS.get(name, name)) for name in names)
