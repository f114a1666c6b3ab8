"""Parse imported messages in worker processes while the main process stores them.

Parsing needs no database, so ``import-mail`` hands it to a pool of forked
processes and keeps the database work, in input order, in the main
process. Results come back in the order the messages were read, so a reply
is still applied after the message it replies to when it was read after it.

The pool never holds more than ``window`` messages, or more than
``window_bytes`` of content, ahead of the main process, so memory stays flat
however large the import. When a worker
process dies (the pool is then broken), the messages it held, and every
message after them, are parsed in the main process after their raw rows are
stored, as without a pool.
"""

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from relaydesk.channels.email import intake
from relaydesk.channels.email.batch import IncomingMessage
from relaydesk.channels.email.parse import ParsedEmail

logger = logging.getLogger(__name__)

# Messages sent to a worker in one task: fewer round trips between processes.
CHUNK_SIZE = 16

Parsed = ParsedEmail | intake.ParseFailure | None


def default_workers() -> int:
    """Return the number of CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS
        return os.cpu_count() or 1


def parse_chunk(contents: list[bytes | None]) -> list[Parsed]:
    """Parse each content in a worker process; None (too large to parse) stays None."""
    return [None if content is None else intake.parse_content(content) for content in contents]


def parsed_messages(
    messages: Iterable[tuple[str, bytes]],
    *,
    workers: int,
    window: int,
    max_bytes: int,
    window_bytes: int = 16 * 1024 * 1024,
) -> Iterator[IncomingMessage]:
    """Yield each (source reference, content) as an IncomingMessage, in order.

    With ``workers`` 0 nothing is parsed ahead and ``parsed`` stays None.
    Messages over ``max_bytes`` are not parsed, because intake quarantines
    them unread.
    """
    if workers <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        for reference, content in messages:
            yield IncomingMessage(content, reference)
        return
    # Forked workers start with the parent's modules already imported and
    # never touch its database connection: they only parse bytes.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from _pipeline(
            pool, iter(messages), window=window, window_bytes=window_bytes, max_bytes=max_bytes
        )


def _pipeline(
    pool: ProcessPoolExecutor,
    messages: Iterator[tuple[str, bytes]],
    *,
    window: int,
    window_bytes: int,
    max_bytes: int,
) -> Iterator[IncomingMessage]:
    in_flight: deque[tuple[list[tuple[str, bytes]], Future[list[Parsed]] | None]] = deque()
    broken = False
    max_chunks = max(1, window // CHUNK_SIZE)
    bytes_in_flight = 0
    while True:
        while len(in_flight) < max_chunks and (not in_flight or bytes_in_flight < window_bytes):
            chunk = list(islice(messages, CHUNK_SIZE))
            if not chunk:
                break
            bytes_in_flight += sum(len(content) for _reference, content in chunk)
            future = None
            if not broken:
                contents = [content if len(content) <= max_bytes else None for _r, content in chunk]
                try:
                    future = pool.submit(parse_chunk, contents)
                except BrokenProcessPool:
                    broken = True
            in_flight.append((chunk, future))
        if not in_flight:
            return
        chunk, future = in_flight.popleft()
        bytes_in_flight -= sum(len(content) for _reference, content in chunk)
        parsed, failed = _results(chunk, future)
        broken = broken or failed
        for (reference, content), result in zip(chunk, parsed, strict=True):
            yield IncomingMessage(content, reference, result)


def _results(
    chunk: list[tuple[str, bytes]], future: Future[list[Parsed]] | None
) -> tuple[list[Parsed], bool]:
    """Return the chunk's parse results, or Nones and True when the pool broke."""
    if future is None:
        return [None] * len(chunk), False
    try:
        return future.result(), False
    except BrokenProcessPool:
        logger.error("a parser process died; parsing the rest in the main process")
        return [None] * len(chunk), True
