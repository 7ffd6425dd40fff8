"""hybrid.search: one function for every mode, filters on both sides, reasons in ``why``."""

import datetime as dt
import io
import json
import os
import threading

import pytest

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search import embedding_job, hybrid, lexical, meaning_side, paths, vector_index
from paperfeed.search.encoders import load_encoder
from paperfeed.search.lexical import IndexMissing
from paperfeed.search.query import parse
from paperfeed.search.sync import sync_indexes
from paperfeed.signals.models import PaperSignals

pytestmark = pytest.mark.django_db

PAPERS = [
    (
        "2503.00001",
        "Graph neural networks for molecules",
        "Message passing over atoms and bonds.",
        ["Ada Lovelace"],
        ["cs.LG"],
        "2025-03-18",
    ),
    (
        "2503.00002",
        "Protein folding with transformers",
        "Attention predicts protein structure.",
        ["Alan Turing"],
        ["q-bio.BM", "cs.LG"],
        "2025-04-02",
    ),
    (
        "2503.00003",
        "Speech recognition at scale",
        "Acoustic models for many languages.",
        ["Grace Hopper"],
        ["cs.CL"],
        "2025-05-20",
    ),
    (
        "2503.00004",
        "Molecules as graphs",
        "Neural message passing predicts chemical properties.",
        ["Ada Lovelace", "Alan Turing"],
        ["cs.CV"],
        "2025-06-01",
    ),
    (
        "2503.00005",
        "Robot control by reinforcement",
        "Policies for legged robots.",
        ["Grace Hopper"],
        ["cs.RO"],
        "2025-06-15",
    ),
]


@pytest.fixture
def indexed(settings, data_home):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    objs = [
        {"id": i, "title": t, "abstract": a, "authors": au, "categories": c, "listed": d}
        for i, t, a, au, c, d in PAPERS
    ]
    ingest(parse_jsonl(io.BytesIO("".join(json.dumps(o) + "\n" for o in objs).encode()), "t"))
    embedding_job.embed_missing(load_encoder())
    result = sync_indexes(progress=False)
    assert result["vectors"]["total"] == len(PAPERS)
    return data_home


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def test_hybrid_explains_terms_and_meaning(indexed):
    result = hybrid.search("graph neural networks")
    assert result.mode == "hybrid"
    assert set(ids(result)[:2]) == {"2503.00001", "2503.00004"}
    both = [h for h in result.hits if h.terms and h.similarity >= hybrid.SEMANTIC_FLOOR]
    assert both and all(h.why[-1] == "similar in meaning" and len(h.why) > 1 for h in both)
    # matched on terms, hardly by meaning: the terms alone are the reason (cosine 0.348 here)
    weak = [h for h in result.hits if h.terms and h.similarity < hybrid.SEMANTIC_FLOOR]
    assert weak and all("meaning" not in " ".join(h.why) for h in weak)
    meaning_only = [h for h in result.hits if not h.terms]
    assert meaning_only and all(
        h.why == ["similar in meaning" if h.similarity >= 0.35 else "loosely related in meaning"]
        for h in meaning_only
    )
    assert any(h.why == ["loosely related in meaning"] for h in meaning_only)  # cosine 0.0
    assert result.total == len(result.hits) == len(PAPERS)
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


def test_modes(indexed):
    lexical = hybrid.search("molecules", mode="lexical")
    assert lexical.mode == "lexical" and set(ids(lexical)) == {"2503.00001", "2503.00004"}
    assert all(h.similarity is None for h in lexical.hits)
    semantic = hybrid.search("molecules", mode="semantic", limit=2)
    assert semantic.mode == "semantic" and len(semantic.hits) == 2
    assert all(h.why == ["similar in meaning"] for h in semantic.hits)
    with pytest.raises(ValueError, match="mode must be"):
        hybrid.search("x", mode="fuzzy")
    with pytest.raises(ValueError, match="sort must be"):
        hybrid.search("x", sort="random")


def test_filters_apply_to_both_sides(indexed):
    def check(result, allowed):
        assert result.hits and set(ids(result)) <= allowed

    check(hybrid.search("graph molecules", categories=["cs.LG"]), {"2503.00001", "2503.00002"})
    check(hybrid.search("graph molecules", categories=["cs.CV"]), {"2503.00004"})
    check(
        hybrid.search("robots speech", since=dt.date(2025, 5, 1), until=dt.date(2025, 6, 1)),
        {"2503.00003", "2503.00004"},
    )
    check(hybrid.search("molecules", author="lovelace"), {"2503.00001", "2503.00004"})
    check(hybrid.search("molecules author:turing"), {"2503.00002", "2503.00004"})
    check(
        hybrid.search("molecules -cat:cs.CV"),
        {"2503.00001", "2503.00002", "2503.00003", "2503.00005"},
    )
    check(hybrid.search("protein", mode="semantic", categories=["q-bio"]), {"2503.00002"})


def test_sorting_and_paging(indexed):
    newest = hybrid.search("graph molecules neural", sort="newest")
    days = [Paper.objects.get(pk=h.id).day for h in newest.hits]
    assert days == sorted(days, reverse=True) and newest.hits
    everything = ids(hybrid.search("graph molecules neural", limit=10))
    assert ids(hybrid.search("graph molecules neural", limit=2, offset=1)) == everything[1:3]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '((( AND OR "',
        "$$$ ^^^ ~~~",
        "深度学习 трансформер",
        "graph " * 20_000,
        "\x00\x01 title: author:",
        "-",
    ],
)
def test_any_query_is_answered(indexed, query):
    result = hybrid.search(query)
    assert isinstance(result.hits, list) and result.total >= len(result.hits)


def test_falls_back_to_lexical_without_vectors(settings, indexed):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:16"  # the index holds hashing:64 vectors
    result = hybrid.search("molecules")
    assert result.mode == "lexical" and set(ids(result)) == {"2503.00001", "2503.00004"}


def test_semantic_alone_without_lexical_index(indexed):
    paths.pointer_file("lexical").unlink()
    result = hybrid.search("protein folding")
    assert result.mode == "semantic" and result.hits[0].id == "2503.00002"
    with pytest.raises(IndexMissing):
        hybrid.search("protein folding", mode="lexical")


def test_page_reasons_and_snippets_come_from_the_lexical_side(indexed):
    result = hybrid.search("molecules graph")
    lexical_hits = [h for h in result.hits if h.terms]
    assert {h.id for h in lexical_hits} == {"2503.00001", "2503.00004"}
    for hit in lexical_hits:
        assert hit.snippets and not any(w.startswith("arXiv id") for w in hit.why)
    named = hybrid.search("2503.00003 speech")
    assert named.hits[0].id == "2503.00003"
    assert "arXiv id 2503.00003" in named.hits[0].why


@pytest.mark.parametrize(
    ("query", "text"),
    [
        (
            '+kv "cache eviction" -quantization title:attention cat:cs.CL',
            "kv cache eviction attention",
        ),
        ('"kv cache" NOT eviction', "kv cache"),
        ("0-dimensional biomaterials (in vivo).", "0-dimensional biomaterials in vivo ."),
        ("author:smith", ""),
    ],
)
def test_the_model_reads_the_query_without_operators_or_excluded_words(query, text):
    assert hybrid.semantic_text(parse(query)) == text


def test_selective_filters_search_the_semantic_side_exactly(indexed, monkeypatch):
    seen = {}
    real = vector_index.search_vectors

    def spy(query, k, **kwargs):
        seen.update(candidates=kwargs.get("candidates"), selectivity=kwargs.get("selectivity"))
        return real(query, k, **kwargs)

    monkeypatch.setattr(vector_index, "search_vectors", spy)
    # the vector table reads categories itself: the lexical index is not asked
    result = hybrid.search("molecules protein", mode="semantic", categories=["cs.LG"])
    assert seen == {"candidates": None, "selectivity": None}
    assert set(ids(result)) == {"2503.00001", "2503.00002"}

    # a generation written before the table: the lexical index's ids, scored exactly
    monkeypatch.setattr(vector_index.current_index(), "table", None)
    result = hybrid.search("molecules protein", mode="semantic", categories=["cs.LG"])
    assert sorted(seen["candidates"]) == ["2503.00001", "2503.00002"]  # from the lexical index
    assert seen["selectivity"] == pytest.approx(2 / 5)
    assert set(ids(result)) == {"2503.00001", "2503.00002"}

    monkeypatch.setattr(hybrid, "EXACT_SEMANTIC_MAX", 1)  # too many pass: HNSW, sized
    result = hybrid.search("molecules protein", mode="semantic", categories=["cs.LG"])
    assert seen["candidates"] is None and seen["selectivity"] == pytest.approx(2 / 5)
    assert set(ids(result)) == {"2503.00001", "2503.00002"}

    hybrid.search("molecules protein", mode="semantic")
    assert seen == {"candidates": None, "selectivity": None}  # unfiltered


def _with_code(*paper_ids: str) -> None:
    """Mark papers as having code, as the signals store's refresh_code leaves them."""
    PaperSignals.objects.bulk_create(PaperSignals(paper_id=pid, has_code=True) for pid in paper_ids)


def test_has_code_keeps_only_papers_with_code_in_every_mode(indexed):
    _with_code("2503.00001", "2503.00005")
    PaperSignals.objects.create(paper_id="2503.00004", hf_upvotes=3)  # signals, but no code
    for mode in hybrid.MODES:
        result = hybrid.search("molecules graph robots has:code", mode=mode)
        assert set(ids(result)) <= {"2503.00001", "2503.00005"} and result.hits, mode
        assert "2503.00001" in ids(result)
    lexical = hybrid.search("molecules has:code", mode="lexical")
    assert ids(lexical) == ["2503.00001"] and lexical.total == 1  # the count is filtered too
    alone = hybrid.search("has:code", sort="newest")  # a filter alone: its papers, newest first
    assert ids(alone) == ["2503.00005", "2503.00001"] and alone.total == 2
    robots = hybrid.search("molecules has:code", categories=["cs.RO"])
    assert set(ids(robots)) <= {"2503.00005"}  # the only cs.RO paper with code
    assert len(hybrid.search("molecules").hits) > len(hybrid.search("molecules has:code").hits)


def test_has_code_without_any_code_finds_nothing(indexed):
    for mode in hybrid.MODES:
        assert hybrid.search("molecules has:code", mode=mode).hits == []


def test_has_code_narrows_the_exact_semantic_candidates(indexed, monkeypatch):
    _with_code("2503.00002", "2503.00004")
    seen = {}
    real = vector_index.search_vectors

    def spy(query, k, **kwargs):
        seen.update(candidates=kwargs.get("candidates"))
        return real(query, k, **kwargs)

    monkeypatch.setattr(vector_index, "search_vectors", spy)
    result = hybrid.search("molecules protein has:code", mode="semantic", categories=["cs.LG"])
    assert seen["candidates"] == ["2503.00002"]  # cs.LG and code
    assert ids(result) == ["2503.00002"]


def test_a_category_in_the_query_keeps_each_hits_matched_words_a_mapping(indexed):
    """`cat:` in the query adds "in cs.CV" to a hit's reasons; the name of that list once
    shadowed the hit's matched words, and fusing the hit then raised ValueError."""
    result = hybrid.search("graph molecules cat:cs.CV")
    assert ids(result) == ["2503.00004"]
    hit = result.hits[0]
    assert isinstance(hit.matched, dict) and "in cs.CV" in hit.why


@pytest.mark.parametrize(
    "query", ["graph neural networks", "molecules graph", "2503.00003 speech", "author:smith cats"]
)
def test_the_meaning_thread_gives_the_same_results_and_every_page_the_same_reasons(
    indexed, monkeypatch, query
):
    threads = []
    real = hybrid.query_vector
    monkeypatch.setattr(
        hybrid,
        "query_vector",
        lambda text: threads.append(threading.current_thread().name) or real(text),
    )
    searched = []
    real_nearest = vector_index.search_vectors
    monkeypatch.setattr(
        vector_index,
        "search_vectors",
        lambda *a, **k: searched.append(threading.current_thread().name) or real_nearest(*a, **k),
    )
    meanwhile = hybrid.search(query, limit=50)
    assert threads and threads[0].startswith("query-meaning")
    # the nearest papers too, unless a filter needs the database (author:)
    assert searched[0].startswith("query-meaning") != query.startswith("author:")
    explained, _ = lexical.current_index().search(parse(query), limit=50)
    reasons = {h.id: h.why for h in explained}
    for hit in meanwhile.hits:
        if hit.id in reasons:  # the page's reasons: those of a lexical search, plus meaning
            assert hit.why[: len(reasons[hit.id])] == reasons[hit.id], hit.id
    shown = [(h.id, h.score, h.why, h.snippets) for h in meanwhile.hits]
    paged = [hybrid.search(query, limit=3, offset=offset).hits for offset in (0, 3, 6)]
    assert [(h.id, h.score, h.why, h.snippets) for page in paged for h in page] == shown[:9]
    real_start = hybrid.start_meaning_side
    monkeypatch.setattr(
        hybrid,
        "start_meaning_side",
        lambda embed, text, background, nearest: real_start(embed, text, background=False),
    )
    inline = hybrid.search(query, limit=50)  # embedded here, nearest papers searched after
    assert threads[-1] == threading.current_thread().name
    assert [(h.id, h.score, h.why, h.snippets) for h in inline.hits] == shown


def test_a_forked_worker_makes_its_own_meaning_thread(indexed, monkeypatch):
    hybrid.search("graph neural networks")
    pid, pool = meaning_side._pool
    assert pid == os.getpid()
    monkeypatch.setattr(meaning_side, "_pool", (pid + 1, pool))  # a child forked after --preload
    assert hybrid.search("graph neural networks").mode == "hybrid"
    assert meaning_side._pool[0] == pid and meaning_side._pool[1] is not pool
