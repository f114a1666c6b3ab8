"""SLA errors with stable codes."""

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


class SupportLineClosed(ValidationFailed):
    """A channel the plan opens only during support hours is used outside them."""

    code = "support_line_closed"

    def problem_members(self) -> dict[str, str]:
        return {"opens_at": self.params["opens_at"].isoformat(), "notice": self.params["notice"]}
