"""Quarantined inbound messages: list, retry and discard them.

``relaydesk reprocess-quarantine`` and the administration pages both work
through these functions, so a retry or a discard does the same from either.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.models import User
from relaydesk.channels.email.intake import process_raw
from relaydesk.channels.email.models import RawMessage, RawState
from relaydesk.core import timeline

logger = logging.getLogger(__name__)


@dataclass
class RetryReport:
    """The outcome of a retry: counts by outcome, and the ids still quarantined."""

    counts: Counter[str] = field(default_factory=lambda: Counter(retried=0, still_quarantined=0))
    retried_ids: list[int] = field(default_factory=list)
    still_quarantined_ids: list[int] = field(default_factory=list)


# Each reason code in words for administrators. The stored detail stays in English.
REASONS = {
    "sender_unusable": _("The From header has no address a reply could go to."),
    "sender_is_support_address": _(
        "The message claims to come from this desk's own support address."
    ),
    "not_an_email": _("The data is not an e-mail message."),
    "too_large": _("The message is larger than the size limit."),
    "processing_failed": _("relaydesk failed while processing the message; the error is logged."),
}


def describe(code: str) -> str:
    """Return the reason code ``code`` in words, in the active language."""
    return str(REASONS.get(code, code))


def quarantined() -> QuerySet[RawMessage]:
    return RawMessage.objects.filter(state=RawState.QUARANTINED)


def reason(detail: str) -> str:
    """Return the line of an ``error_detail`` that gives the quarantine's reason.

    A failure of relaydesk itself stores a traceback, whose last line names the error.
    """
    stripped = detail.strip()
    return stripped.splitlines()[-1] if stripped else ""


def retry(pks: Iterable[int]) -> RetryReport:
    """Process the quarantined messages ``pks`` again, one at a time, in id order.

    Messages that are no longer quarantined are left as they are, so a retry
    that runs twice is safe. Only ids are held in memory, and each message
    is loaded when its turn comes.
    """
    report = RetryReport()
    selected = quarantined().filter(pk__in=list(pks)).order_by("pk")
    for pk in list(selected.values_list("pk", flat=True)):
        raw = quarantined().filter(pk=pk).first()
        if raw is None:
            # Another retry or a discard took it in the meantime.
            continue
        result = process_raw(raw)
        report.counts["retried"] += 1
        report.retried_ids.append(pk)
        if result.outcome == "quarantined":
            report.still_quarantined_ids.append(pk)
            report.counts["still_quarantined"] += 1
        else:
            report.counts[result.outcome] += 1
    return report


def discard(pks: Iterable[int], *, actor: User | None, actor_label: str = "") -> list[int]:
    """Take the quarantined messages ``pks`` out of the quarantine for good; return their ids.

    Their raw bytes are kept, and each gets a ``quarantine_discarded`` event
    on its timeline. Messages that are not quarantined are left as they are.
    """
    with transaction.atomic():
        rows = list(quarantined().filter(pk__in=list(pks)).select_for_update().order_by("pk"))
        for raw in rows:
            raw.state = RawState.DISCARDED
            raw.save(update_fields=["state"])
            timeline.record(raw, "quarantine_discarded", actor=actor, actor_label=actor_label)
    discarded = [raw.pk for raw in rows]
    for pk in discarded:
        logger.info("quarantined message discarded", extra={"raw": pk})
    return discarded
