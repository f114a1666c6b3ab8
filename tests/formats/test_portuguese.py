"""Dates in European Portuguese: names in lower case, weeks from Monday.

Needs the compiled catalogue (``make messages``).
"""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, translation

from relaydesk.sla.models import Weekday

MONDAY_7_DECEMBER = date(2026, 12, 7)


def test_dates_write_weekday_and_month_in_lower_case():
    with translation.override("pt-pt"):
        weekday = formats.date_format(MONDAY_7_DECEMBER, "l")
        written = formats.date_format(MONDAY_7_DECEMBER, "DATE_FORMAT")
    assert (weekday, written) == ("segunda-feira", "7 de dezembro de 2026")


def test_weekday_labels_keep_their_capital():
    with translation.override("pt-pt"):
        assert str(Weekday.MONDAY.label) == "Segunda-feira"


def test_week_starts_on_monday():
    with translation.override("pt-pt"):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_english_names_are_unchanged():
    with translation.override("en"):
        written = formats.date_format(MONDAY_7_DECEMBER, "l, j F Y")
    assert written == "Monday, 7 December 2026"


def test_form_messages_read_as_in_portugal():
    field = forms.CharField(max_length=5)
    choice = forms.ChoiceField(choices=[("low", "Low")])
    with translation.override("pt-pt"):
        with pytest.raises(ValidationError) as too_long:
            field.clean("abcdefg")
        with pytest.raises(ValidationError) as unknown:
            choice.clean("huge")
        # The messages are translated when read, so inside the override.
        assert too_long.value.messages == ["Este valor pode ter no máximo 5 caracteres (tem 7)."]
        assert unknown.value.messages == [
            "Escolha uma opção válida: huge não está entre as opções disponíveis."
        ]
