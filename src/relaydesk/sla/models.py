"""Business calendars and SLA policies, the records admins edit in the database.

The arithmetic over a calendar lives in ``business_time``, and
``queries.calendar_from_record`` turns these rows into a ``BusinessCalendar`` value.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relaydesk.customers.models import Plan
from relaydesk.tickets.models import Priority


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class CalendarDateKind(models.TextChoices):
    CLOSED = "closed", _("Closed")
    OPEN = "open", _("Open")


class Calendar(models.Model):
    """The support hours during which SLA targets count business time.

    Public holidays come from the ``holidays`` package for ``holiday_country``
    (ISO 3166-1 alpha-2, such as PT) and the optional ``holiday_subdivision``
    (the package's code, such as 11 for Lisbon). ``is_24x7`` opens every whole
    day. Holidays and custom dates still apply, so an always-open calendar
    leaves the holiday country empty.
    """

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/Lisbon")
    holiday_country = models.CharField(max_length=3, blank=True)
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    is_24x7 = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningInterval(models.Model):
    """One weekly opening interval in the calendar's local time.

    An empty ``end_time`` means 24:00, the end of the day, because a time of
    day cannot hold 24:00. An interval never crosses midnight: 22:00-02:00 is
    stored as 22:00-24:00 on one weekday and 00:00-02:00 on the next.
    """

    calendar = models.ForeignKey(
        Calendar, on_delete=models.CASCADE, related_name="opening_intervals"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField(
        null=True, blank=True, help_text=_("Leave empty for 24:00, the end of the day.")
    )

    class Meta:
        ordering = ["calendar", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="sla_interval_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__lt=F("end_time")),
                name="sla_interval_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        end = "24:00" if self.end_time is None else self.end_time.strftime("%H:%M")
        return f"{Weekday(self.weekday).label} {self.start_time:%H:%M}-{end}"


class CalendarDate(models.Model):
    """A date that departs from the weekly hours: a closure or an extra open day.

    ``intervals`` is a list of ``["HH:MM", "HH:MM"]`` pairs, where the end may
    be ``"24:00"``. A closed date has none. An open date with none keeps the
    weekday's regular hours, which reopens a public holiday. With some, they
    replace the day's hours.
    """

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=CalendarDateKind.choices)
    intervals = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.kind}"


class SlaPolicy(models.Model):
    """The SLA targets for tickets of one plan and priority.

    Each target is a number of business minutes, counted only while
    ``calendar`` is open: first response, next response (after a client
    message) and resolution.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="sla_policies")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField()
    next_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="sla_policies")

    class Meta:
        ordering = ["plan", "priority"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(fields=["plan", "priority"], name="sla_policy_plan_priority"),
            models.CheckConstraint(
                condition=Q(
                    first_response_minutes__gt=0,
                    next_response_minutes__gt=0,
                    resolution_minutes__gt=0,
                ),
                name="sla_policy_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.priority}"
