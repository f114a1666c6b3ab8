"""Internationalized e-mail addresses and domain names."""

import pytest

from relaydesk.core.addresses import (
    address_forms,
    ascii_domain,
    domain_forms,
    is_utf8_local_part,
    normalize_address,
    transport_address,
)


def test_normalize_address_composes_accents():
    decomposed = "Jose\u0301@Exemplo.PT "
    assert normalize_address(decomposed) == "josé@exemplo.pt"


@pytest.mark.parametrize("local_part", ["josé", "josé.conceição", "用户", "δοκιμή", "ana+é"])
def test_utf8_local_part_valid(local_part):
    assert is_utf8_local_part(local_part) is True


@pytest.mark.parametrize(
    "local_part",
    [
        "ana",
        "jo sé",
        ".josé",
        "josé.",
        "josé..a",
        '"josé"',
        "jo\u00a0sé",
        "josé\x85",
        "a,é",
        "“josé”",
        "«josé»",
        "josé）",
    ],
)
def test_utf8_local_part_invalid(local_part):
    assert is_utf8_local_part(local_part) is False


def test_ascii_domain_of_unicode_domain():
    assert ascii_domain("exémplo.example") == "xn--exmplo-cva.example"


def test_ascii_domain_keeps_ascii_domain():
    assert ascii_domain("client.example") == "client.example"


@pytest.mark.parametrize("domain", ["straße.example", "ｅｘ.example", "a..é.example"])
def test_ascii_domain_none_when_unsafe(domain):
    # IDNA 2003 maps "ß" to "ss" and full-width letters to ASCII, which
    # would name another domain; an empty label has no ASCII form.
    assert ascii_domain(domain) == ""


def test_domain_forms_of_unicode_domain():
    assert domain_forms("exémplo.example") == ["exémplo.example", "xn--exmplo-cva.example"]


def test_domain_forms_of_ascii_form():
    assert domain_forms("xn--exmplo-cva.example") == ["xn--exmplo-cva.example", "exémplo.example"]


def test_domain_forms_of_plain_domain():
    assert domain_forms("client.example") == ["client.example"]


def test_transport_address_converts_domain_after_ascii_local_part():
    assert transport_address("ana@exémplo.example") == "ana@xn--exmplo-cva.example"


def test_transport_address_keeps_utf8_local_part():
    assert transport_address("josé@exémplo.example") == "josé@exémplo.example"


def test_transport_address_keeps_unsafe_domain():
    assert transport_address("ana@straße.example") == "ana@straße.example"


@pytest.mark.parametrize(
    ("address", "forms"),
    [
        ("ana@exémplo.example", ["ana@exémplo.example", "ana@xn--exmplo-cva.example"]),
        ("ana@xn--exmplo-cva.example", ["ana@xn--exmplo-cva.example", "ana@exémplo.example"]),
        ("josé@client.example", ["josé@client.example"]),
        ("ana@client.example", ["ana@client.example"]),
        ("no-at-sign", ["no-at-sign"]),
    ],
)
def test_address_forms_lists_the_address_first(address, forms):
    assert address_forms(address) == forms
