"""Filter a search by author from the results' author facet (issue 16), in a real browser."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from paperfeed.ingest.upsert import ingest
from tests.e2e.conftest import paper_record, shoot

MORE = [
    ("2501.10011", "Attention sinks in long documents", ("Ada Lovelace", "Charles Babbage")),
    ("2501.10012", "Linear attention for speech", ("Ada Lovelace",)),
    ("2501.10013", "Attention heads that count", ("Charles Babbage", "Grace Hopper")),
    ("2501.10014", "Attention is cheap on graphs", ("Alan Turing",)),
]


def test_filter_by_author_from_the_facet(page, live_server, papers):
    from paperfeed.search.sync import rebuild_indexes

    today = timezone.now().date()
    records = [
        paper_record(i, title, "We study attention.", authors, ("cs.LG",), today)
        for i, title, authors in MORE
    ]
    assert ingest(records).rejected == 0
    rebuild_indexes(progress=False)
    page.set_default_timeout(60_000)  # a loaded CI machine: the first search loads the encoder

    page.goto(f"{live_server.url}/search?q=attention")
    facet = page.get_by_role("navigation", name="Authors among the results")
    expect(facet).to_contain_text("Ada Lovelace (3)")
    expect(facet).to_contain_text("Charles Babbage (2)")
    shoot(page, "search-author-facet", full_page=True)
    facet.get_by_role("link", name="Ada Lovelace").click()
    page.wait_for_url(re.compile(r"author=Ada\+Lovelace"))
    expect(page.locator(".author-filter")).to_contain_text("Author: Ada Lovelace")
    ids = page.locator(".card .id").all_inner_texts()
    assert sorted(ids) == ["arXiv:2501.10001", "arXiv:2501.10011", "arXiv:2501.10012"]
    shoot(page, "search-author-filtered", full_page=True)
    page.get_by_role("link", name="all authors").click()
    expect(page.locator(".author-filter")).to_have_count(0)

    page.goto(f"{live_server.url}/search?q=attention&author=Lovelac")
    expect(page.locator(".author-fallback")).to_contain_text(
        "No exact author match for “Lovelac”; showing similar names."
    )
