"""Hand composed e-mail to the SMTP relay, or write it to the outbox folder.

With ``RELAYDESK_SMTP_URL`` set, each message goes to that relay over SMTP.
Without it (the embedded default) each message is written as one ``.eml`` file
under ``OUTBOX_DIR``, so nothing leaves the machine until an operator
configures a relay.
"""

import logging
import os
import smtplib
import ssl
import tempfile
from email import policy
from email.message import EmailMessage
from email.policy import Policy
from pathlib import Path

from django.utils.translation import gettext as _

from relaydesk.channels.email.mailurl import MailServer, parse_smtp_url
from relaydesk.core import config

logger = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 60


class DeliveryFailed(Exception):
    """One delivery attempt that did not hand the message over.

    ``permanent`` is True when the relay rejected the message with a 5xx
    reply, which another attempt would not change.
    """

    def __init__(self, detail: str, *, permanent: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent


def send(email: EmailMessage, *, envelope_from: str, recipients: list[str], file_stem: str) -> str:
    """Send ``email`` and return where it went (the relay or the .eml path).

    ``envelope_from`` may be empty for the null reverse path ``<>``.
    ``file_stem`` names the outbox file; the same stem overwrites the same
    file, so writing one message twice leaves one file. Raises
    DeliveryFailed, and MailUrlError for an invalid RELAYDESK_SMTP_URL.
    """
    server = parse_smtp_url(config.get("SMTP_URL"))
    if server is None:
        return str(write_to_outbox(email, file_stem))
    send_via_relay(server, email, envelope_from=envelope_from, recipients=recipients)
    return f"{server.host}:{server.port}"


def write_to_outbox(email: EmailMessage, file_stem: str) -> Path:
    """Write ``email`` to ``OUTBOX_DIR/<file_stem>.eml`` atomically.

    The bytes go to a temporary file in the same folder that is renamed into
    place, so a reader of the outbox never sees a half-written message.
    """
    outbox = Path(config.get("OUTBOX_DIR"))
    try:
        outbox.mkdir(parents=True, exist_ok=True)
        target = outbox / f"{file_stem}.eml"
        handle, temporary = tempfile.mkstemp(dir=outbox, prefix=f".{file_stem}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(email.as_bytes(policy=_policy_for(email)))
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise DeliveryFailed(
            f"writing to the outbox folder {outbox} failed: {error}", permanent=False
        ) from error
    return target


def send_via_relay(
    server: MailServer, email: EmailMessage, *, envelope_from: str, recipients: list[str]
) -> None:
    """Run one SMTP conversation with the relay; raise DeliveryFailed when it does not accept."""
    context = ssl.create_default_context()
    try:
        if server.uses_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            if server.uses_starttls:
                client.starttls(context=context)
            if server.username:
                client.login(server.username, server.password)
            client.send_message(email, from_addr=envelope_from, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        detail = "; ".join(f"{code} {_text_of(text)}" for code, text in error.recipients.values())
        raise DeliveryFailed(
            f"relay rejected the recipient: {detail}", permanent=all(code >= 500 for code in codes)
        ) from error
    except smtplib.SMTPNotSupportedError as error:
        # smtplib raises it before MAIL FROM when an address is not ASCII and
        # the relay does not offer SMTPUTF8, so another attempt fails the same way.
        raise DeliveryFailed(
            _(
                "The relay %(relay)s does not accept internationalized addresses (SMTPUTF8), "
                "so mail to an address with non-ASCII characters cannot be sent. Ask the "
                "client for an ASCII address, or use a relay that offers SMTPUTF8."
            )
            % {"relay": f"{server.host}:{server.port}"},
            permanent=True,
        ) from error
    except smtplib.SMTPAuthenticationError as error:
        # Wrong credentials are our configuration, not the message: retrying
        # gives the operator time to fix RELAYDESK_SMTP_URL.
        raise DeliveryFailed(
            f"relay rejected the login: {error.smtp_code} {_text_of(error.smtp_error)}",
            permanent=False,
        ) from error
    except smtplib.SMTPResponseException as error:
        raise DeliveryFailed(
            f"relay replied {error.smtp_code} {_text_of(error.smtp_error)}",
            permanent=error.smtp_code >= 500,
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryFailed(
            f"connection to relay {server.host}:{server.port} failed: {error}", permanent=False
        ) from error


def _policy_for(email: EmailMessage) -> Policy:
    """Return the policy that writes ``email``: SMTPUTF8 when an address in it is not ASCII.

    policy.SMTP would turn a UTF-8 address into encoded words, which RFC
    2047 forbids inside an address.
    """
    for name in ("from", "to", "cc", "reply-to"):
        for header in email.get_all(name, []):
            if any(not address.addr_spec.isascii() for address in header.addresses):
                return policy.SMTPUTF8
    return policy.SMTP


def _text_of(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace")
    return str(reply)
