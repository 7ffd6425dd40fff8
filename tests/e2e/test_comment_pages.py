"""A long discussion in real Chromium, at desktop and phone widths: the paper page shows the
first 25 threads with "Page 1 of 3"; "Later comments" swaps in the next page in place (htmx, the
URL of the paper page unchanged) and "Earlier comments" goes back; a member posting faster than
the comment limit sees why inside the comments block.

Screenshots (docs/screenshots/comments-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from paperfeed.community import comments
from paperfeed.community.models import Comment

from .conftest import DEVICES, TIMEOUT_MS, make_user, no_sideways_scroll, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture
def discussion(papers):
    """60 threads on 2501.10001, a minute apart, the last one answered."""
    author = make_user("carol")
    start = timezone.now() - dt.timedelta(days=1)
    for i in range(60):
        c = comments.add_comment(author, "2501.10001", f"Thread number {i}")
        Comment.objects.filter(pk=c.pk).update(created=start + dt.timedelta(minutes=i))
    comments.add_comment(author, "2501.10001", "A reply on the last page", parent_id=c.pk)


@pytest.mark.parametrize("size", DEVICES)
def test_pages_of_comments(browser, live_server, discussion, size):
    ctx = browser.new_context(color_scheme="light", **DEVICES[size])
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    try:
        url = live_server.url + "/papers/2501.10001"
        page.goto(url)
        block = page.locator("#comments")
        expect(block.locator("h2")).to_contain_text("Comments (61)")
        expect(block.locator(".comment-thread")).to_have_count(25)
        expect(block.locator(".comment-pages")).to_contain_text("Page 1 of 3")
        block.get_by_role("link", name="Later comments").click()
        expect(block.locator(".comment-pages")).to_contain_text("Page 2 of 3")
        expect(block.locator(".comment-thread").first).to_contain_text("Thread number 25")
        assert page.url == url  # swapped in place
        block.get_by_role("link", name="Later comments").click()
        expect(block.locator(".comment-thread")).to_have_count(10)
        expect(block).to_contain_text("A reply on the last page")
        block.locator(".comment-pages").scroll_into_view_if_needed()
        shoot(page, f"comments-last-page-{size}")
        no_sideways_scroll(page)
        block.get_by_role("link", name="Earlier comments").click()
        expect(block.locator(".comment-pages")).to_contain_text("Page 2 of 3")
    finally:
        ctx.close()


@override_settings(PAPERFEED_LIMIT_COMMENT="2/m/user")
def test_the_comment_limit_is_said_in_place(page, live_server, logged_in):
    page.goto(live_server.url + "/papers/2501.10002")
    for text in ("first", "second", "third"):
        page.get_by_label("Add a comment", exact=False).fill(text)
        page.get_by_role("button", name="Post comment").click()
        expect(page.locator("#comments")).to_contain_text(
            text if text != "third" else "Too many comments from your account"
        )
    expect(page.locator("#comments .form-error")).to_contain_text("at most 2 per minute")
    assert Comment.objects.filter(paper_id="2501.10002").count() == 2
