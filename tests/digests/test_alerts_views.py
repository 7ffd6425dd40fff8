"""The "stop all alerts" link of alert mails: GET asks, POST (one-click, no cookie) stops."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from paperfeed.digests import tokens
from paperfeed.personal.models import Follow
from tests.digests.alert_helpers import follow, reader

pytestmark = pytest.mark.django_db


def url(user) -> str:
    return reverse("digests:alerts-off", args=[tokens.alerts_token(user.pk, user.email)])


def test_get_asks_and_a_cookieless_post_stops_every_alert():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    follow(ada, Follow.AUTHOR, "1", Follow.DAILY)
    client = Client(enforce_csrf_checks=True)  # a mail client's one-click POST has no token
    page = client.get(url(ada))
    assert page.status_code == 200
    assert b"2 follows" in page.content and b"ada@example.org" in page.content
    assert Follow.objects.filter(alert=Follow.NO_ALERT).count() == 0  # GET changes nothing
    done = client.post(url(ada), {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b"2 follows will send no more mail" in done.content
    assert set(Follow.objects.values_list("alert", flat=True)) == {Follow.NO_ALERT}
    assert Follow.objects.count() == 2  # still followed
    again = client.get(url(ada))
    assert b"None of your follows sends mail" in again.content


def test_a_forged_token_or_one_for_an_old_address_is_refused():
    ada = reader("ada")
    follow(ada, Follow.CATEGORY, "cs.LG")
    old = url(ada)
    forged = Client().post(old[:-3] + "abc")
    assert forged.status_code == 400 and b"not valid" in forged.content
    ada.email = "new@example.org"
    ada.save()
    refused = Client().post(old)
    assert refused.status_code == 400 and b"no longer has this address" in refused.content
    assert Follow.objects.get().alert == Follow.INSTANT
    # the digests' tokens are not alert tokens
    assert Client().get(reverse("digests:alerts-off", args=["x" * 40])).status_code == 400
