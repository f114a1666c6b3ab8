"""The benchmark's corpus generator: parseable mail in the promised mix."""

import importlib.util
import sys
from email import message_from_bytes, policy
from pathlib import Path
from types import ModuleType

import pytest

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
COUNT = 400


def _load_corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH_DIR / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus_module()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    out_dir = tmp_path_factory.mktemp("corpus")
    entries = corpus.generate(out_dir, COUNT)
    return out_dir, entries


def _parse(out_dir: Path, entry) -> object:
    return message_from_bytes((out_dir / entry.file).read_bytes(), policy=policy.default)


def test_generate_writes_requested_count(generated):
    out_dir, entries = generated
    assert len(entries) == COUNT
    assert len(list(out_dir.glob("*.eml"))) == COUNT
    assert len(corpus.load_manifest(out_dir)) == COUNT


def test_generate_messages_parse_without_defects(generated):
    out_dir, entries = generated
    for entry in entries:
        message = _parse(out_dir, entry)
        assert message["Message-ID"] == entry.message_id
        for part in message.walk():
            assert not part.defects, (entry.file, part.defects)
            if not part.is_multipart() and part.get_content_maintype() != "message":
                part.get_content()


def test_generate_files_are_valid_utf8(generated):
    out_dir, entries = generated
    for entry in entries:
        (out_dir / entry.file).read_bytes().decode("utf-8")


def test_generate_covers_every_kind(generated):
    _, entries = generated
    kinds = corpus.describe_mix(entries)["kinds"]
    assert set(kinds) == set(corpus.KIND_WEIGHTS)
    for kind, weight in corpus.KIND_WEIGHTS.items():
        share = kinds[kind] / COUNT
        assert weight / 2 < share < weight * 2, (kind, share)


def test_generate_covers_every_feature(generated):
    _, entries = generated
    features = corpus.describe_mix(entries)["features"]
    for feature in (
        "html_only",
        "alternative",
        "attachment",
        "non_ascii_headers",
        "latin1_body",
        "references_only",
        "in_reply_to_only",
    ):
        assert features.get(feature, 0) > 0, feature


def test_generate_replies_point_at_earlier_thread_messages(generated):
    out_dir, entries = generated
    seen: dict[str, str] = {}
    for entry in entries:
        if entry.kind == "reply":
            assert seen.get(entry.parent) in ("new", "reply"), entry.file
            message = _parse(out_dir, entry)
            threading = f"{message['In-Reply-To']} {message['References']}"
            assert entry.parent in threading, entry.file
        seen[entry.message_id] = entry.kind


def test_generate_auto_replies_are_marked(generated):
    out_dir, entries = generated
    for entry in entries:
        if entry.kind == "auto_reply":
            assert _parse(out_dir, entry)["Auto-Submitted"] == "auto-replied"


def test_generate_bounces_are_delivery_reports(generated):
    out_dir, entries = generated
    for entry in entries:
        if entry.kind == "bounce":
            message = _parse(out_dir, entry)
            assert message.get_content_type() == "multipart/report"
            assert message.get_param("report-type") == "delivery-status"
            assert entry.parent.encode() in (out_dir / entry.file).read_bytes()


def test_generate_list_mail_has_list_headers(generated):
    out_dir, entries = generated
    for entry in entries:
        if entry.kind == "list":
            message = _parse(out_dir, entry)
            assert message["List-Id"]
            assert message["Precedence"] == "bulk"


def test_generate_non_ascii_headers_are_encoded(generated):
    out_dir, entries = generated
    flagged = [entry for entry in entries if "non_ascii_headers" in entry.features]
    for entry in flagged:
        head = (out_dir / entry.file).read_bytes().split(b"\n\n", 1)[0]
        assert head.isascii(), entry.file
        assert b"=?utf-8?" in head, entry.file


def test_generate_is_deterministic_and_prefix_stable(generated, tmp_path):
    out_dir, entries = generated
    corpus.generate(tmp_path, 50)
    for entry in entries[:50]:
        assert (tmp_path / entry.file).read_bytes() == (out_dir / entry.file).read_bytes()


def test_generate_other_seed_differs(generated, tmp_path):
    out_dir, entries = generated
    corpus.generate(tmp_path, 10, seed=1)
    first = entries[0].file
    assert (tmp_path / first).read_bytes() != (out_dir / first).read_bytes()
