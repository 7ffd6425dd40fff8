"""Hot: local and Hugging Face upvotes, stars gained this week and citations, blended (votes
linear, stars and citations by doublings), decayed by age like trending; weights from settings;
the default order of the day, week and month lists, and ordered by it on a fresh install."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperfeed import config, rankings
from paperfeed.papers import lists, ranked
from paperfeed.papers.models import Paper
from paperfeed.rankings import Row, hot
from tests.rankings.conftest import code, signals
from tests.web.conftest import record, set_upvotes, store

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
HOT = rankings.get("hot")
DAY = NOW.date()
maybe = st.one_of(st.none(), st.integers(-5, 10_000))


def test_declaration_and_default():
    assert HOT.label == "Hot" and HOT.where == {"pages", "api", "feeds"}
    assert set(HOT.zero_inputs) == {"upvotes", "hf_upvotes", "stars_gained", "citations"}
    assert HOT.monotone and HOT.tie == rankings.NEWER_DAY_FIRST
    assert lists.DEFAULT_SORT == "hot"


def test_score_by_hand_with_the_default_weights():
    row = Row("a", upvotes=2, hf_upvotes=10, stars_gained=1023, citations=3, feed_day=DAY)
    points = 3 * 2 + 1 * 10 + 3 * 10 + 2 * 2  # log2(1 + 1023) = 10, log2(1 + 3) = 2
    assert HOT.score(row, NOW) == pytest.approx(points / (12 + 2) ** 1.8)
    assert HOT.score(Row("b", feed_day=DAY), NOW) == 0.0


def test_absent_counts_as_nothing_and_lost_stars_as_no_gain():
    bare = Row("a", upvotes=1, feed_day=DAY)
    for same in (
        dataclasses.replace(bare, hf_upvotes=0, citations=0, stars_gained=0),
        dataclasses.replace(bare, stars_gained=-40, stars=900),  # stars alone: not hot
    ):
        assert HOT.score(same, NOW) == HOT.score(bare, NOW)


def test_a_local_vote_outweighs_a_hf_vote_and_stars_are_on_a_log_scale():
    local = Row("a", upvotes=1, feed_day=DAY)
    on_hf = Row("b", hf_upvotes=1, feed_day=DAY)
    assert HOT.score(local, NOW) > HOT.score(on_hf, NOW)
    famous = Row("c", stars_gained=10_000, feed_day=DAY)
    voted = Row("d", hf_upvotes=85, feed_day=DAY)
    assert HOT.score(voted, NOW) > HOT.score(famous, NOW)  # 85 > 3 * log2(10,001) = 39.9
    assert hot.points(0, None, 10_000, None) == pytest.approx(3 * math.log2(10_001))


@given(upvotes=st.integers(0, 500), hf=maybe, gained=maybe, cites=maybe, grow=st.integers(1, 99))
def test_more_of_any_signal_or_a_newer_day_never_scores_lower(upvotes, hf, gained, cites, grow):
    row = Row("a", upvotes=upvotes, hf_upvotes=hf, stars_gained=gained, citations=cites)
    base = dataclasses.replace(row, feed_day=DAY - dt.timedelta(days=3))
    for field in ("upvotes", "hf_upvotes", "stars_gained", "citations"):
        more = dataclasses.replace(base, **{field: (getattr(base, field) or 0) + grow})
        assert HOT.score(more, NOW) >= HOT.score(base, NOW), field
    newer = dataclasses.replace(base, feed_day=DAY)
    assert HOT.score(newer, NOW) >= HOT.score(base, NOW) >= HOT.score(row, NOW)  # undated last


def test_a_week_favours_recent_papers():
    fresh = Row("a", hf_upvotes=20, feed_day=DAY)
    older = Row("b", hf_upvotes=60, feed_day=DAY - dt.timedelta(days=5))
    assert [pid for pid, _ in HOT.rank([older, fresh], NOW)] == ["a", "b"]


def test_weights_come_from_the_settings(settings):
    row = Row("a", upvotes=1, hf_upvotes=1, feed_day=DAY)
    assert HOT.score(row, NOW) == pytest.approx(4 / 14**1.8)
    settings.PAPERFEED_HOT_WEIGHTS = {**settings.PAPERFEED_HOT_WEIGHTS, "hf_upvotes": 5.0}
    assert hot.current().hf_upvotes == 5.0
    assert HOT.score(row, NOW) == pytest.approx(8 / 14**1.8)


def test_the_declared_settings_are_the_weights_defaults(monkeypatch):
    declared = {s.name: s for s in config.SETTINGS}
    names = {
        "upvotes": "PAPERFEED_HOT_WEIGHT_UPVOTES",
        "hf_upvotes": "PAPERFEED_HOT_WEIGHT_HF_UPVOTES",
        "stars_gained": "PAPERFEED_HOT_WEIGHT_STARS",
        "citations": "PAPERFEED_HOT_WEIGHT_CITATIONS",
    }
    for field, name in names.items():
        assert float(declared[name].default) == getattr(hot.DEFAULT_WEIGHTS, field)
        assert declared[name].help
    monkeypatch.setenv("PAPERFEED_HOT_WEIGHT_STARS", "-1")
    with pytest.raises(config.ConfigError, match="PAPERFEED_HOT_WEIGHT_STARS"):
        config.get_number("PAPERFEED_HOT_WEIGHT_STARS")


def test_bad_weights_are_refused_naming_them():
    with pytest.raises(ValueError, match="hot weight citations must be a number >= 0"):
        hot.Weights(citations=-1)
    with pytest.raises(TypeError, match="takes Weights"):
        hot.configure({"upvotes": 1})


# -- over the database -------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_fresh_install_with_signals_orders_its_day_by_hot(client):
    """No local votes at all: the day is ordered by what Hugging Face, GitHub and Semantic
    Scholar say, on the page, in the API and in the RSS feed, by default."""
    day = dt.date(2025, 3, 18)
    store(*(record(day, arxiv_id=f"2503.0000{n}", title=f"Paper {n}") for n in range(1, 6)))
    signals("2503.00002", hf_upvotes=85)
    signals("2503.00004", hf_upvotes=12, citations=0)
    code("2503.00003", "acme/fast", 100, 1123)  # +1,023 this week: 30 points
    code("2503.00005", "acme/slow", 40)  # stars, no weekly gain yet: nothing
    expected = ["2503.00002", "2503.00003", "2503.00004", "2503.00005", "2503.00001"]
    html = client.get("/day/2025-03-18").content.decode()
    assert re.findall(r'<span class="id">arXiv:([^<]+)</span>', html) == expected
    assert 'aria-current="true">Hot<' in html
    body = client.get("/api/v1/feeds/daily", {"date": "2025-03-18"}).json()
    assert [p["id"] for p in body["items"]] == expected and body["sort"] == "hot"
    rss = client.get("/feeds/daily.rss").content.decode()
    assert re.findall(r"<title>Paper (\d)</title>", rss) == ["2", "3", "4", "5", "1"]
    set_upvotes("2503.00001", 30)  # 90 points: this community's choice comes first
    html = client.get("/day/2025-03-18").content.decode()
    assert re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)[0] == "2503.00001"


@pytest.mark.django_db
def test_without_any_signal_the_day_keeps_the_lists_order(client):
    day = dt.date(2025, 3, 18)
    store(*(record(day, arxiv_id=f"2503.0000{n}") for n in (3, 1, 2)))
    page = lists.day_feed(day)
    assert [p.arxiv_id for p in page.items] == ["2503.00003", "2503.00002", "2503.00001"]
    assert {p.rank_score for p in page.items} == {0.0}


@pytest.mark.django_db
def test_long_lists_read_the_newest_days_until_older_ones_cannot_reach_the_page():
    """The bounded page (HOT.monotone) gives exactly the order of scoring every candidate, and
    stops early: here after reading the newest days, without the 40 old papers."""
    days = [DAY - dt.timedelta(days=n) for n in range(0, 60, 3)]
    papers = []
    for i, day in enumerate(days):
        for j in range(3):
            papers.append(
                Paper(
                    arxiv_id=f"2506.{i:03d}{j:02d}",
                    title="t",
                    source="jsonl",
                    categories="cs.CL",
                    feed_day=day,
                    upvotes=(i * 7 + j * 3) % 5,
                )
            )
    Paper.objects.bulk_create(papers)
    for paper in papers[::4]:
        signals(paper.arxiv_id, citations=len(paper.arxiv_id) + paper.upvotes)
    everything = Paper.objects.visible()
    unbounded = dataclasses.replace(HOT, monotone=False)
    for start, end in ((0, 5), (5, 10), (0, 30), (40, 60)):
        assert ranked.page_of(everything, HOT, NOW, start, end) == ranked.page_of(
            everything, unbounded, NOW, start, end
        )
    candidates = everything.filter(ranked._positive(HOT.zero_inputs))
    read, order = ranked._newest_days_first(candidates, HOT, NOW, 5)
    assert read is None and len(order) < candidates.count()  # stopped before the old days
