"""Builders shared by the SLA clock tests: clients, tickets and inbound e-mail."""

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from relaydesk.channels.email.intake import IntakeResult, ingest
from relaydesk.channels.email.models import Source
from relaydesk.core import clock
from relaydesk.customers.models import Contact, Organization
from relaydesk.sla.models import ClockKind, SlaClock
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, MessageKind, Ticket
from tests.factories import ContactFactory, OrganizationFactory, PremiumOrganizationFactory

SUPPORT = "support@desk.example"


def premium_contact(**fields: object) -> Contact:
    return ContactFactory(organization=PremiumOrganizationFactory(), **fields)


def universal_contact(**fields: object) -> Contact:
    return ContactFactory(organization=OrganizationFactory(), **fields)


def client_draft(text: str = "The export fails.") -> MessageDraft:
    return MessageDraft(direction=Direction.INBOUND, kind=MessageKind.EMAIL, text=text)


def open_ticket(contact: Contact | None, at: datetime, *, priority: str = "normal") -> Ticket:
    """Create a ticket with one client message at ``at``."""
    with clock.frozen_at(at):
        return actions.create_ticket(
            channel="email",
            first_message=client_draft(),
            contact=contact,
            subject="Export fails",
            priority=priority,
        )


def clock_of(ticket: Ticket, kind: str, cycle: int = 1) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, kind=kind, cycle=cycle)


def resolution(ticket: Ticket) -> SlaClock:
    return clock_of(ticket, ClockKind.RESOLUTION)


def client_email(
    *,
    sender: str,
    subject: str,
    sent_at: datetime,
    message_id: str,
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content("The export still fails after the update.\n")
    return message.as_bytes()


def receive(content: bytes, at: datetime) -> IntakeResult:
    """Run ``content`` through the e-mail intake with the clock frozen at ``at``."""
    with clock.frozen_at(at):
        return ingest(content, source=Source.IMPORT, source_ref="test")


def organization_with_domain(domain: str, *, premium: bool = False) -> Organization:
    factory = PremiumOrganizationFactory if premium else OrganizationFactory
    return factory(domain=domain)
