"""Channel entitlements: the channels an organization's plan opens, and when.

A plan lists the channels its clients may use (``Plan.channels``). Some of
them open only during the plan's support hours (``Plan.hours_only_channels``):
the Universal limited line takes phone calls only while its calendar is open.
The calendar is that of the plan's SLA policy for the ticket's priority.
Channels that stay open outside the hours (e-mail, the portal) still take
the request; its clocks start when the line opens.
"""

from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _

from relaydesk.customers.models import Channel, Organization
from relaydesk.sla.business_time import is_open, next_opening
from relaydesk.sla.errors import ChannelNotInPlan, SupportLineClosed
from relaydesk.sla.out_of_hours import opening_context, rejected_contact_notice
from relaydesk.sla.queries import policy_with_calendar


def check_channel(
    organization: Organization | None,
    channel: str,
    at: datetime,
    priority: str,
    *,
    client_locale: str = "",
) -> None:
    """Check that the organization's plan opens ``channel`` at ``at``.

    Raises ChannelNotInPlan for a channel outside the plan. Raises
    SupportLineClosed for an hours-only channel outside the support hours,
    with the next opening in ``params["opens_at"]`` and, in ``params["notice"]``,
    a sentence for the client in ``client_locale`` (else the active language).
    A contact without an organization has no plan, so nothing is checked.
    """
    if organization is None:
        return
    plan = organization.plan
    label = Channel(channel).label if channel in Channel.values else channel
    if channel not in plan.channels:
        allowed = ", ".join(
            str(Channel(name).label) for name in plan.channels if name in Channel.values
        )
        raise ChannelNotInPlan(
            _("Plan %(plan)s does not include the “%(channel)s” channel: use one of %(allowed)s.")
            % {"plan": plan, "channel": label, "allowed": allowed or "-"},
            channel=channel,
            allowed=[name for name in plan.channels if name in Channel.values],
        )
    if channel not in plan.hours_only_channels:
        return
    found = policy_with_calendar(plan, priority)
    if found is None or is_open(found[1], at):
        return
    opens_at = next_opening(found[1], at)
    context = opening_context(opens_at, organization.time_zone)
    with translation.override(client_locale or translation.get_language()):
        notice = rejected_contact_notice(opens_at, organization.time_zone)
    raise SupportLineClosed(
        _(
            "Plan %(plan)s takes contacts on the “%(channel)s” channel only during support "
            "hours. The line opens on %(opens_weekday)s, %(opens_date)s at %(opens_time)s "
            "(%(time_zone)s)."
        )
        % {"plan": plan, "channel": label, **context},
        opens_at=opens_at,
        notice=notice,
    )
