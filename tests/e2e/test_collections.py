"""Collections in real Chromium, at desktop and phone widths: save a paper from the day page in
one click (htmx: "Saved to Read later" in place, with its menu), open Read later from the
collections page, add a note with math ``$x^2$`` inline and see it rendered as MathML.

Screenshots (docs/screenshots/collections-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a
folder.
"""

from __future__ import annotations

import pytest

from paperfeed.library.models import CollectionItem

from .conftest import DEVICES, TIMEOUT_MS, no_sideways_scroll, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.mark.parametrize("size", DEVICES)
def test_save_open_read_later_and_note_with_math(browser, live_server, logged_in, context, size):
    ctx = browser.new_context(color_scheme="light", **DEVICES[size])
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.add_cookies(context.cookies())
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/")
        card = page.locator("#paper-250110002")
        card.get_by_role("button", name="Save “Quantum error correction").click()
        expect(card.locator(".save-status")).to_have_text("Saved to Read later")  # in place
        expect(card.locator(".save-menu summary")).to_be_focused()
        assert CollectionItem.objects.get().paper_id == "2501.10002"
        no_sideways_scroll(page)
        shoot(page, f"collections-saved-{size}", full_page=True)

        page.goto(live_server.url + "/collections")
        page.get_by_role("link", name="Read later").click()
        expect(page.locator("h1")).to_have_text("Read later")
        item = page.locator(".collection-item").first
        expect(item.locator("#paper-250110002")).to_be_visible()
        item.get_by_text("Add a note").click()
        item.get_by_label("Note (Markdown, math as $…$)").fill("Check the bound: $x^2$ **first**")
        item.get_by_role("button", name="Save note").click()
        expect(item.locator(".note-status")).to_have_text("Note saved.")  # swapped by htmx
        expect(item.locator(".note math msup")).to_have_count(1)
        expect(item.locator(".note strong")).to_have_text("first")
        no_sideways_scroll(page)
        shoot(page, f"collections-note-{size}", full_page=True)
        page.reload()
        expect(page.locator(".note math msup")).to_have_count(1)  # stored, not just shown
        assert CollectionItem.objects.get().note == "Check the bound: $x^2$ **first**"
    finally:
        ctx.close()
