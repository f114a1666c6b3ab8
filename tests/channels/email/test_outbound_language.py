"""Client e-mail in the contact's language, read from the .eml files in the outbox.

Needs the compiled catalogue (``make messages``).
"""

import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import relaydesk
from relaydesk.channels.email import outbound
from relaydesk.core import clock, config
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, Message, MessageKind, Status, Ticket
from tests.factories import AgentFactory, ContactFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

COMPILED = Path(relaydesk.__file__).parent / "locale" / "pt_PT" / "LC_MESSAGES" / "django.mo"
CLIENT = "ana@client.example"
# A Wednesday morning, inside the Universal plan's support hours, so the
# acknowledgement is the ordinary one and not the out-of-hours answer.
OPEN_HOURS = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Lisbon"))


@pytest.fixture(autouse=True)
def _outbox_mode(settings) -> None:
    if not COMPILED.exists():
        pytest.fail(f"{COMPILED} is missing: run `make messages` to compile the translations")
    # Without an SMTP URL the relay writes each e-mail to OUTBOX_DIR.
    settings.RELAYDESK = {**settings.RELAYDESK, "SMTP_URL": ""}


@pytest.fixture(autouse=True)
def _inside_support_hours():
    with clock.frozen_at(OPEN_HOURS):
        yield


def open_ticket(
    *, organization_locale: str, contact_locale: str = "", subject: str = "Export fails"
) -> Ticket:
    contact = ContactFactory(
        name="Ana Lima",
        locale=contact_locale,
        organization=OrganizationFactory(locale=organization_locale),
        email=CLIENT,
    )
    draft = MessageDraft(
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="The export button does nothing.",
        subject=subject,
        from_address=CLIENT,
        to_addresses=("support@desk.example",),
        message_id="<first-1@client.example>",
    )
    return actions.create_ticket(
        channel="email", first_message=draft, contact=contact, subject=subject
    )


def written_email(message: Message) -> EmailMessage:
    """Return the e-mail the relay wrote to the outbox for ``message``."""
    outbox = Path(config.get("OUTBOX_DIR"))
    path = outbox / f"CS-{message.ticket.number}-message-{message.pk}.eml"
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def plain_text(email: EmailMessage) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def html_text(email: EmailMessage) -> str:
    return email.get_body(preferencelist=("html",)).get_content()


def acknowledge(capture, ticket: Ticket) -> EmailMessage:
    with capture(execute=True):
        outbound.queue_acknowledgement(ticket, ticket.messages.order_by("id").first())
    acknowledgement = ticket.messages.get(kind=MessageKind.ACKNOWLEDGEMENT)
    return written_email(acknowledgement)


def agent_reply(capture, ticket: Ticket) -> EmailMessage:
    with capture(execute=True):
        message = actions.reply(ticket, author=AgentFactory(), text="Please try again now.")
    return written_email(message)


def test_acknowledgement_portuguese_contact(django_capture_on_commit_callbacks):
    ticket = open_ticket(organization_locale="pt-pt", subject="Exportação falha")
    email = acknowledge(django_capture_on_commit_callbacks, ticket)
    body = plain_text(email)
    assert body.startswith("Olá Ana Lima,")
    assert (
        f'Recebemos a sua mensagem "Exportação falha" e abrimos o pedido {ticket.reference}.'
        in body
    )
    assert "A nossa equipa de suporte responder-lhe-á logo que possível." in body
    assert "Esta é uma mensagem automática." in body
    assert "We have received" not in body
    assert email["Content-Language"] == "pt-PT"


def test_acknowledgement_english_contact(django_capture_on_commit_callbacks):
    ticket = open_ticket(organization_locale="en")
    email = acknowledge(django_capture_on_commit_callbacks, ticket)
    body = plain_text(email)
    assert body.startswith("Hello Ana Lima,")
    assert (
        f'We have received your message "Export fails" and opened ticket {ticket.reference}' in body
    )
    assert "Recebemos" not in body
    assert "pedido" not in body.lower()


def test_follow_up_acknowledgement_drops_old_tag(
    django_capture_on_commit_callbacks,
):
    ticket = open_ticket(organization_locale="en", subject="Re: [CS-6] Export fails")
    body = plain_text(acknowledge(django_capture_on_commit_callbacks, ticket))
    assert f'your message "Export fails" and opened ticket {ticket.reference}' in body
    assert "CS-6" not in body


def test_acknowledgement_contact_locale_beats_organization(django_capture_on_commit_callbacks):
    ticket = open_ticket(organization_locale="en", contact_locale="pt-pt")
    body = plain_text(acknowledge(django_capture_on_commit_callbacks, ticket))
    assert "Recebemos a sua mensagem" in body


def test_reply_footer_portuguese_contact(django_capture_on_commit_callbacks):
    ticket = open_ticket(organization_locale="pt-pt")
    email = agent_reply(django_capture_on_commit_callbacks, ticket)
    footer = (
        f"Pedido {ticket.reference}. Para acrescentar informação, responda a este e-mail "
        f"e mantenha [{ticket.reference}] no assunto."
    )
    assert footer in plain_text(email)
    assert footer in html_text(email)
    assert "To add to it" not in plain_text(email)


def test_reply_footer_english_contact(django_capture_on_commit_callbacks):
    ticket = open_ticket(organization_locale="en")
    email = agent_reply(django_capture_on_commit_callbacks, ticket)
    assert f"Ticket {ticket.reference}. To add to it, reply to this e-mail" in plain_text(email)
    assert "pedido" not in plain_text(email).lower()
    assert "pedido" not in html_text(email).lower()


def _closed(ticket: Ticket) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    ticket.refresh_from_db()
    return ticket


def test_reply_footer_closed_ticket_english(
    django_capture_on_commit_callbacks,
):
    ticket = _closed(open_ticket(organization_locale="en"))
    email = agent_reply(django_capture_on_commit_callbacks, ticket)
    footer = (
        f"Ticket {ticket.reference} is closed. If you reply to this e-mail, "
        "we open a new ticket that refers to it."
    )
    assert footer in plain_text(email)
    assert footer in html_text(email)
    assert "To add to it" not in plain_text(email)


def test_reply_footer_closed_ticket_portuguese(django_capture_on_commit_callbacks):
    ticket = _closed(open_ticket(organization_locale="pt-pt"))
    email = agent_reply(django_capture_on_commit_callbacks, ticket)
    footer = (
        f"O pedido {ticket.reference} está fechado. Se responder a este e-mail, "
        "abrimos um novo pedido que o refere."
    )
    assert footer in plain_text(email)


def test_reply_without_subject_portuguese_contact(django_capture_on_commit_callbacks):
    ticket = open_ticket(organization_locale="pt-pt", subject="")
    email = agent_reply(django_capture_on_commit_callbacks, ticket)
    assert email["Subject"] == f"[{ticket.reference}] O seu pedido de suporte"


def test_reply_without_subject_english_contact(django_capture_on_commit_callbacks):
    ticket = open_ticket(organization_locale="en", subject="")
    email = agent_reply(django_capture_on_commit_callbacks, ticket)
    assert email["Subject"] == f"[{ticket.reference}] Your support request"
