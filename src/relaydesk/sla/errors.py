"""SLA errors with stable codes."""

from typing import Any

from relaydesk.core.errors import ValidationFailed


class InvalidTimeZone(ValidationFailed):
    code = "invalid_time_zone"


class InvalidHolidayRegion(ValidationFailed):
    code = "invalid_holiday_region"


class InvalidOpeningInterval(ValidationFailed):
    code = "invalid_opening_interval"


class InvalidCalendarDate(ValidationFailed):
    code = "invalid_calendar_date"


class InvalidCalendar(ValidationFailed):
    code = "invalid_calendar"


class InvalidSlaPolicy(ValidationFailed):
    code = "invalid_sla_policy"


class NoSlaPolicy(ValidationFailed):
    """No SLA policy gives targets to a ticket or incident, so it gets no clocks."""

    code = "no_sla_policy"


class ChannelNotInPlan(ValidationFailed):
    """A request for support through a channel that the organization's plan does not include."""

    code = "channel_not_in_plan"

    def problem_members(self) -> dict[str, Any]:
        # The message names the channels by their labels; API clients get the values.
        return {"channel": self.params["channel"], "allowed_channels": self.params["allowed"]}


class SupportLineClosed(ValidationFailed):
    """A channel the plan opens only during support hours is used outside them."""

    code = "support_line_closed"

    def problem_members(self) -> dict[str, Any]:
        # Written as the API writes its other times, with "Z" for UTC.
        opens_at = self.params["opens_at"].isoformat().replace("+00:00", "Z")
        return {"opens_at": opens_at, "notice": self.params["notice"]}
