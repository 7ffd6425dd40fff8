"""Signed tokens for the links in digest emails (confirm, manage, unsubscribe, feedback).

A token is ``django.core.signing`` over ``[subscriber id, address tag, *extra]`` with a salt per
purpose, so a token made for one purpose (or one address) is refused for any other.  The address
tag is a hash of the normalised address: the token does not show the address, and it stops
working when the subscriber's address changes.  Confirmation tokens expire; unsubscribe and manage
tokens do not (an old email's unsubscribe link must keep working).

A confirmation token is also bound to the subscription's *round* (``Subscriber.confirm_round``,
which each unsubscribe moves on): a link mailed before an unsubscribe is refused after it
(:class:`StaleLink`), so an old email, a forwarded one or a mail scanner cannot turn a
subscription back on; subscribing again mails a link of the new round. Tokens made before rounds
existed carry none and count as round 0 (migration 0004 starts unsubscribed addresses at 1).

The alerts of follows go to accounts, not subscribers: their stop-all-alerts token
(:func:`alerts_token`) binds the user id and the account's address the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing

from paperfeed.digests.models import Subscriber

PURPOSES = ("confirm", "manage", "unsubscribe", "feedback")
CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link stays valid


class BadToken(Exception):
    """The token is malformed, forged, expired, for another purpose, or for another address."""


class StaleLink(BadToken):
    """A genuine confirmation link from before the address unsubscribed."""


STALE_CONFIRMATION = (
    "this link is no longer valid: the subscription was cancelled after it was sent. Use the "
    "link in your newest confirmation email, or subscribe again for a new one"
)


@dataclass(frozen=True)
class Verified:
    subscriber: Subscriber
    extra: tuple


def _salt(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}; expected one of {PURPOSES}")
    return f"paperfeed.digests.{purpose}"


def address_tag(email: str) -> str:
    """A short hash of the normalised address that binds a token to it."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def _bound_state(subscriber: Subscriber, purpose: str) -> list[int]:
    """What else a token of ``purpose`` is bound to: a confirmation link to its round."""
    return [subscriber.confirm_round] if purpose == "confirm" else []


def make_token(subscriber: Subscriber, purpose: str, *extra: str | int) -> str:
    payload = [subscriber.pk, address_tag(subscriber.email)]
    payload += [*_bound_state(subscriber, purpose), *extra]
    return signing.dumps(payload, salt=_salt(purpose), compress=False)


def read_token(token: str, purpose: str, max_age: int | None = None) -> Verified:
    """The subscriber (and extra fields) a token names; :class:`BadToken` when it is not valid."""
    if purpose == "confirm" and max_age is None:
        max_age = CONFIRM_MAX_AGE
    try:
        payload = signing.loads(token, salt=_salt(purpose), max_age=max_age)
    except signing.SignatureExpired as exc:
        raise BadToken("this link has expired") from exc
    except signing.BadSignature as exc:
        raise BadToken("this link is not valid (it may have been cut short)") from exc
    if not isinstance(payload, list) or len(payload) < 2 or not isinstance(payload[0], int):
        raise BadToken("this link is not valid")
    subscriber = Subscriber.objects.filter(pk=payload[0]).first()
    if subscriber is None or address_tag(subscriber.email) != payload[1]:
        raise BadToken("this link belongs to an address that is no longer subscribed")
    rest = payload[2:]
    if purpose == "confirm":
        # [id, tag, round]; [id, tag] from before rounds existed reads as round 0
        token_round = rest[0] if rest else 0
        if not isinstance(token_round, int) or isinstance(token_round, bool):
            raise BadToken("this link is not valid")
        if token_round != subscriber.confirm_round:
            raise StaleLink(STALE_CONFIRMATION)
        rest = rest[1:]
    return Verified(subscriber=subscriber, extra=tuple(rest))


def feedback_token(subscriber: Subscriber, paper_id: str, signal: int) -> str:
    """A token for one "more like this" (+1) / "less like this" (-1) link on one paper."""
    if signal not in (1, -1):
        raise ValueError(f"feedback signal must be 1 or -1, not {signal!r}")
    return make_token(subscriber, "feedback", paper_id, signal)


ALERTS_SALT = "paperfeed.digests.alerts-off"


def alerts_token(user_id: int, email: str) -> str:
    """The token of an account's "stop all alerts" link (it does not expire)."""
    return signing.dumps([user_id, address_tag(email)], salt=ALERTS_SALT, compress=False)


def read_alerts_token(token: str):
    """The user an :func:`alerts_token` names; :class:`BadToken` when it is not valid, or the
    account's address changed since."""
    try:
        payload = signing.loads(token, salt=ALERTS_SALT)
    except signing.BadSignature as exc:
        raise BadToken("this link is not valid (it may have been cut short)") from exc
    if not isinstance(payload, list) or len(payload) != 2 or not isinstance(payload[0], int):
        raise BadToken("this link is not valid")
    user = get_user_model().objects.filter(pk=payload[0]).first()
    if user is None or address_tag(user.email) != payload[1]:
        raise BadToken("this link belongs to an account that no longer has this address")
    return user
