"""The unread-notification count shown in the desk header."""

from django import template

from relaydesk.accounts.models import User
from relaydesk.sla import notifications

register = template.Library()


@register.simple_tag
def unread_notifications(user: User) -> int:
    """Return how many notifications ``user`` has not read (one COUNT query)."""
    return notifications.unread_count(user)
