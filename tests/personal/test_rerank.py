"""Search ordered for a member (paperfeed.personal.rerank): the blend is a convex combination of
min-max normalised scores; the best DEPTH hits are reranked so that a match by a followed author
rises, pages are cut from one order (stable, none beyond DEPTH), and each hit says why; the search
page and /api/v1/search offer it to members with a profile only."""

from __future__ import annotations

import doctest
import re

import pytest

from paperfeed.papers.models import Author
from paperfeed.personal import rerank
from paperfeed.personal.models import Follow
from paperfeed.search.sync import sync_indexes
from tests.community.factories import logged_in, make_user
from tests.web.conftest import record, set_upvotes, store

pytestmark = pytest.mark.django_db
TITLES = {
    "2503.00001": "KV cache compression for long contexts",
    "2503.00002": "The KV cache, the KV cache and nothing but the KV cache",
    "2503.00003": "Quantised KV cache for transformers",
    "2503.00004": "A small note on kv cache reuse",
}


def test_blend_doctests_and_weights():
    assert doctest.testmod(rerank).failed == 0
    assert rerank.blend([1.0, 2.0], [5.0, 0.0], weight=1.0).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="weight must be between 0 and 1"):
        rerank.blend([1.0], [1.0], weight=1.5)


@pytest.fixture
def indexed(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # lexical search only
    store(
        *(
            record("2025-03-18", arxiv_id=pid, title=title, authors=(
                ("Yann LeCun",) if pid == "2503.00004" else (f"Writer {pid}",)
            ))
            for pid, title in TITLES.items()
        )
    )  # fmt: skip
    set_upvotes("2503.00001", 3)
    sync_indexes(progress=False)


@pytest.fixture
def member(indexed):
    user = make_user("member")
    lecun = Author.objects.get(name="Yann LeCun")
    Follow.objects.create(user=user, kind=Follow.AUTHOR, value=str(lecun.pk), label="Yann LeCun")
    return user


def hits(found: rerank.PersonalSearch) -> list[str]:
    return [hit.id for hit in found.result.hits]


def test_a_followed_authors_match_rises_and_paging_is_stable(member, monkeypatch):
    from paperfeed.search import search

    relevance = [hit.id for hit in search("kv cache", limit=10).hits]
    whole = rerank.search_for_you(member, "kv cache", limit=10, offset=0)
    assert sorted(hits(whole)) == sorted(relevance) and whole.result.total == 4
    assert hits(whole).index("2503.00004") < relevance.index("2503.00004")
    assert "you follow Yann LeCun" in whole.why["2503.00004"]
    pages = [hits(rerank.search_for_you(member, "kv cache", limit=1, offset=n)) for n in range(4)]
    assert sum(pages, []) == hits(whole)
    monkeypatch.setattr(rerank, "DEPTH", 2)
    shallow = rerank.search_for_you(member, "kv cache", limit=10, offset=0)
    assert shallow.reachable == 2 and len(shallow.result.hits) == 2
    assert rerank.search_for_you(member, "zzzqqq", limit=5, offset=0).reachable == 0


def test_the_search_page_offers_it_to_members_with_a_profile(client, member):
    html = client.get("/search?q=kv+cache&sort=for_you").content.decode()
    assert "For you is for signed-in members" in html and 'value="for_you"' not in html
    mine = logged_in(member)
    html = mine.get("/search?q=kv+cache").content.decode()
    assert '<option value="for_you">For you</option>' in html and "order-toggle" in html
    html = mine.get("/search?q=kv+cache&sort=for_you").content.decode()
    assert '<option value="for_you" selected>' in html
    assert re.search(
        r'class="for-you-why"[^>]*><span class="label">For you</span> you follow Yann LeCun', html
    )


def test_the_api_offers_it_to_members_with_a_profile(client, member):
    response = client.get("/api/v1/search", {"q": "kv cache", "sort": "for_you"})
    assert response.status_code == 400 and response.json()["detail"].startswith("sort: for_you")
    client.force_login(member)
    body = client.get("/api/v1/search", {"q": "kv cache", "sort": "for_you", "limit": 2}).json()
    assert body["sort"] == "for_you" and body["has_next"] and len(body["items"]) == 2
    body = client.get("/api/v1/search", {"q": "kv cache", "sort": "for_you", "limit": 4}).json()
    assert not body["has_next"]
    lecun = next(i for i in body["items"] if i["paper"]["id"] == "2503.00004")
    assert "you follow Yann LeCun" in lecun["paper"]["why"]
    plain = client.get("/api/v1/search", {"q": "kv cache"}).json()
    assert all(item["paper"]["why"] is None for item in plain["items"])
