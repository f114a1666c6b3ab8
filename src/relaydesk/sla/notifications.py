"""Who hears about an SLA target at risk or breached, and the desk's unread count.

A warning or breach on a ticket goes to its assignee and the members of its
team, and for a Premium organization to its Customer Success Manager too. On
an incident it goes to the assignee and the team.
"""

# NOTE: there is no notifications app yet, so the records and this policy live
# in the sla app. E-mail or chat delivery of notifications is not built.

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Model, QuerySet

from relaydesk.accounts.models import User
from relaydesk.core.models import TimelineEvent
from relaydesk.customers.models import Organization, PlanCode
from relaydesk.sla.models import Notification, NotificationKind, SlaClock

# Hand-off events the back office records on a ticket, with the event data key
# naming the agent to tell and the kind of notification they get.
HANDOFF_NOTICES: dict[str, tuple[str, str]] = {
    "csm_notified": ("csm", NotificationKind.TICKET_ESCALATED),
    "assignee_notified": ("assignee", NotificationKind.SOLUTION_RECEIVED),
}


def recipients(clock: SlaClock) -> list[User]:
    """Return the active agents to notify about ``clock``, each once, assignee first.

    Expects ``clock`` from ``clocks_for_notice`` so the relations are loaded.
    """
    subject = clock.ticket if clock.ticket_id is not None else clock.incident
    people: list[User] = []
    if subject.assignee is not None:
        people.append(subject.assignee)
    if subject.team is not None:
        people.extend(subject.team.members.all())
    csm = premium_csm(getattr(subject, "organization", None))
    if csm is not None:
        people.append(csm)
    return _active_once(people)


def premium_csm(organization: Organization | None) -> User | None:
    """Return the Customer Success Manager of a Premium organization, or None."""
    if organization is None or organization.plan.code != PlanCode.PREMIUM:
        return None
    return organization.csm


def _active_once(people: Iterable[User]) -> list[User]:
    seen: set[int] = set()
    unique = []
    for person in people:
        if person.is_active and person.pk not in seen:
            seen.add(person.pk)
            unique.append(person)
    return unique


def clocks_for_notice(clock_ids: list[int]) -> list[SlaClock]:
    """Return the clocks with everything ``recipients`` and the timeline event need."""
    return list(
        SlaClock.objects.filter(pk__in=clock_ids)
        .select_related(
            "ticket__assignee",
            "ticket__team",
            "ticket__organization__plan",
            "ticket__organization__csm",
            "incident__assignee",
            "incident__team",
        )
        .prefetch_related("ticket__team__members", "incident__team__members")
        .order_by("pk")
    )


def notify(clocks: list[SlaClock], kind: str, now: datetime) -> int:
    """Create one ``kind`` notification per recipient of each clock; return how many."""
    records = [
        Notification(
            recipient=person,
            kind=kind,
            ticket_id=clock.ticket_id,
            incident_id=clock.incident_id,
            clock=clock,
            due_at=clock.due_at,
            created_at=now,
        )
        for clock in clocks
        for person in recipients(clock)
    ]
    Notification.objects.bulk_create(records)
    return len(records)


def unread_count(user: User) -> int:
    """Return how many notifications ``user`` has not read."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user: User) -> QuerySet[Notification]:
    """Return ``user``'s notifications, newest first, with what the desk list shows."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("ticket", "incident", "clock")
        .order_by("-created_at", "-id")
    )


def mark_all_read(user: User, *, now: datetime) -> int:
    """Mark every unread notification of ``user`` read; return how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now)


def on_handoff_event(event: TimelineEvent, subject: Model) -> None:
    """Give the agent named by a hand-off event a notification in the desk.

    The back office records ``csm_notified`` when a Premium client's ticket is
    escalated and ``assignee_notified`` when the answer arrives; this listener
    runs inside that action's transaction.
    """
    notice = HANDOFF_NOTICES.get(event.kind)
    if event.subject_type != "ticket" or notice is None:
        return
    key, kind = notice
    person = User.objects.filter(username=event.data.get(key), is_active=True).first()
    if person is None:
        return
    Notification.objects.create(
        recipient=person, kind=kind, ticket_id=event.subject_id, created_at=event.created_at
    )
