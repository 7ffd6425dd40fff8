"""The walk of issue 13 in real Chromium, at desktop and phone widths: a new account's first
login lands on /welcome; it picks a category, types a topic, marks one suggested paper and one
found with the live search box (the count follows, a second press undoes); "Done" leads to the
day page; then the reader follows an author from the author's page and mutes a keyword on
/settings/mutes: the day page loses that keyword's papers and, in the for-you order, shows the
followed author's paper first with "you follow ...".

Screenshots (docs/screenshots/onboarding-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from paperfeed.digests.models import Feedback
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Author
from paperfeed.personal.models import Follow, Preferences
from paperfeed.search.sync import rebuild_indexes

from .conftest import (
    DEVICES,
    PASSWORD,
    TIMEOUT_MS,
    make_user,
    no_sideways_scroll,
    paper_record,
    shoot,
)

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

MORE = [
    {
        "arxiv_id": "2501.10004",
        "title": "Speculative decoding with small draft models",
        "abstract": "A draft model proposes tokens that the large model verifies in one pass.",
        "authors": ("Katherine Johnson",),
        "categories": ("cs.CL",),
    },
    {
        "arxiv_id": "2501.10005",
        "title": "Speculative decoding for diffusion language models",
        "abstract": "Drafting whole blocks of text with a diffusion model.",
        "authors": ("Mary Jackson",),
        "categories": ("cs.CL",),
    },
    {
        "arxiv_id": "2501.10006",
        "title": "A diffusion prior for long documents",
        "abstract": "Document-level diffusion with sparse attention.",
        "authors": ("Ada Lovelace",),
        "categories": ("cs.CL",),
    },
]


@pytest.fixture
def more_papers(papers):
    """The three papers of conftest plus three on speculative decoding and diffusion, today."""
    today = timezone.now().date()
    summary = ingest([paper_record(**fields, day=today) for fields in MORE])
    assert summary.rejected == 0, summary.rejects
    rebuild_indexes(progress=False)
    return [*papers, *MORE]


@pytest.mark.parametrize("device", list(DEVICES))
def test_onboarding_then_follow_and_mute_change_the_day_page(
    browser, live_server, more_papers, device
):
    erin = make_user("erin")
    context = browser.new_context(color_scheme="light", **DEVICES[device])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        # the first login of a new account lands on onboarding
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=login]", "erin")
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(live_server.url + "/welcome")

        # step 1: a category from the grid
        expect(page.get_by_role("heading", name="Set up your feed")).to_be_visible()
        page.get_by_label("cs.CL Computation and Language").check()
        no_sideways_scroll(page)
        shoot(page, f"onboarding-categories-{device}")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(live_server.url + "/welcome/topics")
        expect(page.locator(".messages")).to_contain_text("Following 1 category.")

        # step 2: a topic in words
        page.get_by_label("Your topics").fill("speculative decoding")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(live_server.url + "/welcome/papers")

        # step 3: suggestions match the topic within cs.CL, then cs.CL's popular papers
        picks = page.locator(".welcome-pick")
        expect(picks.first).to_contain_text("matches your topic “speculative decoding”")
        suggested = picks.evaluate_all("cards => cards.map(c => c.id)")
        assert set(suggested[:2]) == {"pick-250110004", "pick-250110005"}
        assert "pick-250110002" not in suggested  # quant-ph: not a chosen category
        count = page.locator("#welcome-count")
        expect(count).to_have_text("0")
        first = page.locator("#pick-250110004 button.mark-button")
        first.click()
        expect(page.locator("#pick-250110004 button.mark-button")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(count).to_have_text("1")
        assert page.url == live_server.url + "/welcome/papers"  # marked in place (htmx)

        # the live search box finds a paper outside the suggestions; marking it counts too
        page.get_by_label("Find papers").fill("photosynthetic diatoms")
        found = page.locator("#welcome-found .welcome-pick")
        expect(found).to_have_count(1)
        expect(found).to_contain_text("Photosynthetic efficiency in marine diatoms")
        found.locator("button.mark-button").click()
        expect(count).to_have_text("2")
        # a second press undoes, a third marks again
        page.locator("#welcome-found button.mark-button").click()
        expect(count).to_have_text("1")
        page.locator("#welcome-found button.mark-button").click()
        expect(count).to_have_text("2")
        no_sideways_scroll(page)
        shoot(page, f"onboarding-papers-{device}")
        marked = Feedback.objects.filter(user=erin, signal=1).values_list("paper_id", flat=True)
        assert sorted(marked) == ["2501.10003", "2501.10004"]
        assert sorted(Follow.objects.filter(user=erin).values_list("kind", "value")) == [
            ("category", "cs.CL"),
            ("search", "speculative decoding"),
        ]

        # done: the day page
        page.get_by_role("button", name="Done: show my feed").click()
        page.wait_for_url(live_server.url + "/")
        expect(page.locator(".messages")).to_contain_text("Your feed is set up")
        assert Preferences.objects.get(user=erin).onboarded_at is not None
        for paper in more_papers:
            expect(page.locator(f"#paper-{paper['arxiv_id'].replace('.', '')}")).to_be_visible()

        # follow an author from their page
        ada = Author.objects.get(name="Ada Lovelace")
        page.goto(f"{live_server.url}/authors/{ada.pk}")
        expect(page.locator("#paper-250110006")).to_be_visible()
        page.get_by_role("button", name="Follow Ada Lovelace").click()
        expect(page.locator(".follow-box")).to_contain_text("Following")
        assert Follow.objects.filter(user=erin, kind="author", value=str(ada.pk)).exists()

        # mute a keyword: the day page loses its papers, the rest stay
        page.goto(live_server.url + "/settings/mutes")
        page.get_by_label("Mute a").select_option("keyword")
        page.get_by_label("Keyword, author name or category").fill("diffusion")
        page.get_by_role("button", name="Mute", exact=True).click()
        expect(page.locator(".messages")).to_contain_text("Muted Keyword “diffusion”.")
        page.goto(live_server.url + "/")
        expect(page.locator("#paper-250110004")).to_be_visible()
        expect(page.locator("#paper-250110001")).to_be_visible()
        expect(page.locator("#paper-250110005")).to_have_count(0)
        expect(page.locator("#paper-250110006")).to_have_count(0)
        # the profile is strong (a category, a topic, two marks, an author): the day page is in
        # the for-you order, the followed author's paper first, saying why; muting still wins
        # over following (Ada's diffusion paper stays out)
        cards = page.locator("article.card").evaluate_all("cards => cards.map(c => c.id)")
        assert cards[:2] == ["paper-250110001", "paper-250110004"], cards
        expect(page.locator("#paper-250110001 .for-you-why")).to_contain_text(
            "you follow Ada Lovelace"
        )
        expect(page.locator("#paper-250110004 .for-you-why")).to_contain_text(
            'matches your saved search "speculative decoding"'
        )
        no_sideways_scroll(page)
        shoot(page, f"onboarding-day-{device}")

        # a later login goes to the day page, and /welcome shows what was chosen
        page.goto(live_server.url + "/welcome")
        expect(page.get_by_label("cs.CL Computation and Language")).to_be_checked()
        page.goto(live_server.url + "/welcome/topics")
        expect(page.get_by_label("Your topics")).to_have_value("speculative decoding")
        page.goto(live_server.url + "/welcome/papers")
        expect(page.locator("#welcome-count")).to_have_text("2")
        page.get_by_role("button", name="Log out").click()
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=login]", "erin")
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(re.compile(re.escape(live_server.url) + "/$"))
    finally:
        context.close()
