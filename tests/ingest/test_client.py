"""The polite HTTP client: delay, Retry-After, backoff, bounded retries, clear errors."""

from __future__ import annotations

import datetime as dt

import pytest

from paperfeed import __version__
from paperfeed.ingest.client import (
    Client,
    HarvestError,
    HttpStatusError,
    backoff_seconds,
    retry_after_seconds,
    user_agent,
)
from tests.ingest.arxiv_server import HANG_UP, Reply, shared_reply

pytestmark = pytest.mark.network
NOW = dt.datetime(2018, 6, 21, 14, 30, 51, tzinfo=dt.UTC)
OAI = "/oai2"


def make_client(fake_time, **kwargs) -> Client:
    kwargs.setdefault("delay", 0)
    return Client(sleep=fake_time.sleep, clock=fake_time.clock, now=lambda: NOW, **kwargs)


@pytest.mark.parametrize(
    "header, seconds",
    [
        ("10", 10.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("Thu, 21 Jun 2018 14:31:21 GMT", 30.0),  # HTTP-date, 30 s after NOW
        ("Thu, 21 Jun 2018 14:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header, seconds):
    assert retry_after_seconds(header, NOW) == seconds


def test_backoff_doubles_and_is_capped():
    assert [backoff_seconds(n, 3.0, cap=20.0) for n in range(5)] == [3.0, 6.0, 12.0, 20.0, 20.0]


def test_user_agent_names_paperfeed_and_version(settings):
    settings.PAPERFEED_CONTACT_EMAIL = ""
    assert user_agent() == f"paperfeed/{__version__} (+self-hosted)"
    settings.PAPERFEED_CONTACT_EMAIL = "admin@example.org"
    assert user_agent() == f"paperfeed/{__version__} (+self-hosted; mailto:admin@example.org)"


def test_503_with_retry_after_waits_the_asked_10_seconds_then_succeeds(arxiv, fake_time):
    arxiv.route(
        OAI,
        {"verb": "ListRecords"},
        shared_reply("oai-pmh", "list-records-503.html", status=503),
        shared_reply("oai-pmh", "list-records.xml"),
    )
    notices = []
    with make_client(fake_time) as client:
        body = client.get(
            arxiv.url + OAI,
            {"verb": "ListRecords", "metadataPrefix": "arXiv"},
            notify=notices.append,
        )
    assert b"oai:arXiv.org:1412.8544" in body
    assert fake_time.sleeps == [10.0]
    assert (client.requests, client.retries) == (2, 1)
    assert "HTTP 503" in notices[0] and "Retry-After: 10" in notices[0]
    assert [r.params for r in arxiv.requests] == [
        {"verb": "ListRecords", "metadataPrefix": "arXiv"}
    ] * 2
    assert (
        arxiv.requests[0].headers["User-Agent"].startswith(f"paperfeed/{__version__} (+self-hosted")
    )


def test_retry_after_as_http_date_and_cap(arxiv, fake_time):
    arxiv.route(
        "/a",
        {},
        Reply(503, headers=[("Retry-After", "Thu, 21 Jun 2018 14:31:21 GMT")]),
        Reply(503, headers=[("Retry-After", "86400")]),
        Reply(200, b"ok"),
    )
    with make_client(fake_time, max_wait=60) as client:
        assert client.get(arxiv.url + "/a") == b"ok"
    assert fake_time.sleeps == [30.0, 60.0]


def test_gives_up_after_bounded_retries_with_a_clear_error(arxiv, fake_time):
    arxiv.route("/busy", {}, Reply(503, b"busy", headers=[("Retry-After", "5")]))
    with make_client(fake_time, max_retries=3) as client, pytest.raises(HarvestError) as caught:
        client.get(arxiv.url + "/busy", {"verb": "Identify"})
    message = str(caught.value)
    assert "gave up on" in message and "/busy?verb=Identify" in message
    assert "after 4 tries" in message and "HTTP 503" in message
    assert len(arxiv.requests) == 4
    assert fake_time.sleeps == [5.0, 5.0, 5.0]


def test_connection_errors_and_5xx_back_off_exponentially(arxiv, fake_time):
    arxiv.route("/flaky", {}, HANG_UP, Reply(502, b"bad gateway"), Reply(500), Reply(200, b"fine"))
    with make_client(fake_time, delay=2) as client:
        assert client.get(arxiv.url + "/flaky") == b"fine"
    assert fake_time.sleeps == [2.0, 4.0, 8.0]
    assert (client.requests, client.retries) == (4, 3)


def test_client_error_is_not_retried_and_names_the_request(arxiv, fake_time):
    arxiv.route(
        "/api/query", {}, Reply(400, b"malformed id", headers=[("Content-Type", "text/plain")])
    )
    with make_client(fake_time) as client, pytest.raises(HttpStatusError) as caught:
        client.get(arxiv.url + "/api/query", {"id_list": "x"})
    assert caught.value.status == 400
    assert "HTTP 400 Bad Request" in str(caught.value)
    assert "/api/query?id_list=x" in str(caught.value) and "malformed id" in str(caught.value)
    assert len(arxiv.requests) == 1 and fake_time.sleeps == []


def test_unreachable_server_is_a_harvest_error(fake_time):
    with make_client(fake_time, max_retries=1) as client, pytest.raises(HarvestError) as caught:
        client.get("http://127.0.0.1:9/nothing-listens-here")
    assert "ConnectError" in str(caught.value) and "after 2 tries" in str(caught.value)


def test_delay_between_requests_counts_time_already_spent(arxiv, fake_time):
    arxiv.route("/p", {}, Reply(200, b"x"))
    with make_client(fake_time, delay=3) as client:
        client.get(arxiv.url + "/p")  # first request: no wait
        client.get(arxiv.url + "/p")  # right after: the full 3 s
        fake_time.now += 1.25  # the caller spent 1.25 s storing the page
        client.get(arxiv.url + "/p")
        fake_time.now += 10  # longer than the delay: no wait at all
        client.get(arxiv.url + "/p")
    assert fake_time.sleeps == [3.0, 1.75]
    assert len(arxiv.requests) == 4


def test_delay_defaults_to_the_setting(settings):
    settings.PAPERFEED_HARVEST_DELAY = 3.0
    with Client() as client:
        assert client.delay == 3.0
