"""``relaydesk create-integration NAME``: register a pipeline and print its secret once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relaydesk.operations.actions import create_integration
from relaydesk.operations.errors import InvalidIntegration


class Command(BaseCommand):
    help = (
        "Create an integration that may report deployments through the signed webhook "
        "and print its secret. The secret is not shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Integration name, sent as X-Relaydesk-Integration.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            integration, secret = create_integration(options["name"])
        except InvalidIntegration as error:
            raise CommandError(str(error)) from error
        # Only the secret goes to standard output, so SECRET=$(relaydesk
        # create-integration NAME) captures it, as create-token's output does.
        self.stdout.write(secret)
        self.stderr.write(
            f"Integration {integration.name} created. Sign each request body with HMAC-SHA256 "
            "and the secret printed on standard output, and send it as "
            "X-Relaydesk-Signature: sha256=<hex>. "
            "Store the secret now: it is not shown again."
        )
