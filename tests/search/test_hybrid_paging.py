"""Paging through hybrid.search never reshuffles: every page is a slice of one ordered list.

The corpus is larger than the old candidate depth (200 a side, grown to ``offset + limit`` for
deep pages), so a page-dependent depth changes the fused order and these properties fail.
"""

import io
import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.search import embedding_job, hybrid
from paperfeed.search.encoders import load_encoder
from paperfeed.search.sync import sync_indexes

pytestmark = pytest.mark.django_db

WORDS = [
    "graph",
    "neural",
    "network",
    "molecule",
    "protein",
    "folding",
    "transformer",
    "speech",
    "robot",
    "policy",
    "attention",
    "cache",
    "decoding",
    "vision",
    "language",
    "diffusion",
    "sparse",
    "retrieval",
]
N_PAPERS = 420
DEEP = 400  # papers compared between one big request and the pages


@pytest.fixture
def corpus(settings, data_home):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    rnd = random.Random(16)
    papers = [
        {
            "id": f"2503.{i:05d}",
            "title": " ".join(rnd.choices(WORDS, k=5)),
            "abstract": " ".join(rnd.choices(WORDS, k=20)),
            "authors": ["Ada Lovelace"],
            "categories": ["cs.LG"],
            "listed": f"2025-03-{1 + i % 5:02d}",  # few days: many ties when sorting by date
        }
        for i in range(N_PAPERS)
    ]
    lines = "".join(json.dumps(p) + "\n" for p in papers).encode()
    ingest(parse_jsonl(io.BytesIO(lines), "t"))
    embedding_job.embed_missing(load_encoder())
    sync_indexes(progress=False)
    return papers


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


queries = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
paged = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@paged
@given(
    query=queries,
    mode=st.sampled_from(["hybrid", "semantic", "lexical"]),
    sort=st.sampled_from(["relevance", "newest"]),
    size=st.sampled_from([7, 20, 50, 100, 333]),
)
def test_pages_concatenate_to_one_big_request(corpus, query, mode, sort, size):
    big = hybrid.search(query, mode=mode, sort=sort, limit=DEEP)
    pages = [
        hybrid.search(query, mode=mode, sort=sort, limit=size, offset=offset)
        for offset in range(0, DEEP, size)
    ]
    seen = [pid for page in pages for pid in ids(page)][:DEEP]
    assert len(seen) == len(set(seen)), "a paper repeats across pages"
    assert seen == ids(big), "pages differ from one big request (reshuffled, repeated, skipped)"
    assert all(page.reachable == big.reachable for page in pages)
    assert big.reachable <= big.total


@paged
@given(query=queries, mode=st.sampled_from(["hybrid", "semantic"]))
def test_top_ten_does_not_depend_on_limit(corpus, query, mode):
    small = hybrid.search(query, mode=mode, limit=20)
    large = hybrid.search(query, mode=mode, limit=500)
    assert ids(small)[:10] == ids(large)[:10]
    assert ids(small) == ids(large)[:20]


def test_pages_past_the_fused_list_are_empty(corpus):
    result = hybrid.search("graph", limit=20)
    assert result.reachable <= 2 * hybrid.SEARCH_DEPTH
    beyond = hybrid.search("graph", limit=20, offset=result.reachable)
    assert beyond.hits == [] and beyond.reachable == result.reachable


def test_fused_ties_break_by_id():
    hit = hybrid.Hit
    lexical = [hit("b", 1.0), hit("a", 1.0)]
    semantic = [hit("a", 0.5), hit("b", 0.5)]
    fused = hybrid.fuse(lexical, semantic)
    assert [h.id for h in fused] == ["a", "b"]
