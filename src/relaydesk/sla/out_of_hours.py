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
from django.utils.translation import gettext as _

from relaydesk.customers.models import PlanCode
from relaydesk.sla.business_time import is_open, next_opening
from relaydesk.sla.queries import organization_with_plan, policy_with_calendar
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
    opens_at = line_opens_at(ticket, message.created_at)
    if opens_at is None:
        return None
    logger.info("out-of-hours acknowledgement chosen", extra={"ticket": ticket.number})
    return TEMPLATE, opening_context(opens_at, ticket.organization.time_zone)


def line_opens_at(ticket: Ticket, at: datetime) -> datetime | None:
    """Return when the ticket's limited line opens after ``at``, or None while it is open.

    None also for a ticket outside a limited plan or without an SLA policy.
    """
    if ticket.organization_id is None:
        return None
    # Read once per import batch of acknowledgements.
    organization = organization_with_plan(ticket.organization_id)
    if organization.plan.code not in LIMITED_PLANS:
        return None
    found = policy_with_calendar(organization.plan, ticket.priority)
    if found is None or is_open(found[1], at):
        return None
    return next_opening(found[1], at)


def line_closed_notice(ticket: Ticket, opens_at: datetime) -> str:
    """Return the sentence that gives the client the line's opening time, in the active language.

    It is the sentence of the out-of-hours e-mail, so both read the same.
    """
    context = opening_context(opens_at, ticket.organization.time_zone)
    return _(
        "Our support line for your plan is closed now. It opens on %(weekday)s, %(date)s "
        "at %(time)s (%(time_zone)s time), and our team will answer you from then on."
    ) % {
        "weekday": context["opens_weekday"],
        "date": context["opens_date"],
        "time": context["opens_time"],
        "time_zone": context["time_zone"],
    }


def rejected_contact_notice(opens_at: datetime, time_zone: str) -> str:
    """Return the sentence that gives a rejected client the line's opening time.

    It is in the active language. Unlike ``line_closed_notice`` it promises no
    answer, because no ticket was opened.
    """
    context = opening_context(opens_at, time_zone)
    return _(
        "This support line is closed now for your plan. It opens on %(weekday)s, %(date)s "
        "at %(time)s (%(time_zone)s time)."
    ) % {
        "weekday": context["opens_weekday"],
        "date": context["opens_date"],
        "time": context["opens_time"],
        "time_zone": context["time_zone"],
    }


def opening_context(opens_at: datetime, time_zone: str) -> dict[str, Any]:
    """Return the opening instant formatted in ``time_zone`` and the active language."""
    local = opens_at.astimezone(ZoneInfo(time_zone))
    # relaydesk.formats.names keeps Portuguese weekdays and months in lower case.
    return {
        "opens_weekday": date_format(local, "l"),
        "opens_date": date_format(local, "DATE_FORMAT"),
        "opens_time": time_format(local, "H:i"),
        "time_zone": time_zone,
        "opens_at": local,
    }
