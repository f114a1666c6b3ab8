"""Send one test e-mail into a running relaydesk over SMTP."""

import smtplib
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relaydesk.core import config
from relaydesk.demo.data import build_message


class Command(BaseCommand):
    help = "Send a test e-mail from a demo client to the SMTP inbound endpoint."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="SMTP inbound address (default: %(default)s)."
        )
        parser.add_argument(
            "--port", type=int, default=2525, help="SMTP inbound port (default: %(default)s)."
        )
        parser.add_argument(
            "--to",
            help=(
                "Recipient: a support address of the running desk "
                "(default: the first of RELAYDESK_SUPPORT_ADDRESS in this shell)."
            ),
        )
        parser.add_argument(
            "--sender",
            default="Dan Miller <dan@bakerybros.example>",
            help="From header of the test message (default: %(default)s).",
        )
        parser.add_argument(
            "--subject",
            default="Test message: invoices page is slow",
            help="Subject of the test message (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recipient = options["to"] or config.support_addresses()[0]
        message = build_message(
            sender=options["sender"],
            to=recipient,
            subject=options["subject"],
            text="Hello,\n\nThe invoices page takes a minute to open today.\n\nDan",
        )
        where = f"{options['host']}:{options['port']}"
        try:
            with smtplib.SMTP(options["host"], options["port"], timeout=30) as client:
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = error.recipients[recipient]
            raise CommandError(
                f"The server at {where} rejected the recipient {recipient}: {code} "
                f"{reply.decode(errors='replace')}. Send to one of the support addresses it "
                "accepts with --to, as `make run` printed it, or set RELAYDESK_SUPPORT_ADDRESS "
                "in this shell as for the server."
            ) from error
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise CommandError(
                f"The server at {where} rejected the message: {error.smtp_code} "
                f"{error.smtp_error.decode(errors='replace')}."
            ) from error
        except (OSError, smtplib.SMTPException) as error:
            raise CommandError(
                f"Could not send to {where}: {error}. "
                "Is `make run` (or `relaydesk smtp-inbound`) running? If it listens on "
                "another port, give that port with --port, as `make run` printed it."
            ) from error
        self.stdout.write(f"Sent {message['Message-ID']} to {recipient}.")
