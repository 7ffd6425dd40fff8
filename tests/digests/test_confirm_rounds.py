"""A confirmation link is bound to the subscription's round (digests.tokens, Subscriber
.confirm_round): it confirms once, says "already confirmed" after, and is refused with a way
back once the address unsubscribed, even when the address has subscribed again since."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core import mail, signing
from django.db.models import F
from django.test import Client

from paperfeed.digests import subscriptions, tokens
from paperfeed.digests.models import Subscriber
from tests.digests.test_views_subscribe import link, subscribe

pytestmark = pytest.mark.django_db
ACTIVE, UNCONFIRMED, UNSUBSCRIBED = "active", "unconfirmed", "unsubscribed"


def status() -> str:
    return Subscriber.objects.get().status


def unsubscribe(client: Client) -> None:
    path = f"/unsubscribe/{tokens.make_token(Subscriber.objects.get(), 'unsubscribe')}"
    assert client.post(path).status_code == 200
    assert status() == UNSUBSCRIBED


def assert_no_longer_valid(response) -> None:
    assert response.status_code == 410
    assert b"Link no longer valid" in response.content
    assert b"subscribe again" in response.content and b'href="/subscribe"' in response.content


def later() -> None:
    """Let the per-address notice interval pass, as if the address came back another day."""
    Subscriber.objects.update(notice_sent_at=F("notice_sent_at") - dt.timedelta(days=2))


def test_confirm_once_then_already_confirmed(client):
    subscribe(client)
    path = link(mail.outbox[0], "subscribe/confirm/")
    first = client.post(path)
    assert first.status_code == 200 and b"Subscription confirmed" in first.content
    confirmed_at = Subscriber.objects.get().confirmed_at
    for again in (client.get(path), client.post(path)):  # a second click, or its button
        assert again.status_code == 200
        assert b"Already confirmed" in again.content
        assert b"Confirm my subscription" not in again.content  # no button to press again
    assert status() == ACTIVE
    assert Subscriber.objects.get().confirmed_at == confirmed_at  # nothing changed


def test_a_link_from_before_an_unsubscribe_cannot_reactivate(client):
    subscribe(client)
    path = link(mail.outbox[0], "subscribe/confirm/")
    client.post(path)
    unsubscribe(client)
    assert_no_longer_valid(client.get(path))
    assert_no_longer_valid(client.post(path))
    assert status() == UNSUBSCRIBED


def test_an_unconfirmed_address_that_unsubscribed_stays_unsubscribed(client):
    subscribe(client)
    path = link(mail.outbox[0], "subscribe/confirm/")
    unsubscribe(client)
    assert_no_longer_valid(client.post(path))
    assert status() == UNSUBSCRIBED


def test_subscribing_again_mails_a_link_that_works_and_the_old_one_stays_dead(client):
    subscribe(client)
    old = link(mail.outbox[0], "subscribe/confirm/")
    client.post(old)
    unsubscribe(client)
    later()
    subscribe(client)
    assert status() == UNCONFIRMED
    new = link(mail.outbox[-1], "subscribe/confirm/")
    assert new != old
    assert_no_longer_valid(client.post(old))  # unconfirmed again, but not by the old link
    assert status() == UNCONFIRMED
    page = client.get(new)
    assert page.status_code == 200 and b'<form method="post"' in page.content
    assert client.post(new).status_code == 200
    assert status() == ACTIVE
    assert b"Already confirmed" in client.get(new).content


def test_two_links_of_one_pending_round_both_confirm(client):
    subscribe(client)
    first = link(mail.outbox[0], "subscribe/confirm/")
    later()
    subscribe(client)  # asked again before confirming: the round is the same
    second = link(mail.outbox[-1], "subscribe/confirm/")
    assert client.post(first).status_code == 200 and status() == ACTIVE
    assert b"Already confirmed" in client.post(second).content


def test_an_unsubscribe_racing_the_click_wins():
    sub = Subscriber.objects.create(email="ada@example.org")
    token = tokens.make_token(sub, "confirm")
    clicked = tokens.read_token(token, "confirm").subscriber  # the page was read...
    subscriptions.unsubscribe(Subscriber.objects.get())  # ...then the address unsubscribed...
    Subscriber.objects.update(status=UNCONFIRMED)  # ...and even subscribed again
    with pytest.raises(subscriptions.StaleConfirmation):
        subscriptions.confirm(clicked, link_round=clicked.confirm_round)
    assert status() == UNCONFIRMED


def test_unsubscribing_moves_the_round_and_the_token_says_stale():
    sub = Subscriber.objects.create(email="ada@example.org", status=ACTIVE)
    token = tokens.make_token(sub, "confirm")
    assert subscriptions.unsubscribe(sub) is True
    assert sub.confirm_round == 1 == Subscriber.objects.get().confirm_round
    assert subscriptions.unsubscribe(sub) is False  # already unsubscribed: the round stays
    assert Subscriber.objects.get().confirm_round == 1
    with pytest.raises(tokens.StaleLink, match="no longer valid"):
        tokens.read_token(token, "confirm")
    assert tokens.read_token(tokens.make_token(sub, "confirm"), "confirm").subscriber == sub
    # the unsubscribe and preferences links are not bound to the round
    assert tokens.read_token(tokens.make_token(sub, "manage"), "manage").subscriber == sub


def test_staff_unsubscribing_in_the_admin_also_stops_old_links(client):
    sub = Subscriber.objects.create(email="ada@example.org")
    path = f"/subscribe/confirm/{tokens.make_token(sub, 'confirm')}"
    Subscriber.objects.update(status=UNSUBSCRIBED)  # the admin form writes the status alone
    assert_no_longer_valid(client.get(path))
    assert_no_longer_valid(client.post(path))
    assert status() == UNSUBSCRIBED


def legacy_token(sub: Subscriber) -> str:
    """A confirmation token as mailed before rounds existed: [id, address tag]."""
    payload = [sub.pk, tokens.address_tag(sub.email)]
    return signing.dumps(payload, salt="paperfeed.digests.confirm", compress=False)


def test_links_mailed_before_the_upgrade_keep_working_unless_unsubscribed(client):
    pending = Subscriber.objects.create(email="ada@example.org")
    gone = Subscriber.objects.create(email="bob@example.org", status=UNSUBSCRIBED)
    migration = __import__(
        "paperfeed.digests.migrations.0004_subscriber_confirm_round", fromlist=["_"]
    )
    migration.unsubscribed_start_at_one(apps, None)
    assert Subscriber.objects.get(pk=gone.pk).confirm_round == 1
    assert Subscriber.objects.get(pk=pending.pk).confirm_round == 0
    assert client.post(f"/subscribe/confirm/{legacy_token(pending)}").status_code == 200
    assert Subscriber.objects.get(pk=pending.pk).status == ACTIVE
    assert_no_longer_valid(client.post(f"/subscribe/confirm/{legacy_token(gone)}"))


@pytest.mark.parametrize("bad_round", ["0", None, True, 1.0])
def test_a_round_that_is_not_a_number_is_refused(bad_round):
    sub = Subscriber.objects.create(email="ada@example.org")
    payload = [sub.pk, tokens.address_tag(sub.email), bad_round]
    token = signing.dumps(payload, salt="paperfeed.digests.confirm", compress=False)
    with pytest.raises(tokens.BadToken, match="not valid") as caught:
        tokens.read_token(token, "confirm")
    assert not isinstance(caught.value, tokens.StaleLink)
