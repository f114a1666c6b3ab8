import logging
from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("relaydesk.accounts")


class AccountsConfig(AppConfig):
    name = "relaydesk.accounts"
    label = "accounts"
    verbose_name = _("Agents and teams")

    def ready(self) -> None:
        user_login_failed.connect(_log_failed_sign_in, dispatch_uid="relaydesk.sign_in_failed")
        user_logged_in.connect(_log_sign_in, dispatch_uid="relaydesk.signed_in")


def _log_failed_sign_in(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # Django passes the credentials with the password already masked.
    logger.warning("sign-in failed", extra={"username": credentials.get("username", "")})


def _log_sign_in(sender: Any, user: Any, **kwargs: Any) -> None:
    logger.info("signed in", extra={"username": user.get_username()})
