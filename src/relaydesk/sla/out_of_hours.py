"""The answer to a Universal client who writes outside the plan's support hours.

The acknowledgement of a new e-mail ticket normally says it was received.
Outside the hours of the Universal limited line it also says when the line
opens, in the organization's time zone and the client's language. The
ticket's clocks start at that opening (see ``clocks``). The e-mail channel
calls ``out_of_hours_acknowledgement`` through its acknowledgement template
hook, so its rules apply unchanged: no answer to auto-replies, bounces or bulk
mail, and a rate limit per address.
"""

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.formats import date_format, time_format

from relaydesk.customers.models import PlanCode
from relaydesk.sla.business_time import is_open, next_opening
from relaydesk.sla.queries import policy_with_calendar
from relaydesk.tickets.models import Message, Ticket

logger = logging.getLogger(__name__)

TEMPLATE = "email/out_of_hours.txt"
# Plans whose clients are told when a closed support line opens.
LIMITED_PLANS = frozenset({PlanCode.UNIVERSAL})


def out_of_hours_acknowledgement(ticket: Ticket, message: Message) -> tuple[str, dict] | None:
    """Return the out-of-hours template and its context, or None during support hours.

    None also for a ticket outside a limited plan or without an SLA policy.
    Call it inside ``translation.override`` of the client's language.
    """
    organization = ticket.organization
    if organization is None or organization.plan.code not in LIMITED_PLANS:
        return None
    found = policy_with_calendar(organization.plan, ticket.priority)
    if found is None:
        return None
    calendar = found[1]
    if is_open(calendar, message.created_at):
        return None
    opens_at = next_opening(calendar, message.created_at)
    logger.info("out-of-hours answer chosen", extra={"ticket": ticket.number})
    return TEMPLATE, opening_context(opens_at, organization.time_zone)


def opening_context(opens_at: datetime, time_zone: str) -> dict[str, Any]:
    """Return the opening instant formatted in ``time_zone`` and the active language."""
    local = opens_at.astimezone(ZoneInfo(time_zone))
    return {
        "opens_weekday": date_format(local, "l"),
        "opens_date": date_format(local, "DATE_FORMAT"),
        "opens_time": time_format(local, "H:i"),
        "time_zone": time_zone,
        "opens_at": local,
    }
