"""Mail links: on PAPERFEED_BASE_URL when it is set (not its default), else on the scheme and
host the address subscribed on (only a host ALLOWED_HOSTS names outright); never the default's
fixed port when a host is known."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from paperfeed.digests import compose
from paperfeed.digests.models import Subscriber

pytestmark = pytest.mark.django_db

FORM = {
    "email": "ada@example.org",
    "frequency": "daily",
    "send_hour": "7",
    "timezone": "UTC",
    "top_n": "5",
    "recommendations": "on",
}


def links(message) -> set[str]:
    """The scheme+host of every absolute link in the text and HTML bodies."""
    bodies = message.body + message.alternatives[0][0]
    return set(re.findall(r"(https?://[^/\s\"'<>]+)/", bodies))


def test_unset_base_url_links_to_the_host_subscribed_on(settings):
    settings.ALLOWED_HOSTS = ["papers.lab.org"]
    response = Client().post("/subscribe", FORM, HTTP_HOST="papers.lab.org", secure=True)
    assert response.status_code == 200, response.content
    subscriber = Subscriber.objects.get(email="ada@example.org")
    assert subscriber.site_url == "https://papers.lab.org"
    (message,) = mail.outbox
    assert links(message) == {"https://papers.lab.org"}
    assert ":8000" not in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://papers.lab.org/")


def test_a_set_base_url_wins_over_the_host(settings):
    settings.PAPERFEED_BASE_URL = "https://papers.example.org"
    subscriber = Subscriber.objects.create(email="b@example.org", site_url="https://other.org")
    assert compose.base_url_is_set()
    message = compose.confirmation_message(subscriber)
    assert links(message) == {"https://papers.example.org"}
    assert compose.subscriber_links(subscriber)["manage_url"].startswith(
        "https://papers.example.org/subscribe/manage/"
    )


def test_the_default_counts_as_unset_and_is_the_last_resort(settings):
    settings.PAPERFEED_BASE_URL = compose.DEFAULT_BASE_URL
    assert not compose.base_url_is_set()
    known = Subscriber(email="c@example.org", site_url="http://10.0.0.5:8080")
    assert compose.site_root(known) == "http://10.0.0.5:8080"
    legacy = Subscriber(email="d@example.org")  # stored before hosts were recorded
    assert compose.site_root(legacy) == compose.DEFAULT_BASE_URL


@pytest.mark.parametrize(
    ("allowed", "host", "expected"),
    [
        (["papers.lab.org"], "papers.lab.org", "http://papers.lab.org"),
        (["papers.lab.org"], "papers.lab.org:8443", "http://papers.lab.org:8443"),
        (["*"], "evil.example", ""),  # a wildcard accepts any Host header: not trusted for mail
        ([".lab.org"], "x.lab.org", ""),
        (["papers.lab.org", "*"], "evil.example", ""),
    ],
)
def test_request_site_trusts_only_hosts_named_outright(settings, allowed, host, expected):
    settings.ALLOWED_HOSTS = allowed
    request = RequestFactory().get("/subscribe", HTTP_HOST=host)
    assert compose.request_site(request) == expected


def test_a_forged_host_is_not_stored(settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PAPERFEED_BASE_URL = compose.DEFAULT_BASE_URL
    response = Client().post("/subscribe", FORM, HTTP_HOST="evil.example")
    assert response.status_code == 200
    assert Subscriber.objects.get(email="ada@example.org").site_url == ""
    assert "evil.example" not in mail.outbox[0].body
