"""How signals read on cards and pages (paperfeed.signals.display): pure functions over plain
values, so these tests build signals in memory (an unsaved PaperSignals) and touch no database."""

from __future__ import annotations

import doctest

import pytest

from paperfeed.signals import display
from paperfeed.signals.display import Badge
from paperfeed.signals.models import PaperSignals


def signals(**fields) -> PaperSignals:
    return PaperSignals(paper_id="2606.13681", **fields)


def test_doctests():
    assert doctest.testmod(display).failed == 0


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1_000, "1k"),
        (1_049, "1k"),
        (1_050, "1.1k"),
        (9_949, "9.9k"),
        (9_950, "10k"),
        (99_499, "99k"),
        (999_499, "999k"),
        (999_500, "1M"),
        (1_250_000, "1.3M"),
        (2_000_000_000, "2B"),
        (1_500_000_000_000, "1500B"),
        (-12_345, "-12k"),
    ],
)
def test_humanize_rounds_half_up_and_changes_unit_at_the_boundary(count, text):
    assert display.humanize(count) == text


def test_absent_signals_say_nothing_and_zero_places_nothing():
    assert display.card(0, None) == display.Card()
    empty = signals()  # a row exists (e.g. S2 was asked) but said nothing
    assert display.card(0, empty) == display.Card()
    zeros = signals(hf_upvotes=0, citations=0, stars=0, stars_gained_week=0)
    assert display.why_here(0, zeros) == []
    assert display.badges(zeros) == []  # no code_url: the star count has no badge to sit on


def test_summary_prefers_hf_then_s2_and_names_its_source():
    both = signals(ai_summary="HF says.", tldr="S2 says.")
    assert display.summary_line(both).label == "AI summary (HF)"
    assert [line.text for line in display.summary_lines(both)] == ["HF says.", "S2 says."]
    s2_only = display.summary_line(signals(tldr="S2 says."))
    assert (s2_only.text, s2_only.label, s2_only.source) == (
        "S2 says.",
        "TL;DR (Semantic Scholar)",
        "s2",
    )
    assert display.summary_line(signals()) is None


def test_why_here_lists_every_signal_in_order():
    full = signals(hf_upvotes=85, stars=1234, stars_gained_week=340, citations=12)
    assert display.why_here(3, full) == [
        "▲3 here",
        "▲85 on HF",
        "★1.2k, +340 this week",
        "12 citations",
    ]
    lost = signals(stars=1234, stars_gained_week=-5)  # lost stars: not news
    assert display.why_here(0, lost) == ["★1.2k"]


def test_badges_in_reading_order_with_links():
    full = signals(
        code_url="https://github.com/Aiden0526/EvoArena",
        stars=1234,
        stars_gained_week=340,
        project_page="https://aiden0526.github.io/EvoArena/",
        venue="NeurIPS 2025",
        citations=12,
        s2_id="abc123",
        org_name="MIT",
        org_fullname="Massachusetts Institute of Technology",
        org_avatar="https://cdn-avatars.huggingface.co/mit.png",
    )
    assert display.badges(full) == [
        Badge("★ 1.2k · +340 this week", "https://github.com/Aiden0526/EvoArena", "code"),
        Badge("Project page", "https://aiden0526.github.io/EvoArena/", "project"),
        Badge("NeurIPS 2025", "", "venue"),
        Badge("12 citations", "https://www.semanticscholar.org/paper/abc123", "citations"),
        Badge(
            "Massachusetts Institute of Technology",
            "https://huggingface.co/MIT",
            "org",
            "https://cdn-avatars.huggingface.co/mit.png",
        ),
    ]


def test_code_without_stars_is_still_a_badge_and_arxiv_is_no_venue():
    unstarred = signals(code_url="https://huggingface.co/spaces/a/b", venue="arXiv.org")
    assert display.badges(unstarred) == [Badge("Code", "https://huggingface.co/spaces/a/b", "code")]


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "//evil.example", "x"],
)
def test_links_from_other_services_must_be_http(url):
    hostile = signals(code_url=url, project_page=url, org_name="o", org_avatar=url)
    assert display.badges(hostile) == [Badge("o", "https://huggingface.co/o", "org", "")]


def test_hf_page_only_when_hf_knows_the_paper():
    assert display.hf_url("2606.13681", signals(tldr="x")) == ""
    assert display.hf_url("2606.13681", signals(hf_upvotes=0)).endswith("/papers/2606.13681")


def test_abstract_lead_is_short_and_never_cuts_math():
    text = "word " * 200
    lead = display.abstract_lead(text)
    assert len(lead) <= display.ABSTRACT_LEAD_CHARS + 2 and lead.endswith(" …")
    math = "We show " + "x " * 150 + "$a + b = c$ holds."
    assert display.abstract_lead(math).count("$") in (0, 2)
    assert display.abstract_lead("a\n  b") == "a b"
