"""The secret of a user's private feeds (``Preferences.feed_token``): made on first use, rotated
on request, and the one way back from a feed URL's token to its user.

A token is :data:`BYTES` random bytes, URL-safe base64 (:func:`secrets.token_urlsafe`). Whoever
knows it reads that user's follows and for-you feeds, nothing more: feed readers cannot log in,
so the URL is the credential. Rotating it makes every old URL answer 404 at once.
"""

from __future__ import annotations

import hmac
import re
import secrets

from django.db import transaction

from paperfeed.personal.models import Preferences

BYTES = 32
"""Random bytes of a token (43 characters once encoded)."""
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_KEPT = "_paperfeed_preferences"
"""Where :mod:`paperfeed.personal.preferences` keeps a request's copy of the row."""


def _check(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValueError("private feeds are for signed-in users")


def _keep(user, token: str) -> None:
    kept = getattr(user, _KEPT, None)
    if kept is not None:
        kept.feed_token = token


def token_for(user) -> str:
    """``user``'s feed token, made (and saved) when they have none yet. Two first calls at once
    agree on one token: the row is created if missing, then only an empty token is replaced."""
    _check(user)
    current = (
        Preferences.objects.filter(user_id=user.pk).values_list("feed_token", flat=True).first()
    )
    if current:
        return current
    with transaction.atomic():
        Preferences.objects.get_or_create(user_id=user.pk)
        Preferences.objects.filter(user_id=user.pk, feed_token="").update(
            feed_token=secrets.token_urlsafe(BYTES)
        )
    token = Preferences.objects.values_list("feed_token", flat=True).get(user_id=user.pk)
    _keep(user, token)
    return token


def rotate(user) -> str:
    """A new token for ``user``; the old one stops working."""
    _check(user)
    token = secrets.token_urlsafe(BYTES)
    with transaction.atomic():
        Preferences.objects.get_or_create(user_id=user.pk)
        Preferences.objects.filter(user_id=user.pk).update(feed_token=token)
    _keep(user, token)
    return token


def user_for(token: str):
    """The active user whose feed token is ``token``, or None (unknown, malformed, rotated away,
    deactivated account). The row is found through the token's index, and the stored secret is
    then compared in constant time (:func:`hmac.compare_digest`)."""
    if not isinstance(token, str) or not _SHAPE.match(token):
        return None
    row = (
        Preferences.objects.select_related("user")
        .filter(feed_token=token, user__is_active=True)
        .first()
    )
    if row is None or not hmac.compare_digest(row.feed_token.encode(), token.encode()):
        return None
    return row.user
