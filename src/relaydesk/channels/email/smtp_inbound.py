"""The SMTP endpoint that receives client e-mail for the support addresses.

An MTA in front of relaydesk (or a client directly, in the embedded mode)
delivers to this endpoint. It accepts only the configured support addresses,
plus-addressed forms included, and replies 250 only after ``store_raw`` has
committed the raw message. A failure to store answers 451, so the sender keeps
the message and retries.

Processing happens in the same handler, right after the store and before the
250: the message is already durable at that point, so a processing failure
never turns into a 4xx (the pipeline quarantines what it cannot process and
the error is logged here). Processing in place means a ticket exists as soon
as the sender sees 250, and the endpoint needs no task worker to turn mail
into tickets. The cost is that a slow parse delays the 250 by that long,
which must stay well inside the ten minutes a client waits after DATA
(RFC 5321, section 4.5.3.2.6).

aiosmtpd runs the protocol on an asyncio loop in its own thread. The Django
ORM is synchronous and refuses to run inside an event loop, so the handler
hands storing and processing to one dedicated database thread that it owns.
Django keeps one connection per thread, so the endpoint holds at most one
connection, ``close_old_connections`` retires it between messages, and
``InboundHandler.close`` closes it on the thread that opened it.
"""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from relaydesk.channels.email import intake
from relaydesk.channels.email.models import Source
from relaydesk.channels.email.recipients import is_support_address, redact
from relaydesk.channels.email.store import StoredRaw, store_raw
from relaydesk.core import config

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2525

StoreFunction = Callable[[bytes, str, list[str]], StoredRaw]
T = TypeVar("T")


def store_inbound(content: bytes, envelope_from: str, envelope_to: list[str]) -> StoredRaw:
    """Store one received message; the row is committed when this returns."""
    close_old_connections()
    try:
        return store_raw(
            content, source=Source.SMTP, envelope_from=envelope_from, envelope_to=envelope_to
        )
    finally:
        close_old_connections()


def process_stored(stored: StoredRaw) -> None:
    """Run the intake pipeline on a stored message unless it is a re-delivery."""
    if stored.duplicate_of is not None:
        return
    close_old_connections()
    try:
        intake.process_raw(stored.raw)
    finally:
        close_old_connections()


class InboundHandler:
    """aiosmtpd handler: recipient checks at RCPT, store then process at DATA.

    ``store`` is replaceable so a test can make storage fail; production code
    always uses ``store_inbound``.
    """

    def __init__(self, *, store: StoreFunction = store_inbound) -> None:
        self._store = store
        self._database_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smtp-db")

    def close(self) -> None:
        """Close the database connection on the thread that opened it, then that thread."""
        self._database_thread.submit(connections.close_all).result()
        self._database_thread.shutdown()

    async def _in_database_thread(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._database_thread, function, *args)

    async def handle_RCPT(  # noqa: N802 - the hook name aiosmtpd looks up
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not is_support_address(address):
            logger.info(
                "smtp recipient rejected",
                extra={"recipient": redact(address), "peer": _peer_host(session)},
            )
            return f"550 5.1.1 <{address}>: no such support address here, mail not accepted"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - the hook name aiosmtpd looks up
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = bytes(envelope.original_content or b"")
        limit = config.get("MAX_MESSAGE_BYTES")
        if len(content) > limit:
            logger.info(
                "smtp message rejected as too large",
                extra={"size": len(content), "limit": limit, "peer": _peer_host(session)},
            )
            return size_rejection(limit)

        envelope_from = envelope.mail_from or ""
        recipients = list(envelope.rcpt_tos)
        try:
            stored = await self._in_database_thread(self._store, content, envelope_from, recipients)
        except Exception:
            # Whatever went wrong, the message is not stored: a 4xx keeps it at
            # the sender, who retries later.
            logger.exception("smtp storage failed", extra={"peer": _peer_host(session)})
            return "451 4.3.0 Temporary failure storing the message, try again later"

        try:
            await self._in_database_thread(process_stored, stored)
        except Exception:
            # The raw message is committed, so the sender gets its 250 and the
            # stored row waits for reprocessing.
            logger.exception("smtp processing failed", extra={"raw": stored.raw.pk})
        return f"250 2.0.0 Message accepted as raw {stored.raw.pk}"


# The replies aiosmtpd sends by itself when a message is over its size limit,
# to a MAIL FROM with a larger SIZE= parameter and after DATA.
_AIOSMTPD_SIZE_REJECTIONS = (
    "552 Error: message size exceeds fixed maximum",
    "552 Error: Too much mail data",
)


# aiosmtpd's reply to a DATA line over 1,000 bytes. A client that sends bare
# LF line endings meets it with any message longer than that, because the
# whole message reads as one line.
_AIOSMTPD_LINE_REJECTION = "500 Line too long"
LINE_REJECTION = (
    "500 5.5.6 Line too long: a line of message data may hold at most 1000 bytes "
    "with its CRLF; send CRLF line endings, not bare LF"
)


def size_rejection(limit: int) -> str:
    return f"552 5.3.4 Message size exceeds the limit of {limit} bytes"


class _SizeReportingSMTP(SMTP):
    """aiosmtpd's session, logging its size and line rejections and explaining them.

    aiosmtpd refuses an oversized message or an over-long line before any
    handler hook runs, with a reply that gives neither the limit nor the
    usual cause, so the sender cannot tell what to change.
    """

    async def push(self, status: str | bytes) -> None:
        text = status.decode("ascii", "replace") if isinstance(status, bytes) else status
        if text.startswith(_AIOSMTPD_SIZE_REJECTIONS) and self.data_size_limit:
            logger.info(
                "smtp message rejected as too large",
                extra={"limit": self.data_size_limit, "peer": _peer_host(self.session)},
            )
            status = size_rejection(self.data_size_limit)
        elif text.startswith(_AIOSMTPD_LINE_REJECTION):
            logger.info(
                "smtp message rejected for a line too long",
                extra={"peer": _peer_host(self.session)},
            )
            status = LINE_REJECTION
        await super().push(status)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _SizeReportingSMTP(self.handler, **self.SMTP_kwargs)


class InboundSmtpServer:
    """The SMTP endpoint on ``host``:``port``, served from a background thread.

    ``start()`` returns once the port is bound and accepting connections; it raises
    OSError when the port cannot be bound. ``stop()`` closes the listener and
    the endpoint's database connection; an instance runs once, so start a new
    one to serve again.
    """

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        handler: InboundHandler | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.handler = handler or InboundHandler()
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("the SMTP endpoint is already running")
        # aiosmtpd logs full envelope addresses at INFO on "mail.log".
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        controller = _Controller(
            self.handler,
            hostname=self.host,
            port=self.port,
            data_size_limit=config.get("MAX_MESSAGE_BYTES"),
            enable_SMTPUTF8=True,
            ident="relaydesk",
        )
        controller.start()
        self._controller = controller
        logger.info("smtp endpoint started", extra={"host": self.host, "port": self.port})

    def stop(self) -> None:
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None
        self.handler.close()
        logger.info("smtp endpoint stopped", extra={"host": self.host, "port": self.port})


def _peer_host(session: Session) -> str:
    peer = session.peer
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(peer or "")
