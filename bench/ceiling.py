"""Parse-only ceiling: how fast the standard library alone reads the corpus.

For each file: ``email.message_from_binary_file(..., policy=policy.default)``,
then every leaf part's decoded content (``get_content()``, or the decoded
payload where the content manager has no handler). Nothing is stored. Prints
one JSON object with the message count and the wall and CPU seconds spent in
the loop, which leaves interpreter start-up out.

Run as ``python bench/ceiling.py CORPUS_DIR --messages N``.
"""

from __future__ import annotations

import argparse
import email
import json
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path


def read_content(part: EmailMessage) -> int:
    """Decode one leaf part's body and return its length so the work is not skipped."""
    try:
        content = part.get_content()
    except KeyError:
        # message/delivery-status has no content-manager handler.
        content = part.get_payload(decode=True) or b""
    return len(content) if isinstance(content, str | bytes) else 1


def parse_file(path: Path) -> int:
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    size = len(str(message["Subject"] or "")) + len(str(message["From"] or ""))
    for part in message.walk():
        if not part.is_multipart():
            size += read_content(part)
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description="Time standard-library parsing of a corpus.")
    parser.add_argument("corpus_dir", type=Path)
    parser.add_argument("--messages", type=int, required=True, help="parse the first N files")
    args = parser.parse_args()

    paths = sorted(args.corpus_dir.glob("*.eml"))[: args.messages]
    started, cpu_started = time.perf_counter(), time.process_time()
    decoded = sum(parse_file(path) for path in paths)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    result = {"messages": len(paths), "seconds": seconds, "cpu_seconds": cpu_seconds}
    print(json.dumps({**result, "decoded_chars": decoded}))


if __name__ == "__main__":
    main()
