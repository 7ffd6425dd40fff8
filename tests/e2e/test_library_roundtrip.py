"""Issue 15's "done when", in real Chromium: from the day page make a collection (Save, Add to…,
a new collection), add two papers, note one with math ``$x^2$`` (rendered), download it as
BibTeX from the collection's Export menu, make a new collection from that file with the import
form, and find the same papers in the same order with the same notes.

Screenshots (docs/screenshots/library-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import pytest

from paperfeed.library.models import Collection, CollectionItem

from .conftest import no_sideways_scroll, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

NOTE = "Check the bound: $x^2$ **first**"


def contents(name: str) -> list[tuple[str, str]]:
    rows = CollectionItem.objects.filter(collection__name=name).order_by("position", "pk")
    return list(rows.values_list("paper_id", "note"))


def test_export_a_collection_as_bibtex_and_import_it_again(live_server, logged_in, page, tmp_path):
    page.goto(live_server.url + "/")
    first = page.locator("#paper-250110003")
    first.get_by_role("button", name="Save “Photosynthetic").click()
    expect(first.locator(".save-status")).to_have_text("Saved to Read later")
    first.locator(".save-menu summary").click()
    first.get_by_label("New collection").fill("Reading group")
    first.get_by_role("button", name="Create and add").click()
    expect(first.locator(".save-status")).to_have_text("Saved to Reading group")

    second = page.locator("#paper-250110002")
    second.get_by_role("button", name="Save “Quantum error correction").click()
    expect(second.locator(".save-status")).to_have_text("Saved to Read later")
    second.locator(".save-menu summary").click()
    second.get_by_role("button", name="Reading group").click()
    expect(second.locator(".save-status")).to_have_text("Saved to Reading group")

    page.goto(live_server.url + "/collections")
    page.get_by_role("link", name="Reading group").click()
    expect(page.locator("h1")).to_have_text("Reading group")
    item = page.locator(".collection-item").nth(1)
    expect(item.locator("#paper-250110002")).to_be_visible()
    item.get_by_text("Add a note").click()
    item.get_by_label("Note (Markdown, math as $…$)").fill(NOTE)
    item.get_by_role("button", name="Save note").click()
    expect(item.locator(".note-status")).to_have_text("Note saved.")
    expect(item.locator(".note math msup")).to_have_count(1)  # $x^2$ rendered as MathML
    original = contents("Reading group")
    assert original == [("2501.10003", ""), ("2501.10002", NOTE)]

    page.locator(".page-head .export-menu summary").click()  # a <details>, no script
    with page.expect_download() as download:
        page.locator(".page-head .export-menu").get_by_role("link", name="BibTeX").click()
    assert download.value.suggested_filename == "reading-group.bib"
    bib = tmp_path / download.value.suggested_filename
    download.value.save_as(bib)
    assert "annote = {Check the bound: \\$x\\textasciicircum{}2\\$" in bib.read_text()
    no_sideways_scroll(page)
    shoot(page, "library-export-desktop", full_page=True)

    page.goto(live_server.url + "/collections/new")
    form = page.locator(".collection-import form")
    form.get_by_label("Name").fill("Imported group")
    form.get_by_label("A file: BibTeX, RIS, CSL-JSON or Markdown").set_input_files(bib)
    form.get_by_role("button", name="Import").click()
    expect(page.locator(".import-summary")).to_have_text(
        "2 added, 0 being fetched from arXiv, 0 not found."
    )
    shoot(page, "library-import-desktop", full_page=True)
    page.get_by_role("link", name="Open Imported group").click()
    expect(page.locator("h1")).to_have_text("Imported group")
    expect(page.locator(".collection-item .card h2.title")).to_have_count(2)
    expect(page.locator(".collection-item").nth(0).locator("#paper-250110003")).to_be_visible()
    expect(page.locator(".collection-item").nth(1).locator("#paper-250110002")).to_be_visible()
    expect(page.locator(".collection-item").nth(1).locator(".note math msup")).to_have_count(1)
    assert contents("Imported group") == original  # same papers, same order, same note sources
    assert Collection.objects.get(name="Imported group").owner == logged_in
