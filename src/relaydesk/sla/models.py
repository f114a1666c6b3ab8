"""Business calendars and SLA policies, the records admins edit in the database.

The arithmetic over a calendar lives in ``business_time``, and
``queries.calendar_from_record`` turns these rows into a ``BusinessCalendar`` value.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relaydesk.customers.models import Plan
from relaydesk.tickets.models import Priority


class Weekday(models.IntegerChoices):
    # A context of their own: as labels they start with a capital in
    # Portuguese, while in a date (relaydesk.formats.names) they do not.
    MONDAY = 0, pgettext_lazy("weekday label", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday label", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday label", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday label", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday label", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday label", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday label", "Sunday")


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

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Lisbon")
    holiday_country = models.CharField(_("holiday country"), max_length=3, blank=True)
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=10, blank=True)
    is_24x7 = models.BooleanField(_("open 24x7"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

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
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(
        _("end"), null=True, blank=True, help_text=_("Leave empty for 24:00, the end of the day.")
    )

    class Meta:
        ordering = ["calendar", "weekday", "start_time"]
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
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
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=CalendarDateKind.choices)
    intervals = models.JSONField(
        _("intervals"),
        default=list,
        blank=True,
        help_text=_('Such as [["10:00", "12:00"]]; empty keeps the weekday\'s hours.'),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
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

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="sla_policies", verbose_name=_("plan")
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response minutes"))
    next_response_minutes = models.PositiveIntegerField(_("next response minutes"))
    resolution_minutes = models.PositiveIntegerField(_("resolution minutes"))
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, related_name="sla_policies", verbose_name=_("calendar")
    )

    class Meta:
        ordering = ["plan", "priority"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
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
        return f"{self.plan} {self.get_priority_display()}"


class IncidentPolicy(models.Model):
    """Production Operations' internal targets for incidents of one priority.

    These are promises the back office makes to Customer Service, not to
    clients: the business minutes, counted on ``calendar``, from the creation
    of an incident to its triage, to a workaround and to its resolution.
    """

    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, unique=True)
    triage_minutes = models.PositiveIntegerField(_("triage minutes"))
    workaround_minutes = models.PositiveIntegerField(_("workaround minutes"))
    resolution_minutes = models.PositiveIntegerField(_("resolution minutes"))
    calendar = models.ForeignKey(
        Calendar,
        on_delete=models.PROTECT,
        related_name="incident_policies",
        verbose_name=_("calendar"),
    )

    class Meta:
        ordering = ["priority"]
        verbose_name = _("incident policy")
        verbose_name_plural = _("incident policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    triage_minutes__gt=0, workaround_minutes__gt=0, resolution_minutes__gt=0
                ),
                name="sla_incident_policy_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return _("Incidents of priority %(priority)s") % {"priority": self.get_priority_display()}


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    TRIAGE = "triage", _("Triage")
    WORKAROUND = "workaround", _("Workaround")


# The sweep reads only clocks that still run: these conditions make the
# partial indexes below small, so a sweep is a range scan over due clocks.
RUNNING = Q(met_at__isnull=True, paused_since__isnull=True)


class SlaClock(models.Model):
    """One SLA target counting on one ticket or incident.

    ``due_at`` is ``started_at`` plus the target and the paused business
    minutes on the policy's calendar, and ``warn_at`` the same with the warning
    share of the target. Both are stored, so the sweep finds due clocks by
    index. ``started_at`` is the next opening of the calendar at or after the
    event that started the clock. A next response target starts again with
    each client message once the previous one was met, so a ticket has one
    row per ``cycle`` of it. ``pauses`` lists ``[start, end]`` ISO instants;
    the end is null while paused. ``warned_at`` and ``breached_at`` are set once
    by the sweep, and ``breached_at`` also when a clock is met after it was due.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="sla_clocks"
    )
    incident = models.ForeignKey(
        "operations.Incident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_clocks",
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    cycle = models.PositiveIntegerField(default=1)
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    paused_since = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.PositiveIntegerField(default=0)
    pauses = models.JSONField(default=list, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket__isnull=False, incident__isnull=True)
                | Q(ticket__isnull=True, incident__isnull=False),
                name="sla_clock_one_subject",
            ),
            models.UniqueConstraint(
                fields=["ticket", "kind", "cycle"],
                condition=Q(ticket__isnull=False),
                name="sla_clock_ticket_kind_cycle",
            ),
            models.UniqueConstraint(
                fields=["incident", "kind", "cycle"],
                condition=Q(incident__isnull=False),
                name="sla_clock_incident_kind_cycle",
            ),
        ]
        indexes = [
            models.Index(
                fields=["warn_at"],
                condition=RUNNING & Q(warned_at__isnull=True),
                name="sla_clock_warn_pending",
            ),
            models.Index(
                fields=["due_at"],
                condition=RUNNING & Q(breached_at__isnull=True),
                name="sla_clock_breach_pending",
            ),
        ]

    def __str__(self) -> str:
        subject = self.ticket_id and f"ticket {self.ticket_id}" or f"incident {self.incident_id}"
        return f"{subject} {self.kind} #{self.cycle}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.paused_since is None

    @property
    def is_breached(self) -> bool:
        return self.breached_at is not None


class NotificationKind(models.TextChoices):
    SLA_WARNING = "sla_warning", _("SLA target at risk")
    SLA_BREACH = "sla_breach", _("SLA target breached")
    TICKET_ESCALATED = "ticket_escalated", _("Client's ticket escalated")
    SOLUTION_RECEIVED = "solution_received", _("Solution received from Production Operations")
    WORKAROUND_RECEIVED = (
        "workaround_received",
        _("Workaround received from Production Operations"),
    )
    FIX_ROLLED_BACK = "fix_rolled_back", _("Fix rolled back after the incident closed")
    NEW_INCIDENT = "new_incident", _("New incident to triage")
    INCIDENT_TRANSFERRED = "incident_transferred", _("Incident transferred to your team")
    INCIDENT_ASSIGNED = "incident_assigned", _("Incident assigned to you")


class Notification(models.Model):
    """A message for one agent in the desk, such as an SLA target at risk.

    ``due_at`` is the clock's due time when the notification was made, so a
    clock whose due time moved may warn again, but never twice for one due
    time: the unique constraint backs the sweep's conditional updates.
    """

    # NOTE: this lives in the sla app until a notifications app exists. That
    # app should own who is told what on which channel, and take this model.
    recipient = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    incident = models.ForeignKey(
        "operations.Incident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    clock = models.ForeignKey(
        SlaClock, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "clock", "kind", "due_at"],
                name="sla_notification_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
