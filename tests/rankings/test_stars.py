"""Stars: GitHub stars gained this week first, then total stars, then newer; the trending page's
second order (/trending?sort=stars, HF's /papers/trending address), its API and RSS twins."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from paperfeed import rankings
from paperfeed.rankings import Row
from tests.rankings.conftest import code
from tests.web.conftest import record, store

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
STARS = rankings.get("stars")
D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)


def test_declaration():
    assert STARS.label == "Stars" and STARS.where == {"pages", "api", "feeds"}
    assert [t.field for t in STARS.pushdown] == ["stars_gained", "stars", "feed_day", "id"]


def test_gain_first_then_total_stars_then_newer():
    rows = [
        Row("2506.00001", stars=10_000, feed_day=D2),  # famous, no weekly figure yet
        Row("2506.00002", stars=50, stars_gained=40, feed_day=D1),
        Row("2506.00003", stars=900, stars_gained=40, feed_day=D1),  # same gain, more stars
        Row("2506.00004", stars=80, stars_gained=-3, feed_day=D2),  # lost stars: still a figure
        Row("2506.00005", feed_day=D1),
        Row("2506.00006", feed_day=D2),
        Row("2506.00007", stars=0, feed_day=D1),
    ]
    order = [pid for pid, _ in STARS.rank(rows, NOW)]
    assert order == [
        "2506.00003",
        "2506.00002",
        "2506.00004",
        "2506.00001",
        "2506.00007",
        "2506.00006",
        "2506.00005",
    ]
    assert dict(STARS.rank(rows, NOW))["2506.00005"] == 0.0


@pytest.mark.django_db
def test_trending_by_stars_on_the_page_the_api_and_rss(client):
    today = timezone.now().date()
    store(
        *(record(today, arxiv_id=f"2606.0000{n}", title=f"Paper {n}") for n in (1, 2, 3)),
        record(today - dt.timedelta(days=30), arxiv_id="2605.00009", title="Old"),
    )
    code("2606.00001", "acme/steady", 5000)  # no weekly gain yet
    code("2606.00002", "acme/rising", 10, 350)  # +340
    code("2605.00009", "acme/old", 1, 9000)  # outside the 14-day window
    expected = ["2606.00002", "2606.00001", "2606.00003"]

    html = client.get("/trending?sort=stars").content.decode()
    assert re.findall(r'<span class="id">arXiv:([^<]+)</span>', html) == expected
    assert 'aria-current="true">Stars<' in html and "stars their code gained" in html
    assert 'href="/feeds/trending.rss?sort=stars"' in html  # its RSS twin
    hf_address = client.get("/papers/trending?sort=stars")
    assert hf_address.status_code == 302 and hf_address["Location"] == "/trending?sort=stars"
    body = client.get("/api/v1/feeds/trending", {"sort": "stars"}).json()
    assert [p["id"] for p in body["items"]] == expected and body["sort"] == "stars"
    rss = client.get("/feeds/trending.rss?sort=stars").content.decode()
    assert re.findall(r"<title>Paper (\d)</title>", rss) == ["2", "1", "3"]
    assert "stars their code gained" in rss
    assert client.get("/trending?sort=newest").status_code == 400
    assert client.get("/feeds/trending.rss?sort=newest").status_code == 404
