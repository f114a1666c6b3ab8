"""The answer to a Universal client who writes outside support hours."""

from datetime import UTC, datetime

import pytest

from relaydesk.sla.models import ClockKind
from relaydesk.tickets.models import Message, MessageKind, Ticket
from tests.sla.helpers import SUPPORT, client_email, clock_of, organization_with_domain, receive

pytestmark = pytest.mark.django_db

# Saturday 2026-02-28 at 11:00 Lisbon time (UTC+0): the Universal limited line
# is closed until Monday 2 March at 09:00.
SATURDAY = datetime(2026, 2, 28, 11, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _support_address(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SUPPORT_ADDRESSES": SUPPORT}


def write(
    domain: str,
    at: datetime,
    *,
    premium: bool = False,
    locale: str = "en",
    headers: dict[str, str] | None = None,
) -> Ticket:
    organization = organization_with_domain(domain, premium=premium)
    organization.locale = locale
    organization.save()
    content = client_email(
        sender=f"ana@{domain}",
        subject="Export fails",
        sent_at=at,
        message_id=f"<{at.timestamp():.0f}@{domain}>",
        headers=headers,
    )
    return Ticket.objects.get(number=receive(content, at).ticket_number)


def answer(ticket: Ticket) -> str:
    return Message.objects.get(ticket=ticket, kind=MessageKind.ACKNOWLEDGEMENT).text


def test_out_of_hours_answer_says_when_line_opens(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = write("weekend.example", SATURDAY)

    text = answer(ticket)

    assert "opened ticket " + ticket.reference in text
    assert "It opens on Monday, 2 March 2026 at 09:00 (Europe/Lisbon time)" in text


def test_out_of_hours_answer_in_portuguese(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = write("fimdesemana.example", SATURDAY, locale="pt-pt")

    text = answer(ticket)

    assert "segunda-feira" in text
    assert "2 de março de 2026" in text
    assert "09:00" in text


def test_out_of_hours_clock_starts_at_opening(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = write("weekend.example", SATURDAY)

    first = clock_of(ticket, ClockKind.FIRST_RESPONSE)

    assert first.started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_in_hours_gets_plain_acknowledgement(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = write("weekday.example", TUESDAY)

    text = answer(ticket)

    assert "opened ticket" in text
    assert "closed now" not in text


def test_premium_out_of_hours_gets_plain_acknowledgement(django_capture_on_commit_callbacks):
    # Premium extended hours are closed on Saturday at 14:00 too, but only the
    # Universal limited line sends the opening time.
    sunday = datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = write("premium.example", sunday, premium=True)

    assert "closed now" not in answer(ticket)


def test_auto_reply_gets_no_answer(django_capture_on_commit_callbacks):
    organization_with_domain("robot.example")
    content = client_email(
        sender="ana@robot.example",
        subject="Out of office",
        sent_at=SATURDAY,
        message_id="<ooo@robot.example>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = receive(content, SATURDAY)

    assert result.outcome == "auto_reply"
    assert not Message.objects.filter(kind=MessageKind.ACKNOWLEDGEMENT).exists()


def test_bulk_mail_gets_no_answer(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = write("list.example", SATURDAY, headers={"Precedence": "bulk"})

    assert not Message.objects.filter(ticket=ticket, kind=MessageKind.ACKNOWLEDGEMENT).exists()
