"""The subscription lifecycle (paperfeed.digests.subscriptions): every state x transition, allowed
and refused, through the real functions on the database and through the pure table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from paperfeed.digests import subscriptions as subs
from paperfeed.digests.models import Subscriber

pytestmark = pytest.mark.django_db

U, A, P, X = subs.UNCONFIRMED, subs.ACTIVE, subs.PAUSED, subs.UNSUBSCRIBED
MOVED, ALREADY, REFUSED = "moved", "already there", "refused"
NOW = dt.datetime(2026, 11, 27, 7, tzinfo=dt.UTC)

PREFS = {
    "frequency": "weekly",
    "send_hour": 9,
    "timezone": "Europe/Paris",
    "top_n": 3,
    "categories": "cs.CL",
    "recommendations": False,
}

# transition -> state before -> (state after, what happened)
EXPECTED = {
    subs.SUBSCRIBE: {U: (U, MOVED), A: (A, REFUSED), P: (U, MOVED), X: (U, MOVED)},
    # an unsubscribed address is confirmed only after subscribing again (a new link's round)
    subs.CONFIRM: {U: (A, MOVED), A: (A, ALREADY), P: (A, MOVED), X: (X, REFUSED)},
    subs.UPDATE_PREFERENCES: {U: (U, MOVED), A: (A, MOVED), P: (P, MOVED), X: (X, MOVED)},
    subs.UNSUBSCRIBE: {U: (X, MOVED), A: (X, MOVED), P: (X, MOVED), X: (X, ALREADY)},
    subs.PAUSE: {U: (U, REFUSED), A: (P, MOVED), P: (P, ALREADY), X: (X, REFUSED)},
    subs.RESUME: {U: (U, REFUSED), A: (A, ALREADY), P: (A, MOVED), X: (X, REFUSED)},
}
CASES = [(t, state) for t in subs.TRANSITIONS for state in subs.STATES]


def subscriber(status: str, **fields) -> Subscriber:
    return Subscriber.objects.create(
        email="ada@example.org", status=status, frequency="daily", **fields
    )


def do_subscribe(sub: Subscriber) -> str:
    notice = subs.subscribe(sub.email, PREFS, ["kv cache"], now=NOW)
    sub.refresh_from_db()
    if notice is subs.Notice.CONFIRMATION:
        assert (sub.frequency, sub.confirmed_at) == ("weekly", None)
        assert list(sub.saved_searches.values_list("query", flat=True)) == ["kv cache"]
        assert "/subscribe/confirm/" in mail.outbox[-1].body
        return MOVED
    assert notice is subs.Notice.ALREADY_SUBSCRIBED
    assert sub.frequency == "daily" and not sub.saved_searches.exists()  # preferences kept
    assert "/subscribe/manage/" in mail.outbox[-1].body
    return REFUSED


def do_confirm(sub: Subscriber) -> str:
    try:
        moved = subs.confirm(sub, now=NOW)
    except subs.TransitionNotAllowed:
        return REFUSED
    sub.refresh_from_db()
    if moved:
        assert sub.confirmed_at == NOW and sub.hard_failures == 0
    return MOVED if moved else ALREADY


def do_update_preferences(sub: Subscriber) -> str:
    subs.update_preferences(sub, PREFS, ["diffusion"])
    sub.refresh_from_db()
    assert (sub.frequency, sub.send_hour, sub.categories) == ("weekly", 9, "cs.CL")
    assert list(sub.saved_searches.values_list("query", flat=True)) == ["diffusion"]
    return MOVED


def do_unsubscribe(sub: Subscriber) -> str:
    return MOVED if subs.unsubscribe(sub) else ALREADY


def do_pause(sub: Subscriber) -> str:
    """Pausing happens when a hard failure reaches the limit."""
    before = sub.status
    Subscriber.objects.filter(pk=sub.pk).update(hard_failures=subs.HARD_FAILURE_LIMIT - 1)
    paused = subs.record_hard_failure(sub, "550 no such user")
    sub.refresh_from_db()
    assert sub.hard_failures == subs.HARD_FAILURE_LIMIT and sub.last_error == "550 no such user"
    if paused:
        return MOVED
    return ALREADY if before == P else REFUSED


def do_resume(sub: Subscriber) -> str:
    try:
        moved = subs.resume(sub)
    except subs.TransitionNotAllowed:
        return REFUSED
    sub.refresh_from_db()
    if moved:
        assert sub.hard_failures == 0
    return MOVED if moved else ALREADY


RUN = {
    subs.SUBSCRIBE: do_subscribe,
    subs.CONFIRM: do_confirm,
    subs.UPDATE_PREFERENCES: do_update_preferences,
    subs.UNSUBSCRIBE: do_unsubscribe,
    subs.PAUSE: do_pause,
    subs.RESUME: do_resume,
}


@pytest.mark.parametrize(("transition", "state"), CASES, ids=lambda v: getattr(v, "name", v))
def test_every_state_and_transition_on_the_database(transition, state):
    sub = subscriber(state, hard_failures=1)
    after, happened = EXPECTED[transition][state]
    assert RUN[transition](sub) == happened
    assert Subscriber.objects.get(pk=sub.pk).status == after


@pytest.mark.parametrize(("transition", "state"), CASES, ids=lambda v: getattr(v, "name", v))
def test_the_table_says_the_same(transition, state):
    after, happened = EXPECTED[transition][state]
    if happened == REFUSED:
        with pytest.raises(subs.TransitionNotAllowed):
            transition.next_state(state)
    else:
        assert transition.next_state(state) == after
        assert transition.allows(state) == (happened == MOVED)


def test_a_refusal_names_the_state_and_the_allowed_ones():
    sub = subscriber(X)
    with pytest.raises(
        subs.TransitionNotAllowed,
        match="cannot resume a subscription that is unsubscribed \\(only one that is paused\\)",
    ):
        subs.resume(sub)


def test_subscribing_a_new_address_creates_it_unconfirmed_and_links_the_account(django_user_model):
    user = django_user_model.objects.create_user("ada", "Ada@Example.org", "pw")
    notice = subs.subscribe(" ADA@example.org ", PREFS, [], user=user, now=NOW)
    assert notice is subs.Notice.CONFIRMATION
    sub = Subscriber.objects.get()
    assert (sub.email, sub.status, sub.user, sub.notice_sent_at) == (
        "ada@example.org",
        U,
        user,
        NOW,
    )
    other = django_user_model.objects.create_user("bob", "bob@example.org", "pw")
    subs.subscribe("carol@example.org", PREFS, [], user=other, now=NOW)
    assert Subscriber.objects.get(email="carol@example.org").user is None  # not bob's address


def test_a_second_subscription_within_the_interval_mails_and_changes_nothing():
    sub = subscriber(X, notice_sent_at=NOW - subs.NOTICE_INTERVAL / 2)
    with pytest.raises(subs.NoticeTooSoon, match="email went to this address recently") as exc:
        subs.subscribe(sub.email, PREFS, [], now=NOW)
    assert exc.value.retry_after == (subs.NOTICE_INTERVAL / 2).total_seconds()
    sub.refresh_from_db()
    assert (sub.status, sub.frequency) == (X, "daily") and not mail.outbox
    later = NOW + subs.NOTICE_INTERVAL
    assert subs.subscribe(sub.email, PREFS, [], now=later) is subs.Notice.CONFIRMATION


def test_a_pending_confirmation_stands_for_a_day():
    """One confirmation link per address per day, however many clients ask (issue 14 item 2)."""
    subs.subscribe("ada@example.org", PREFS, [], now=NOW)
    for hours in (1, 12, 23.9):
        with pytest.raises(subs.NoticeTooSoon):
            subs.subscribe("ada@example.org", PREFS, [], now=NOW + dt.timedelta(hours=hours))
    assert len(mail.outbox) == 1
    subs.subscribe("ada@example.org", PREFS, [], now=NOW + subs.PENDING_INTERVAL)
    assert len(mail.outbox) == 2


def test_the_site_mail_cap_refuses_before_anything_is_stored():
    def cap():
        return subs.NoticeTooSoon("cap reached", 60)

    with pytest.raises(subs.NoticeTooSoon, match="cap reached"):
        subs.subscribe("new@example.org", PREFS, ["kv cache"], now=NOW, mail_cap=cap)
    assert not Subscriber.objects.exists() and not mail.outbox
    sub = subscriber(subs.UNSUBSCRIBED)
    with pytest.raises(subs.NoticeTooSoon):
        subs.subscribe(sub.email, PREFS, [], now=NOW, mail_cap=cap)
    sub.refresh_from_db()
    assert sub.status == subs.UNSUBSCRIBED and sub.notice_sent_at is None


def test_a_mail_server_failure_raises_and_allows_a_retry(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", down)
    with pytest.raises(subs.NoticeNotSent, match="confirmation email to ada@example.org"):
        subs.subscribe("ada@example.org", PREFS, [], now=NOW)
    assert Subscriber.objects.get().notice_sent_at is None


def test_transitions_read_the_stored_state_not_a_stale_copy():
    stale = subscriber(A, hard_failures=subs.HARD_FAILURE_LIMIT - 1)
    Subscriber.objects.filter(pk=stale.pk).update(status=X)  # unsubscribed while a send ran
    assert not subs.record_hard_failure(stale, "550")  # its digest bounced: not paused
    assert Subscriber.objects.get(pk=stale.pk).status == X
    with pytest.raises(subs.TransitionNotAllowed):
        subs.resume(stale)
    Subscriber.objects.filter(pk=stale.pk).update(status=P)
    stale.status = A
    subs.update_preferences(stale, PREFS, [])  # the preferences page does not resume it
    assert Subscriber.objects.get(pk=stale.pk).status == P


def subscriber_row(status: str, **fields) -> Subscriber:
    return Subscriber.objects.create(email=f"{status}@example.org", status=status, **fields)


def test_hard_failures_below_the_limit_do_not_pause_and_a_delivery_resets_them():
    sub = subscriber(A)
    for _ in range(subs.HARD_FAILURE_LIMIT - 1):
        assert not subs.record_hard_failure(sub, "550")
    assert Subscriber.objects.get(pk=sub.pk).status == A
    subs.record_delivery(sub.pk)
    sub.refresh_from_db()
    assert (sub.hard_failures, sub.last_error, sub.status) == (0, "", A)


def test_resume_paused_resumes_only_the_paused_ones():
    for status in subs.STATES:
        subscriber_row(status, hard_failures=3)
    assert subs.resume_paused(Subscriber.objects.all()) == 1
    states = dict(Subscriber.objects.values_list("email", "status"))
    assert Subscriber.objects.get(email="paused@example.org").hard_failures == 0
    assert states == {
        "paused@example.org": A,
        "unconfirmed@example.org": U,
        "active@example.org": A,
        "unsubscribed@example.org": X,
    }
