"""Issue 16 items 1-2: query kinds, adaptive fusion with the missing side's real scores, author
names kept from the embedder, exact-then-similar author matching, the author facet."""

import re

import pytest

from paperfeed.search import hybrid
from paperfeed.search.authors import author_facet
from paperfeed.search.hits import Hit
from paperfeed.search.hybrid import FusionConfig, fuse, semantic_text
from paperfeed.search.query import classify, is_identifier, parse
from tests.search.test_hybrid import PAPERS, ids, indexed  # noqa: F401  (fixture)


@pytest.mark.parametrize(
    ("query", "names", "kind"),
    [
        ("author:hinton capsules", (), "author"),
        ("hinton capsule networks", ("hinton",), "author"),
        ('"kv cache" eviction', (), "phrase"),
        ("GRPO reward hacking", (), "identifier"),
        ("gpt-4o jailbreaks", (), "identifier"),
        ("kv cache eviction", (), "keywords"),
        ("graph neural networks molecules", (), "keywords"),
        ("how do transformers learn in context", (), "description"),
        ("a method that predicts protein structure from sequence alone", (), "description"),
        ("segment anything robust uncertainty accuracy correlation models", (), "description"),
    ],
)
def test_classify(query, names, kind):
    assert classify(parse(query), names) == kind


def test_identifiers():
    assert [is_identifier(t) for t in ("VINS-Mono", "R1-Zero", "6DoF", "LangGraph")] == [True] * 4
    assert [is_identifier(t) for t in ("cache", "Transformers", "A", "-")] == [False] * 4


def test_kind_picks_the_weight():
    config = FusionConfig(weight=0.6, kind_weights=(("author", 0.2), ("description", 0.8)))
    assert config.weight_for("author") == 0.2
    assert config.weight_for("keywords") == 0.6  # not in the table
    assert config.weight_for(None) == 0.6
    assert FusionConfig(weight=0.6).weight_for("author") == 0.6


def _lists():
    lexical = [Hit("a", 10.0), Hit("b", 9.0), Hit("c", 1.0)]
    semantic = [Hit("d", 0.9, similarity=0.9), Hit("e", 0.8, similarity=0.8), Hit("a", 0.5)]
    return lexical, semantic


def test_fill_gives_a_lexical_only_candidate_its_real_cosine():
    lexical, semantic = _lists()
    plain = FusionConfig(method="convex", weight=0.5, normalise="zscore")
    filled = FusionConfig(method="convex", weight=0.5, normalise="zscore", fill=True)
    before = [h.id for h in fuse(lexical, semantic, plain)]
    asked = []

    def cosines(found):
        asked.append(sorted(found))
        return {"b": 0.95, "c": 0.1}

    after = [h.id for h in fuse(lexical, semantic, filled, semantic_scores=cosines)]
    assert asked == [["b", "c"]]  # only the lexical-only candidates are scored
    assert before[0] != "b" and after[0] == "b"  # b's cosine beats every other candidate's


def test_fill_gives_meaning_only_candidates_their_bm25_or_zero():
    lexical, semantic = _lists()
    filled = FusionConfig(method="convex", weight=0.5, normalise="zscore", fill=True)
    fused = fuse(lexical, semantic, filled, lexical_scores=lambda found: {"e": 9.5})
    order = [h.id for h in fused]
    assert order.index("e") < order.index("d")  # e also matches terms; d matches none (0)


def test_semantic_text_leaves_names_out():
    assert semantic_text(parse("Zhang change detection"), ["zhang"]) == "change detection"
    assert semantic_text(parse("zhang"), ["zhang"]) == ""


pytestmark = pytest.mark.django_db


def test_author_surnames_are_not_sent_to_the_model(indexed, monkeypatch):  # noqa: F811
    seen = []
    real = hybrid.query_vector

    def spy(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(hybrid, "query_vector", spy)
    result = hybrid.search("lovelace graphs")
    assert seen == ["graphs"]
    assert result.kind == "author"
    assert set(ids(result)) >= {"2503.00001", "2503.00004"}
    seen.clear()
    assert hybrid.search("lovelace").mode == "lexical"  # nothing left to embed
    assert seen == []


def test_exact_author_first_and_a_labelled_fallback(indexed):  # noqa: F811
    exact = hybrid.search("author:lovelace molecules")
    assert set(ids(exact)) == {"2503.00001", "2503.00004"} and exact.similar_authors == []
    near = hybrid.search("author:lovelac molecules")
    assert near.similar_authors == ["lovelac"]
    assert set(ids(near)) == {"2503.00001", "2503.00004"}
    initials = hybrid.search('author:"A. Lovelace" graphs')
    assert set(ids(initials)) == {"2503.00001", "2503.00004"}
    assert initials.similar_authors == []
    hopper = hybrid.search("robots", author="G. Hopper", mode="lexical")
    assert ids(hopper) == ["2503.00005"] and hopper.similar_authors == []
    other = hybrid.search("robots", author="X. Hopper", mode="lexical")
    assert other.hits == [] and other.similar_authors == ["X. Hopper"]


def test_author_facet(indexed):  # noqa: F811
    result = hybrid.search("molecules graphs protein", facets=True)
    assert ("Ada Lovelace", 2) in result.authors
    counts = [n for _, n in result.authors]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 2
    assert hybrid.search("molecules graphs protein").authors == []  # only when asked
    assert author_facet(["2503.00001", "2503.00004"]) == [("Ada Lovelace", 2)]
    assert author_facet([]) == []
    lexical = hybrid.search("molecules graphs", mode="lexical", facets=True)
    assert ("Ada Lovelace", 2) in lexical.authors


def test_search_page_facet_and_author_filter(client, indexed):  # noqa: F811
    html = client.get("/search", {"q": "molecules graphs protein"}).content.decode()
    assert 'class="author-facet"' in html
    link = re.search(r'<a href="([^"]*author=Ada[^"]*)">Ada Lovelace</a>', html)
    assert link, html
    filtered = client.get("/search" + link.group(1).replace("&amp;", "&")).content.decode()
    assert re.findall(r'<span class="id">arXiv:([^<]+)</span>', filtered) and (
        "2503.00002" not in filtered
    )
    assert "Author: <strong>Ada Lovelace</strong>" in filtered
    near = client.get("/search", {"q": "molecules", "author": "Lovelac"}).content.decode()
    assert "No exact author match for “Lovelac”; showing similar names." in near
    assert client.get("/search", {"q": "x", "author": "a" * 201}).status_code == 400


def test_api_search_has_the_facet(client, indexed):  # noqa: F811
    body = client.get("/api/v1/search", {"q": "molecules graphs protein"}).json()
    assert {"name": "Ada Lovelace", "papers": 2} in body["authors"]
    near = client.get("/api/v1/search", {"q": "molecules", "author": "Lovelac"}).json()
    assert near["similar_authors"] == ["Lovelac"]
