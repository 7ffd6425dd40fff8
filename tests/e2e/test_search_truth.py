"""The search page tells the truth, in real Chromium at desktop and phone widths (issue 16):
hybrid results say "about N" and what N is made of, mark only the query's content words and
say why each paper is there (the words each field holds, "similar in meaning" for a match by
meaning); a search that finds nothing says so, offers the spelling the corpus knows and the
filters to drop with their counts, and each link leads to what it promised.

Screenshots (docs/screenshots/search-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from paperfeed.ingest.upsert import ingest
from paperfeed.search import embedding_job
from paperfeed.search.encoders import load_encoder
from paperfeed.search.snippets import FUNCTION_WORDS
from paperfeed.search.sync import rebuild_indexes

from .conftest import DEVICES, TIMEOUT_MS, no_sideways_scroll, paper_record, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

MORE = [
    {
        "arxiv_id": "2501.10011",
        "title": "Graph attention networks for molecules",
        "abstract": "Attention over the bonds of molecular graphs predicts properties of drugs.",
        "authors": ("Marie Curie",),
        "categories": ("cs.LG",),
    },
    {
        "arxiv_id": "2501.10012",
        "title": "The attention of graph transformers on long documents",
        "abstract": "Documents become graphs of sentences; attention follows their edges.",
        "authors": ("Ada Lovelace", "Grace Hopper"),
        "categories": ("cs.CL",),
    },
    {
        "arxiv_id": "2501.10013",
        "title": "Message passing is all you need",
        "abstract": "Neural message passing on citation networks, without any transformer.",
        "authors": ("Alan Turing",),
        "categories": ("cs.LG",),
    },
    {
        "arxiv_id": "2501.10014",
        "title": "Speculative decoding with small draft models",
        "abstract": "A draft model proposes tokens that the large model verifies in one pass.",
        "authors": ("Katherine Johnson",),
        "categories": ("cs.CL",),
    },
]


@pytest.fixture
def corpus(papers):
    """The three papers of conftest and four more, today, with (hashing) vectors: hybrid runs."""
    today = timezone.now().date()
    summary = ingest([paper_record(**fields, day=today) for fields in MORE])
    assert summary.rejected == 0, summary.rejects
    embedding_job.embed_missing(load_encoder())
    rebuild_indexes(progress=False)
    return [*papers, *MORE]


def new_page(browser, device):
    context = browser.new_context(color_scheme="light", **DEVICES[device])
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.mark.parametrize("device", list(DEVICES))
def test_results_count_mark_and_explain_truthfully(browser, live_server, corpus, device):
    context, page = new_page(browser, device)
    try:
        page.goto(live_server.url + "/search?q=the+attention+of+graphs")
        count = page.locator("#results .count")
        expect(count).to_contain_text(
            re.compile(r"About \d+ results for “the attention of graphs”")
        )
        expect(count).to_contain_text(re.compile(r"\d+ hold your words, \d+ more found by meaning"))
        cards = page.locator("#results .card")
        expect(cards.filter(has_text="Graph attention networks for molecules")).to_have_count(1)
        marked = page.locator("#results mark").all_inner_texts()
        assert marked and {m.lower() for m in marked} <= {"attention", "graph", "graphs"}
        assert not {m.lower() for m in marked} & FUNCTION_WORDS
        reasons = page.locator("#results .why").all_inner_texts()
        assert any(r.startswith("title matches “Graph”, “attention”") for r in reasons), reasons
        assert any(r.endswith("similar in meaning") for r in reasons), reasons
        assert not any("cosine" in r or "semantically" in r for r in reasons)
        no_sideways_scroll(page)
        shoot(page, f"search-results-{device}")
    finally:
        context.close()


@pytest.mark.parametrize("device", list(DEVICES))
def test_no_results_state_suggests_spelling_and_filters(browser, live_server, corpus, device):
    context, page = new_page(browser, device)
    try:
        page.goto(live_server.url + "/search?q=atention&mode=lexical&category=cs.CL")
        state = page.locator(".no-results")
        expect(state.get_by_role("heading")).to_have_text("No results for “atention”")
        expect(page.locator("#results .card")).to_have_count(0)
        expect(state.locator(".did-you-mean")).to_contain_text(
            "No paper holds “atention”. Did you mean attention? (2 results)"
        )
        expect(state.locator(".drop-filters")).to_contain_text(
            "without category cs.CL: no results either"
        )
        no_sideways_scroll(page)
        shoot(page, f"search-no-results-{device}")
        state.get_by_role("link", name="attention").click()
        page.wait_for_url(re.compile(r"q=attention(&|$)"))
        expect(page.locator("#results .count")).to_contain_text("2 results for “attention”")
        expect(page.locator("#results .card")).to_have_count(2)

        # a filter typed into the query (the form keeps mode and category): dropping it finds
        # the papers, as many as the link said
        page.locator("#q").fill("sparse attention cat:q-bio.PE")
        page.locator("#q").press("Enter")
        drop = page.locator(".drop-filters li").first
        expect(drop).to_have_text("Drop cat:q-bio.PE: 2 results")
        drop.get_by_role("link").click()
        expect(page.locator("#results .count")).to_contain_text("2 results for “sparse attention”")
        expect(page.locator("#results .card")).to_have_count(2)
    finally:
        context.close()
