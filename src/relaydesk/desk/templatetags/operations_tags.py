"""Template filters that ask ``accounts.permissions`` what the signed-in agent may see."""

from django import template

from relaydesk.accounts import permissions
from relaydesk.accounts.models import User

register = template.Library()


@register.filter
def administers(user: User) -> bool:
    """Return whether ``user`` may open the administration pages (plans, calendars)."""
    return permissions.can_administer(user)


@register.filter
def works_back_office(user: User) -> bool:
    """Return whether ``user`` may open the back-office pages (incidents, changes...)."""
    return permissions.can_work_back_office(user)
