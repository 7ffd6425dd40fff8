"""RSS and Atom feeds: daily, trending, category, search and user feeds."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from paperfeed.search.sync import sync_indexes
from tests.rankings.conftest import code

from .conftest import XSS_TITLE, make_user, record, set_upvotes, store, submit

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def atom_titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]


def rss_titles(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return [item.findtext("title") for item in ET.fromstring(response.content).iter("item")]


@pytest.fixture
def papers():
    today = timezone.now().date()
    store(
        record(today, arxiv_id="2503.00001", title="Most voted", categories=("cs.CL",)),
        record(today, arxiv_id="2503.00002", title="Less voted", categories=("cs.LG", "cs.CL")),
        record(
            today - dt.timedelta(days=1),
            arxiv_id="2503.00003",
            title="Yesterday",
            categories=("cs.CV",),
        ),
    )
    set_upvotes("2503.00001", 5)
    set_upvotes("2503.00002", 1)


def test_daily_atom_and_rss(client, papers):
    assert atom_titles(client.get("/feeds/daily.atom")) == ["Most voted", "Less voted"]
    assert rss_titles(client.get("/feeds/daily.rss")) == ["Most voted", "Less voted"]
    body = client.get("/feeds/daily.atom").content.decode()
    assert "http://testserver/papers/2503.00001" in body and "Ada Lovelace" in body


def test_daily_and_category_feeds_take_a_ranking_offered_on_feeds(client, papers):
    assert rss_titles(client.get("/feeds/daily.rss?sort=newest")) == ["Less voted", "Most voted"]
    assert "newest first" in client.get("/feeds/daily.rss?sort=newest").content.decode()
    by_votes = atom_titles(client.get("/feeds/categories/cs.CL.atom?sort=upvotes"))
    assert by_votes == ["Most voted", "Less voted"]
    for url in ("/feeds/daily.rss?sort=relevance", "/feeds/categories/cs.CL.atom?sort=coldest"):
        assert client.get(url).status_code == 404


def test_trending_feed(client, papers):
    assert atom_titles(client.get("/feeds/trending.atom"))[0] == "Most voted"


def test_category_feed_includes_cross_lists(client, papers):
    assert sorted(atom_titles(client.get("/feeds/categories/cs.CL.atom"))) == [
        "Less voted",
        "Most voted",
    ]
    assert rss_titles(client.get("/feeds/categories/cs.CV.rss")) == ["Yesterday"]


def test_search_feed(client, papers, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    sync_indexes(progress=False)
    assert atom_titles(client.get("/feeds/search.atom?q=voted&sort=upvotes")) == [
        "Most voted",
        "Less voted",
    ]
    assert sorted(rss_titles(client.get("/feeds/search.rss?q=yesterday"))) == ["Yesterday"]
    assert client.get("/feeds/search.atom").status_code == 404
    assert client.get("/feeds/search.atom?q=x&sort=bad").status_code == 404


def test_user_feed(client, papers):
    user = make_user("eve")
    submit(user, "2503.00003")
    assert atom_titles(client.get("/feeds/users/eve.atom")) == ["Yesterday"]
    assert client.get("/feeds/users/nobody.atom").status_code == 404


def test_feed_escapes_markup(client):
    store(record(timezone.now().date(), arxiv_id="2503.00666", title=XSS_TITLE))
    response = client.get("/feeds/daily.rss")
    assert rss_titles(response) == [XSS_TITLE]  # parsed back to the same text: it was escaped
    assert b"<script>" not in response.content


def test_feed_query_count(client, papers, django_assert_max_num_queries):
    # the day, Hot's per-day bounds, its candidates, the unvoted tail, the papers, their authors
    with django_assert_max_num_queries(6):
        client.get("/feeds/daily.atom")
    with django_assert_max_num_queries(5):
        client.get("/feeds/daily.atom?sort=upvotes")  # a pushdown: one query for the order


def test_list_feeds_take_code_1(client, papers):
    code("2503.00002", "acme/two")
    assert rss_titles(client.get("/feeds/daily.rss?code=1")) == ["Less voted"]
    assert "Only papers with code." in client.get("/feeds/daily.rss?code=1").content.decode()
    assert atom_titles(client.get("/feeds/categories/cs.CL.atom?code=true")) == ["Less voted"]
    assert atom_titles(client.get("/feeds/trending.atom?code=1")) == ["Less voted"]
    submit(make_user("carol"), "2503.00001")
    assert rss_titles(client.get("/feeds/users/carol.rss?code=1")) == []
    assert rss_titles(client.get("/feeds/users/carol.rss")) == ["Most voted"]
    assert client.get("/feeds/daily.rss?code=maybe").status_code == 404
