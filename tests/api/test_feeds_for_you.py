"""sort=for_you on /api/v1/feeds/daily, weekly and monthly: the caller's order with a why per
item (token or session of a member with a profile); anyone else gets a 400 naming sort; the
community orders carry why null and the API's default stays Hot whatever the member chose."""

from __future__ import annotations

import pytest

from paperfeed.accounts.tokens import create_token
from paperfeed.personal import order
from tests.community.factories import make_user
from tests.web.test_views_for_you import COMMUNITY, DAY, day, follow_lecun

pytestmark = pytest.mark.django_db
__all__ = ["day"]  # the day of tests/web/test_views_for_you.py, a fixture here too
FEEDS = [
    ("/api/v1/feeds/daily", {"date": DAY}),
    ("/api/v1/feeds/weekly", {"week": "2025-W12"}),
    ("/api/v1/feeds/monthly", {"month": "2025-03"}),
]


@pytest.fixture
def member(day):
    user = make_user("member")
    follow_lecun(user)
    return user


@pytest.mark.parametrize(("url", "query"), FEEDS)
def test_for_you_with_a_token(client, member, url, query):
    token = create_token(member, "test")
    body = client.get(
        url, {**query, "sort": "for_you"}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    ids = [item["id"] for item in body["items"]]
    assert body["sort"] == "for_you" and ids[0] == "2503.00004" and ids != COMMUNITY
    assert "you follow Yann LeCun" in body["items"][0]["why"]


def test_community_orders_say_no_why_and_stay_the_default(client, member):
    order.remember(member, "for_you")
    client.force_login(member)
    body = client.get("/api/v1/feeds/daily", {"date": DAY}).json()
    assert body["sort"] == "hot" and [item["id"] for item in body["items"]] == COMMUNITY
    assert all(item["why"] is None for item in body["items"])


@pytest.mark.parametrize(("url", "query"), FEEDS)
def test_refused_without_a_profile(client, day, url, query):
    response = client.get(url, {**query, "sort": "for_you"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("sort: for_you is for signed-in members")
    client.force_login(make_user("nobody"))
    response = client.get(url, {**query, "sort": "for_you"})
    assert (
        response.status_code == 400 and "sort: for_you needs a profile" in response.json()["detail"]
    )


def test_the_openapi_document_names_for_you(client):
    schema = client.get("/api/openapi.json").json()
    sorts = schema["components"]["schemas"]["FeedPageOut"]["properties"]["sort"]["enum"]
    assert "for_you" in sorts
