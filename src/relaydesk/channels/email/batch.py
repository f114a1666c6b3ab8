"""Batched intake for ``import-mail``: many messages per transaction.

``ingest`` commits twice per message (the raw row, then its processing),
which on PostgreSQL waits for a WAL flush each time. An import reads files
that stay on disk, so it can store and process a whole batch in one
transaction without weakening any guarantee:

- Raw stored with what was made of it: each message's raw row commits in
  the same transaction as its outcome (ticket, message, quarantine). In the
  first attempt the raw rows are held back with the batch's other new rows
  and inserted with their outcomes already set, which saves updating every
  row after its INSERT. In the second attempt they are inserted first, so
  that a message's savepoint rolls back only what was made of it.
- Nothing reported as handled is lost: a batch's results are returned, and
  counted by the command, only after its transaction commits. A crash before
  the commit rolls back the raw rows together with the tickets made from
  them, and the files they came from are still there, so running the import
  again stores and processes them as new messages. A crash after the commit
  leaves everything stored, and a second run finds each message's dedupe key
  and marks it ``duplicate``, so no message gets a second ticket.
- One bad message never stops the others. Unusable input (no sender, not
  an e-mail, too large) is found before anything is written, and the message
  is quarantined with its reason while the next one goes on. A failure while
  a message is applied rolls the batch back, and the batch runs again with
  each message inside its own savepoint (``process_raw`` with
  ``savepoint=True``). There a failure rolls back to the message's
  savepoint, and the message is quarantined with its reason. Savepoints cost
  two statements per message, so only the second attempt opens them.
- The batch itself can fail: the database rejects the commit, a deferred
  constraint fails, or an error escapes the savepoint handling. Then the
  whole transaction rolls back, and the batch is replayed one message at a
  time through ``ingest``, which commits each raw row before parsing it, as
  SMTP and IMAP do.

Acknowledgements of new tickets are queued in the batch's own transaction,
inside a savepoint, just before it commits. A rolled-back ticket is never
acknowledged, and a crash cannot leave a committed ticket unacknowledged.
"""

import logging
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

from relaydesk.channels.email import outbound, thread_match
from relaydesk.channels.email.errors import UnusableMessage
from relaydesk.channels.email.identify import sender_address
from relaydesk.channels.email.intake import (
    QUARANTINED,
    IntakeHooks,
    IntakeResult,
    ParseFailure,
    duplicate_result,
    ingest,
    parse_content,
    process_raw,
)
from relaydesk.channels.email.models import RawMessage, Source
from relaydesk.channels.email.parse import ParsedEmail
from relaydesk.channels.email.store import save_outcomes, store_raw_batch
from relaydesk.core import config, inserts, memo, timeline
from relaydesk.core.addresses import address_forms
from relaydesk.customers.actions import (
    contact_for_sender,
    contacts_for_addresses,
    create_contact_for_sender,
)
from relaydesk.customers.models import Contact, ContactEmail
from relaydesk.tickets import actions
from relaydesk.tickets.models import Message, Ticket

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100
# A batch also ends once its messages reach this many bytes, so a run of
# large messages cannot raise the import's peak memory.
BATCH_MAX_BYTES = 8 * 1024 * 1024
# Senders remembered per import run; the least recently used is forgotten first.
CONTACT_CACHE_SIZE = 4096
# How long an import run keeps organizations' plans, SLA policies and
# calendars, and the owners of e-mail domains (memo.settled), so an
# administrator's edit reaches a running import within this time.
SETTLED_MAX_AGE_SECONDS = 10.0


@dataclass(frozen=True)
class IncomingMessage:
    """One message read by an import, with its parse result when a parser process made one."""

    content: bytes
    source_ref: str
    parsed: ParsedEmail | ParseFailure | None = None


class ContactCache:
    """The contact of each sender address seen in one import run.

    A contact found or created while processing a message is kept only once
    that message's savepoint is released (``keep_pending``). When the
    message is quarantined (``drop_pending``) or the batch rolls back
    (``clear``), its entries are dropped, because a contact created there no
    longer exists.
    """

    def __init__(self, size: int = CONTACT_CACHE_SIZE) -> None:
        self._size = size
        self._contacts: OrderedDict[str, Contact] = OrderedDict()
        self._pending: dict[str, Contact] = {}
        # Addresses that ``prefetch`` found without a contact, for one batch.
        self._new: set[str] = set()

    def prefetch(self, addresses: Iterable[str]) -> None:
        """Look up the contacts of a batch's sender addresses with one query.

        Found contacts are cached. ``find`` creates a contact for any other
        of these addresses without looking it up again. When another
        intake creates that contact first, ``find`` returns theirs.
        """
        uncached = {address for address in addresses if address not in self._contacts}
        found = contacts_for_addresses(uncached) if uncached else {}
        self._contacts.update(found)
        self._trim()
        self._new = uncached - found.keys()

    def find(self, address: str, name: str) -> Contact:
        # The address as written first, then its other IDNA form, which an
        # earlier message may have given a contact.
        for form in address_forms(address):
            contact = self._contacts.get(form)
            if contact is not None:
                self._contacts.move_to_end(form)
                return contact
            contact = self._pending.get(form)
            if contact is not None:
                break
        else:
            if address in self._new:
                contact = create_contact_for_sender(address, name)
            else:
                contact = contact_for_sender(address, name)
        self._pending[address] = contact
        return contact

    def keep_pending(self) -> None:
        self._contacts.update(self._pending)
        self._pending.clear()
        self._trim()

    def _trim(self) -> None:
        while len(self._contacts) > self._size:
            self._contacts.popitem(last=False)

    def drop_pending(self) -> None:
        self._pending.clear()

    def clear(self) -> None:
        self._contacts.clear()
        self._pending.clear()
        self._new.clear()


@dataclass
class _BatchState:
    """Work deferred to the end of the batch: acknowledgements and processed raw rows.

    ``current_*`` contain those of the message being processed. They join the
    batch's lists only when the message was not quarantined, because a
    quarantined message's savepoint was rolled back.
    """

    acknowledgements: list[tuple[Ticket, Message]] = field(default_factory=list)
    processed: list[RawMessage] = field(default_factory=list)
    current_acknowledgements: list[tuple[Ticket, Message]] = field(default_factory=list)
    current_processed: list[RawMessage] = field(default_factory=list)

    def start_message(self) -> None:
        self.current_acknowledgements = []
        self.current_processed = []

    def keep_message(self) -> None:
        self.acknowledgements.extend(self.current_acknowledgements)
        self.processed.extend(self.current_processed)

    def acknowledge(self, ticket: Ticket, message: Message) -> None:
        self.current_acknowledgements.append((ticket, message))

    def save_processed(self, raw: RawMessage) -> None:
        self.current_processed.append(raw)


class BatchImporter:
    """Store and process imported messages in batches; see the module docstring."""

    def __init__(self, *, source: Source = Source.IMPORT, acknowledge: bool = True) -> None:
        """``acknowledge=False`` sends no acknowledgement, as for an archive being migrated."""
        self.source = source
        self.acknowledge = acknowledge
        self.contacts = ContactCache()
        self.batches_done = 0

    def import_batch(self, batch: list[IncomingMessage]) -> list[IntakeResult]:
        """Store and process ``batch`` in one transaction; return one result per message."""
        results = self._import_batch(batch)
        self.batches_done += 1
        if self.batches_done == 1:
            analyze_new_tables(LOOKED_UP_EACH_BATCH)
        return results

    def _import_batch(self, batch: list[IncomingMessage]) -> list[IntakeResult]:
        """Store and process ``batch`` in one transaction; return one result per message.

        The first attempt opens no savepoint per message. When a message
        fails, the batch rolls back and runs again with a savepoint per
        message, which quarantines the failing one and keeps the rest.
        """
        for savepoints in (False, True):
            state = _BatchState()
            try:
                # Reads that repeat for every message (SLA policies and
                # calendars) are made once per batch. The batch's timeline
                # events go in with one INSERT at its end. In the first
                # attempt its new tickets, messages and clocks do too, with
                # one per table. The second attempt writes each message's
                # rows inside its savepoint, so a row that fails to insert
                # quarantines the message it belongs to.
                holding = nullcontext() if savepoints else inserts.deferred()
                with memo.scope(), transaction.atomic():
                    with holding, timeline.deferred():
                        results = self._store_and_process(batch, state, savepoints=savepoints)
                    # The acknowledgements commit with their tickets, so a crash
                    # cannot leave a committed ticket unacknowledged.
                    _queue_acknowledgements(state.acknowledgements)
            except (KeyboardInterrupt, SystemExit):
                raise
            # A Rust extension's panic (nh3) arrives as a BaseException, and it
            # too must not lose the batch's place.
            except BaseException as exc:  # noqa: BLE001
                self.contacts.clear()
                if not savepoints:
                    logger.info(
                        "import batch rolled back; running it again with a savepoint per message",
                        extra={"error": type(exc).__name__},
                    )
                    continue
                logger.exception("import batch failed; replaying it one message at a time")
                return [self._ingest_alone(message) for message in batch]
            return results
        raise AssertionError("the second attempt returns or replays")

    def _store_and_process(
        self, batch: list[IncomingMessage], state: _BatchState, *, savepoints: bool
    ) -> list[IntakeResult]:
        stored = store_raw_batch(
            [(message.content, message.source_ref) for message in batch],
            source=self.source,
            hold=not savepoints,
        )
        hooks = IntakeHooks(
            find_contact=self.contacts.find,
            acknowledge=state.acknowledge if self.acknowledge else _no_acknowledgement,
            save_processed=state.save_processed,
        )
        parsed = [
            None if item.duplicate_of is not None else _parsed(message, item.raw)
            for message, item in zip(batch, stored, strict=True)
        ]
        # The Message-IDs the batch's messages refer to are looked up
        # together, and so are the contacts of their senders.
        usable = [result for result in parsed if isinstance(result, ParsedEmail)]
        thread_match.prefetch(usable)
        self.contacts.prefetch(_sender_addresses(usable))
        results: dict[int, IntakeResult] = {}
        # Each new message may open a ticket; their numbers are taken at once.
        with actions.reserve_ticket_numbers(sum(item is not None for item in parsed)):
            for index, item in enumerate(stored):
                if item.duplicate_of is not None:
                    continue
                state.start_message()
                result = process_raw(
                    item.raw, parsed=parsed[index], hooks=hooks, savepoint=savepoints
                )
                if result.outcome == QUARANTINED:
                    # Its savepoint rolled back what it wrote.
                    self.contacts.drop_pending()
                    memo.forget_held()
                else:
                    self.contacts.keep_pending()
                    state.keep_message()
                results[index] = result
        # The batch's processed rows are written together, in its transaction.
        save_outcomes(state.processed)
        # A duplicate's result names the ticket of the message it repeats,
        # which may be in this batch, so it is computed after those are written.
        return [
            results[index] if index in results else duplicate_result(item.raw, item.duplicate_of)
            for index, item in enumerate(stored)
        ]

    def _ingest_alone(self, message: IncomingMessage) -> IntakeResult:
        hooks = None if self.acknowledge else IntakeHooks(acknowledge=_no_acknowledgement)
        return ingest(
            message.content, source=self.source, source_ref=message.source_ref, hooks=hooks
        )


# The tables that every batch looks rows up in by a list of values: earlier
# copies by dedupe key, messages by Message-ID, contacts by address, tickets.
LOOKED_UP_EACH_BATCH = tuple(
    model._meta.db_table for model in (RawMessage, Message, ContactEmail, Ticket)
)


def analyze_new_tables(tables: Iterable[str]) -> None:
    """Gather PostgreSQL's planner statistics for those of ``tables`` that never had any.

    A new desk's tables have none until autovacuum's first pass, which a
    fast import outruns. Without them the planner reads a batch's look-up
    of 100 values by scanning the whole table, so each batch costs more
    than the one before. Statistics from the first batch are enough: the
    planner scales them to the table's size as it grows.
    """
    if connection.vendor != "postgresql":
        return
    names = list(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r' "
            "AND reltuples < 0 AND relnamespace = current_schema()::regnamespace",
            [names],
        )
        new = [row[0] for row in cursor.fetchall()]
    if not new:
        return
    quote = connection.ops.quote_name
    try:
        # A savepoint inside a caller's transaction, so a failure leaves it usable.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(quote(name) for name in new)}")
    except DatabaseError as error:
        # Only the speed of the rest of the import depends on it.
        logger.warning(
            "planner statistics not gathered: %s", error, extra={"tables": ",".join(new)}
        )
        return
    logger.info("planner statistics gathered", extra={"tables": ",".join(new)})


def _no_acknowledgement(ticket: Ticket, message: Message) -> None:
    """Leave a new ticket unacknowledged: its client wrote long before this import."""


def _parsed(message: IncomingMessage, raw: RawMessage) -> ParsedEmail | ParseFailure | None:
    """Return the message's parse, parsing it here when no parser process did.

    A message over the size limit stays unparsed, because intake
    quarantines it unread.
    """
    if message.parsed is not None or raw.size > config.get("MAX_MESSAGE_BYTES"):
        return message.parsed
    return parse_content(message.content)


def _sender_addresses(parsed: list[ParsedEmail]) -> set[str]:
    """Return the usable sender addresses of ``parsed``.

    Messages with an unusable sender are quarantined when they are processed.
    """
    addresses = set()
    for message in parsed:
        try:
            addresses.add(sender_address(message))
        except UnusableMessage:
            continue
    return addresses


def _queue_acknowledgements(pending: list[tuple[Ticket, Message]]) -> None:
    """Queue the acknowledgements of a batch inside its transaction, in a savepoint.

    When one fails, the savepoint rolls back and they are queued again, each
    in its own savepoint, so the failing one is logged and skipped without
    taking the others or the batch's messages with it.
    """
    if not pending:
        return
    # Each acknowledgement locks its address until the transaction ends;
    # taking them in one order keeps two importers from deadlocking.
    pending = sorted(pending, key=lambda item: outbound.acknowledgement_recipient(item[1]))
    try:
        # Locks, rate-limit counts and tickets are read once for the batch,
        # and the acknowledgements go in with one INSERT.
        with memo.scope(), transaction.atomic(), inserts.deferred(), timeline.deferred():
            outbound.prepare_acknowledgements(pending)
            for ticket, message in pending:
                outbound.queue_acknowledgement(ticket, message)
        return
    except Exception as exc:
        # The batch's memo scope may hold counts and tickets of the rolled-back attempt.
        memo.forget_held()
        logger.info(
            "acknowledgements rolled back; queueing them again one savepoint each",
            extra={"error": type(exc).__name__},
        )
    try:
        with memo.scope(), transaction.atomic(), timeline.deferred():
            for ticket, message in pending:
                _queue_one(ticket, message)
    except Exception:
        # The savepoint rolled back only the acknowledgements, so the batch's
        # messages commit without them, as when the on-commit acknowledgement
        # of ingest() fails.
        memo.forget_held()
        logger.exception(
            "acknowledgements of an import batch failed", extra={"count": len(pending)}
        )


def _queue_one(ticket: Ticket, message: Message) -> None:
    try:
        with transaction.atomic(), timeline.deferred():
            outbound.queue_acknowledgement(ticket, message)
    except Exception:
        # The savepoint rolled back what the scope's held rows may show.
        memo.forget_held()
        logger.exception("acknowledgement failed", extra={"ticket": ticket.number})
