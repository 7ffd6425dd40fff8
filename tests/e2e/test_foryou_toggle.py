"""The For you / Community toggle of issue 13 in real Chromium, at desktop and phone widths.

A member with a strong profile (an author and a search followed, two papers upvoted) opens the day
page in the for-you order by default (the followed author's paper first, each card saying why),
presses Community (the most upvoted paper first, no reasons), and the choice holds over a reload
and on the week page; there For you is chosen again from the keyboard. Search offers the same
toggle. A weak profile starts in the community order; signed out, or without a profile, there is
no toggle and ``?sort=for_you`` says what is missing.

Screenshots (foryou-*.png) only when ``PAPERFEED_SCREENSHOTS`` names a folder.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from paperfeed.community.votes import set_vote
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Author
from paperfeed.personal import foryou, order
from paperfeed.personal.models import Follow, Preferences
from paperfeed.search import embedding_job
from paperfeed.search.encoders import load_encoder
from paperfeed.search.sync import rebuild_indexes

from .conftest import DEVICES, TIMEOUT_MS, make_user, no_sideways_scroll, paper_record, shoot

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect

MOLECULES = "Message passing neural networks over molecule graphs predict properties of atoms."
TODAY = [
    {
        "arxiv_id": "2501.10004",
        "title": "Faster inference by speculative decoding",
        "abstract": "A small draft model proposes tokens that the large model verifies at once.",
        "authors": ("Katherine Johnson",),
        "categories": ("cs.CL",),
    },
    {
        "arxiv_id": "2501.10005",
        "title": "Graph neural networks for molecule graphs",
        "abstract": MOLECULES,
        "authors": ("Mary Jackson",),
        "categories": ("cs.LG",),
    },
    {
        "arxiv_id": "2501.10006",
        "title": "Sparse attention kernels: sparse attention on every accelerator",
        "abstract": "Sparse attention, sparse attention everywhere: block-sparse attention kernels.",
        "authors": ("Dorothy Vaughan",),
        "categories": ("cs.LG",),
    },
    {
        "arxiv_id": "2501.10007",
        "title": "Speech recognition on small devices",
        "abstract": "Streaming speech models on phones; we compare sparse attention with "
        "convolutions, pruning and quantisation of the acoustic encoder over many languages.",
        "authors": ("Frances Allen",),
        "categories": ("eess.AS",),
    },
    {
        "arxiv_id": "2501.10008",
        "title": "Protein folding with geometric priors",
        "abstract": "Structure prediction for proteins from sequences and multiple alignments; a "
        "sparse attention layer over residue pairs keeps memory linear in the protein length.",
        "authors": ("Jean Bartik",),
        "categories": ("q-bio.BM",),
    },
]
LIKED = [  # upvoted by the member, listed long before this week and this month
    {
        "arxiv_id": "2411.00001",
        "title": "Neural networks for molecule graphs",
        "abstract": MOLECULES,
        "authors": ("Annie Easley",),
        "categories": ("cs.LG",),
    },
    {
        "arxiv_id": "2411.00002",
        "title": "Message passing over molecule graphs",
        "abstract": MOLECULES + " Atoms are nodes.",
        "authors": ("Christine Darden",),
        "categories": ("cs.LG",),
    },
]
ADA = "#paper-250110001"  # "Sparse attention for very long documents", by Ada Lovelace
QUANTUM = "#paper-250110002"  # the community's most upvoted paper today
MOLECULE = "#paper-250110005"  # like the two papers the member upvoted


def card_ids(page) -> list[str]:
    return page.locator("article.card").evaluate_all("cards => cards.map(c => '#' + c.id)")


def kept_order(user) -> str:
    """The order kept in the database (``preferences.get`` caches the row on the user)."""
    kept = Preferences.objects.filter(user=user).values_list("order", flat=True).first()
    return kept or order.AUTO


def sign_in(context, live_server, user) -> None:
    """Put a session of ``user`` in the browser context (no login form: the flows test it)."""
    client = Client()
    client.force_login(user)
    host = live_server.url.split("://", 1)[1].split(":")[0]
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}])


def new_context(browser, device: str):
    context = browser.new_context(color_scheme="light", **DEVICES[device])
    context.set_default_timeout(TIMEOUT_MS)
    return context


def toggle(page):
    form = page.locator("form.order-toggle")
    return (
        form,
        form.get_by_role("button", name="For you", exact=True),
        form.get_by_role("button", name="Community", exact=True),
    )


def expect_for_you(page) -> None:
    """The page is in the for-you order: the toggle says so, Ada's paper leads with its reasons."""
    _, mine, community = toggle(page)
    expect(mine).to_have_attribute("aria-pressed", "true")
    expect(community).to_have_attribute("aria-pressed", "false")
    ids = card_ids(page)
    assert ids[0] == ADA, ids
    expect(page.locator(f"{ADA} .for-you-why")).to_contain_text("you follow Ada Lovelace")
    expect(page.locator(f"{ADA} .for-you-why .label")).to_have_text("For you")


def expect_community(page) -> None:
    """The page is in the community order (Hot): the most upvoted paper first, no reasons."""
    _, mine, community = toggle(page)
    expect(mine).to_have_attribute("aria-pressed", "false")
    expect(community).to_have_attribute("aria-pressed", "true")
    ids = card_ids(page)
    assert ids[0] == QUANTUM, ids
    expect(page.locator(".for-you-why")).to_have_count(0)


@pytest.fixture
def today_papers(papers):
    """conftest's three papers and five more listed today, two liked ones listed long ago, all
    embedded (hashing vectors) and indexed; three readers upvote the quantum paper."""
    today = timezone.now().date()
    records = [paper_record(**fields, day=today) for fields in TODAY]
    records += [paper_record(**f, day=today - dt.timedelta(days=60)) for f in LIKED]
    summary = ingest(records)
    assert summary.rejected == 0, summary.rejects
    embedding_job.embed_missing(load_encoder())
    for name in ("ruth", "sam", "tess"):
        reader = get_user_model().objects.create_user(name, f"{name}@example.org", "x" * 20)
        set_vote(reader, "2501.10002", True)
    rebuild_indexes(progress=False)
    foryou.forget_shared()
    yield today
    foryou.forget_shared()


def follow_ada(user) -> None:
    ada = Author.objects.get(name="Ada Lovelace")
    Follow.objects.create(user=user, kind=Follow.AUTHOR, value=str(ada.pk), label=ada.name)


@pytest.fixture
def strong_member(today_papers):
    """Follows Ada Lovelace and the search "long documents" (both lead to Ada's paper), upvoted
    the two molecule papers: four signals beyond a category, so for you is the default."""
    member = make_user("erin")
    follow_ada(member)
    Follow.objects.create(user=member, kind=Follow.SEARCH, value="long documents")
    for liked in LIKED:
        set_vote(member, liked["arxiv_id"], True)
    assert foryou.is_strong(member)
    return member


@pytest.mark.parametrize("device", list(DEVICES))
def test_the_toggle_switches_the_order_and_remembers_it(
    browser, live_server, strong_member, today_papers, device
):
    context = new_context(browser, device)
    try:
        sign_in(context, live_server, strong_member)
        page = context.new_page()

        # first visit: a strong profile gets the for-you order by default, each card saying why
        page.goto(live_server.url + "/")
        form, mine, community = toggle(page)
        expect(form).to_be_visible()
        expect_for_you(page)
        expect(page.locator(f"{ADA} .for-you-why")).to_contain_text(
            'you follow Ada Lovelace · matches your saved search "long documents"'
        )
        expect(page.locator(f"{MOLECULE} .for-you-why")).to_contain_text(
            "like 2 papers you upvoted"
        )
        assert kept_order(strong_member) == order.AUTO  # nothing chosen yet
        no_sideways_scroll(page)
        shoot(page, f"foryou-day-for-you-{device}")

        # Community, by a click: the most upvoted paper first, kept as the member's choice
        community.click()
        page.wait_for_url(live_server.url + "/")
        expect(page.locator(".messages")).to_contain_text(order.REMEMBERED[order.COMMUNITY])
        expect_community(page)
        assert kept_order(strong_member) == order.COMMUNITY
        no_sideways_scroll(page)
        shoot(page, f"foryou-day-community-{device}")

        # a reload, and the week page, keep it
        page.reload()
        expect_community(page)
        year, week, _ = today_papers.isocalendar()
        week_url = f"{live_server.url}/week/{year}-W{week:02d}"
        page.goto(week_url)
        expect_community(page)

        # For you again from the keyboard: Tab from the last sort tab reaches the toggle, Enter
        # presses it (a form POST, CSRF token included)
        page.locator("nav.tabs[aria-label=Sort] a.how").focus()
        page.keyboard.press("Tab")
        _, mine, community = toggle(page)
        expect(mine).to_be_focused()
        shoot(page, f"foryou-week-focus-{device}")
        page.keyboard.press("Enter")
        page.wait_for_url(week_url)
        expect(page.locator(".messages")).to_contain_text(order.REMEMBERED[order.FOR_YOU])
        expect_for_you(page)
        assert kept_order(strong_member) == order.FOR_YOU
        no_sideways_scroll(page)
        shoot(page, f"foryou-week-for-you-{device}")

        # a sort tab shows that order once without changing the choice
        page.get_by_role("link", name="Most upvoted").click()
        # the click only starts the navigation: wait for the new page's first card
        expect(page.locator("article.card").first).to_have_id(QUANTUM.removeprefix("#"))
        expect(toggle(page)[2]).to_have_attribute("aria-pressed", "true")
        page.goto(live_server.url + "/")
        expect_for_you(page)
    finally:
        context.close()


@pytest.mark.parametrize("device", list(DEVICES))
def test_search_results_offer_the_toggle(browser, live_server, strong_member, device):
    context = new_context(browser, device)
    try:
        sign_in(context, live_server, strong_member)
        page = context.new_page()
        search_url = f"{live_server.url}/search?q=sparse+attention&mode=lexical"
        page.goto(search_url)
        results = page.locator("#results")
        form, mine, community = toggle(page)
        # the for-you order: Ada's paper before the one that says "sparse attention" most
        expect(mine).to_have_attribute("aria-pressed", "true")
        ids = card_ids(page)
        assert ids[:2] == [ADA, "#paper-250110006"], ids
        expect(results.locator(f"{ADA} .for-you-why")).to_contain_text("you follow Ada Lovelace")
        expect(page.get_by_label("Sort")).to_have_value(order.FOR_YOU)
        no_sideways_scroll(page)
        shoot(page, f"foryou-search-for-you-{device}")

        # Community by keyboard (Space): relevance, the same search, no reasons
        community.focus()
        page.keyboard.press("Space")
        page.wait_for_url(search_url)
        expect(page.locator(".messages")).to_contain_text(order.REMEMBERED[order.COMMUNITY])
        _, mine, community = toggle(page)
        expect(community).to_have_attribute("aria-pressed", "true")
        expect(mine).to_have_attribute("aria-pressed", "false")
        ids = card_ids(page)
        assert ids[:2] == ["#paper-250110006", ADA], ids
        expect(results.locator(".for-you-why")).to_have_count(0)
        expect(page.get_by_label("Sort")).to_have_value("relevance")
        no_sideways_scroll(page)
        shoot(page, f"foryou-search-community-{device}")
    finally:
        context.close()


def test_a_weak_profile_starts_in_the_community_order(browser, live_server, today_papers):
    member = make_user("finn")
    follow_ada(member)  # one signal: a profile, not a strong one
    context = new_context(browser, "phone")
    try:
        sign_in(context, live_server, member)
        page = context.new_page()
        page.goto(live_server.url + "/")
        _, mine, community = toggle(page)
        expect(community).to_have_attribute("aria-pressed", "true")
        assert card_ids(page)[0] == QUANTUM
        # ?sort=for_you shows the member's order once; the address without it is back to Hot
        page.goto(live_server.url + "/?sort=for_you")
        expect(toggle(page)[1]).to_have_attribute("aria-pressed", "true")
        assert card_ids(page)[0] == ADA
        page.goto(live_server.url + "/")
        expect(toggle(page)[2]).to_have_attribute("aria-pressed", "true")
        assert kept_order(member) == order.AUTO
    finally:
        context.close()


def test_no_toggle_signed_out_or_without_a_profile(browser, live_server, today_papers):
    context = new_context(browser, "desktop")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        expect(page.locator("article.card").first).to_be_visible()
        expect(page.locator("form.order-toggle")).to_have_count(0)
        page.goto(live_server.url + "/?sort=for_you")
        expect(page.locator("p.note[role=status]")).to_have_text(order.SIGN_IN)
        assert card_ids(page)[0] == QUANTUM
        expect(page.locator(".for-you-why")).to_have_count(0)

        sign_in(context, live_server, make_user("gil"))
        page.goto(live_server.url + "/search?q=sparse+attention&mode=lexical")
        expect(page.locator("article.card").first).to_be_visible()
        expect(page.locator("form.order-toggle")).to_have_count(0)
        page.goto(live_server.url + "/?sort=for_you")
        expect(page.locator("p.note[role=status]")).to_have_text(order.NO_PROFILE)
        expect(page.locator("form.order-toggle")).to_have_count(0)
    finally:
        context.close()
