"""Seen papers in real Chromium, at desktop and phone widths: dismiss a card (htmx: it dims in
place with an Undo that has the focus), undo it, open a paper (it dims on the day page), hide
seen papers on /settings (the day page says how many it hid; "show them" shows them for that
view only).

Screenshots (docs/screenshots/seen-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import pytest

from paperfeed.personal.models import Preferences, Seen

from .conftest import DEVICES, TIMEOUT_MS, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.mark.parametrize("size", DEVICES)
def test_dismiss_undo_open_and_hide(browser, live_server, logged_in, context, size):
    ctx = browser.new_context(color_scheme="light", **DEVICES[size])
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.add_cookies(context.cookies())
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/")
        card = page.locator("#paper-250110002")
        card.get_by_role("button", name="Dismiss “Quantum error correction").click()
        expect(card).to_have_class("card seen")  # swapped in place by htmx, no reload
        undo = card.get_by_role("button", name="Undo dismissing “Quantum error correction")
        expect(undo).to_be_focused()
        expect(card.locator(".seen-mark")).to_have_text("dismissed")
        assert Seen.objects.get().how == "dismissed"
        shoot(page, f"seen-dismissed-{size}", full_page=True)
        undo.click()
        expect(card).to_have_class("card")
        assert not Seen.objects.exists()

        page.goto(live_server.url + "/papers/2501.10003")
        page.goto(live_server.url + "/")
        expect(page.locator("#paper-250110003")).to_have_class("card seen")
        shoot(page, f"seen-dimmed-{size}", full_page=True)
        box = page.locator("#paper-250110003").bounding_box()
        assert box["width"] <= DEVICES[size]["viewport"]["width"]  # no sideways scrolling

        page.get_by_role("link", name="Settings").click()
        page.get_by_label("In lists, papers I have seen are").select_option("hide")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("hide them (new to you only)")
        shoot(page, f"seen-settings-{size}", full_page=True)
        assert Preferences.objects.get().seen == "hide"

        page.goto(live_server.url + "/")
        expect(page.locator("#paper-250110003")).to_have_count(0)
        expect(page.locator(".seen-note")).to_contain_text("1 paper you've seen is hidden")
        shoot(page, f"seen-hidden-{size}", full_page=True)
        page.get_by_role("link", name="show them").click()
        expect(page.locator("#paper-250110003")).to_have_class("card")  # shown as usual
        page.goto(live_server.url + "/")
        expect(page.locator("#paper-250110003")).to_have_count(0)  # that view only
    finally:
        ctx.close()
