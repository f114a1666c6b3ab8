import pytest
from django.db import connection, transaction

from relaydesk.core import sequences
from relaydesk.core.models import Sequence

pytestmark = pytest.mark.django_db


def test_next_value_first_use_creates_row():
    assert sequences.next_value("test_first") == 1
    assert Sequence.objects.get(name="test_first").value == 1


def test_next_value_counts_up():
    values = [sequences.next_value("test_count") for _ in range(3)]
    assert values == [1, 2, 3]


def test_next_value_names_are_independent():
    sequences.next_value("test_a")
    sequences.next_value("test_a")
    assert sequences.next_value("test_b") == 1
    assert sequences.next_value("test_a") == 3


def test_next_value_continues_existing_row():
    Sequence.objects.create(name="test_existing", value=41)
    assert sequences.next_value("test_existing") == 42


def test_next_value_rolled_back_number_is_reused():
    sequences.next_value("test_rollback")
    with pytest.raises(RuntimeError), transaction.atomic():
        sequences.next_value("test_rollback")
        raise RuntimeError("abandon the transaction")
    assert sequences.next_value("test_rollback") == 2


def test_next_value_without_returning_support(monkeypatch):
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    first = sequences.next_value("test_fallback")
    second = sequences.next_value("test_fallback")
    assert (first, second) == (1, 2)


def test_next_value_runs_one_statement_once_row_exists(django_assert_num_queries):
    sequences.next_value("test_statements")
    with django_assert_num_queries(1):
        sequences.next_value("test_statements")
