"""Who is notified of SLA targets and back-office hand-offs, and the desk's unread count.

A warning or breach on a ticket goes to its assignee and the members of its
team, and for a Premium organization to its Customer Success Manager too. On
an incident it goes to the assignee and the team. When neither has an active
agent (a new incident in triage, an unassigned ticket), it goes to the
members of the teams whose role owns the work: Production Operations for an
incident, Customer Service for a ticket.

Production Operations' answer on a ticket (a workaround or the resolution)
goes to the agents who pass it on to the client: the assignee, otherwise the
members of the ticket's team, otherwise the members of the Customer Service
teams. A Premium organization's Customer Success Manager is notified as well.
"""

# NOTE: there is no notifications app yet, so the records and this policy live
# in the sla app. E-mail or chat delivery of notifications is not built.

from collections.abc import Iterable
from datetime import datetime

from django.db import models
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import Role, User
from relaydesk.core import timeline
from relaydesk.core.models import TimelineEvent
from relaydesk.sla.models import Notification, NotificationKind, SlaClock
from relaydesk.tickets.models import Ticket

# Hand-off events recorded on a ticket, with the event data key naming the
# agent to notify and the kind of notification they get. The back office
# records ``csm_notified`` on escalation, and ``_announce_answer`` records
# ``agent_notified`` when an answer arrives. Older databases also contain
# ``assignee_notified`` events, which nothing records any more.
HANDOFF_NOTICES: dict[str, tuple[str, str]] = {
    "csm_notified": ("csm", NotificationKind.TICKET_ESCALATED),
    "agent_notified": ("agent", NotificationKind.SOLUTION_RECEIVED),
}

# Ticket events that bring Production Operations' workaround or resolution,
# which leaves the ticket in ``solution_received`` until Customer Service
# passes it on, and the rollback of a fix after the resolution. Each notifies
# the ticket's agents (``answer_recipients``) with the kind given here.
ANSWER_EVENTS: dict[str, str] = {
    "workaround_received": NotificationKind.WORKAROUND_RECEIVED,
    "resolution_received": NotificationKind.SOLUTION_RECEIVED,
    "fix_rolled_back": NotificationKind.FIX_ROLLED_BACK,
}


class AnswerReason(models.TextChoices):
    """Why an agent is notified of an answer, stored as ``reason`` on ``agent_notified``."""

    ASSIGNEE = "assignee", _("the ticket's assignee")
    TEAM = "team", _("a member of the ticket's team")
    CUSTOMER_SERVICE = "customer_service", _("a member of Customer Service")
    CSM = "csm", _("the Customer Success Manager")


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
    if not _active_once(people):
        owner = Role.CUSTOMER_SERVICE if clock.ticket_id is not None else Role.PRODUCTION_OPERATIONS
        people = _role_members(owner)
    organization = getattr(subject, "organization", None)
    csm = organization.premium_csm if organization is not None else None
    if csm is not None:
        people.append(csm)
    return _active_once(people)


def answer_recipients(ticket: Ticket) -> list[tuple[User, AnswerReason]]:
    """Return the active agents to notify that an answer reached ``ticket``, each once.

    Each agent comes with an ``AnswerReason``. The first of these groups with
    an active agent is notified: the assignee, the members of the ticket's
    team, the members of every team with the Customer Service role. A Premium
    organization's CSM is notified as well.
    """
    reason, people = _answer_owners(ticket)
    notices = [(person, reason) for person in people]
    csm = ticket.organization.premium_csm if ticket.organization is not None else None
    if csm is not None and csm.is_active and all(csm.pk != person.pk for person in people):
        notices.append((csm, AnswerReason.CSM))
    return notices


def _answer_owners(ticket: Ticket) -> tuple[AnswerReason, list[User]]:
    if ticket.assignee is not None and ticket.assignee.is_active:
        return AnswerReason.ASSIGNEE, [ticket.assignee]
    if ticket.team is not None:
        members = _active_once(ticket.team.members.order_by("pk"))
        if members:
            return AnswerReason.TEAM, members
    return AnswerReason.CUSTOMER_SERVICE, _role_members(Role.CUSTOMER_SERVICE)


def _role_members(role: str) -> list[User]:
    """Return the active members of every team with ``role``, each once."""
    return _active_once(User.objects.filter(teams__role=role).order_by("pk"))


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


def mark_ticket_read(user: User, ticket: Ticket, *, now: datetime) -> int:
    """Mark ``user``'s unread notifications about ``ticket`` read; return how many changed."""
    return Notification.objects.filter(recipient=user, ticket=ticket, read_at__isnull=True).update(
        read_at=now
    )


def on_handoff_event(event: TimelineEvent, subject: Model) -> None:
    """Give the agents notified of a hand-off a notification in the desk.

    The back office records ``csm_notified`` when a Premium client's ticket is
    escalated, and ``workaround_received`` or ``resolution_received`` when its
    answer arrives. For an answer this listener records one ``agent_notified``
    event per agent from ``answer_recipients``, unless relaydesk informs the
    client itself. It runs inside that action's transaction.
    """
    if event.subject_type == "incident":
        _announce_incident_handoff(event)
        return
    if event.subject_type != "ticket":
        return
    if event.kind in ANSWER_EVENTS:
        _announce_answer(event)
        return
    notice = HANDOFF_NOTICES.get(event.kind)
    if notice is None:
        return
    key, kind = notice
    if event.kind == "agent_notified":
        # A workaround, a resolution, or the rollback of the fix it announced.
        kind = ANSWER_EVENTS.get(event.data.get("answer", ""), kind)
    person = User.objects.filter(username=event.data.get(key), is_active=True).first()
    if person is None:
        return
    Notification.objects.create(
        recipient=person, kind=kind, ticket_id=event.subject_id, created_at=event.created_at
    )


def _announce_incident_handoff(event: TimelineEvent) -> None:
    """Notify the back-office agents who take over an incident, except the one who acted.

    A new incident goes to the members of the Production Operations teams, a
    transfer to the members of the receiving team, an assignment to the new
    owner, and the rollback of a closed incident's fix to Production
    Operations again.
    """
    kinds = {
        "incident_created": NotificationKind.NEW_INCIDENT,
        "team_changed": NotificationKind.INCIDENT_TRANSFERRED,
        "incident_assigned": NotificationKind.INCIDENT_ASSIGNED,
        "fix_rolled_back": NotificationKind.FIX_ROLLED_BACK,
    }
    kind = kinds.get(event.kind)
    if kind is None:
        return
    if event.kind == "team_changed":
        people = _active_once(
            User.objects.filter(teams__slug=event.data.get("team", "")).order_by("pk")
        )
    elif event.kind == "incident_assigned":
        people = _active_once(User.objects.filter(username=event.data.get("assignee") or ""))
    else:
        people = _role_members(Role.PRODUCTION_OPERATIONS)
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind=kind,
            incident_id=event.subject_id,
            created_at=event.created_at,
        )
        for person in people
        if person.pk != event.actor_id
    )


def _announce_answer(event: TimelineEvent) -> None:
    # A ticket whose client relaydesk informs on close does not wait for
    # Customer Service, so nobody needs to pass the answer on.
    if event.data.get("informed_automatically"):
        return
    ticket = Ticket.objects.select_related(
        "assignee", "team", "organization__plan", "organization__csm"
    ).get(pk=event.subject_id)
    for person, reason in answer_recipients(ticket):
        timeline.record(
            ticket,
            "agent_notified",
            agent=person.username,
            agent_name=str(person),
            reason=reason,
            incident=event.data.get("incident"),
            answer=event.kind,
        )
