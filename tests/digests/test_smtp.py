"""Mail through a real SMTP server (aiosmtpd on 127.0.0.1), parsed as a mail client would."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client, override_settings

from paperfeed import config
from paperfeed.digests import compose, send
from paperfeed.digests.models import Subscriber
from tests.digests.smtp import parts, smtp_server
from tests.digests.test_send_ledger import NOW
from tests.web.conftest import record, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbox():
    with smtp_server() as server, override_settings(**server.django_settings):
        yield server


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_double_opt_in_through_smtp(inbox):
    client = Client(enforce_csrf_checks=False)
    client.post(
        "/subscribe",
        {
            "email": "ada@example.org",
            "frequency": "daily",
            "send_hour": "7",
            "timezone": "UTC",
            "top_n": "10",
            "categories": "cs.CL",
        },
    )
    [message] = inbox.to("ada@example.org")
    assert message["Subject"] == "Confirm your paperfeed digest"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = parts(message)
    confirm = re.search(r"http://testserver/subscribe/confirm/\S+", text).group(0)
    assert confirm in html
    assert Subscriber.objects.get().status == "unconfirmed"
    client.post(path_of(confirm))
    assert Subscriber.objects.get().status == "active"


def test_digest_email_contents_and_headers(inbox):
    papers = store(
        record(
            "2026-11-20",
            title=r"Scaling $\alpha$-attention to $O(n^2)$ tokens",
            abstract="We study <b>things</b> " + "word " * 100,
        ),
        record("2026-11-20", title="KV cache offloading", authors=("A B", "C D", "E F", "G H")),
    )
    sub = Subscriber.objects.create(email="ada@example.org", status="active")
    digest = compose.Digest(
        sub,
        "daily:2026-11-21",
        [
            compose.Section("Trending", [compose.DigestItem(papers[0], "trending today")]),
            compose.Section(
                "Alert: kv cache offloading",
                [compose.DigestItem(papers[1], "matches your alert kv cache")],
            ),
            compose.Section("Empty section", []),
        ],
    )
    compose.digest_message(digest).send()
    [message] = inbox.to("ada@example.org")
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "paperfeed: 2 papers - Daily digest, 21 November 2026"
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # long: folded onto its own line
    assert unsubscribe.startswith("<http://localhost:8000/unsubscribe/") and unsubscribe.endswith(
        ">"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"]
    text, html = parts(message)
    # math as text in both parts
    assert "Scaling α-attention to O(n²) tokens" in text
    assert "Scaling α-attention to O(n²) tokens" in html
    assert "matches your alert kv cache" in text and "A B, C D, E F and 1 more" in text
    assert "Empty section" not in text
    # CSS inlined, abstract escaped in HTML and cut short
    assert "<style" not in html and 'style="' in html
    assert "&lt;b&gt;things&lt;/b&gt;" in html and "<b>things" not in html
    assert "…" in text
    # every link is absolute; feedback + manage links present in both parts
    for name in ("/feedback/", "/subscribe/manage/", "/unsubscribe/"):
        assert f"http://localhost:8000{name}" in text and f"http://localhost:8000{name}" in html
    # the one-click unsubscribe URL works with a bare POST, as a mail client sends it
    bare = Client(enforce_csrf_checks=True)
    response = bare.post(
        path_of(unsubscribe.strip("<>")),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == "unsubscribed"


def test_whole_flow_subscribe_confirm_digest_unsubscribe_then_silence(inbox):
    """Through SMTP with the real content builder: the confirmed subscriber gets the new paper
    of their category, unsubscribes with the header's one-click POST, and gets nothing after."""
    [followed, other] = store(
        record("2026-11-26", categories=("cs.LG",), title="A followed paper"),
        record("2026-11-26", categories=("math.AG",), title="An unrelated paper"),
    )
    client = Client()
    form = {
        "email": "ada@example.org",
        "frequency": "daily",
        "send_hour": "7",
        "timezone": "UTC",
        "top_n": "0",
        "categories": "cs.LG",
    }
    client.post("/subscribe", form)
    [confirmation] = inbox.to("ada@example.org")
    confirm = re.search(r"http://testserver(/subscribe/confirm/\S+)", parts(confirmation)[0])
    assert send.send_due(NOW).sent == 0  # nothing before the address is confirmed
    client.post(confirm.group(1))
    Subscriber.objects.update(confirmed_at=NOW - dt.timedelta(days=1))

    assert send.send_due(NOW).sent == 1
    [_, digest] = inbox.to("ada@example.org")
    text, html = parts(digest)
    assert "A followed paper" in text and "A followed paper" in html
    assert "An unrelated paper" not in text and other.pk not in text
    assert f"http://testserver/papers/{followed.pk}" in text

    one_click = path_of(str(digest["List-Unsubscribe"]).strip().strip("<>"))
    response = Client(enforce_csrf_checks=True).post(
        one_click, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    store(record("2026-11-27", categories=("cs.LG",), title="Another followed paper"))
    outcome = send.send_due(NOW + dt.timedelta(days=1))
    assert (outcome.planned, outcome.sent) == (0, 0)
    assert len(inbox.to("ada@example.org")) == 2


def test_email_url_settings():
    smtp = config.email_settings("smtp://me%40x.org:p%2Fw@mail.example.org?tls=1")
    assert smtp["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == (
        "mail.example.org",
        587,
        True,
    )
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("me@x.org", "p/w")
    assert config.email_settings("smtps://mail.example.org")["EMAIL_PORT"] == 465
    assert config.email_settings("smtp://localhost:2525?timeout=5")["EMAIL_TIMEOUT"] == 5.0
    assert config.email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    for bad, reason in [
        ("http://mail.example.org", "unknown scheme"),
        ("smtp://", "no host"),
        ("smtp://h?tls=1&ssl=1", "choose"),
        ("smtp://h?tsl=1", "unknown option"),
        ("smtp://h:port", "EMAIL_URL"),
    ]:
        with pytest.raises(config.ConfigError, match=reason):
            config.email_settings(bad)
