"""The search page and /api/v1/search tell the truth: the count says how exact it is, a search
that finds nothing says so with a spelling correction and the filters to drop (each with the
count its link gives), and every hit says which of its words matched."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from paperfeed.search.hits import SearchResult
from paperfeed.search.sync import sync_indexes
from paperfeed.web.search_page import count_detail, count_text

from .conftest import record, store

pytestmark = pytest.mark.django_db


def test_count_text_says_how_exact_the_number_is():
    assert count_text(SearchResult([], 1, "lexical")) == "1 result"
    assert count_text(SearchResult([], 1234, "lexical")) == "1,234 results"
    hybrid = SearchResult([], 212, "hybrid", reachable=212, term_matches=12)
    assert count_text(hybrid) == "about 212 results"
    assert count_detail(hybrid) == "12 hold your words, 200 more found by meaning"
    none = SearchResult([], 200, "hybrid", term_matches=0)
    assert count_detail(none) == "none hold your words, 200 more found by meaning"
    assert count_text(SearchResult([], 200, "semantic")) == "the 200 papers closest in meaning"
    assert count_detail(SearchResult([], 3, "lexical")) == ""


@pytest.fixture
def corpus(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no vectors: hybrid runs lexical
    store(
        record(
            "2025-03-18",
            arxiv_id="2503.00001",
            title="Transformers for protein folding",
            abstract="Attention over residues predicts structure.",
            categories=("q-bio.BM",),
        ),
        record(
            "2025-03-20",
            arxiv_id="2503.00002",
            title="The attention of graphs",
            abstract="We study the attention of graph transformers.",
            categories=("cs.LG",),
        ),
    )
    sync_indexes(progress=False)


def text_of(html: str) -> str:
    body = html[html.index('<div id="results"') :]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def hrefs(html: str, css_class: str) -> list[str]:
    block = re.search(rf'class="{css_class}".*?</(?:p|ul)>', html, re.S)[0]
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', block)]


def test_no_results_state_offers_the_spelling_from_the_corpus(client, corpus):
    html = client.get("/search?q=tranformers").content.decode()
    text = text_of(html)
    assert "No results for “tranformers”" in text
    assert "No paper holds “tranformers”. Did you mean transformers ? (2 results)" in text
    assert 'class="cards"' not in html and "Export the best" not in html
    (link,) = hrefs(html, "did-you-mean")
    assert link == "/search?q=transformers"
    assert "2 results for “transformers”" in text_of(client.get(link).content.decode())


def test_no_results_state_offers_each_filter_to_drop_with_its_count(client, corpus):
    html = client.get("/search?q=graphs+cat:q-bio&category=cs.LG&page=1").content.decode()
    text = text_of(html)
    assert "No results for “graphs cat:q-bio”" in text
    assert "Drop cat:q-bio : 1 result" in text and "Drop category cs.LG : 0" not in text
    assert "without category cs.LG : no results either" in text  # graphs is in cs.LG only
    (link,) = hrefs(html, "drop-filters")
    assert link.startswith("/search?")  # back on page 1, the category kept, cat:q-bio gone
    assert parse_qs(urlsplit(link).query) == {"q": ["graphs"], "category": ["cs.LG"]}
    found = client.get(link).content.decode()
    assert "1 result for “graphs”" in text_of(found) and "arXiv:2503.00002" in found


def test_a_correction_is_offered_above_results_too(client, corpus):
    text = text_of(client.get("/search?q=atention+graphs").content.decode())
    assert "1 result for “atention graphs”" in text
    assert "Did you mean attention graphs ? (2 results)" in text


def test_marks_and_reasons_name_only_matched_content_words(client, corpus):
    html = client.get("/search?q=the+attention+of+graphs").content.decode()
    marked = set(re.findall(r"<mark>(.*?)</mark>", html))
    assert marked == {"attention", "Attention", "graphs", "graph"}  # never "the" or "of"
    assert "title matches “attention”, “graphs” · abstract matches “attention”, “graph”" in html


def test_the_api_has_the_count_its_exactness_and_the_suggestions(client, corpus):
    body = client.get("/api/v1/search?q=tranformers&category=cs.LG").json()
    assert (body["count"], body["total"], body["count_is_estimate"]) == (0, 0, False)
    assert body["term_matches"] == 0 and body["items"] == []
    assert body["suggestions"]["spelling"] == {
        "query": "transformers",
        "corrections": {"tranformers": "transformers"},
        "held_by": {"tranformers": 0},
        "count": 1,
        "count_is_estimate": False,
    }
    assert body["suggestions"]["drop_filters"] == [
        {
            "label": "category cs.LG",
            "query": "tranformers",
            "param": "category",
            "count": 0,
            "count_is_estimate": False,
        }
    ]
    body = client.get("/api/v1/search?q=the+attention+of+graphs&mode=lexical").json()
    assert body["count"] == 2 and body["suggestions"] == {"spelling": None, "drop_filters": []}
    top = body["items"][0]
    assert top["matched"] == {"title": ["attention", "graphs"], "abstract": ["attention", "graph"]}
    assert "<mark>the</mark>" not in top["snippets"]["title"]


def test_the_api_offers_dropping_its_author_parameter_and_typed_filters(client, corpus):
    body = client.get("/api/v1/search?q=attention+cat:cs.CV&author=Hopper").json()
    assert body["count"] == 0
    drops = [
        (d["label"], d["query"], d["param"], d["count"])
        for d in body["suggestions"]["drop_filters"]
    ]
    assert drops == [
        ("cat:cs.CV", "attention", None, 0),  # the author filter still applies: no Hopper here
        ("author Hopper", "attention cat:cs.CV", "author", 0),
    ]
    body = client.get("/api/v1/search?q=attention&author=Hopper").json()
    drops = [(d["label"], d["param"], d["count"]) for d in body["suggestions"]["drop_filters"]]
    assert drops == [("author Hopper", "author", 2)]


def test_a_page_whose_results_are_all_muted_says_so_not_that_results_ended(client, corpus):
    from paperfeed.personal import mutes

    from .conftest import make_user

    bea = make_user("bea")
    mutes.add_mute(bea, "category", "q-bio.BM")
    client.force_login(bea)
    html = client.get("/search", {"q": "folding", "mode": "lexical"}).content.decode()
    assert "1 on this page hidden by your" in html and 'class="no-results"' not in html
    assert "the results end before it" not in html
