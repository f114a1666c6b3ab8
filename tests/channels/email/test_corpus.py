"""Run the public real-world corpus through the intake and compare with its expected results.

Match rates are printed (run with ``-s``) and each assertion's floor is the
rate the pipeline reached when the test was written, so a regression fails.
"""

import json
from collections import Counter
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from relaydesk.channels.email.intake import ingest
from relaydesk.channels.email.models import RawMessage, Source
from relaydesk.channels.email.parse import parse_message
from relaydesk.channels.email.quotes import display_text, strip_signature, visible_reply
from relaydesk.channels.email.tnef import unpack_tnef
from relaydesk.tickets.models import Message

pytestmark = [pytest.mark.corpus, pytest.mark.django_db]

# Files that hold expected results or licences, not inputs.
_NOT_INPUTS = {".json", ".list"}
_NOT_INPUT_NAMES = {"COPYING", ".gitattributes"}


def corpus_inputs(root: Path) -> list[Path]:
    """Return every input file of the e-mail corpus, leaving out expected outputs."""
    inputs = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or path.suffix in _NOT_INPUTS or path.name in _NOT_INPUT_NAMES:
            continue
        if path.name.endswith("_reply_text"):
            continue
        # mimekit-tnef keeps the files expected from each .tnef in a folder of that name.
        if relative.parts[0] == "mimekit-tnef" and len(relative.parts) > 2:
            continue
        inputs.append(path)
    return inputs


def as_message(path: Path) -> bytes:
    """Return ``path`` as e-mail bytes: TNEF and bare bodies are wrapped in a message."""
    content = path.read_bytes()
    if path.suffix not in (".tnef", ".txt", ".html"):
        return content
    message = EmailMessage()
    message["From"] = "corpus.sender@client.example"
    message["To"] = "support@desk.example"
    message["Subject"] = f"Corpus input {path.name}"
    message["Message-ID"] = f"<{path.stem}.{path.suffix[1:]}@corpus.example>"
    body = content.decode("utf-8", errors="replace")
    if path.suffix == ".tnef":
        message.set_content("Sent from Outlook.")
        message.add_attachment(
            content, maintype="application", subtype="ms-tnef", filename="winmail.dat"
        )
    elif path.suffix == ".html":
        message.set_content(body, subtype="html")
    else:
        message.set_content(body)
    return message.as_bytes()


def test_corpus_every_input_handled(corpora):
    root = corpora / "email"
    inputs = corpus_inputs(root)
    outcomes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for path in inputs:
        result = ingest(as_message(path), source=Source.IMPORT, source_ref=str(path))
        outcomes[result.outcome] += 1
        if result.outcome == "quarantined":
            reasons[result.reason] += 1
            assert result.reason, path
            assert result.reason != "processing_failed", path
        if result.outcome in ("ticket_created", "message_added"):
            message = Message.objects.get(pk=result.message_pk)
            assert message.from_address, path
            assert message.text.strip() or message.attachments.exists() or message.subject, path
    print(f"\ncorpus: {len(inputs)} inputs, {dict(outcomes)}, quarantined: {dict(reasons)}")
    # About 320 of the 500 files are inputs; the rest are expected results.
    assert len(inputs) >= 320
    assert RawMessage.objects.count() == len(inputs)
    assert sum(outcomes.values()) == len(inputs)
    assert outcomes["bounce"] >= 70


def test_corpus_tnef_attachment_names(corpora):
    matched, cases = 0, 0
    for path in sorted((corpora / "email" / "mimekit-tnef").glob("*.tnef")):
        listing = path.with_suffix(".list")
        if not listing.exists():
            continue
        # MimeKit lists an HTML body as body.html; the intake keeps it as the HTML body.
        expected = sorted(
            name for name in listing.read_text().splitlines() if name and name != "body.html"
        )
        unpacked = unpack_tnef(path.read_bytes())
        found = sorted(item.filename for item in unpacked.attachments) if unpacked else []
        cases += 1
        matched += found == expected
    print(f"\ntnef: {matched}/{cases} attachment lists match MimeKit's")
    # 15 of 19 matched when written: tnefparse finds fewer "Untitled Attachment"
    # entries in christmas.tnef and more files in long-filename and
    # missing-filenames than MimeKit lists.
    assert cases >= 15
    assert matched / cases >= 0.75


def test_corpus_talon_visible_reply(corpora):
    folder = corpora / "email" / "talon-standard-replies"
    quotes_matched, display_matched, cases = 0, 0, 0
    for expected_file in sorted(folder.glob("*_reply_text")):
        source = folder / (expected_file.name.removesuffix("_reply_text") + ".eml")
        expected = normalize(expected_file.read_text())
        text = parse_message(source.read_bytes()).text
        cases += 1
        quotes_matched += normalize(visible_reply(text)) == expected
        display_matched += normalize(display_text(text)) == normalize(strip_signature(expected))
    print(f"\ntalon: quotes {quotes_matched}/{cases}, display text {display_matched}/{cases}")
    assert cases == 2
    assert quotes_matched == cases
    assert display_matched == cases


def test_corpus_stalwart_fields(corpora):
    compared, matched = Counter(), Counter()
    for expected_file in sorted((corpora / "email").glob("stalwart-*/*.json")):
        if expected_file.name.endswith(".crlf.json"):
            continue
        expected = json.loads(expected_file.read_text())
        parsed = parse_message(expected_file.with_suffix(".eml").read_bytes())
        headers = top_headers(expected)
        if "subject" in headers:
            compared["subject"] += 1
            matched["subject"] += parsed.subject == headers["subject"].strip()
        if "from" in headers:
            compared["from"] += 1
            matched["from"] += parsed.from_address == headers["from"].lower()
        names = attachment_names(expected)
        if names:
            compared["attachments"] += 1
            found = {item.filename for item in parsed.attachments}
            # The intake keeps only the last path component of a file name.
            matched["attachments"] += {name.rpartition("/")[2] for name in names} <= found
    print(f"\nstalwart: matched {dict(matched)} of {dict(compared)}")
    for field in compared:
        assert matched[field] / compared[field] >= 0.8, field


def test_corpus_feedback_report_opens_no_ticket(corpora):
    content = (corpora / "email" / "sisimai-bounces" / "arf-01.eml").read_bytes()
    result = ingest(content, source=Source.IMPORT)
    assert result.outcome == "bounce"
    assert result.ticket_number is None


@pytest.mark.parametrize(
    "name",
    [
        "ruby-mail/mime_emails/raw_email_with_illegal_boundary.eml",
        "ruby-mail/mime_emails/raw_email_with_binary_encoded.eml",
        "ruby-mail/plain_emails/raw_email_bad_time.eml",
    ],
)
def test_corpus_unquoted_boundary_parts_found(corpora, name):
    parsed = parse_message((corpora / "email" / name).read_bytes())
    assert "Content-Type:" not in parsed.text
    assert "_NextPart_" not in parsed.text
    assert "_Part_" not in parsed.text


def normalize(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def top_headers(expected: dict[str, Any]) -> dict[str, str]:
    """Return the subject text and first From address of a stalwart JSON result."""
    found: dict[str, str] = {}
    for header in expected["parts"][0]["headers"]:
        value = header["value"]
        if header["name"] == "subject" and isinstance(value, dict) and "Text" in value:
            found["subject"] = value["Text"]
        if header["name"] == "from":
            address = first_value(value, "address")
            if address:
                found["from"] = address
    return found


def attachment_names(expected: dict[str, Any]) -> list[str]:
    names = []
    for index in expected["attachments"]:
        for header in expected["parts"][index]["headers"]:
            if header["name"] in ("content_disposition", "content_type"):
                attributes = first_value(header["value"], "attributes") or []
                names.extend(
                    item["value"] for item in attributes if item["name"] in ("filename", "name")
                )
    return names


def first_value(data: Any, key: str) -> Any:
    """Return the first value stored under ``key`` anywhere in nested JSON data."""
    if isinstance(data, dict):
        if key in data:
            return data[key]
        for value in data.values():
            found = first_value(value, key)
            if found:
                return found
    if isinstance(data, list):
        for value in data:
            found = first_value(value, key)
            if found:
                return found
    return None
