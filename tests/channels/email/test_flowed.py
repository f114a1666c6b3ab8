"""Joining format=flowed text (RFC 3676)."""

import pytest

from relaydesk.channels.email.flowed import unflow


def test_unflow_joins_flowed_lines():
    text = "The nightly export stops \nafter the third \nfile.\nSecond line stays."
    assert unflow(text) == "The nightly export stops after the third file.\nSecond line stays."


def test_unflow_keeps_fixed_lines():
    assert unflow("One\nTwo\n\nThree") == "One\nTwo\n\nThree"


def test_unflow_delsp_deletes_the_added_space():
    text = "Relat \nório  \nmensal"
    assert unflow(text, delsp=True) == "Relatório mensal"


def test_unflow_without_delsp_keeps_the_space():
    assert unflow("Relat \nório") == "Relat ório"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (" From the office", "From the office"),
        (" >not a quote", ">not a quote"),
        ("  two spaces sent", " two spaces sent"),
    ],
)
def test_unflow_removes_space_stuffing(line, expected):
    assert unflow(line) == expected


def test_unflow_joins_quoted_lines_of_one_depth():
    text = "> The backup \n> finished late.\n>> Older \n>> text."
    assert unflow(text) == "> The backup finished late.\n>> Older text."


def test_unflow_quote_depth_change_ends_paragraph():
    text = "My answer is \n> the quoted \nquestion"
    assert unflow(text) == "My answer is\n> the quoted\nquestion"


def test_unflow_keeps_empty_quoted_line():
    assert unflow("> first\n>\n> second") == "> first\n>\n> second"


def test_unflow_signature_separator_is_never_flowed():
    text = "Best regards, \n-- \nAna Silva \nClient Services"
    assert unflow(text) == "Best regards,\n-- \nAna Silva Client Services"


def test_unflow_flowed_last_line_loses_its_space():
    assert unflow("Ends with a flowed line ") == "Ends with a flowed line"


def test_unflow_reads_crlf_line_ends():
    assert unflow("One \r\ntwo\r\nthree") == "One two\nthree"
