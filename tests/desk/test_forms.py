"""Parsing of the inbox filters, apart from the page that shows them."""

import pytest
from django.core.exceptions import ValidationError

from relaydesk.desk.forms import FilterChoiceField, InboxFilterForm

pytestmark = pytest.mark.django_db


def test_filter_choice_field_error_lists_codes_with_labels():
    field = FilterChoiceField(choices=[("", "Any"), ("low", "Low"), ("high", "High")])
    with pytest.raises(ValidationError) as raised:
        field.clean("later")
    assert raised.value.code == "invalid_choice"
    assert raised.value.messages == [
        "“later” is not a valid value. Valid values: low (Low), high (High)."
    ]


def test_filter_choice_field_keeps_required_error():
    field = FilterChoiceField(choices=[("low", "Low")], required=True)
    with pytest.raises(ValidationError) as raised:
        field.clean("")
    assert raised.value.code == "required"


def test_filter_choice_field_accepts_valid_code():
    field = FilterChoiceField(choices=[("low", "Low")])
    assert field.clean("low") == "low"


def test_view_in_force_defaults_to_open():
    form = InboxFilterForm({"view": "all"})
    assert not form.is_valid()
    assert form.view_in_force() == "open"


def test_view_in_force_keeps_valid_view():
    form = InboxFilterForm({"view": "team", "status": "whenever"})
    assert not form.is_valid()
    assert form.view_in_force() == "team"


def test_inbox_filters_default_to_open_view():
    form = InboxFilterForm({})
    assert form.is_valid()
    assert form.filters().view == "open"
