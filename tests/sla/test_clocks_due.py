"""Due times of ticket clocks, checked against values computed by hand."""

from datetime import UTC, datetime

import pytest

from relaydesk.sla.models import ClockKind, SlaClock
from tests.sla.helpers import clock_of, open_ticket, premium_contact, universal_contact

pytestmark = pytest.mark.django_db


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Both tickets are created on Thursday 2027-03-25 at 19:30 Lisbon time, which
# is 19:30 UTC (winter time, UTC+0), with priority normal. Friday 2027-03-26
# is Good Friday, a Portuguese public holiday. Sunday 2027-03-28 is Easter
# and the day the clocks go forward: from Monday 29 Lisbon is UTC+1.
#
# Premium extended hours (Mon-Fri 08:00-20:00, Sat 09:00-13:00), normal:
#   first response 120 min: Thu 19:30-20:00 = 30, Friday is a holiday,
#     Sat 09:00 + 90 = Sat 27 10:30 (UTC+0) = 10:30 UTC.
#   resolution 1440 min: Thu 30, Sat 09:00-13:00 240 (270 so far), Sunday
#     closed, Mon 29 08:00-20:00 720 (990), Tue 30 08:00 + 450 = 15:30
#     (UTC+1) = 14:30 UTC.
# Universal limited line (Mon-Fri 09:00-13:00 and 14:00-18:00), normal:
#   the line is closed on Thursday evening, on the holiday and at the
#   weekend, so the clocks start at Mon 29 09:00 (UTC+1) = 08:00 UTC.
#   first response 480 min: Mon 09:00-13:00 240, 14:00 + 240 = 18:00 (UTC+1)
#     = 17:00 UTC.
#   resolution 2400 min = five days of 480: Mon, Tue, Wed, Thu and Fri 2 April,
#     ending at the close of that Friday, 18:00 (UTC+1) = 17:00 UTC.
CREATED = utc(2027, 3, 25, 19, 30)


def test_premium_due_times_by_hand():
    ticket = open_ticket(premium_contact(), CREATED)

    first = clock_of(ticket, ClockKind.FIRST_RESPONSE)
    resolution = clock_of(ticket, ClockKind.RESOLUTION)

    assert first.started_at == CREATED
    assert first.due_at == utc(2027, 3, 27, 10, 30)
    assert resolution.due_at == utc(2027, 3, 30, 14, 30)


def test_universal_due_times_by_hand():
    ticket = open_ticket(universal_contact(), CREATED)

    first = clock_of(ticket, ClockKind.FIRST_RESPONSE)
    resolution = clock_of(ticket, ClockKind.RESOLUTION)

    assert first.started_at == utc(2027, 3, 29, 8, 0)
    assert first.due_at == utc(2027, 3, 29, 17, 0)
    assert resolution.due_at == utc(2027, 4, 2, 17, 0)


def test_warning_at_eighty_percent_by_hand():
    # Premium normal first response: 80% of 120 is 96 minutes. Thu 30 minutes,
    # then Sat 09:00 + 66 = 10:06 UTC.
    ticket = open_ticket(premium_contact(), CREATED)

    assert clock_of(ticket, ClockKind.FIRST_RESPONSE).warn_at == utc(2027, 3, 27, 10, 6)


def test_warning_share_setting(settings):
    settings.RELAYDESK = {**settings.RELAYDESK, "SLA_WARNING_SHARE": 0.5}
    # Half of 120 is 60: Thu 30 minutes, then Sat 09:00 + 30 = 09:30 UTC.
    ticket = open_ticket(premium_contact(), CREATED)

    assert clock_of(ticket, ClockKind.FIRST_RESPONSE).warn_at == utc(2027, 3, 27, 9, 30)


def test_ticket_starts_no_next_response_clock():
    ticket = open_ticket(premium_contact(), CREATED)

    kinds = set(SlaClock.objects.filter(ticket=ticket).values_list("kind", flat=True))

    assert kinds == {ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION}


def test_urgent_ticket_has_shorter_targets():
    # Premium urgent first response: 30 minutes from Thu 19:30 is 20:00 UTC,
    # the close of Thursday, where the due time stays.
    ticket = open_ticket(premium_contact(), CREATED, priority="urgent")

    assert clock_of(ticket, ClockKind.FIRST_RESPONSE).due_at == utc(2027, 3, 25, 20, 0)
