"""GET /api/v1/feeds/{daily,weekly,monthly,trending}: pages, sorts, neighbours, errors."""

from __future__ import annotations

import pytest

from paperfeed.community.votes import set_vote
from tests.api.conftest import DAY, NEXT_DAY, store
from tests.rankings.conftest import code

pytestmark = pytest.mark.django_db


def item_ids(body: dict) -> list[str]:
    return [p["id"] for p in body["items"]]


def test_daily_feed_ranked_by_hot_with_neighbours(client, papers, alice, bob):
    for user in (alice, bob):
        set_vote(user, "2503.00002", True)
    set_vote(alice, "2503.00003", True)
    body = client.get("/api/v1/feeds/daily", {"date": DAY}).json()
    assert item_ids(body) == ["2503.00002", "2503.00003", "2503.00001"]  # no signals: by votes
    assert body["feed"] == "daily" and body["period"] == DAY and body["sort"] == "hot"
    assert (body["total"], body["page"], body["pages"], body["has_next"]) == (3, 1, 1, False)
    assert body["previous_period"] == "1998-09-30" and body["next_period"] == NEXT_DAY
    newest = client.get("/api/v1/feeds/daily", {"date": DAY, "sort": "newest"}).json()
    assert item_ids(newest) == ["2503.00003", "2503.00002", "2503.00001"]


def test_daily_default_is_the_latest_day_and_pages_work(client, papers):
    body = client.get("/api/v1/feeds/daily").json()
    assert body["period"] == NEXT_DAY and item_ids(body) == ["2503.00004"]
    assert body["next_period"] is None
    first = client.get("/api/v1/feeds/daily", {"date": DAY, "per_page": 2}).json()
    second = client.get("/api/v1/feeds/daily", {"date": DAY, "per_page": 2, "page": 2}).json()
    assert first["has_next"] and not first["has_previous"] and first["pages"] == 2
    assert len(second["items"]) == 1 and second["has_previous"] and not second["has_next"]
    assert not set(item_ids(first)) & set(item_ids(second))


def test_empty_store(client, db):
    body = client.get("/api/v1/feeds/daily").json()
    assert body["items"] == [] and body["total"] == 0 and body["period"] is None


def test_weekly_monthly_trending(client, papers, alice):
    week = client.get("/api/v1/feeds/weekly", {"week": "2025-W12"}).json()
    assert len(week["items"]) == 4 and week["period"] == "2025-W12"
    assert week["previous_period"] == "1998-W40" and week["next_period"] is None
    assert client.get("/api/v1/feeds/weekly").json()["period"] == "2025-W12"
    month = client.get("/api/v1/feeds/monthly", {"month": "1998-09"}).json()
    assert item_ids(month) == ["cs/9809007"] and month["next_period"] == "2025-03"
    set_vote(alice, "2503.00004", True)
    trending = client.get("/api/v1/feeds/trending").json()
    assert trending["feed"] == "trending" and item_ids(trending)[0] == "2503.00004"


@pytest.mark.parametrize(
    ("path", "query", "named"),
    [
        ("daily", {"date": "2025-02-30"}, "date"),
        ("daily", {"sort": "best"}, "sort"),
        ("daily", {"page": 0}, "page"),
        ("daily", {"per_page": 0}, "per_page"),
        ("weekly", {"week": "2025-W60"}, "week"),
        ("monthly", {"month": "March"}, "month"),
        ("trending", {"page": -2}, "page"),
        ("trending", {"sort": "newest"}, "sort"),
        ("daily", {"has_code": "maybe"}, "has_code"),
        ("monthly", {"has_code": "2"}, "has_code"),
        ("trending", {"has_code": "yes please"}, "has_code"),
    ],
)
def test_bad_parameters(client, papers, path, query, named):
    response = client.get(f"/api/v1/feeds/{path}", query)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{named}:")
    assert "error" not in response.json()  # native routes: {"detail"} only


def test_feed_queries_do_not_grow_with_the_page(
    client, papers, alice, django_assert_max_num_queries
):
    store(
        *(
            {
                "id": f"2503.{i:05d}",
                "title": f"Paper {i}",
                "abstract": "Text.",
                "authors": [f"Author {i}", "Shared Author"],
                "categories": ["cs.CL"],
                "listed": DAY,
            }
            for i in range(10, 60)
        )
    )
    client.force_login(alice)  # the per-user vote annotation is part of the query
    # 8, + the caller's preferences (seen mode; personal/preferences.py), read once a request
    with django_assert_max_num_queries(9):
        body = client.get("/api/v1/feeds/daily", {"date": DAY, "per_page": 100}).json()
    assert len(body["items"]) == 53
    with django_assert_max_num_queries(9):
        client.get("/api/v1/feeds/trending", {"per_page": 100})
    with django_assert_max_num_queries(9):
        client.get("/api/v1/feeds/monthly", {"month": "2025-03", "per_page": 100})


def test_has_code_on_the_feeds_and_the_users_lists(client, papers, alice):
    code("2503.00002", "acme/two")
    code("2503.00004", "acme/four", 10, 90)
    daily = client.get("/api/v1/feeds/daily", {"date": DAY, "has_code": "true"}).json()
    assert item_ids(daily) == ["2503.00002"] and daily["total"] == 1
    assert item_ids(client.get("/api/v1/feeds/daily", {"date": DAY, "has_code": "false"}).json())
    week = client.get("/api/v1/feeds/weekly", {"week": "2025-W12", "has_code": "1"}).json()
    assert sorted(item_ids(week)) == ["2503.00002", "2503.00004"]
    stars = client.get("/api/v1/feeds/trending", {"sort": "stars", "has_code": "true"}).json()
    assert stars["sort"] == "stars" and item_ids(stars)[0] == "2503.00004"  # +80 this week
    set_vote(alice, "2503.00001", True)
    set_vote(alice, "2503.00002", True)
    upvoted = client.get("/api/v1/users/alice/upvotes", {"has_code": "true"}).json()
    assert item_ids(upvoted) == ["2503.00002"]
    bad = client.get("/api/v1/users/alice/upvotes", {"has_code": "sometimes"})
    assert bad.status_code == 400 and bad.json()["detail"].startswith("has_code:")
