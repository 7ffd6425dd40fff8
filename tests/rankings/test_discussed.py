"""Most discussed: visible comments decayed by age like trending; offered on the list pages, the
API feeds and the RSS/Atom feeds."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from paperfeed import rankings
from paperfeed.rankings import Row
from tests.web.conftest import comment, make_user, record, store

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
DISCUSSED = rankings.get("discussed")


def test_declaration():
    assert DISCUSSED.label == "Most discussed" and DISCUSSED.zero_unless == "comments"
    assert DISCUSSED.where == {"pages", "api", "feeds"}


def test_score_by_hand():
    day = NOW.date()
    assert DISCUSSED.score(Row("a", comments=3, feed_day=day), NOW) == pytest.approx(3 / 14**1.8)
    submitted = Row("b", comments=3, feed_day=day, submitted_at=NOW - dt.timedelta(hours=1))
    assert DISCUSSED.score(submitted, NOW) == pytest.approx(3 / 3**1.8)
    assert DISCUSSED.score(Row("c", upvotes=50, feed_day=day), NOW) == 0.0


def test_more_comments_first_then_younger_then_entry_order():
    day = NOW.date()
    rows = [
        Row("2506.00001", comments=1, feed_day=day),
        Row("2506.00002", comments=4, feed_day=day - dt.timedelta(days=1)),
        Row("2506.00003", comments=4, feed_day=day),
        Row("2506.00005", feed_day=day),
        Row("2506.00004", feed_day=day),
    ]
    order = [pid for pid, _ in DISCUSSED.rank(rows, NOW)]
    assert order == ["2506.00003", "2506.00001", "2506.00002", "2506.00004", "2506.00005"]


@pytest.mark.django_db
def test_offered_on_the_day_page_the_api_and_rss(client):
    alice = make_user("alice")
    day = dt.date(2025, 3, 18)
    store(*(record(day, arxiv_id=f"2503.0000{n}", title=f"Paper {n}") for n in (1, 2, 3)))
    comment(alice, "2503.00003", "one")
    comment(alice, "2503.00003", "two")
    comment(alice, "2503.00001", "three")
    hidden = comment(alice, "2503.00002", "hidden", hidden=True)
    comment(alice, "2503.00002", "reply to hidden", parent=hidden)
    expected = ["2503.00003", "2503.00001", "2503.00002"]

    html = client.get("/day/2025-03-18?sort=discussed").content.decode()
    assert re.findall(r'<span class="id">arXiv:([^<]+)</span>', html) == expected
    assert 'aria-current="true">Most discussed<' in html
    body = client.get("/api/v1/feeds/daily", {"date": "2025-03-18", "sort": "discussed"}).json()
    assert [p["id"] for p in body["items"]] == expected and body["sort"] == "discussed"
    rss = client.get("/feeds/daily.rss?sort=discussed").content.decode()
    assert re.findall(r"<title>Paper (\d)</title>", rss) == ["3", "1", "2"]
