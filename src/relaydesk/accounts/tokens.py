"""Issue, check and revoke API bearer tokens.

A token is ``rd_`` followed by 32 random bytes in URL-safe base64. Only its
SHA-256 digest is stored, so a leaked database does not leak usable tokens.
The stored ``prefix`` (the first eight characters) lets an operator name a
token, for example to revoke it, without ever seeing the whole value again.
"""

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext as _

from relaydesk.accounts.models import ApiToken, User, hash_token
from relaydesk.core import clock
from relaydesk.core.errors import Conflict, NotFound

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "rd_"
PREFIX_LENGTH = 8

# Writing last_used_at on every request would turn each read into a write;
# once a minute is precise enough to see whether a token is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenNotFound(NotFound):
    code = "token_not_found"


class AmbiguousTokenPrefix(Conflict):
    code = "ambiguous_token_prefix"


@dataclass(frozen=True)
class IssuedToken:
    """A freshly created token; ``plaintext`` exists only in this value."""

    token: ApiToken
    plaintext: str


def issue_token(user: User, *, name: str = "") -> IssuedToken:
    """Create a token for ``user`` and return it with its only plaintext copy."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=plaintext[:PREFIX_LENGTH],
        digest=hash_token(plaintext),
    )
    logger.info("api token issued", extra={"user": user.pk, "token": token.pk})
    return IssuedToken(token=token, plaintext=plaintext)


def user_for_token(plaintext: str) -> User | None:
    """Return the active user that owns ``plaintext``, or None.

    Tokens are found by their SHA-256 digest through a unique index, so the
    lookup time does not depend on how many leading characters of a guess are
    right. The digest comparison after the lookup is constant-time as well.
    Revoked tokens and inactive users return None.
    """
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    digest = hash_token(plaintext)
    token = ApiToken.objects.select_related("user").filter(digest=digest).first()
    if token is None or not hmac.compare_digest(token.digest, digest):
        return None
    if token.revoked_at is not None or not token.user.is_active:
        return None

    _touch(token)
    return token.user


def revoke_token(prefix: str, *, user: User | None = None) -> ApiToken:
    """Revoke the one unrevoked token whose prefix is ``prefix``.

    ``user`` narrows the search to one user's tokens. Raises TokenNotFound when
    no token matches and AmbiguousTokenPrefix when several do.
    """
    candidates = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
    if user is not None:
        candidates = candidates.filter(user=user)
    matches = list(candidates[:2])
    if not matches:
        raise TokenNotFound(
            _("No active token has prefix %(prefix)r: use the prefix that create-token printed.")
            % {"prefix": prefix}
        )
    if len(matches) > 1:
        raise AmbiguousTokenPrefix(
            _("Several active tokens have prefix %(prefix)r: name the owner with --user.")
            % {"prefix": prefix}
        )

    token = matches[0]
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    logger.info("api token revoked", extra={"user": token.user_id, "token": token.pk})
    return token


def _touch(token: ApiToken) -> None:
    now = clock.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
