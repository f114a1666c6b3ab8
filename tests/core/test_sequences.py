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


def test_reserved_numbers_unused_given_back():
    sequences.next_value("test_block")
    with transaction.atomic(), sequences.reserved("test_block", 5):
        assert [sequences.next_value("test_block") for _ in range(3)] == [2, 3, 4]
        assert Sequence.objects.get(name="test_block").value == 6
    assert Sequence.objects.get(name="test_block").value == 4
    assert sequences.next_value("test_block") == 5


def test_reserved_numbers_past_count():
    with transaction.atomic(), sequences.reserved("test_short", 2):
        values = [sequences.next_value("test_short") for _ in range(4)]
    assert values == [1, 2, 3, 4]
    assert Sequence.objects.get(name="test_short").value == 4


def test_reserved_block_that_raises():
    with pytest.raises(RuntimeError), transaction.atomic(), sequences.reserved("test_fail", 5):
        sequences.next_value("test_fail")
        raise RuntimeError("the batch failed")
    assert sequences.next_value("test_fail") == 1


def test_reserved_block_other_sequences():
    with transaction.atomic(), sequences.reserved("test_one", 3):
        assert sequences.next_value("test_other") == 1
    assert Sequence.objects.get(name="test_one").value == 0
