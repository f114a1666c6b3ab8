"""Poll IMAP mailboxes and feed new messages to the intake pipeline.

For each mailbox in ``RELAYDESK_IMAP_URL`` (see ``mailurl``), each message
with a UID above the stored ``ImapCursor`` goes through four steps in order.
It is stored with ``store_raw``, the cursor moves past it, the message is
moved to ``RELAYDESK_IMAP_PROCESSED_FOLDER`` (or flagged ``\\Seen`` when that
is empty), and only then is it processed into a ticket. A crash at any
point leaves the message either unstored and unmarked, so the next run reads
it again, or stored with its source reference, so the next run does not
store it twice.
When the folder's UIDVALIDITY changes, the cursor restarts at zero and the
raw store's Message-ID deduplication keeps tickets from being created twice.
"""

import imaplib
import logging
import socket
import ssl
from dataclasses import dataclass, field

from imap_tools import BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import ImapToolsError, MailboxFolderSelectError, MailboxLoginError

from relaydesk.channels.email import intake
from relaydesk.channels.email.mailurl import MailServer, parse_imap_urls
from relaydesk.channels.email.models import ImapCursor, RawMessage, RawState, Source
from relaydesk.channels.email.store import store_raw
from relaydesk.core import config

logger = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 60
# Messages read per mailbox per run; the cursor lets the next run continue,
# so a large backlog is worked off in bounded steps.
MAX_MESSAGES_PER_RUN = 500

IMAP_ERRORS = (ImapToolsError, imaplib.IMAP4.error, OSError)


class _RawFetch(MailMessage):
    """A fetched message kept as bytes: storing must not depend on parsing."""

    def __init__(self, fetch_data: list) -> None:
        self.raw, self._raw_uid_data, self._raw_flag_data = self._get_message_data_parts(fetch_data)


@dataclass
class MailboxReport:
    """Counts of one run over one mailbox folder."""

    account: str
    folder: str
    stored: int = 0
    already_stored: int = 0
    processed: int = 0
    processing_errors: int = 0
    # Of the stored messages: processed and kept in quarantine, and
    # recognised as a second delivery of a message stored before.
    quarantined: int = 0
    duplicates: int = 0


@dataclass
class FetchRun:
    reports: list[MailboxReport] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def configured_mailboxes() -> list[MailServer]:
    """Return the mailboxes in RELAYDESK_IMAP_URL; raises MailUrlError for a bad value."""
    return parse_imap_urls(config.get("IMAP_URL"))


def fetch_all(servers: list[MailServer] | None = None) -> FetchRun:
    """Fetch every configured mailbox once; a failing mailbox is logged and skipped.

    Raises MailUrlError when RELAYDESK_IMAP_URL is invalid.
    """
    run = FetchRun()
    for server in configured_mailboxes() if servers is None else servers:
        folder = server.folder or config.get("IMAP_FOLDER")
        try:
            run.reports.append(fetch_mailbox(server, folder))
        except IMAP_ERRORS as error:
            run.failed.append(f"{server.host}:{server.port}/{folder}")
            logger.error(
                "imap fetch failed: %s",
                failure_reason(error, server),
                extra={"host": server.host, "port": server.port, "folder": folder},
            )
    return run


def failure_reason(error: BaseException, server: MailServer) -> str:
    """Return what went wrong with ``server`` in plain words, and what to check."""
    address = f"{server.host}:{server.port}"
    if isinstance(error, MailboxLoginError):
        return (
            f"login as {server.username!r} on {address} failed: check the user name and "
            f"password in RELAYDESK_IMAP_URL (server reply: {error})"
        )
    if isinstance(error, MailboxFolderSelectError):
        return f"folder not found or not readable on {address}: check its name ({error})"
    if isinstance(error, ConnectionRefusedError):
        return f"{address} refused the connection: check the host and port, and that it runs"
    if isinstance(error, socket.gaierror):
        return f"host {server.host!r} not found: check the host name ({error})"
    if isinstance(error, TimeoutError):
        return (
            f"{address} did not answer within {IMAP_TIMEOUT_SECONDS} s: "
            "check the host, port and firewall"
        )
    if isinstance(error, imaplib.IMAP4.error) and "TLS not supported" in str(error):
        return (
            f"{address} does not offer STARTTLS: use imaps:// if it takes TLS as soon as "
            "it connects, or imap:// for a server on this machine without TLS"
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"TLS with {address} failed: check the scheme (imaps, imap+starttls or imap) "
            f"and the server's certificate ({error})"
        )
    return str(error)


def fetch_mailbox(server: MailServer, folder: str) -> MailboxReport:
    """Store, mark and process the new messages of one folder."""
    report = MailboxReport(account=server.account, folder=folder)
    processed_folder = config.get("IMAP_PROCESSED_FOLDER").strip()
    with connect(server) as mailbox:
        mailbox.email_message_class = _RawFetch
        if processed_folder and not mailbox.folder.exists(processed_folder):
            mailbox.folder.create(processed_folder)
        uidvalidity = _select(mailbox, folder)
        cursor = _cursor(server.account, folder, uidvalidity)
        uids = mailbox.uids(f"UID {cursor.last_uid + 1}:*")
        # "n:*" always includes the highest UID, even when it is below n.
        new_uids = sorted(int(uid) for uid in uids if int(uid) > cursor.last_uid)
        batch = [str(uid) for uid in new_uids[:MAX_MESSAGES_PER_RUN]]
        # imap-tools reads an empty uid_list as "no list" and fetches the
        # whole folder, so a poll without new mail must not call it.
        fetched_batch = mailbox.fetch(uid_list=batch, mark_seen=False) if batch else ()
        for fetched in fetched_batch:
            ref = f"imap:{server.account}:{folder}:{uidvalidity}:{fetched.uid}"
            raw = _store_once(fetched, ref, report)
            ImapCursor.objects.filter(pk=cursor.pk).update(last_uid=int(fetched.uid))
            _mark_done(mailbox, fetched.uid, processed_folder)
            _process(raw, report)
    logger.info(
        "imap mailbox fetched",
        extra={"host": server.host, "folder": folder, "stored": report.stored},
    )
    return report


def connect(server: MailServer) -> BaseMailBox:
    """Open and log in to ``server``; raises one of IMAP_ERRORS on failure."""
    mailbox: BaseMailBox
    if server.scheme == "imaps":
        mailbox = MailBox(
            server.host,
            server.port,
            timeout=IMAP_TIMEOUT_SECONDS,
            ssl_context=ssl.create_default_context(),
        )
    elif server.scheme == "imap+starttls":
        mailbox = MailBoxStartTls(
            server.host,
            server.port,
            timeout=IMAP_TIMEOUT_SECONDS,
            ssl_context=ssl.create_default_context(),
        )
    else:
        mailbox = MailBoxUnencrypted(server.host, server.port, timeout=IMAP_TIMEOUT_SECONDS)
    return mailbox.login(server.username, server.password, initial_folder=None)


def _select(mailbox: BaseMailBox, folder: str) -> int:
    """Select ``folder`` and return its UIDVALIDITY."""
    mailbox.folder.set(folder)
    # RFC 3501 requires UIDVALIDITY in the SELECT response; imaplib keeps it
    # among the untagged responses.
    values = mailbox.client.untagged_responses.get("UIDVALIDITY")
    if values:
        return int(values[-1])
    return int(mailbox.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])


def _cursor(account: str, folder: str, uidvalidity: int) -> ImapCursor:
    cursor, _created = ImapCursor.objects.get_or_create(account=account, folder=folder)
    if cursor.uidvalidity != uidvalidity:
        if cursor.uidvalidity is not None:
            logger.warning(
                "imap uidvalidity changed, reading the folder again",
                extra={"folder": folder, "before": cursor.uidvalidity, "after": uidvalidity},
            )
        cursor.uidvalidity = uidvalidity
        cursor.last_uid = 0
        cursor.save(update_fields=["uidvalidity", "last_uid", "updated_at"])
    return cursor


def _store_once(fetched: _RawFetch, ref: str, report: MailboxReport) -> RawMessage:
    existing = RawMessage.objects.filter(source_ref=ref).order_by("pk").first()
    if existing is not None:
        report.already_stored += 1
        return existing
    stored = store_raw(fetched.raw, source=Source.IMAP, source_ref=ref)
    report.stored += 1
    return stored.raw


def _mark_done(mailbox: BaseMailBox, uid: str, processed_folder: str) -> None:
    """Flag the message \\Seen, then move it to ``processed_folder`` when one is set.

    Flagged first, the moved message arrives read in the processed folder too.
    """
    # A plain UID STORE: imap-tools' flag() also expunges, which would delete
    # messages that someone else marked \Deleted in a shared mailbox.
    result = mailbox.client.uid("STORE", uid, "+FLAGS", r"(\Seen)")
    if result[0] != "OK":
        raise imaplib.IMAP4.error(f"UID STORE {uid} +FLAGS (\\Seen) failed: {result[1]!r}")
    if processed_folder:
        mailbox.move(uid, processed_folder)


def _process(raw: RawMessage, report: MailboxReport) -> None:
    if raw.state == RawState.DUPLICATE:
        report.duplicates += 1
    if raw.state != RawState.RECEIVED:
        return
    try:
        result = intake.process_raw(raw)
    except Exception:
        # The raw message is stored and marked; it stays in state "received"
        # for reprocessing, and one broken message must not stop the mailbox.
        report.processing_errors += 1
        logger.exception("imap message processing failed", extra={"raw": raw.pk})
        return
    report.processed += 1
    if result.outcome == intake.QUARANTINED:
        report.quarantined += 1
