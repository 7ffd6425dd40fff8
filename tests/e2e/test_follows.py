"""Follows in real Chromium, at desktop and phone widths: follow a search from its results and
a category from its page, choose an author among namesakes, set a mail alert and open a
follow's page on /follows, rotate the private feed secret (the old address then 404s).

Screenshots (follows-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from paperfeed.ingest.upsert import ingest
from paperfeed.personal.models import Follow

from .conftest import DEVICES, PASSWORD, make_user, paper_record, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("device", DEVICES)
def test_follow_a_search_a_category_and_an_author_then_manage_them(
    browser, live_server, papers, device
):
    ingest(
        [
            paper_record(
                "2501.10009",
                "Attention sinks in streaming models",
                "Another sparse attention paper.",
                ("A. Lovelace", "Charles Babbage"),
                ("cs.LG",),
                timezone.now().date(),
            )
        ]
    )
    make_user("finn")
    context = browser.new_context(color_scheme="light", **DEVICES[device])
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", "finn")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/(welcome)?$"))

    page.goto(live_server.url + "/search?q=sparse+attention&mode=lexical")
    page.get_by_role("button", name="Follow sparse attention").click()
    expect(page.locator(".messages")).to_contain_text("Following search “sparse attention”.")
    expect(page.locator(".follow-box")).to_contain_text("Following")

    page.goto(live_server.url + "/categories/cs.CL")
    page.get_by_role("button", name="Follow cs.CL").click()
    page.wait_for_url(re.compile(r"/categories/cs\.CL$"))

    page.goto(live_server.url + "/follows/authors?name=Ada+Lovelace")
    candidates = page.locator(".candidate")
    expect(candidates).to_have_count(2)  # Ada Lovelace and A. Lovelace, with their papers
    expect(candidates.filter(has_text="Ada Lovelace")).to_contain_text("Alan Turing")  # co-author
    shoot(page, f"follows-authors-{device}", full_page=True)
    page.get_by_role("button", name="Follow A. Lovelace").click()
    expect(page.locator(".messages")).to_contain_text("Following author “A. Lovelace”.")

    page.goto(live_server.url + "/follows")
    expect(page.locator(".follow-group")).to_have_count(3)  # authors, categories, searches
    search = Follow.objects.get(kind="search")
    page.locator(f"#alert-{search.pk}").select_option("daily")
    page.locator(".follow-row", has_text="sparse attention").get_by_role(
        "button", name="Save"
    ).click()
    expect(page.locator(".messages")).to_contain_text("Alert of “sparse attention”: daily.")
    assert Follow.objects.get(pk=search.pk).alert == "daily"
    shoot(page, f"follows-list-{device}", full_page=True)

    old_feed = page.locator(".feed-url").first.inner_text()
    assert status_of(old_feed) == 200
    page.get_by_role("button", name="New secret addresses").click()
    expect(page.locator(".messages")).to_contain_text("the old ones no longer work")
    new_feed = page.locator(".feed-url").first.inner_text()
    assert new_feed != old_feed and status_of(old_feed) == 404 and status_of(new_feed) == 200

    page.get_by_role("link", name="sparse attention", exact=True).click()
    expect(page.locator("h1")).to_have_text("sparse attention")
    expect(page.locator("#paper-250110001")).to_be_visible()
    shoot(page, f"follows-page-{device}", full_page=True)
    context.close()
