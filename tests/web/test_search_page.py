"""The search page: results with escaped highlighted snippets, filters, sorts, pages, errors."""

import datetime as dt
import re

import pytest

from paperfeed.search.sync import sync_indexes

from .conftest import XSS_ABSTRACT, record, set_upvotes, store

pytestmark = pytest.mark.django_db


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def indexed(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # no model download, no vectors: lexical
    store(
        record(
            "2025-03-18",
            arxiv_id="2503.00001",
            title="Compressing the KV cache of transformers",
            categories=("cs.CL",),
        ),
        record(
            "2025-03-20",
            arxiv_id="2503.00002",
            title="Graph neural networks for molecules",
            abstract="We study the kv cache and graphs.",
            categories=("cs.LG",),
        ),
        record(
            "2025-04-02",
            arxiv_id="2504.00003",
            title="Escaping test",
            abstract="kv cache " + XSS_ABSTRACT,
            categories=("cs.CR",),
        ),
    )
    set_upvotes("2503.00002", 7)
    sync_indexes(progress=False)


def test_empty_query_shows_the_form(client):
    html = client.get("/search").content.decode()
    assert '<form class="search-form"' in html and 'name="q"' in html
    assert "Words match titles" in html and 'class="card"' not in html


def test_results_with_highlighted_snippets(client, indexed):
    html = client.get("/search?q=kv+cache").content.decode()
    assert set(ids_in(html)) == {"2503.00001", "2503.00002", "2504.00003"}
    assert "<mark>KV</mark>" in html or "<mark>kv</mark>" in html.lower()
    assert '<span class="count-number">3 results</span> for “kv cache”' in html  # exact: lexical


def test_snippets_escape_markup_from_abstracts(client, indexed):
    html = client.get("/search?q=kv+cache+escaping").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_filters_and_sorts(client, indexed):
    assert ids_in(client.get("/search?q=kv+cache&category=cs.LG").content.decode()) == [
        "2503.00002"
    ]
    html = client.get("/search?q=kv+cache&since=2025-03-19&until=2025-03-31").content.decode()
    assert ids_in(html) == ["2503.00002"]
    assert ids_in(client.get("/search?q=kv+cache&sort=upvotes").content.decode())[0] == "2503.00002"
    assert ids_in(client.get("/search?q=kv+cache&sort=newest").content.decode())[0] == "2504.00003"
    shared = client.get("/search?q=kv+cache&sort=newest&category=cs.CR").content.decode()
    assert 'value="cs.CR"' in shared and '<option value="newest" selected>' in shared


def test_pagination_keeps_the_query(client, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    store(*(record(dt.date(2025, 3, 18), title=f"Sparse attention study {i}") for i in range(25)))
    sync_indexes(progress=False)
    first = client.get("/search?q=sparse+attention").content.decode()
    assert len(ids_in(first)) == 20 and 'href="?page=2&amp;q=sparse+attention"' in first
    second = client.get("/search?q=sparse+attention&page=2").content.decode()
    assert len(ids_in(second)) == 5


def test_bad_parameters_are_400(client, indexed):
    for query, reason in [
        ("mode=magic", "mode: must be one of"),
        ("sort=best", "sort: must be"),
        ("since=yesterday", "since: must be a date"),
        ("category=<b>", "is not an arXiv category"),
        ("page=0", "page: must be between"),
    ]:
        response = client.get(f"/search?q=kv&{query}")
        assert response.status_code == 400 and reason in response.content.decode(), query


def test_search_before_any_index_is_503_with_instructions(client, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    response = client.get("/search?q=anything")
    assert response.status_code == 503
    assert "paperfeed index --rebuild" in response.content.decode()


def test_htmx_request_gets_only_the_results(client, indexed):
    response = client.get("/search?q=kv+cache", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert html.startswith('<div id="results"') and "<html" not in html


def test_search_page_query_count(client, indexed, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get("/search?q=kv+cache").status_code == 200


def test_search_page_links_its_feed(client, indexed):
    html = client.get("/search?q=kv+cache").content.decode()
    assert 'type="application/atom+xml"' in html
    assert 'href="/feeds/search.atom?q=kv+cache&amp;sort=newest"' in html
