"""The subscription lifecycle: a subscriber's states and the transitions between them.

States (``Subscriber.Status``):

==============  =================================================================
unconfirmed     pending confirmation: subscribed through the form, no mail but the
                confirmation link until the mailbox owner confirms (double opt-in)
active          gets digests
paused          stopped after :data:`HARD_FAILURE_LIMIT` permanent delivery failures
                in a row (bounces); staff resume it in the admin
unsubscribed    gets no more email
==============  =================================================================

Transitions (:data:`TRANSITIONS`), each one function here that checks the stored state under a
row lock and raises :class:`TransitionNotAllowed` for a transition the table does not allow.  A
transition asked of a subscriber already in its target state changes nothing (a second click on
a confirmation or unsubscribe link is harmless):

=====================  ===================================  ==============  ===================
transition             from                                 to              function
=====================  ===================================  ==============  ===================
subscribe              (new), unconfirmed, paused,          unconfirmed     :func:`subscribe`
                       unsubscribed
confirm                unconfirmed, paused                  active          :func:`confirm`
update preferences     every state                          (unchanged)     :func:`update_preferences`
unsubscribe            unconfirmed, active, paused          unsubscribed    :func:`unsubscribe`
pause                  active                               paused          :func:`record_hard_failure`
resume                 paused                               active          :func:`resume`
=====================  ===================================  ==============  ===================

Subscribing an *active* address is refused as a transition: :func:`subscribe` mails that
address its preferences link instead (the form never reveals whether an address is subscribed).

An unsubscribed address is confirmed again only through a new subscription: :func:`unsubscribe`
moves ``confirm_round`` on, which every confirmation link mailed before carries
(:mod:`paperfeed.digests.tokens`), and :func:`confirm` checks the link's round under the row lock.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import math
import smtplib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from paperfeed.digests import compose
from paperfeed.digests.models import SavedSearch, Subscriber, normalise_email

log = logging.getLogger(__name__)

Status = Subscriber.Status
UNCONFIRMED, ACTIVE, PAUSED, UNSUBSCRIBED = (
    Status.UNCONFIRMED,
    Status.ACTIVE,
    Status.PAUSED,
    Status.UNSUBSCRIBED,
)
STATES = tuple(Status)

NOTICE_INTERVAL = dt.timedelta(minutes=10)  # at most one subscription email per address per ...
PENDING_INTERVAL = dt.timedelta(days=1)  # ... and one confirmation link a day while unconfirmed
HARD_FAILURE_LIMIT = 3  # permanent delivery failures in a row before an address is paused
PREFERENCES = ("frequency", "send_hour", "timezone", "top_n", "categories", "recommendations")


@dataclass(frozen=True)
class Transition:
    """A named move between states: allowed from ``sources`` to ``target`` (None: the state is
    kept); asked of a subscriber already in ``target`` it changes nothing."""

    name: str
    sources: frozenset[str]
    target: str | None

    def allows(self, status: str) -> bool:
        return status in self.sources

    def next_state(self, status: str) -> str:
        """The state after this transition from ``status``; :class:`TransitionNotAllowed` when
        the table refuses it."""
        if self.allows(status):
            return self.target or status
        if status == self.target:
            return status
        raise TransitionNotAllowed(self, status)


class TransitionNotAllowed(Exception):
    """A transition asked of a subscriber in a state it does not start from."""

    def __init__(self, transition: Transition, status: str):
        self.transition = transition
        self.status = status
        allowed = ", ".join(sorted(transition.sources))
        super().__init__(
            f"cannot {transition.name} a subscription that is {status} (only one that is {allowed})"
        )


SUBSCRIBE = Transition("subscribe", frozenset({UNCONFIRMED, PAUSED, UNSUBSCRIBED}), UNCONFIRMED)
CONFIRM = Transition("confirm", frozenset({UNCONFIRMED, PAUSED}), ACTIVE)
UPDATE_PREFERENCES = Transition("update the preferences of", frozenset(STATES), None)
UNSUBSCRIBE = Transition("unsubscribe", frozenset({UNCONFIRMED, ACTIVE, PAUSED}), UNSUBSCRIBED)
PAUSE = Transition("pause", frozenset({ACTIVE}), PAUSED)
RESUME = Transition("resume", frozenset({PAUSED}), ACTIVE)
TRANSITIONS = (SUBSCRIBE, CONFIRM, UPDATE_PREFERENCES, UNSUBSCRIBE, PAUSE, RESUME)


class Notice(enum.Enum):
    """What :func:`subscribe` mailed."""

    CONFIRMATION = "confirmation"  # a new or not-active address: the confirmation link
    ALREADY_SUBSCRIBED = "already subscribed"  # an active address: its preferences link


class StaleConfirmation(Exception):
    """A confirmation link of an earlier round: the address unsubscribed after it was mailed."""


class NoticeNotSent(Exception):
    """The mail server did not take the subscription email; the address may try again at once."""


class NoticeTooSoon(Exception):
    """No email may go to this address now (one went too recently, or the site's cap on
    confirmation mail is reached): nothing was sent or changed; ``retry_after`` in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _too_soon(subscriber: Subscriber, now: dt.datetime) -> NoticeTooSoon | None:
    """The refusal when an email went to ``subscriber`` too recently: a pending confirmation
    link stands for a day (no mail-bombing an address through the form), any other notice for
    :data:`NOTICE_INTERVAL`. The message reveals only that mail went there recently."""
    if not subscriber.notice_sent_at:
        return None
    interval = PENDING_INTERVAL if subscriber.status == UNCONFIRMED else NOTICE_INTERVAL
    wait = subscriber.notice_sent_at + interval - now
    if wait <= dt.timedelta(0):
        return None
    when = timezone.localtime(now + wait).strftime("%Y-%m-%d %H:%M %Z")
    return NoticeTooSoon(
        "An email went to this address recently: please use the link in it, or ask again "
        f"after {when}.",
        math.ceil(wait.total_seconds()),
    )


def _apply(subscriber: Subscriber, transition: Transition, **fields) -> bool:
    """Move ``subscriber`` by ``transition`` (its stored state read under a row lock), writing
    ``fields`` with the new state; False when it already was in the target state (nothing
    written). Raises :class:`TransitionNotAllowed`."""
    with transaction.atomic():
        status = (
            Subscriber.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=subscriber.pk)
        )
        after = transition.next_state(status)
        subscriber.status = after
        if not transition.allows(status):
            return False
        changes = {**fields, "status": after}
        Subscriber.objects.filter(pk=subscriber.pk).update(**changes)
    computed = [name for name, value in changes.items() if hasattr(value, "resolve_expression")]
    for name, value in changes.items():
        if name not in computed:
            setattr(subscriber, name, value)
    if computed:  # F() expressions: read back what the database made of them
        subscriber.refresh_from_db(fields=computed)
    return True


def _preferences(values: Mapping[str, object]) -> dict[str, object]:
    missing = [name for name in PREFERENCES if name not in values]
    if missing:
        raise ValueError(f"preferences lack {', '.join(missing)}")
    return {name: values[name] for name in PREFERENCES}


def _save_searches(subscriber: Subscriber, queries: Iterable[str]) -> None:
    """Make the subscriber's saved searches be ``queries`` (kept ones keep their age)."""
    wanted = list(queries)
    subscriber.saved_searches.exclude(query__in=wanted).delete()
    have = set(subscriber.saved_searches.values_list("query", flat=True))
    SavedSearch.objects.bulk_create(
        [SavedSearch(subscriber=subscriber, query=q) for q in wanted if q not in have]
    )


def subscribe(
    email: str,
    preferences: Mapping[str, object],
    saved_searches: Iterable[str] = (),
    *,
    user=None,
    site_url: str = "",
    now: dt.datetime | None = None,
    mail_cap: Callable[[], NoticeTooSoon | None] = lambda: None,
) -> Notice:
    """The subscribe form: a new or not-active address becomes unconfirmed with these
    preferences (they apply once confirmed) and is mailed the confirmation link; an active one
    keeps its preferences and is mailed its preferences link. ``user`` (the logged-in account)
    is linked when its address is this one; ``site_url`` (the site it subscribed on) is kept for
    its mail links when given. ``mail_cap`` is asked just before a confirmation link goes out
    and answers the refusal when the site has sent its share (the caller counts). Raises
    :class:`NoticeTooSoon` (nothing stored or sent) or :class:`NoticeNotSent`."""
    email = normalise_email(email)
    now = now or timezone.now()
    fields = _preferences(preferences)
    if user is not None and user.is_authenticated and normalise_email(user.email) == email:
        fields["user"] = user
    if site_url:
        fields["site_url"] = site_url
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            subscriber = Subscriber.objects.create(email=email, status=SUBSCRIBE.target, **fields)
            joined = True
        elif refusal := _too_soon(subscriber, now):
            raise refusal
        else:
            joined = SUBSCRIBE.allows(subscriber.status)  # refused for an active address
            if joined:
                _apply(subscriber, SUBSCRIBE, confirmed_at=None, **fields)
        if joined:
            if refusal := mail_cap():
                raise refusal  # rolls back the new or changed subscriber: nothing happened
            _save_searches(subscriber, saved_searches)
            notice, message = Notice.CONFIRMATION, compose.confirmation_message(subscriber)
        else:
            notice = Notice.ALREADY_SUBSCRIBED
            message = compose.already_subscribed_message(subscriber)
        Subscriber.objects.filter(pk=subscriber.pk).update(notice_sent_at=now)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        log.exception("could not send the subscription email to %s", email)
        Subscriber.objects.filter(pk=subscriber.pk).update(notice_sent_at=None)
        raise NoticeNotSent(f"could not send the {notice.value} email to {email}") from exc
    return notice


def confirm(
    subscriber: Subscriber, now: dt.datetime | None = None, *, link_round: int | None = None
) -> bool:
    """The confirmation link's button: the address gets digests (hard failures forgotten);
    False when it already was active. ``link_round``, the round the link was mailed in, must
    still be the address's (checked under the row lock, so an unsubscribe racing the click
    wins): else :class:`StaleConfirmation`. An unsubscribed address raises
    :class:`TransitionNotAllowed`."""
    with transaction.atomic():
        stored = (
            Subscriber.objects.select_for_update()
            .values_list("confirm_round", flat=True)
            .get(pk=subscriber.pk)
        )
        if link_round is not None and stored != link_round:
            raise StaleConfirmation(f"the link is of round {link_round}, the address of {stored}")
        return _apply(subscriber, CONFIRM, confirmed_at=now or timezone.now(), hard_failures=0)


def update_preferences(
    subscriber: Subscriber, preferences: Mapping[str, object], saved_searches: Iterable[str]
) -> Subscriber:
    """The preferences page (signed link): new preferences and saved searches, state kept."""
    with transaction.atomic():
        _apply(subscriber, UPDATE_PREFERENCES, **_preferences(preferences))
        _save_searches(subscriber, saved_searches)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> bool:
    """The unsubscribe link (button or RFC 8058 one-click): no more email, and every
    confirmation link mailed so far stops working. False when the address already was
    unsubscribed."""
    return _apply(subscriber, UNSUBSCRIBE, confirm_round=F("confirm_round") + 1)


def record_hard_failure(subscriber: Subscriber, error: str) -> bool:
    """A permanent delivery failure (5xx) of the address; at :data:`HARD_FAILURE_LIMIT` in a row
    an active address is paused. True when this failure paused it."""
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).update(
            hard_failures=F("hard_failures") + 1, last_error=error
        )
        failures = Subscriber.objects.values_list("hard_failures", flat=True).get(pk=subscriber.pk)
        subscriber.hard_failures, subscriber.last_error = failures, error
        if failures < HARD_FAILURE_LIMIT:
            return False
        try:
            return _apply(subscriber, PAUSE)
        except TransitionNotAllowed:
            return False  # unsubscribed while its digest was in flight: it stays unsubscribed


def record_delivery(subscriber_id: int) -> None:
    """A digest reached the address: its run of hard failures is over."""
    Subscriber.objects.filter(pk=subscriber_id, hard_failures__gt=0).update(
        hard_failures=0, last_error=""
    )


def resume(subscriber: Subscriber) -> bool:
    """Staff: a paused address gets digests again (hard failures reset); False when it already
    was active."""
    return _apply(subscriber, RESUME, hard_failures=0)


def resume_paused(subscribers: QuerySet[Subscriber]) -> int:
    """Resume the paused ones among ``subscribers`` (the others stay as they are); how many."""
    return sum(resume(s) for s in subscribers.filter(status__in=RESUME.sources))
