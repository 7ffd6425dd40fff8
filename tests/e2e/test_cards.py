"""Cards and the paper page with real signals, in real Chromium at desktop and phone widths: the
cards render their summary, badges and "why here" line without sideways scrolling, and the
paper page's "Copy BibTeX" button puts the entry on the clipboard.

The data is real: Hugging Face's daily list of 2026-06-12 imported through ``ingest/hf.py`` (the
papers' arXiv records from the shared corpus first, with a few papers of the same listing day HF
did not pick), the stars HF reported a day later as the next day's snapshot, and the Semantic
Scholar batch response for the papers it covers.

The browser never leaves 127.0.0.1: requests to other hosts are aborted, except HF's avatar CDN,
answered with a plain grey square (organisation avatars are real URLs from the recording).

Screenshots for docs/screenshots/ are written only when ``PAPERFEED_SCREENSHOTS`` names a folder:
``PAPERFEED_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest tests/e2e/test_cards.py``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import struct
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from paperfeed.community.votes import set_vote
from paperfeed.ingest import hf, jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.signals import store as signal_store
from paperfeed.signals.models import PaperSignals
from tests.conftest import shared_file

from .conftest import make_user

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

HF_DAY = "2026-06-12"
LATER = "no-date.limit100.recorded-2026-06-13.json"  # the same day's list, recorded a day later
OTHERS = 4  # papers of the listing day that HF did not pick: cards without signals
PAPER = "2606.13392"  # on the paper page: stars, project page, organisation, S2 citations
SCREENSHOTS = "PAPERFEED_SCREENSHOTS"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def square_png(rgb: tuple[int, int, int], size: int = 32) -> bytes:
    """A ``size``-pixel square PNG of one colour (an avatar stand-in; no image library)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(tag + data))
        return struct.pack(">I", len(data)) + tag + data + crc

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


AVATAR = square_png((160, 166, 179))


def offline(context, base_url: str) -> None:
    """Only the live server answers; avatars get a stand-in, anything else is aborted."""

    def handle(route):
        url = route.request.url
        if url.startswith(base_url):
            route.continue_()
        elif urlsplit(url).hostname == "cdn-avatars.huggingface.co":
            route.fulfill(status=200, content_type="image/png", body=AVATAR)
        else:
            route.abort()

    context.route("**/*", handle)


def new_context(browser, live_server, **device):
    context = browser.new_context(color_scheme="light", **device)
    offline(context, live_server.url)
    return context


def hf_file(name: str) -> Path:
    return shared_file("fixtures", "signals", "hf-daily-papers", name)


def corpus_lines(ids: set[str], day: str, others: int) -> bytes:
    """The corpus records of ``ids`` and the first ``others`` other papers listed on ``day``."""
    lines, extra = [], 0
    with gzip.open(shared_file("data", "arxiv-cs-2025-2026.jsonl.gz"), "rt") as stream:
        for line in stream:
            if f'"listed": "{day}"' not in line:
                continue
            if json.loads(line)["id"] in ids:
                lines.append(line)
            elif extra < others:
                lines.append(line)
                extra += 1
    return "".join(lines).encode()


def s2_signals(known: set[str]) -> dict[str, dict]:
    """Semantic Scholar's recorded batch, as the signal fields of the papers stored here."""
    batch = json.loads(
        shared_file("fixtures", "signals", "semantic-scholar", "paper-batch.json").read_text()
    )
    values = {}
    for item in batch:
        arxiv_id = ((item or {}).get("externalIds") or {}).get("ArXiv")
        if arxiv_id not in known:
            continue
        values[arxiv_id] = {
            "s2_id": item["paperId"],
            "citations": item["citationCount"],
            "influential_citations": item["influentialCitationCount"],
            "venue": item.get("venue") or "",
            "tldr": (item.get("tldr") or {}).get("text") or "",
            "open_access_pdf": (item.get("openAccessPdf") or {}).get("url") or "",
        }
    return values


@pytest.fixture
def signal_day(live_server, e2e_settings):
    entries = json.loads(hf_file(f"date-{HF_DAY}.json").read_text())
    ids = {e["paper"]["id"] for e in entries}
    summary = ingest(jsonl.parse(io.BytesIO(corpus_lines(ids, HF_DAY, OTHERS)), "corpus.jsonl"))
    assert summary.rejected == 0, summary.rejects
    with hf_file(f"date-{HF_DAY}.json").open("rb") as stream:
        summary = ingest(hf.parse(stream, f"date-{HF_DAY}.json"))
    assert summary.rejected == 0, summary.rejects
    later = {
        ("github", e["paper"]["githubRepo"].removeprefix("https://github.com/")): e["paper"][
            "githubStars"
        ]
        for e in json.loads(hf_file(LATER).read_text())
        if e["paper"].get("githubStars") is not None
        and e["paper"].get("githubRepo", "").startswith("https://github.com/")
    }
    signal_store.reported_stars(later, dt.date(2026, 6, 13), "hf")
    signal_store.save_signals(
        s2_signals(set(PaperSignals.objects.values_list("paper_id", flat=True)))
    )
    voters = [make_user(name) for name in ("ana", "ben", "cy")]
    for voter in voters:
        set_vote(voter, PAPER, True)
    set_vote(voters[0], entries[5]["paper"]["id"], True)
    return entries


def no_sideways_scroll(page, path: str) -> None:
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " cards: [...document.querySelectorAll('.card')]"
        "   .filter(c => c.scrollWidth > c.clientWidth).map(c => c.id)})"
    )
    assert widths["scroll"] <= widths["inner"], f"{path} scrolls sideways: {widths}"
    assert widths["cards"] == [], f"{path}: cards wider than their box: {widths['cards']}"


def shoot(page, name: str, *, full_page: bool = False) -> None:
    folder = os.environ.get(SCREENSHOTS)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)


@pytest.mark.parametrize(
    ("name", "device"),
    [
        ("desktop", DESKTOP),
        ("phone", PHONE),
        ("narrow", {"viewport": {"width": 375, "height": 812}}),
    ],
)
def test_cards_with_signals_fit_desktop_and_phone(browser, live_server, signal_day, name, device):
    context = new_context(browser, live_server, **device)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/day/{HF_DAY}")
        cards = page.locator(".card")
        expect(cards.first).to_be_visible()
        assert cards.count() >= len(signal_day) // 2
        expect(page.locator(".card .summary").first).to_contain_text("AI summary (HF)")
        expect(page.locator(".card .badge.code").first).to_contain_text("★")
        expect(page.locator(".card .why-here").first).to_contain_text("on HF")
        expect(page.locator(".card .lead").first).to_be_visible()  # a paper HF did not pick
        voted = page.locator(f"#paper-{PAPER.replace('.', '')}")
        expect(voted.locator(".why-here")).to_contain_text("▲3 here")
        no_sideways_scroll(page, f"/day/{HF_DAY}")
        if name != "narrow":
            shoot(page, f"signals-daily-{name}")

        page.goto(f"{live_server.url}/papers/{PAPER}")
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator(".summaries")).to_contain_text("AI summary (HF)")
        expect(page.locator(".repos li").first).to_contain_text("★")
        no_sideways_scroll(page, f"/papers/{PAPER}")
        if name != "narrow":
            shoot(page, f"signals-paper-{name}", full_page=name == "desktop")
    finally:
        context.close()


def test_copy_bibtex_puts_the_entry_on_the_clipboard(browser, live_server, signal_day):
    context = new_context(browser, live_server, **DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/papers/{PAPER}")
        button = page.get_by_role("button", name="Copy BibTeX")
        expect(button).to_be_visible()  # shown by paper.js: hidden without JavaScript
        button.click()
        expect(page.locator(".copy-status")).to_have_text("BibTeX copied.")
        copied = page.evaluate("navigator.clipboard.readText()")
        entry = page.locator("#bibtex").text_content()
        assert copied == entry
        assert copied.startswith("@misc{") and f"eprint = {{{PAPER}}}" in copied
        assert "archivePrefix = {arXiv}" in copied
    finally:
        context.close()


def test_export_menu_downloads_what_copy_bibtex_shows(browser, live_server, signal_day):
    """The paper page's Export menu (no script: <details>) downloads the BibTeX file, whose
    entry is the one Copy BibTeX copies, and opens the Markdown in the browser."""
    context = new_context(browser, live_server, **DESKTOP, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/papers/{PAPER}")
        menu = page.locator(".export-menu")
        menu.locator("summary").click()
        expect(menu.get_by_role("link", name="RIS (Zotero, EndNote, Mendeley)")).to_be_visible()
        with page.expect_download() as download:
            menu.get_by_role("link", name="BibTeX").click()
        assert download.value.suggested_filename == f"{PAPER}.bib"
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.strip() == page.locator("#bibtex").text_content().strip()
        menu.get_by_role("link", name="Markdown").click()
        page.wait_for_url(f"**/papers/{PAPER}.md")
        assert page.locator("body").inner_text().startswith("# ")
    finally:
        context.close()
