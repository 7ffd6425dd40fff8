"""Mutes in real Chromium: sign in, mute a keyword on /settings/mutes and the day page loses
that paper; mute a category from a paper page; unmute brings them back; "less like this" looks
pressed and a second press undoes it."""

from __future__ import annotations

import re

import pytest

from paperfeed.digests.models import Feedback
from paperfeed.personal.models import Mute

from .conftest import PASSWORD, make_user

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("header .account")).to_contain_text(username)


def test_mute_a_keyword_then_a_category_and_unmute(page, live_server, papers):
    make_user("mona")
    sign_in(page, live_server, "mona")
    page.goto(live_server.url + "/")
    expect(page.locator("#paper-250110003")).to_be_visible()

    page.get_by_role("link", name="Settings").click()  # the account menu's settings page
    page.get_by_role("link", name="Mutes").click()
    page.get_by_label("Mute a").select_option("keyword")
    page.get_by_label("Keyword, author name or category").fill("Diatoms")
    page.get_by_role("button", name="Mute", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Muted Keyword “diatoms”.")
    expect(page.locator("table.mutes")).to_contain_text("diatoms")

    page.goto(live_server.url + "/")
    expect(page.locator("#paper-250110001")).to_be_visible()
    expect(page.locator("#paper-250110003")).to_have_count(0)

    page.goto(live_server.url + "/papers/2501.10002")
    page.locator("summary", has_text="Mute…").click()
    page.get_by_role("button", name="Mute category quant-ph").click()
    page.wait_for_url(re.compile(r"/papers/2501\.10002$"))  # back where the reader was
    expect(page.locator(".messages")).to_contain_text("Muted Category “quant-ph”.")
    page.goto(live_server.url + "/")
    expect(page.locator("#paper-250110002")).to_have_count(0)
    assert sorted(Mute.objects.values_list("kind", "value")) == [
        ("category", "quant-ph"),
        ("keyword", "diatoms"),
    ]

    page.goto(live_server.url + "/settings/mutes")
    page.get_by_role("button", name="Unmute keyword diatoms").click()
    expect(page.locator(".messages")).to_contain_text("Unmuted")
    page.goto(live_server.url + "/")
    expect(page.locator("#paper-250110003")).to_be_visible()
    expect(page.locator("#paper-250110002")).to_have_count(0)


def test_less_like_this_looks_pressed_and_undoes(page, live_server, logged_in):
    page.goto(live_server.url + "/papers/2501.10001")
    less = page.locator("button.feedback-less")
    plain = less.evaluate("b => getComputedStyle(b).backgroundColor")
    less.click()
    less = page.locator("button.feedback-less")  # htmx swapped the form
    expect(less).to_have_attribute("aria-pressed", "true")
    assert less.evaluate("b => getComputedStyle(b).backgroundColor") != plain
    assert Feedback.objects.get(user=logged_in).signal == -1
    less.click()
    expect(page.locator("button.feedback-less")).to_have_attribute("aria-pressed", "false")
    assert not Feedback.objects.filter(user=logged_in).exists()
