"""Decoding text parts whose charset is missing or wrong."""

import pytest

from relaydesk.channels.email.charsets import decode_bytes

WESTERN = [
    "Olá, não consigo abrir a aplicação desde ontem. Obrigada, Maria da Conceição",
    "Bom dia, a fatura não aparece. Cumprimentos, João",
    "Grüße aus München, die Rechnung lässt sich nicht öffnen.",
    "Ça ne marche pas, je suis désolé.",
    "The export “still” fails – see the attached log…",
]


@pytest.mark.parametrize("text", WESTERN)
def test_undeclared_western_text_is_cp1252(text):
    assert decode_bytes(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Привет, не могу открыть приложение, помогите пожалуйста", "koi8_r"),
        ("Привет, не могу открыть приложение", "cp1251"),
        ("こんにちは、アプリが開けません", "shift_jis"),
        ("Γεια σας, δεν μπορώ να ανοίξω την εφαρμογή", "iso8859_7"),
    ],
)
def test_undeclared_other_scripts_detected(text, encoding):
    assert decode_bytes(text.encode(encoding)) == text


def test_declared_charset_wins_when_it_decodes():
    text = "Dzień dobry, nie mogę otworzyć aplikacji"
    assert decode_bytes(text.encode("cp1250"), "windows-1250") == text


def test_utf8_wins_over_windows_1252():
    text = "Olá, não consigo"
    assert decode_bytes(text.encode("utf-8")) == text


@pytest.mark.parametrize(
    "label", ["iso-8859-1", "ISO-8859-1", "latin1", "windows-1252", "cp1252", "iso-8859-15"]
)
def test_utf8_declared_western_is_utf8(label):
    text = "A migração do armazém de Guimarães falhou às 03:00."
    assert decode_bytes(text.encode("utf-8"), label) == text


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("A migração falhou.", "iso-8859-1"),
        ("Grüße, die Rechnung lässt sich nicht öffnen.", "latin1"),
        ("The export “still” fails – see the log…", "windows-1252"),
        ("O preço é 20 €.", "iso-8859-15"),
    ],
)
def test_declared_western_text_stays_western(text, label):
    assert decode_bytes(text.encode(label), label) == text


def test_ascii_declared_latin1_is_unchanged():
    assert decode_bytes(b"Plain ASCII text.", "iso-8859-1") == "Plain ASCII text."


def test_invalid_utf8_declared_latin1_is_latin1():
    # A Latin-1 "ã" (0xE3) followed by ASCII breaks any UTF-8 sequence.
    assert decode_bytes(b"n\xe3o \xe9 assim", "iso-8859-1") == "não é assim"
