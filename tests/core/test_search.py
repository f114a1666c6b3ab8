"""Full-text search through the index of message text, on SQLite and on PostgreSQL."""

import pytest
from django.db import connection

from relaydesk.core.search import INDEXED_CHARACTERS, MAX_WORDS, search_words
from relaydesk.tickets import actions
from relaydesk.tickets.drafts import MessageDraft
from relaydesk.tickets.models import Direction, Message, MessageKind
from relaydesk.tickets.queries import MESSAGE_TEXT
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def message(text: str) -> Message:
    draft = MessageDraft(direction=Direction.INBOUND, kind=MessageKind.EMAIL, text=text)
    ticket = actions.create_ticket(channel="email", first_message=draft, contact=ContactFactory())
    return ticket.messages.get()


def found(text: str) -> set[int]:
    condition = MESSAGE_TEXT.matching(text)
    assert condition is not None
    return set(Message.objects.filter(condition).values_list("pk", flat=True))


def test_search_finds_words_without_accents_or_case():
    expected = message("A Câmara Municipal de Évora não consegue exportar.")
    message("The invoice export fails.")
    assert found("camara EVORA") == {expected.pk}


def test_search_words_match_the_beginning_of_words():
    expected = message("The reconciliation report is empty.")
    assert found("reconcil rep") == {expected.pk}


def test_search_words_do_not_match_inside_words():
    message("The invoice export fails.")
    assert found("voice") == set()


def test_search_needs_every_word():
    message("The invoice export fails.")
    assert found("invoice printer") == set()


def test_search_splits_words_at_punctuation():
    expected = message("Since Monday the SAF-T file (v2.1) has no lines; see ana.silva@example.pt")
    assert found("saf-t") == {expected.pk}
    assert found("silva") == {expected.pk}
    assert found("v2") == {expected.pk}


def test_search_finds_words_of_other_scripts():
    expected = message("Ошибка при экспорте счетов.")
    assert found("ошибка") == {expected.pk}


@pytest.mark.parametrize(
    "query", ['export" OR "x', "NEAR(export", "export AND", "export*", "'export'", "export\\"]
)
def test_search_reads_query_syntax_as_plain_words(query):
    # Every word of each query is a word of the text, operators included.
    expected = message("The export fails near the AND gate, or x.")
    message("The printer is offline.")
    assert found(query) == {expected.pk}


def test_search_without_letters_or_digits_matches_nothing():
    assert MESSAGE_TEXT.matching("-- !!! ...") is None


def test_search_words_are_limited():
    words = search_words(" ".join(f"word{number}" for number in range(40)))
    assert len(words) == MAX_WORDS
    assert words[0] == "word0"


def test_search_follows_edited_text():
    edited = message("The invoice export fails.")
    Message.objects.filter(pk=edited.pk).update(text="The printer is offline.")
    assert found("printer") == {edited.pk}
    assert found("invoice") == set()


def test_search_forgets_deleted_messages():
    deleted = message("The invoice export fails.")
    remaining = message("The invoice export fails again.")
    Message.objects.filter(pk=deleted.pk).delete()
    assert found("invoice") == {remaining.pk}


def test_search_indexes_long_text_beginning():
    # Longer than PostgreSQL's 1 MB limit for a text-search vector, once
    # every word is distinct; the message is stored all the same.
    words = " ".join(f"w{number}x" for number in range(250_000))
    long = message(f"opening {words} closing")
    assert len(long.text) > 2 * INDEXED_CHARACTERS
    assert found("opening") == {long.pk}
    assert found("closing") == set()


def test_search_uses_the_index_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's; on SQLite the FTS5 table is the index")
    condition = MESSAGE_TEXT.matching("invoice")
    query = Message.objects.filter(condition)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert MESSAGE_TEXT.name in plan
