"""API tokens: create (the raw token is returned once), authenticate, revoke.

A token reads ``pf_<prefix>_<secret>``: ``prefix`` is 8 hex characters stored in clear to find
the row; ``secret`` is 32 random bytes (URL-safe base64) stored only as its SHA-256. Checking
compares digests with :func:`hmac.compare_digest` (constant time), so a wrong secret for a
known prefix takes as long to refuse as a nearly right one.

A token lives no longer than the credentials that made it: changing or resetting the password
(any path: the site's forms, the admin, ``changepassword``) or deactivating the account revokes
every token of the account (:mod:`paperfeed.accounts.revocation`); a reactivated account makes
new ones. Whatever the rows say, a token of an inactive account is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.accounts.models import ApiToken

TOKEN_PREFIX = "pf"
MAX_ACTIVE_TOKENS = 20  # per user
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # at most one last_used write a minute per token
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


class TokenError(Exception):
    """The token cannot be made as asked; the message says why."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(raw: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a well-formed token, else None."""
    if not isinstance(raw, str):
        return None
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    prefix, secret = parts[1], parts[2]
    if len(prefix) != 8 or not all(c in "0123456789abcdef" for c in prefix) or len(secret) < 20:
        return None
    return prefix, secret


def create_token(user, name: str) -> str:
    """A new token for ``user``; returns the raw token, which is never stored or shown again."""
    name = (name or "").strip()
    if not name:
        raise TokenError("give the token a name (what it is for)")
    if len(name) > 100:
        raise TokenError(f"the name is {len(name)} characters; the limit is 100")
    if ApiToken.objects.filter(user=user, revoked__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"you have {MAX_ACTIVE_TOKENS} active tokens; revoke one first")
    for _ in range(5):
        prefix, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                ApiToken.objects.create(user=user, name=name, prefix=prefix, hash=_digest(secret))
        except IntegrityError:  # prefix collision (1 in 4 billion): draw again
            continue
        return f"{TOKEN_PREFIX}_{prefix}_{secret}"
    raise TokenError("could not draw a unique token; please try again")


def authenticate_token(raw: str):
    """The active user owning the unrevoked token ``raw``, else None."""
    parts = split_token(raw)
    if parts is None:
        return None
    prefix, secret = parts
    token = (
        ApiToken.objects.select_related("user").filter(prefix=prefix, revoked__isnull=True).first()
    )
    expected = token.hash if token is not None else _DUMMY_HASH
    if not hmac.compare_digest(expected, _digest(secret)) or token is None:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


def revoke_token(user, token_id: int) -> bool:
    """Revoke one of ``user``'s tokens; False when it is not theirs or already revoked."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked__isnull=True).update(
            revoked=timezone.now()
        )
    )


def revoke_all(user_ids) -> int:
    """Revoke every active token of the accounts ``user_ids`` (a list or a queryset of ids);
    how many were revoked."""
    return ApiToken.objects.filter(user_id__in=user_ids, revoked__isnull=True).update(
        revoked=timezone.now()
    )


def tokens_of(user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("-created"))
