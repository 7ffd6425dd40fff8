"""The Hugging Face-compatible endpoints: HF's parameters, shapes and time format; the real
``huggingface_hub`` client against a live server."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
import re

import pytest
from huggingface_hub.hf_api import PaperInfo

from paperfeed.community.models import Submission
from paperfeed.community.votes import set_vote
from paperfeed.ingest.jsonl import parse
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search.sync import rebuild_indexes
from tests.api.conftest import DAY, NEXT_DAY, store
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db
HF_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["paper"]["id"] for entry in response.json()]


def test_daily_papers_of_a_date_in_hf_shape(client, papers, alice):
    Submission.objects.create(paper_id="2503.00003", user=alice)
    set_vote(alice, "2503.00001", True)
    response = client.get("/api/daily_papers", {"date": DAY})
    body = response.json()
    assert set(ids(response)) == {"2503.00001", "2503.00002", "2503.00003"}
    entry = next(e for e in body if e["paper"]["id"] == "2503.00001")
    assert set(entry) == {
        "paper",
        "publishedAt",
        "title",
        "summary",
        "thumbnail",
        "numComments",
        "submittedBy",
        "isAuthorParticipating",
    }
    paper = entry["paper"]
    assert paper["title"] == entry["title"] == "KV Cache Compression for Long-Context LLMs"
    assert paper["summary"].endswith("<script>alert(1)</script>")  # JSON carries text as is
    assert [a["name"] for a in paper["authors"]] == ["Ada Lovelace", "Alan Turing"]
    assert all(set(a) == {"_id", "name", "hidden"} for a in paper["authors"])
    assert paper["upvotes"] == 1 and paper["discussionId"] == "2503.00001"
    assert paper["publishedAt"] == "2025-03-14T00:00:00.000Z"  # v1 date
    assert entry["publishedAt"] == paper["publishedAt"]  # arXiv v1, as on HF (not the list day)
    assert paper["submittedOnDailyAt"] == f"{DAY}T00:00:00.000Z"  # the day it entered the feed
    assert entry["submittedBy"] is None and entry["isAuthorParticipating"] is False
    submitted = next(e for e in body if e["paper"]["id"] == "2503.00003")
    assert submitted["submittedBy"]["user"] == submitted["submittedBy"]["name"] == "alice"
    assert submitted["submittedBy"]["fullname"] == "Ada Lovelace"
    assert HF_TIME.fullmatch(submitted["publishedAt"])
    assert submitted["paper"]["submittedOnDailyBy"]["user"] == "alice"


def test_sort_published_at_is_newest_first_and_trending_ranks_votes(client, papers, alice, bob):
    assert ids(client.get("/api/daily_papers", {"date": DAY, "sort": "publishedAt"})) == [
        "2503.00003",
        "2503.00002",
        "2503.00001",
    ]
    for user in (alice, bob):
        set_vote(user, "2503.00002", True)
    set_vote(alice, "2503.00001", True)
    assert ids(client.get("/api/daily_papers", {"date": DAY, "sort": "trending"}))[:2] == [
        "2503.00002",
        "2503.00001",
    ]


def test_week_month_submitter_and_default(client, papers, alice):
    assert len(ids(client.get("/api/daily_papers", {"week": "2025-W12"}))) == 4
    assert len(ids(client.get("/api/daily_papers", {"month": "2025-03"}))) == 4
    assert ids(client.get("/api/daily_papers", {"month": "1998-09"})) == ["cs/9809007"]
    assert ids(client.get("/api/daily_papers")) == ["2503.00004"]  # the latest day
    Submission.objects.create(paper_id="2503.00002", user=alice)
    assert ids(client.get("/api/daily_papers", {"submitter": "alice"})) == ["2503.00002"]


def test_p_is_zero_based_and_limit_is_capped(client, papers):
    first = ids(client.get("/api/daily_papers", {"date": DAY, "limit": 2, "p": 0}))
    second = ids(client.get("/api/daily_papers", {"date": DAY, "limit": 2, "p": 1}))
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert ids(client.get("/api/daily_papers", {"date": DAY, "limit": 2, "p": 5})) == []
    assert len(ids(client.get("/api/daily_papers", {"date": DAY, "limit": 10_000}))) == 3


@pytest.mark.parametrize(
    ("query", "status", "prefix"),
    [
        ({"date": "2025-13-01"}, 400, "date:"),
        ({"date": "yesterday"}, 400, "date:"),
        ({"week": "2025-W54"}, 400, "week:"),
        ({"week": "2025-12"}, 400, "week:"),
        ({"month": "2025-13"}, 400, "month:"),
        ({"date": DAY, "week": "2025-W12"}, 400, "week:"),
        ({"submitter": "alice", "date": DAY}, 400, "submitter: cannot be combined"),
        ({"sort": "hot"}, 400, "sort:"),
        ({"p": -1}, 400, "p:"),
        ({"p": "first"}, 422, "query parameter p:"),
        ({"limit": 0}, 400, "limit:"),
        ({"submitter": "nobody"}, 400, "submitter: no user called 'nobody'"),
    ],
)
def test_bad_parameters_are_client_errors_naming_the_parameter(
    client, papers, query, status, prefix
):
    response = client.get("/api/daily_papers", query)
    assert response.status_code == status
    body = response.json()
    assert body["detail"].startswith(prefix) and body["error"] == body["detail"]


def test_paper_info_flat_shape_with_old_and_versioned_ids(client, papers):
    body = client.get("/api/papers/2503.00001").json()
    assert body["id"] == "2503.00001" and body["title"].startswith("KV Cache")
    assert body["authors"][0]["name"] == "Ada Lovelace" and body["numComments"] == 0
    assert client.get("/api/papers/2503.00001v3").json()["id"] == "2503.00001"
    old = client.get("/api/papers/cs/9809007")
    assert old.status_code == 200 and old.json()["id"] == "cs/9809007"
    missing = client.get("/api/papers/2501.99999")
    assert missing.status_code == 404 and "2501.99999" in missing.json()["detail"]
    assert client.get("/api/papers/not-an-id").status_code == 400


def test_withdrawn_and_moderated_papers_are_not_shown(client, papers):
    Paper.objects.filter(pk="2503.00002").update(deleted=True)
    Paper.objects.filter(pk="2503.00003").update(hidden=True)
    assert ids(client.get("/api/daily_papers", {"date": DAY})) == ["2503.00001"]
    for pid in ("2503.00002", "2503.00003"):
        assert client.get(f"/api/papers/{pid}").status_code == 404
        assert client.get(f"/api/v1/papers/{pid}").status_code == 404


@pytest.fixture
def search_index(papers, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no model download, no vectors: lexical
    rebuild_indexes(progress=False)


def test_search_in_hf_list_shape(client, search_index):
    response = client.get("/api/papers/search", {"q": "cache compression", "limit": 5})
    found = ids(response)
    assert found[0] == "2503.00001" and "2503.00002" in found
    assert "paper" in response.json()[0] and "numComments" in response.json()[0]
    assert len(ids(client.get("/api/papers/search", {"q": "cache", "limit": 1}))) == 1
    assert ids(client.get("/api/papers/search", {"q": "huffman"})) == ["cs/9809007"]
    assert client.get("/api/papers/search", {"q": ""}).json() == []
    assert client.get("/api/papers/search", {"q": "cache", "limit": 0}).status_code == 400


def test_search_without_an_index_is_503_not_500(client, papers, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    response = client.get("/api/papers/search", {"q": "cache"})
    assert response.status_code == 503 and "paperfeed index" in response.json()["detail"]


def test_list_queries_are_bounded(client, papers, alice, django_assert_max_num_queries):
    more = [
        {
            "id": f"2503.{i:05d}",
            "title": f"Paper {i}",
            "abstract": "Text.",
            "authors": [f"Author {i}", f"Coauthor {i}"],
            "categories": ["cs.CL"],
            "listed": DAY,
        }
        for i in range(10, 40)
    ]
    store(*more)
    for pid in ("2503.00010", "2503.00011"):
        Submission.objects.create(paper_id=pid, user=alice)
    with django_assert_max_num_queries(6):
        assert len(ids(client.get("/api/daily_papers", {"date": DAY}))) == 33
    with django_assert_max_num_queries(6):
        client.get("/api/daily_papers", {"date": DAY, "sort": "trending"})


@pytest.mark.django_db(transaction=True)
def test_huggingface_hub_client_against_live_server(hf_client, search_index, alice):
    """The must-show: HF's own Python client, pointed at paperfeed, unchanged."""
    Submission.objects.create(paper_id="2503.00002", user=alice)
    set_vote(alice, "2503.00002", True)
    api = hf_client

    daily = list(api.list_daily_papers(date=DAY))
    assert all(isinstance(p, PaperInfo) for p in daily)
    assert {p.id for p in daily} == {"2503.00001", "2503.00002", "2503.00003"}
    voted = next(p for p in daily if p.id == "2503.00002")
    assert voted.title == "Retrieval with a small cache of keys" and voted.upvotes == 1
    assert voted.submitted_by.username == "alice" and voted.comments == 0
    assert isinstance(voted.submitted_at, dt.datetime) and voted.submitted_at.tzinfo
    assert [a.name for a in voted.authors] == ["Grace Hopper"]
    assert [p.id for p in api.list_daily_papers(date=NEXT_DAY)] == ["2503.00004"]
    assert [p.id for p in api.list_daily_papers()] == ["2503.00004"]  # the latest day
    assert [p.id for p in api.list_daily_papers(submitter="alice")] == ["2503.00002"]
    assert len(list(api.list_daily_papers(week="2025-W12", sort="trending", limit=2, p=0))) == 2

    paper = api.paper_info("2503.00001")
    assert paper.title.startswith("KV Cache") and paper.summary.startswith("We compress")
    assert paper.published_at == dt.datetime(2025, 3, 14, tzinfo=dt.UTC)
    assert [a.name for a in paper.authors] == ["Ada Lovelace", "Alan Turing"]
    assert api.paper_info("cs/9809007").title == "Compression of inverted files"

    found = list(api.list_papers(query="cache compression", limit=3))
    assert found[0].id == "2503.00001" and len(found) <= 3
    assert found[0].title.startswith("KV Cache")


@pytest.mark.parametrize(
    "value", ["", " ", "\x00", "9" * 500, "２０２５-０３-１８", "2025-03-18T00:00", "-1", "2025-W"]
)
@pytest.mark.parametrize("name", ["date", "week", "month"])
def test_odd_values_are_never_a_server_error(client, papers, name, value):
    response = client.get("/api/daily_papers", {name: value})
    assert response.status_code in {200, 400}, response.content
    if response.status_code == 400:
        assert response.json()["detail"].startswith(f"{name}:")


def test_real_old_and_new_style_papers_round_trip(client, db):
    """The first 300 papers of the 1998-2019 corpus: every id answers with its own record."""
    with gzip.open(shared_file("data", "arxiv-cs-1998-2019.jsonl.gz"), "rb") as stream:
        lines = b"".join(itertools.islice(stream, 300))
    ingest(parse(io.BytesIO(lines), "sample.jsonl"))
    papers = {p.arxiv_id: p for p in Paper.objects.all()}
    assert len(papers) >= 290 and any("/" in pid for pid in papers)
    for pid, paper in papers.items():
        body = client.get(f"/api/papers/{pid}").json()
        assert (body["id"], body["title"]) == (pid, paper.title)
        assert len(body["authors"]) == paper.authorships.count()
        assert client.get(f"/api/v1/papers/{pid}").json()["id"] == pid
