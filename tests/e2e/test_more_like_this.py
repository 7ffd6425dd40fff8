"""More like this in real Chromium, at desktop and phone widths: the paper page's similar
papers newest first and its "More like this" link, the paged /similar page (the paper left out), its recency order, and a pasted
abstract (its own paper left out).

Screenshots (docs/screenshots/more-like-this-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a
folder: ``PAPERFEED_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest
tests/e2e/test_more_like_this.py``.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from .conftest import DEVICES, TIMEOUT_MS, no_sideways_scroll, paper_record, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

TOPIC = "Sparse attention lets transformers read long documents with less memory"
VARIANTS = [
    ("2501.20001", "Sparse attention for long documents", 9),
    ("2501.20002", "Block sparse attention for long context transformers", 1),
    ("2501.20003", "Memory efficient attention for reading whole books", 5),
    ("2501.20004", "Long document transformers with sliding window attention", 3),
    ("2501.20005", "Sparse transformers revisited for long sequences", 7),
]


@pytest.fixture
def similar_papers(live_server, papers):
    """The conftest's three papers and five on one topic, listed on different days, with
    vectors (the test encoder) and both indexes built."""
    from paperfeed.ingest.upsert import ingest
    from paperfeed.search import embedding_job
    from paperfeed.search.encoders import load_encoder
    from paperfeed.search.sync import sync_indexes

    today = timezone.now().date()
    records = [
        paper_record(
            pid,
            title,
            f"{TOPIC}. {title}: we study it on books and long documents.",
            ("Ada Lovelace",),
            ("cs.CL",),
            today - dt.timedelta(days=age),
        )
        for pid, title, age in VARIANTS
    ]
    assert ingest(records).rejected == 0
    embedding_job.embed_missing(load_encoder())
    assert sync_indexes(progress=False)["vectors"]["total"] == len(papers) + len(VARIANTS)
    return records


def result_ids(page) -> list[str]:
    return [
        text.removeprefix("arXiv:")
        for text in page.locator("#results .card .meta .id").all_inner_texts()
    ]


@pytest.mark.parametrize("size", DEVICES)
def test_more_like_a_paper_and_a_pasted_abstract(browser, live_server, similar_papers, size):
    ctx = browser.new_context(color_scheme="light", **DEVICES[size])
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    try:
        # the first page a live server renders compiles its templates: 14.5 s at load 20 on 2 cores
        page.goto(live_server.url + "/papers/2501.20001", timeout=6 * TIMEOUT_MS)
        section = page.locator("section.similar")
        section.get_by_role("link", name="Newest").click()
        expect(section.get_by_role("link", name="Newest")).to_have_attribute("aria-current", "true")
        section.scroll_into_view_if_needed()
        no_sideways_scroll(page)
        shoot(page, f"more-like-this-paper-{size}")
        page.get_by_role("link", name="More like this", exact=True).click()
        expect(page.locator("h1")).to_have_text("More like this")
        expect(page.locator(".example")).to_contain_text("Sparse attention for long documents")
        shown = result_ids(page)
        assert shown and "2501.20001" not in shown
        assert set(shown[:4]) <= {pid for pid, _, _ in VARIANTS}
        no_sideways_scroll(page)
        shoot(page, f"more-like-this-{size}")

        page.get_by_label("Sort").select_option("recency")
        page.get_by_role("button", name="Apply").click()
        expect(page).to_have_url(re.compile(r"[?&]sort=recency"))
        ages = {pid: age for pid, _, age in VARIANTS}
        recent = [pid for pid in result_ids(page) if pid in ages]
        assert recent and [ages[p] for p in recent] == sorted(ages[p] for p in recent)
        assert "2501.20001" not in result_ids(page)

        page.goto(live_server.url + "/similar")
        own = similar_papers[2]
        page.get_by_label("Paste an abstract").fill(f"{own.title_raw}. {own.abstract_raw}")
        page.get_by_role("button", name="Find similar papers").click()
        expect(page.locator("#results .count")).to_contain_text("similar paper")
        shown = result_ids(page)
        assert shown and own.arxiv_id not in shown
        no_sideways_scroll(page)
        shoot(page, f"more-like-text-{size}")
    finally:
        ctx.close()
