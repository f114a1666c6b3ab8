"""``relaydesk create-token``: issue or revoke a bearer token for the REST API."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relaydesk.accounts.models import User
from relaydesk.accounts.tokens import issue_token, revoke_token
from relaydesk.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create an API bearer token for an agent and print it once; only its SHA-256 "
        "digest is stored. With --revoke PREFIX, revoke a token instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Username of the agent who owns the token.")
        parser.add_argument(
            "--name",
            default="",
            help="Label naming where the token is used, at most 100 characters.",
        )
        parser.add_argument(
            "--revoke",
            metavar="PREFIX",
            help="Revoke the active token whose first eight characters are PREFIX.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._find_user(options["user"]) if options["user"] else None
        if options["revoke"]:
            self._revoke(options["revoke"], user)
            return
        if user is None:
            raise CommandError("--user is missing: name the agent who will own the token.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is inactive: reactivate the agent first.")

        issued = issue_token(user, name=options["name"])
        self.stderr.write(
            f"Token created for {user.username}; its prefix for --revoke is "
            f"{issued.token.prefix}. The full token is on standard output: store it now, "
            "it is not shown again."
        )
        self.stdout.write(issued.plaintext)

    def _find_user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(
                f"User {username!r} not found: an administrator adds agents under Agents "
                "in the administration pages (/admin/accounts/user/add/). For the first "
                "administrator, run `relaydesk createsuperuser`."
            )
        return user

    def _revoke(self, prefix: str, user: User | None) -> None:
        try:
            token = revoke_token(prefix, user=user)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Token {token.prefix} of {token.user.username} revoked.")
