from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from paperfeed.digests import tokens
from paperfeed.digests.models import Feedback, SavedSearch, Subscriber
from paperfeed.digests.subscriptions import PENDING_INTERVAL
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db

FORM = {
    "email": " Ada@Example.org ",
    "frequency": "weekly",
    "send_hour": "8",
    "timezone": "Europe/Paris",
    "top_n": "5",
    "categories": ["cs.LG", "cs.CL"],
    "recommendations": "on",
    "saved_searches": "kv cache offloading\n\nspeculative decoding\nkv cache offloading",
}


def link(message, name: str) -> str:
    """The path of the first link in the plain-text body whose path starts with ``name``."""
    found = re.search(rf"http://testserver(/{name}[^\s]*)", message.body)  # the host subscribed on
    assert found, message.body
    return found.group(1)


def subscribe(client: Client, **changes) -> Subscriber:
    response = client.post("/subscribe", {**FORM, **changes})
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    return Subscriber.objects.get(email=(changes.get("email") or FORM["email"]).strip().lower())


def test_subscribe_stores_an_unconfirmed_subscription_and_mails_a_link(client):
    sub = subscribe(client)
    assert sub.status == Subscriber.Status.UNCONFIRMED and sub.confirmed_at is None
    assert (sub.frequency, sub.send_hour, sub.timezone, sub.top_n) == (
        "weekly",
        8,
        "Europe/Paris",
        5,
    )
    assert sub.categories == "cs.LG cs.CL"
    assert list(SavedSearch.objects.values_list("query", flat=True)) == [
        "kv cache offloading",
        "speculative decoding",
    ]
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert "/subscribe/confirm/" in message.body


def test_confirm_get_changes_nothing_and_post_confirms(client):
    subscribe(client)
    path = link(mail.outbox[0], "subscribe/confirm/")
    page = client.get(path)
    assert page.status_code == 200 and b'<form method="post"' in page.content
    assert Subscriber.objects.get().status == Subscriber.Status.UNCONFIRMED
    client.post(path)
    sub = Subscriber.objects.get()
    assert sub.status == Subscriber.Status.ACTIVE and sub.confirmed_at is not None


def test_confirm_post_needs_csrf():
    client = Client(enforce_csrf_checks=True)
    sub = Subscriber.objects.create(email="ada@example.org")
    token = tokens.make_token(sub, "confirm")
    assert client.post(f"/subscribe/confirm/{token}").status_code == 403
    assert Subscriber.objects.get().status == Subscriber.Status.UNCONFIRMED


def test_forged_or_foreign_tokens_are_refused(client):
    sub = Subscriber.objects.create(email="ada@example.org")
    other = Subscriber.objects.create(email="bob@example.org", status="active")
    manage_token = tokens.make_token(other, "manage")
    assert client.post(f"/unsubscribe/{manage_token}").status_code == 400
    assert (
        client.post(f"/subscribe/confirm/{tokens.make_token(sub, 'confirm')}x").status_code == 400
    )
    assert Subscriber.objects.get(pk=other.pk).status == "active"


def test_subscribing_an_active_address_again_sends_its_preferences_link_only(client):
    sub = Subscriber.objects.create(email="ada@example.org", status="active", frequency="daily")
    subscribe(client)
    sub.refresh_from_db()
    assert sub.status == "active" and sub.frequency == "daily"
    [message] = mail.outbox
    assert "/subscribe/manage/" in message.body and "/subscribe/confirm/" not in message.body


def test_bad_preferences_are_refused_with_the_reason(client):
    response = client.post("/subscribe", {**FORM, "timezone": "Mars/Olympus", "send_hour": "25"})
    assert response.status_code == 200
    assert b"Mars/Olympus" in response.content and b"0 to 23" in response.content
    assert not Subscriber.objects.exists() and not mail.outbox


def test_manage_preferences_through_the_signed_link(client):
    sub = Subscriber.objects.create(email="ada@example.org", status="active")
    path = f"/subscribe/manage/{tokens.make_token(sub, 'manage')}"
    assert b"ada@example.org" in client.get(path).content
    data = {**FORM, "frequency": "daily", "send_hour": "6", "saved_searches": "diffusion models"}
    del data["email"]
    response = client.post(path, data)
    assert b"saved" in response.content
    sub.refresh_from_db()
    assert (sub.frequency, sub.send_hour) == ("daily", 6)
    assert list(sub.saved_searches.values_list("query", flat=True)) == ["diffusion models"]


def test_one_click_unsubscribe_post_works_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    sub = Subscriber.objects.create(email="ada@example.org", status="active")
    path = f"/unsubscribe/{tokens.make_token(sub, 'unsubscribe')}"
    page = client.get(path)
    assert page.status_code == 200
    assert Subscriber.objects.get().status == "active"
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"


def test_feedback_link_get_shows_a_button_post_records(client):
    [paper] = store(record("2026-11-20"))
    sub = Subscriber.objects.create(email="ada@example.org", status="active")
    path = f"/feedback/{tokens.feedback_token(sub, paper.pk, -1)}"
    assert b"Less like this" in client.get(path).content
    assert not Feedback.objects.exists()
    client.post(path)
    client.post(f"/feedback/{tokens.feedback_token(sub, paper.pk, 1)}")
    [row] = Feedback.objects.all()
    assert (row.subscriber_id, row.paper_id, row.signal) == (sub.pk, paper.pk, 1)


def test_feedback_post_needs_csrf():
    [paper] = store(record("2026-11-20"))
    sub = Subscriber.objects.create(email="ada@example.org", status="active")
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/feedback/{tokens.feedback_token(sub, paper.pk, 1)}").status_code == 403


def test_logged_in_subscriber_is_linked_to_the_account(client):
    user = make_user("ada")  # ada@example.org
    client.force_login(user)
    sub = subscribe(client)
    assert sub.user == user


def test_repeated_subscribing_sends_one_email_per_interval(client):
    subscribe(client)
    again = client.post("/subscribe", FORM)
    assert again.status_code == 429 and len(mail.outbox) == 1
    assert b"email went to this address recently" in again.content
    assert int(again["Retry-After"]) == PENDING_INTERVAL.total_seconds()
    Subscriber.objects.update(notice_sent_at=timezone.now() - PENDING_INTERVAL)
    subscribe(client)
    assert len(mail.outbox) == 2


def _form(email: str) -> dict:
    return {**FORM, "email": email}


def test_one_client_cannot_mail_many_addresses():
    """Issue 14 item 2: 1,000 confirmation mails in 36 s from one client; now its 6th is 429."""
    client = Client(REMOTE_ADDR="203.0.113.5")
    answers = [client.post("/subscribe", _form(f"victim{n}@example.org")) for n in range(8)]
    assert [r.status_code for r in answers] == [200] * 5 + [429] * 3
    assert len(mail.outbox) == 5 and Subscriber.objects.count() == 5
    assert b"Too many subscription requests from your network" in answers[-1].content
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post("/subscribe", _form("someone@example.org")).status_code == 200


@override_settings(PAPERFEED_LIMIT_CONFIRMATION_MAIL="3/h/key")
def test_the_site_sends_at_most_its_hourly_share_of_confirmations():
    answers = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post("/subscribe", _form(f"p{n}@example.org"))
        for n in range(5)
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 429, 429]
    assert len(mail.outbox) == 3 and Subscriber.objects.count() == 3
    assert b"as many confirmation emails as it may this hour" in answers[-1].content


def test_mail_server_down_says_so_and_allows_a_retry(client, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", down)
    response = client.post("/subscribe", FORM)
    assert response.status_code == 503 and b"could not send" in response.content
    assert Subscriber.objects.get().notice_sent_at is None
    monkeypatch.undo()
    subscribe(client)
    assert len(mail.outbox) == 1
