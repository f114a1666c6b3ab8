import os

import pytest

from relaydesk.channels.email import intake
from relaydesk.channels.email.parse import parse_message
from relaydesk.channels.email.parse_pool import CHUNK_SIZE, default_workers, parsed_messages
from tests.channels.email.conftest import FIXTURES

NAMES = sorted(path.name for path in FIXTURES.glob("*.eml"))


def fixture_messages(count: int) -> list[tuple[str, bytes]]:
    """Return ``count`` (reference, content) pairs, cycling through the fixtures."""
    return [
        (
            f"{index}-{NAMES[index % len(NAMES)]}",
            (FIXTURES / NAMES[index % len(NAMES)]).read_bytes(),
        )
        for index in range(count)
    ]


def test_parsed_messages_keeps_input_order():
    messages = fixture_messages(3 * CHUNK_SIZE + 5)
    results = list(parsed_messages(messages, workers=2, window=32, max_bytes=10**6))
    assert [item.source_ref for item in results] == [reference for reference, _ in messages]
    assert [item.content for item in results] == [content for _, content in messages]


def test_parsed_messages_matches_parse_in_main_process():
    messages = fixture_messages(len(NAMES))
    results = list(parsed_messages(messages, workers=2, window=32, max_bytes=10**6))
    for (_reference, content), item in zip(messages, results, strict=True):
        assert item.parsed == parse_message(content)


def test_parsed_messages_without_workers_parses_nothing():
    results = list(parsed_messages(fixture_messages(3), workers=0, window=32, max_bytes=10**6))
    assert [item.parsed for item in results] == [None, None, None]


def test_parsed_messages_skips_too_large():
    messages = [("big", b"Subject: big\n\n" + b"x" * 500), ("small", b"Subject: small\n\nhi")]
    big, small = parsed_messages(messages, workers=1, window=32, max_bytes=100)
    assert big.parsed is None
    assert small.parsed.subject == "small"


def test_parsed_messages_parser_exception_becomes_failure(monkeypatch):
    def crash(content: bytes, **kwargs):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(intake, "parse_message", crash)
    [item] = parsed_messages(fixture_messages(1), workers=1, window=32, max_bytes=10**6)
    assert isinstance(item.parsed, intake.ParseFailure)
    assert "RuntimeError: parser bug" in item.parsed.detail


def test_parsed_messages_dead_worker_leaves_parsing_to_main(monkeypatch):
    def die(content: bytes) -> None:
        os._exit(3)

    monkeypatch.setattr(intake, "parse_content", die)
    messages = fixture_messages(2 * CHUNK_SIZE + 1)
    results = list(parsed_messages(messages, workers=1, window=64, max_bytes=10**6))
    assert len(results) == len(messages)
    assert {item.parsed for item in results} == {None}


def test_default_workers_is_positive():
    assert default_workers() >= 1


@pytest.mark.parametrize("workers", [0, 2])
def test_parsed_messages_yields_every_message(workers):
    messages = fixture_messages(CHUNK_SIZE + 1)
    results = list(parsed_messages(messages, workers=workers, window=16, max_bytes=10**6))
    assert len(results) == CHUNK_SIZE + 1


def test_parsed_messages_bytes_window_keeps_order():
    messages = [(str(index), b"Subject: s\n\n" + b"x" * 1000) for index in range(40)]
    results = list(
        parsed_messages(messages, workers=1, window=64, max_bytes=10**6, window_bytes=2000)
    )
    assert [item.source_ref for item in results] == [str(index) for index in range(40)]
    assert {item.parsed.subject for item in results} == {"s"}
