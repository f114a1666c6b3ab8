"""Recognise auto-replies, bounces, spam complaints and bulk or list mail, so none of them loops.

Strong signals are the headers that automatic senders set by standard or by
habit. A subject such as "Out of Office" is only a weak signal: it counts
when some other hint (an ``X-`` header, an empty envelope sender) agrees,
because people do write to support with such subjects.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from relaydesk.channels.email.parse import ParsedEmail, normalize_message_id


class Kind(StrEnum):
    PERSONAL = "personal"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    # An RFC 5965 feedback report: a mail provider reports that a recipient
    # marked a message from the desk as spam.
    COMPLAINT = "complaint"
    BULK = "bulk"


@dataclass(frozen=True)
class Classification:
    """The kind of a message and the signal that decided it."""

    kind: Kind
    reason: str = ""
    # For a bounce or complaint: Message-IDs that may identify the message
    # that bounced or that the recipient reported.
    original_ids: tuple[str, ...] = ()

    @property
    def may_acknowledge(self) -> bool:
        return self.kind == Kind.PERSONAL


_BOUNCE_SENDERS = re.compile(
    r"^<?(mailer-daemon|mail-daemon|mailerdaemon|postmaster|post_master)\b", re.I
)
_BOUNCE_NAMES = re.compile(r"^(mailer-daemon|postmaster|mail delivery (system|subsystem))$", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery (status notification|failure|has failed)|returned mail|"
    r"mail delivery (failed|failure|system)|failure notice|non[- ]?remis|"
    r"nondeliverable|rejected|could not be delivered|unzustellbar|"
    r"entrega (falhou|fallida)|não entregue)",
    re.I,
)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort|resposta|respuesta)|out of (the )?office|"
    r"ausente|fora do escrit[oó]rio|abwesenheitsnotiz|absence|vacation|f[ée]rias|"
    r"r[ée]ponse automatique|resposta autom[aá]tica|respuesta autom[aá]tica)",
    re.I,
)
_BODY_MESSAGE_ID = re.compile(r"^\s*message-id:\s*(<[^<>\s]+>)", re.I | re.M)


def classify(parsed: ParsedEmail, *, envelope_from: str | None = None) -> Classification:
    """Decide whether ``parsed`` is personal, an auto-reply, a bounce, a complaint or bulk mail.

    ``envelope_from`` is the SMTP MAIL FROM when known; an empty one (``<>``)
    is how RFC 5321 marks delivery notifications. None means unknown.
    """
    complaint = _complaint_reason(parsed)
    if complaint:
        return Classification(Kind.COMPLAINT, complaint, _original_ids(parsed))
    bounce = _bounce_reason(parsed, envelope_from)
    if bounce:
        return Classification(Kind.BOUNCE, bounce, _original_ids(parsed))
    auto = _auto_reply_reason(parsed, envelope_from)
    if auto:
        return Classification(Kind.AUTO_REPLY, auto)
    bulk = _bulk_reason(parsed)
    if bulk:
        return Classification(Kind.BULK, bulk)
    return Classification(Kind.PERSONAL)


def _complaint_reason(parsed: ParsedEmail) -> str:
    if parsed.content_type == "multipart/report" and parsed.report_type == "feedback-report":
        return "feedback_report"
    if parsed.feedback_report:
        return "feedback_report_part"
    return ""


def _bounce_reason(parsed: ParsedEmail, envelope_from: str | None) -> str:
    if parsed.content_type == "multipart/report" and parsed.report_type == "delivery-status":
        return "delivery_status_report"
    if parsed.delivery_status:
        return "delivery_status_part"
    if "x-failed-recipients" in parsed.headers:
        return "x_failed_recipients"
    daemon_sender = _is_daemon(parsed)
    null_sender = envelope_from == "" or parsed.headers.get("return-path", "").strip() == "<>"
    if (daemon_sender or null_sender) and _BOUNCE_SUBJECT.search(parsed.subject):
        return "daemon_sender" if daemon_sender else "null_sender"
    if daemon_sender and parsed.embedded_message_ids:
        return "daemon_sender"
    return ""


def _is_daemon(parsed: ParsedEmail) -> bool:
    return bool(
        _BOUNCE_SENDERS.match(parsed.from_address)
        or _BOUNCE_NAMES.match(parsed.from_name.strip())
        or _BOUNCE_SENDERS.match(parsed.headers.get("return-path", "").strip())
    )


def _auto_reply_reason(parsed: ParsedEmail, envelope_from: str | None) -> str:
    headers = parsed.headers
    # RFC 3834: any value but "no" marks a message sent by a machine.
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_submitted"
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return "x_autoreply"
    if headers.get("precedence", "").strip().lower() == "auto_reply":
        return "precedence_auto_reply"
    if headers.get("x-ms-exchange-generated-message-source", "") or (
        "oof" in headers.get("x-auto-response-suppress", "").lower()
        and _AUTO_REPLY_SUBJECT.search(parsed.subject)
    ):
        return "exchange_auto_reply"
    weak_hint = (
        envelope_from == ""
        or headers.get("return-path", "").strip() == "<>"
        or "x-loop" in headers
        or "x-auto-response-suppress" in headers
    )
    if weak_hint and _AUTO_REPLY_SUBJECT.search(parsed.subject):
        return "auto_reply_subject"
    return ""


def _bulk_reason(parsed: ParsedEmail) -> str:
    headers = parsed.headers
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list", "junk"):
        return f"precedence_{precedence}"
    if "list-id" in headers:
        return "list_id"
    if "list-unsubscribe" in headers:
        return "list_unsubscribe"
    return ""


def _original_ids(parsed: ParsedEmail) -> tuple[str, ...]:
    """Message-IDs that may name the bounced or reported message, the most reliable first."""
    candidates = list(parsed.embedded_message_ids)
    candidates.extend(_BODY_MESSAGE_ID.findall(parsed.text))
    if parsed.in_reply_to:
        candidates.append(parsed.in_reply_to)
    candidates.extend(parsed.references)
    ids = (normalize_message_id(value) for value in candidates)
    return tuple(dict.fromkeys(value for value in ids if value and value != parsed.message_id))
