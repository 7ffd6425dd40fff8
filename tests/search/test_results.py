"""papers_for: a search result's hits as the page's papers, in hit order, each with its hit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from paperfeed.community.models import Vote
from paperfeed.ingest.records import AuthorRecord, PaperRecord
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search import Hit, SearchResult, papers_for

pytestmark = pytest.mark.django_db
IDS = ("2503.00001", "2503.00002", "2503.00003", "2503.00004")


@pytest.fixture
def stored():
    ingest(
        PaperRecord(
            arxiv_id=pid,
            title_raw=f"Paper {pid}",
            source="test",
            version=1,
            abstract_raw="An abstract.",
            authors=[AuthorRecord("Ada Lovelace"), AuthorRecord("Alan Turing")],
            categories=["cs.CL"],
            listed=dt.date(2025, 3, 18),
        )
        for pid in IDS
    )
    Paper.objects.filter(arxiv_id="2503.00004").update(hidden=True)


def result(*ids: str) -> SearchResult:
    return SearchResult([Hit(pid, 10.0 - n, why=[f"why {pid}"]) for n, pid in enumerate(ids)], 9)


def test_papers_come_in_hit_order_each_with_its_hit(stored, django_assert_max_num_queries):
    found = result("2503.00003", "2503.00001", "2503.00002")
    with django_assert_max_num_queries(2):  # the papers, their authors: whatever the page length
        papers = papers_for(found)
        assert [p.author_list[0].name for p in papers] == ["Ada Lovelace"] * 3
    assert [p.arxiv_id for p in papers] == ["2503.00003", "2503.00001", "2503.00002"]
    assert [p.hit for p in papers] == found.hits
    assert papers[0].hit.why == ["why 2503.00003"] and papers[0].voted is False


def test_hidden_and_unknown_papers_are_left_out(stored):
    papers = papers_for(result("2503.00004", "2599.99999", "2503.00002"))
    assert [p.arxiv_id for p in papers] == ["2503.00002"]
    assert papers_for(SearchResult()) == []


def test_the_users_votes_are_marked(stored):
    user = get_user_model().objects.create_user("ada", "ada@example.org", "pw-123456")
    Vote.objects.create(user=user, paper_id="2503.00002")
    papers = papers_for(result("2503.00001", "2503.00002"), user)
    assert [(p.arxiv_id, p.voted) for p in papers] == [("2503.00001", False), ("2503.00002", True)]
