"""Message-ID matching from a batch's one look-up, and from what the batch stored itself."""

import pytest
from django.db import transaction

from relaydesk.channels.email import thread_match
from relaydesk.channels.email.intake import ingest
from relaydesk.channels.email.models import Source
from relaydesk.channels.email.parse import parse_message
from relaydesk.core import inserts, memo
from relaydesk.tickets import actions
from relaydesk.tickets.models import Ticket
from tests.channels.email.conftest import load

pytestmark = pytest.mark.django_db


def reply():
    return parse_message(load("reply_in_reply_to.eml"))


def stored_parent() -> Ticket:
    number = ingest(load("wrong_charset.eml"), source=Source.IMPORT).ticket_number
    return Ticket.objects.get(number=number)


def test_prefetched_ids_need_no_query(django_assert_num_queries):
    parent = stored_parent()
    with memo.scope(), transaction.atomic():
        thread_match.prefetch([reply()])
        with django_assert_num_queries(0):
            found = thread_match.match_by_message_ids(reply())
        assert found.pk == parent.pk
        # The ticket is locked for the batch's actions, as this instance.
        assert actions._locked(found) is found


def test_remembered_message_threads_reply():
    with memo.scope(), transaction.atomic(), inserts.deferred():
        thread_match.prefetch([reply()])
        assert thread_match.match_by_message_ids(reply()) is None
        parent = ingest(load("wrong_charset.eml"), source=Source.IMPORT)
        ticket = Ticket.objects.get(number=parent.ticket_number)
        thread_match.remember("<wrong-charset-1@client.example>", ticket)
        inserts.flush()
        assert thread_match.match_by_message_ids(reply()) == ticket


def test_prefetch_outside_scope_does_nothing(
    django_assert_num_queries,
):
    parent = stored_parent()
    with django_assert_num_queries(0):
        thread_match.prefetch([reply()])
    with django_assert_num_queries(1):
        assert thread_match.match_by_message_ids(reply()) == parent


def test_unprefetched_id_is_queried():
    parent = stored_parent()
    with memo.scope():
        thread_match.prefetch([parse_message(load("wrong_charset.eml"))])
        assert thread_match.match_by_message_ids(reply()) == parent
