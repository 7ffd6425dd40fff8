"""The paper card every list and search shows: summary line, badges, "why here", the abstract
fallback, nothing for absent signals, hostile links defused, no query per card."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from paperfeed.search.sync import sync_indexes
from paperfeed.signals import store as signal_store
from paperfeed.signals.models import PaperSignals

from .conftest import make_user, record, set_upvotes, store, submit

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)
FULL = {
    "hf_upvotes": 85,
    "hf_day": DAY,
    "ai_summary": "EvoArena benchmarks memory evolution of LLM agents.",
    "tldr": "A TL;DR that the card does not need.",
    "project_page": "https://aiden0526.github.io/EvoArena/",
    "venue": "NeurIPS 2025",
    "citations": 12,
    "s2_id": "f00d",
    "org_name": "MIT",
    "org_fullname": "Massachusetts Institute of Technology",
    "org_avatar": "https://cdn-avatars.huggingface.co/mit.png",
}


def card_of(html: str, arxiv_id: str) -> str:
    slug = arxiv_id.replace(".", "")
    match = re.search(rf'<article class="card" id="paper-{slug}">.*?</article>', html, re.S)
    assert match, f"no card for {arxiv_id}"
    return match.group(0)


def with_code(arxiv_id: str, name: str, snapshots: list[tuple[dt.date, int]]) -> None:
    """A GitHub repository linked to the paper with star snapshots, through the store."""
    signal_store.link_repositories({arxiv_id: [("github", name)]}, "hf")
    for day, stars in snapshots:
        signal_store.reported_stars({("github", name): stars}, day, "hf")


@pytest.fixture
def day_with_signals():
    store(
        record(DAY, arxiv_id="2606.13681", title="EvoArena", abstract="Full signals."),
        record(DAY, arxiv_id="2606.13682", title="Only S2", abstract="TL;DR only."),
        record(DAY, arxiv_id="2606.13683", title="Nothing known", abstract="Plain abstract."),
    )
    signal_store.save_signals({"2606.13681": FULL, "2606.13682": {"tldr": "S2's one line."}})
    with_code("2606.13681", "Aiden0526/EvoArena", [(DAY - dt.timedelta(days=7), 894), (DAY, 1234)])
    set_upvotes("2606.13681", 3)


def test_card_with_every_signal(client, day_with_signals):
    card = card_of(client.get(f"/day/{DAY}").content.decode(), "2606.13681")
    assert '<span class="label">AI summary (HF)</span> EvoArena benchmarks' in card
    assert "A TL;DR that the card does not need." not in card  # one summary line per card
    assert 'class="lead"' not in card  # the summary stands in for the abstract
    assert re.search(
        r'<a class="badge code" href="https://github.com/Aiden0526/EvoArena">'
        r"★ 1.2k · \+340 this week</a>",
        card,
    )
    assert '<a class="badge project" href="https://aiden0526.github.io/EvoArena/">' in card
    assert '<span class="badge venue">NeurIPS 2025</span>' in card
    assert 'href="https://www.semanticscholar.org/paper/f00d">12 citations</a>' in card
    assert 'href="https://huggingface.co/MIT"><img src="https://cdn-avatars' in card
    assert "Massachusetts Institute of Technology</a>" in card
    why = re.search(r'<p class="why-here"[^>]*>(.*?)</p>', card).group(1)
    assert why.endswith("▲3 here · ▲85 on HF · ★1.2k, +340 this week · 12 citations")


def test_tldr_is_the_summary_when_hf_has_none(client, day_with_signals):
    card = card_of(client.get(f"/day/{DAY}").content.decode(), "2606.13682")
    assert '<span class="label">TL;DR (Semantic Scholar)</span> S2&#x27;s one line.' in card
    assert 'class="badges"' not in card and 'class="why-here"' not in card


def test_card_without_signals_shows_the_abstract_start_and_no_zeros(client, day_with_signals):
    card = card_of(client.get(f"/day/{DAY}").content.decode(), "2606.13683")
    assert '<p class="lead">Plain abstract.</p>' in card
    for absent in ("badge", "why-here", "summary", "★", "citation", "on HF"):
        assert absent not in card


def test_zero_counts_are_no_signal(client):
    store(record(DAY, arxiv_id="2606.00001"))
    PaperSignals.objects.create(paper_id="2606.00001", hf_upvotes=0, citations=0)
    card = card_of(client.get(f"/day/{DAY}").content.decode(), "2606.00001")
    assert "why-here" not in card and "citation" not in card and "▲0" not in card


def test_long_abstract_is_cut_at_a_word_outside_math(client):
    abstract = "Lorem ipsum " * 30 + "we bound $O(n^2 \\log n)$ memory " + "dolor " * 50
    store(record(DAY, arxiv_id="2606.00002", abstract=abstract))
    card = card_of(client.get(f"/day/{DAY}").content.decode(), "2606.00002")
    lead = re.search(r'<p class="lead">(.*?)</p>', card, re.S).group(1)
    assert lead.endswith(" …") and len(lead) < 400 and "$" not in lead


def test_hostile_links_and_text_are_defused(client):
    store(record(DAY, arxiv_id="2606.00003"))
    signal_store.save_signals(
        {
            "2606.00003": {
                "project_page": "javascript:alert(1)",
                "org_name": "evil",
                "org_avatar": "javascript:alert(2)",
                "ai_summary": "<script>alert(3)</script>",
                "venue": '"><img src=x onerror=alert(4)>',
            }
        }
    )
    card = card_of(client.get(f"/day/{DAY}").content.decode(), "2606.00003")
    assert "javascript:" not in card and "<script>alert" not in card and "<img src=x" not in card
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in card
    assert 'href="https://huggingface.co/evil">' in card  # the organisation still shows, no image


def test_search_cards_carry_signals(client, day_with_signals, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    sync_indexes(progress=False)
    html = client.get("/search", {"q": "EvoArena"}).content.decode()
    card = card_of(html, "2606.13681")
    assert "AI summary (HF)" in card and "▲85 on HF" in card


def test_fifty_cards_with_signals_cost_no_query_each(client, django_assert_max_num_queries):
    """The budget of the plain day page (tests/web/test_views_daily.py): signals come
    with the papers' query."""
    papers = store(*(record(DAY) for _ in range(50)))
    signal_store.save_signals({p.pk: FULL for p in papers})
    for i, paper in enumerate(papers[:20]):
        with_code(paper.pk, f"owner/repo{i}", [(DAY, 100 + i)])
    user = make_user("carol")
    for paper in papers[:10]:
        submit(user, paper.pk)
    client.force_login(user)
    # + the signed-in user's mutes (personal/filters.py) and preferences (read once a request),
    # + whether she has a profile for the for-you order (personal/order.py: 3 EXISTS when not)
    # + which of the page's papers she saved, once for every card (library_save's Save button)
    # + the cards' local organisation badges, two queries for the page (orgs/badges.py)
    with django_assert_max_num_queries(16):
        response = client.get(f"/day/{DAY}")
    html = response.content.decode()
    assert html.count('class="why-here"') == 50 and html.count('class="badge code"') == 20
