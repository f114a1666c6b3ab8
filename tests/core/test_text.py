"""One-line values cleaned of the characters that break mail headers."""

import pytest

from relaydesk.core.text import invisible_characters, one_line


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("header\r\nBcc: someone@example.org", "header Bcc: someone@example.org"),
        ("tab\there", "tab here"),
        ("vertical\x0btab and \x1e record separator", "vertical tab and record separator"),
        ("next line\x85and\u2028line separator", "next line and line separator"),
        ("nul \x00 byte", "nul byte"),
        ("  Fatura   em atraso ", "Fatura em atraso"),
    ],
)
def test_one_line_turns_breaking_characters_into_spaces(value, expected):
    assert one_line(value) == expected


def test_one_line_keeps_joiners_and_direction_marks():
    family = "Família \U0001f468\u200d\U0001f469\u200d\U0001f467"
    hebrew = "\u200fשלום"
    assert one_line(family) == family
    assert one_line(hebrew) == hebrew


def test_invisible_characters_names_each_once():
    assert invisible_characters("a\r\nb\r\n") == ["U+000A", "U+000D"]
    assert invisible_characters("plain subject") == []
