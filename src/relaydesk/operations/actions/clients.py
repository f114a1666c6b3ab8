"""Passing the back office's answer on to the client."""

import logging

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from relaydesk.accounts.models import User
from relaydesk.core import timeline
from relaydesk.operations import stages
from relaydesk.operations.actions._common import require_front_office
from relaydesk.operations.errors import InvalidTicketState
from relaydesk.operations.models import Incident, IncidentStatus, IncidentTicket, StageName
from relaydesk.tickets import actions as tickets
from relaydesk.tickets.models import Message, Status, Ticket

logger = logging.getLogger(__name__)


def inform_client(ticket: Ticket, *, actor: User, text: str | None = None) -> Message:
    """Reply to the client with the back office's answer and move the ticket to ``solved``.

    Without ``text`` the reply is the client message template filled with the
    incident's public resolution, or the known error's client workaround if
    that is all the ticket received, in the contact's language. Raises
    NotAllowed for a back-office actor and InvalidTicketState unless the
    ticket is linked to an incident and in ``solution_received``.
    """
    require_front_office(actor)
    link = _answered_link(ticket)
    return _inform(link, actor=actor, text=text, automatic=False)


def inform_automatically(ticket: Ticket, incident: Incident) -> Message:
    """Inform the client on the system's behalf, for plans that inform on close."""
    link = _answered_link(ticket)
    message = _inform(link, actor=None, text=None, automatic=True)
    logger.info("client informed on close", extra={"ticket": ticket.number})
    return message


def client_message(link: IncidentTicket) -> str:
    """Render the default reply for ``link``'s ticket in the contact's language."""
    ticket = link.ticket
    contact = ticket.contact
    locale = contact.effective_locale if contact is not None else "en"
    with translation.override(locale):
        return render_to_string(
            "operations/inform_client.txt",
            {
                "name": contact.name if contact is not None else "",
                "reference": ticket.reference,
                "resolution": _answer_text(link),
            },
        ).strip()


def _inform(
    link: IncidentTicket, *, actor: User | None, text: str | None, automatic: bool
) -> Message:
    body = text if text is not None and text.strip() else client_message(link)
    with transaction.atomic():
        message = tickets.reply(
            link.ticket, author=actor, text=body, status=Status.SOLVED, automatic=automatic
        )
        timeline.record(
            link.ticket, "client_informed", actor=actor, incident=link.incident.reference
        )
        timeline.record(link.incident, "client_informed", actor=actor, ticket=link.ticket.reference)
        if link.incident.status == IncidentStatus.CLOSED:
            # Passing on a workaround is no stage: the incident goes on.
            stages.enter([link.ticket_id], link.incident, StageName.CLIENT_INFORMED)
    return message


def _answered_link(ticket: Ticket) -> IncidentTicket:
    link = (
        IncidentTicket.objects.current()
        .select_related("incident", "workaround_from", "ticket__contact__organization")
        .filter(ticket_id=ticket.pk)
        .first()
    )
    if link is None:
        raise InvalidTicketState(
            _("Ticket %(ticket)s is not linked to an incident: escalate it first.")
            % {"ticket": ticket.reference}
        )
    if link.ticket.status != Status.SOLUTION_RECEIVED:
        raise InvalidTicketState(
            _(
                "Ticket %(ticket)s is %(status)s: the client is informed once a solution "
                "is received."
            )
            % {"ticket": ticket.reference, "status": link.ticket.get_status_display()}
        )
    return link


def _answer_text(link: IncidentTicket) -> str:
    incident = link.incident
    if incident.status == IncidentStatus.CLOSED and incident.public_resolution:
        return incident.public_resolution
    if link.workaround_from is not None:
        return link.workaround_from.workaround_clients
    raise InvalidTicketState(
        _("Ticket %(ticket)s has no answer from Production Operations yet.")
        % {"ticket": link.ticket.reference}
    )
