"""GET /api/v1/search: modes, filters, sorts, pagination and errors."""

from __future__ import annotations

import pytest

from paperfeed.community.votes import set_vote
from paperfeed.search.sync import rebuild_indexes
from tests.api.conftest import store

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(papers, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no vectors: hybrid answers lexically
    rebuild_indexes(progress=False)
    return papers


def search(client, **query) -> dict:
    response = client.get("/api/v1/search", query)
    assert response.status_code == 200, response.content
    return response.json()


def found(body: dict) -> list[str]:
    return [item["paper"]["id"] for item in body["items"]]


def test_hits_carry_papers_reasons_and_snippets(client, indexed):
    body = search(client, q="cache compression")
    assert found(body)[0] == "2503.00001"
    assert body["mode"] == "lexical" and body["total"] == len(body["items"]) == 3
    hit = body["items"][0]
    assert hit["paper"]["title"].startswith("KV Cache") and hit["why"] and hit["score"] > 0
    assert "<mark>" in "".join(hit["snippets"].values())
    assert "<script>" not in "".join(hit["snippets"].values())  # snippets are escaped HTML


def test_filters_sorts_and_pagination(client, indexed, alice):
    assert found(search(client, q="cache", category="cs.IR")) == ["2503.00002"]
    assert set(found(search(client, q="compression", category=["cs.DS", "cs.CL"]))) == {
        "cs/9809007",
        "2503.00001",
    }
    assert found(search(client, q="compression", until="2000-01-01")) == ["cs/9809007"]
    assert found(search(client, q="compression", since="2025-01-01")) == ["2503.00001"]
    assert found(search(client, q="compression", author="Moffat")) == ["cs/9809007"]
    set_vote(alice, "2503.00002", True)
    rebuild_indexes(progress=False)  # the lexical index sorts by the upvotes of its last build
    assert found(search(client, q="cache", sort="upvotes"))[0] == "2503.00002"
    first = search(client, q="cache", limit=1)
    second = search(client, q="cache", limit=1, offset=1)
    assert first["has_next"] and found(first) != found(second)
    assert search(client, q="cache", mode="lexical")["mode"] == "lexical"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"q": "x", "mode": "magic"}, "mode"),
        ({"q": "x", "sort": "random"}, "sort"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"q": "x", "limit": 1000}, "limit"),
        ({"q": "x", "offset": -1}, "offset"),
        ({"q": "x", "since": "2025-02-30"}, "since"),
        ({"q": "x", "since": "2025-03-01", "until": "2025-01-01"}, "until"),
    ],
)
def test_bad_parameters(client, indexed, query, named):
    response = client.get("/api/v1/search", query)
    assert response.status_code == 400 and response.json()["detail"].startswith(f"{named}:")


def test_empty_and_odd_queries_are_answered(client, indexed):
    assert search(client, q="")["items"] == []
    assert search(client, q='"unclosed AND ( -')["total"] >= 0
    assert search(client, q="日本語 🙂")["items"] == []


def test_search_queries_do_not_grow_with_the_hits(client, indexed, django_assert_max_num_queries):
    store(
        *(
            {
                "id": f"2503.{i:05d}",
                "title": f"Cache study {i}",
                "abstract": "Caches.",
                "authors": [f"Author {i}", "Shared Author"],
                "categories": ["cs.AR"],
                "listed": "2025-03-20",
            }
            for i in range(10, 70)
        )
    )
    rebuild_indexes(progress=False)
    with django_assert_max_num_queries(5):
        assert len(search(client, q="cache", limit=100)["items"]) >= 60
    with django_assert_max_num_queries(5):
        response = client.get("/api/papers/search", {"q": "cache", "limit": 100})
        assert len(response.json()) >= 60
