"""Load the demo organizations, agents and tickets once."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from relaydesk.demo import data


class Command(BaseCommand):
    help = (
        "Create demo agents, organizations, environments and tickets, "
        "unless they are already loaded."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MODE == "production":
            raise CommandError(
                "Demo data is for the embedded mode only: unset RELAYDESK_MODE=production."
            )
        if data.is_loaded():
            self.stdout.write("Demo data is already loaded.")
            return
        created = data.load()
        self.stdout.write(f"Demo data loaded: {created} tickets created from sample e-mail.")
