"""Parsing of the inbox filters, apart from the page that shows them."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from relaydesk.desk.forms import FilterChoiceField, InboxFilterForm
from relaydesk.desk.operations_forms import MESSAGE_EXCERPT_CHARACTERS, message_label
from relaydesk.tickets.models import Message

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 100_000, "x" * 119 + "…"),
        ("one two three four five six seven eight nine ten eleven twelve thirteen", "one two "),
    ],
)
def test_message_label_shortens_long_text(text, expected):
    message = Message(kind="reply", text=text, display_text=text, created_at=timezone.now())
    label = message_label(message)
    excerpt = label.split(": ", 1)[1]
    assert excerpt.startswith(expected)
    assert len(excerpt) <= MESSAGE_EXCERPT_CHARACTERS
