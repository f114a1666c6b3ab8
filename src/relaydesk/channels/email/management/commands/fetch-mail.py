"""``relaydesk fetch-mail``: read new e-mail from the configured IMAP mailboxes once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relaydesk.channels.email import imap
from relaydesk.channels.email.mailurl import IMAP_EXAMPLE, MailUrlError


class Command(BaseCommand):
    help = (
        "Fetch new messages from every mailbox in RELAYDESK_IMAP_URL (comma-separated) "
        "and turn them into tickets. Exits non-zero when a mailbox could not be read."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            servers = imap.configured_mailboxes()
        except MailUrlError as error:
            raise CommandError(str(error)) from error
        if not servers:
            raise CommandError(
                f"RELAYDESK_IMAP_URL is not set: set it to a mailbox URL such as {IMAP_EXAMPLE}."
            )

        run = imap.fetch_all(servers)
        for report in run.reports:
            self.stdout.write(
                f"{report.folder} on {report.account.rpartition('@')[2]}: "
                f"{report.stored} stored, {report.processed} processed, "
                f"{report.quarantined} quarantined, {report.duplicates} duplicates, "
                f"{report.processing_errors} failed to process"
            )
        if any(report.quarantined for report in run.reports):
            self.stdout.write(
                "relaydesk reprocess-quarantine --list shows why each was quarantined."
            )
        if run.failed:
            raise CommandError(
                f"Reading {len(run.failed)} of {len(servers)} mailboxes failed "
                f"({', '.join(run.failed)}); the log has the errors, and the next run retries."
            )
