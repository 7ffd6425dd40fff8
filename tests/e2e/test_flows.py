"""What a reader does, in real Chromium against the live server: sign up and verify, upvote in
place, search from the nav box, submit a paper fetched from (a local) arXiv, comment, read on a
phone, switch to the dark theme."""

from __future__ import annotations

import re

import pytest

from paperfeed.community.models import Comment, Submission
from paperfeed.papers.models import Paper
from tests.e2e.conftest import drain_tasks
from tests.ingest.arxiv_server import FakeArxiv, Reply

from .conftest import PAPERS, PASSWORD

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

NEW_PAPER = "2501.04242"
NEW_PAPER_FEED = f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query: id_list={NEW_PAPER}</title>
  <id>http://arxiv.org/api/e2e</id>
  <updated>2025-01-20T00:00:00-05:00</updated>
  <entry>
    <id>http://arxiv.org/abs/{NEW_PAPER}v2</id>
    <updated>2025-01-18T10:00:00Z</updated>
    <published>2025-01-10T10:00:00Z</published>
    <title>Tide pools as natural laboratories for
  evolutionary game theory</title>
    <summary>  Barnacles and limpets play a repeated game for rock surface.</summary>
    <author><name>Rachel Carson</name></author>
    <author><name>John Maynard Smith</name></author>
    <link href="http://arxiv.org/abs/{NEW_PAPER}v2" rel="alternate" type="text/html"/>
    <arxiv:primary_category term="q-bio.PE" scheme="http://arxiv.org/schemas/atom"/>
    <category term="q-bio.PE" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.GT" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>
""".encode()


def test_sign_up_verify_by_emailed_link_then_log_in(page, live_server, papers, mailoutbox):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign up").click()
    page.fill("input[name=email]", "fern@example.org")
    page.fill("input[name=username]", "fern")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("status")).to_contain_text("sent to fern@example.org")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["fern@example.org"]
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    page.goto(live_server.url + link.group(1))
    page.locator("form button[type=submit]", has_text="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You have confirmed fern@example.org")
    page.wait_for_url(re.compile(r"/accounts/login/$"))  # confirming does not log in

    page.fill("input[name=login]", "fern")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/welcome")  # a new account's first login: onboarding
    expect(page.locator(".account")).to_contain_text("fern")
    expect(page.get_by_role("status")).to_contain_text("Successfully signed in as fern.")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()


def test_upvote_in_place_and_toggle_back(page, live_server, logged_in):
    page.goto(live_server.url + "/")
    card = page.locator("#paper-250110002")
    button = card.locator("button.vote-button")
    count = card.locator(".vote-count")
    before = int(count.inner_text())
    url_before = page.url
    page.evaluate("window.__same_document = true")  # a navigation would forget this

    button.click()
    expect(count).to_have_text(str(before + 1))
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url == url_before and page.evaluate("window.__same_document === true")
    assert Paper.objects.get(pk="2501.10002").upvotes == before + 1

    button.click()
    expect(count).to_have_text(str(before))
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.url == url_before and page.evaluate("window.__same_document === true")
    assert Paper.objects.get(pk="2501.10002").upvotes == before


def test_search_from_the_nav_box_highlights_matches(page, live_server, papers):
    page.goto(live_server.url + "/about")
    box = page.get_by_role("searchbox", name="Search papers")
    box.fill("diatoms")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=diatoms"))
    results = page.locator("#results .card")
    expect(results.first).to_contain_text("Photosynthetic efficiency in marine diatoms")
    expect(results.first.locator("mark").first).to_have_text(re.compile("diatoms", re.I))
    expect(page.locator("#results .count")).to_contain_text("for “diatoms”")
    assert "Sparse attention" not in page.locator("#results").inner_text()


def test_submit_fetches_from_arxiv_and_lands_in_todays_feed(
    page, live_server, logged_in, e2e_settings
):
    with FakeArxiv() as arxiv:
        arxiv.route("/api/query", {"id_list": NEW_PAPER}, Reply(body=NEW_PAPER_FEED))
        e2e_settings.PAPERFEED_ARXIV_API_URL = arxiv.url + "/api/query"
        page.goto(live_server.url + "/")
        page.get_by_role("link", name="Submit").click()
        page.get_by_label("arXiv id or URL").fill(f"https://arxiv.org/abs/{NEW_PAPER}")
        page.get_by_role("button", name="Submit").click()
        item = page.locator(".submission").first
        expect(item).to_contain_text("queued — fetching from arXiv")
        assert arxiv.params("/api/query") == []  # the request did not wait on arXiv
        drain_tasks()  # the worker fetches it; the item turns into the paper by itself (htmx)
        expect(item.get_by_role("link")).to_have_text(
            "Tide pools as natural laboratories for evolutionary game theory"
        )
        assert [p["id_list"] for p in arxiv.params("/api/query")] == [NEW_PAPER]
    assert Submission.objects.get(paper_id=NEW_PAPER).user == logged_in

    page.get_by_role("link", name="Daily").click()
    card = page.locator(f"#paper-{NEW_PAPER.replace('.', '')}")
    expect(card).to_contain_text("Tide pools as natural laboratories for evolutionary game theory")
    expect(card).to_contain_text("submitted by erin")
    expect(card).to_contain_text("Rachel Carson")
    expect(page.locator(".card")).to_have_count(len(PAPERS) + 1)


def test_comment_markdown_edit_and_delete(page, live_server, logged_in):
    page.goto(live_server.url + "/papers/2501.10001")
    comments = page.locator("#comments")
    expect(comments).to_contain_text("No comments yet.")
    page.get_by_label(re.compile(r"^Add a comment")).fill(
        "Loved **section 3**, see `attn_mask`.\n\n- fast\n- small\n\n<img src=x onerror=alert(1)>"
    )
    url_before = page.url
    page.get_by_role("button", name="Post comment").click()
    body = comments.locator(".comment-body").first
    expect(body.locator("strong")).to_have_text("section 3")
    expect(body.locator("code")).to_have_text("attn_mask")
    expect(body.locator("li")).to_have_text(["fast", "small"])
    assert body.locator("img").count() == 0  # sanitised, not an element
    assert page.url == url_before  # posted in place (htmx)
    comment = Comment.objects.get(user=logged_in)

    comments.get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(rf"/comments/{comment.pk}/edit$"))
    page.get_by_label("Comment (Markdown)").fill("On reflection: *section 4* is the key.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/papers/2501\.10001"))
    edited = page.locator(f"#comment-{comment.pk}")
    expect(edited.locator(".comment-body em")).to_have_text("section 4")
    expect(edited.locator(".comment-meta")).to_contain_text("(edited)")
    expect(edited).not_to_contain_text("attn_mask")

    page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm asks first
    edited.get_by_role("button", name="Delete").click()
    expect(page.locator(f"#comment-{comment.pk}")).to_have_count(0)
    expect(page.locator("#comments")).to_contain_text("No comments yet.")
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_phone_viewport_has_no_horizontal_scroll(browser, live_server, papers):
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        color_scheme="light",
    )
    try:
        page = phone.new_page()
        for path in ("/", "/papers/2501.10003", "/search?q=attention", "/about"):
            page.goto(live_server.url + path)
            expect(page.locator("main h1").first).to_be_visible()
            widths = page.evaluate(
                "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
            )
            assert widths["inner"] == 390, widths
            assert widths["scroll"] <= widths["inner"], f"{path} scrolls sideways: {widths}"
        page.goto(live_server.url + "/")
        expect(page.locator(".card")).to_have_count(len(PAPERS))
        expect(page.get_by_role("searchbox", name="Search papers")).to_be_visible()
    finally:
        phone.close()


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_dark_theme_toggle_switches_and_persists(page, live_server, papers):
    page.goto(live_server.url + "/")
    toggle = page.get_by_role("button", name="Switch between light and dark theme")
    light = background(page)
    assert light == "rgb(255, 255, 255)"
    expect(toggle).to_have_attribute("aria-pressed", "false")

    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    dark = background(page)
    assert dark == "rgb(20, 22, 26)"

    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) == dark
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trending").click()
    page.wait_for_url(re.compile(r"/trending$"))
    assert background(page) == dark

    page.get_by_role("button", name="Switch between light and dark theme").click()
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background(page) == light
