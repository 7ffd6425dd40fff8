"""The database gives every ranking's pure order: its SQL pushdown, and the decaying page that
reads only the rows that can score above zero, agree with ``Ranking.rank`` on generated papers
(votes, days, submissions, visible and hidden comments, external signals present, absent, zero
or negative; many ties), page by page."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed import rankings
from paperfeed.community.models import Comment, Submission
from paperfeed.papers import lists, ranked
from paperfeed.papers.models import Paper
from paperfeed.signals.models import PaperSignals

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
DAYS = [NOW.date() - dt.timedelta(days=n) for n in (0, 1, 3)]
RANKED = [r for r in rankings.all_rankings() if ranked.can_rank(r)]
SIGNALS = tuple(ranked.SIGNALS)

papers_strategy = st.lists(
    st.fixed_dictionaries(
        {
            "number": st.integers(1, 60),
            "upvotes": st.integers(0, 2),
            "day": st.sampled_from(DAYS),
            "submitted_hours_ago": st.one_of(st.none(), st.integers(0, 80)),
            "comments": st.integers(0, 2),
            "hidden_thread": st.booleans(),  # a hidden comment with a (so invisible) reply
            "hf_upvotes": st.one_of(st.none(), st.integers(0, 3)),
            "stars": st.one_of(st.none(), st.integers(0, 3)),
            "stars_gained": st.one_of(st.none(), st.integers(-2, 2)),
            "citations": st.one_of(st.none(), st.integers(0, 3)),
        }
    ),
    max_size=9,
    unique_by=lambda p: p["number"],
)


def _store(specs: list[dict], user) -> list[rankings.Row]:
    """The papers of ``specs`` (replacing any), and their rows as a ranking sees them."""
    Paper.objects.all().delete()
    rows = []
    for spec in specs:
        pid = f"2506.{spec['number']:05d}"
        when = spec["submitted_hours_ago"]
        submitted = NOW - dt.timedelta(hours=when) if when is not None else None
        rows.append(
            rankings.Row(
                pid,
                upvotes=spec["upvotes"],
                feed_day=spec["day"],
                submitted_at=submitted,
                comments=spec["comments"],
                **{name: spec[name] for name in SIGNALS},
            )
        )
    Paper.objects.bulk_create(
        Paper(
            arxiv_id=r.id,
            title=r.id,
            source="jsonl",
            categories="cs.CL",
            feed_day=r.feed_day,
            upvotes=r.upvotes,
        )
        for r in rows
    )
    PaperSignals.objects.bulk_create(  # no row at all when no service said anything
        PaperSignals(paper_id=r.id, **{ranked.SIGNALS[n]: getattr(r, n) for n in SIGNALS})
        for r in rows
        if any(getattr(r, n) is not None for n in SIGNALS)
    )
    for r, spec in zip(rows, specs, strict=True):
        if r.submitted_at is not None:
            Submission.objects.create(paper_id=r.id, user=user)
            Submission.objects.filter(paper_id=r.id).update(created=r.submitted_at)
        for _ in range(r.comments):
            Comment.objects.create(paper_id=r.id, user=user, body="c", body_html="c")
        if spec["hidden_thread"]:
            top = Comment.objects.create(
                paper_id=r.id, user=user, body="h", body_html="h", hidden=True
            )
            Comment.objects.create(paper_id=r.id, user=user, parent=top, body="r", body_html="r")
    return rows


def _check_each_ranking(specs, user, per_page: int) -> None:
    rows = _store(specs, user)
    everything = Paper.objects.visible()
    for ranking in RANKED:
        expected = ranking.rank(rows, NOW)
        if ranking.pushdown is not None:
            in_sql = everything.order_by(*ranked.sql_order(ranking.pushdown))
            assert list(in_sql.values_list("arxiv_id", flat=True)) == [p for p, _ in expected]
        in_python = dataclasses.replace(ranking, pushdown=None, zero_unless=None)
        for way in {ranking, dataclasses.replace(ranking, pushdown=None), in_python}:
            if way.pushdown is not None:
                continue  # the lists read that page together with the papers (below)
            for start in range(0, len(rows) + 1, per_page):
                page, total = ranked.page_of(everything, way, NOW, start, start + per_page)
                assert (page, total) == (expected[start : start + per_page], len(rows)), way
        shown = []
        for number in range(1, len(rows) // per_page + 2):
            result = lists._sorted_page(everything, ranking.name, number, per_page, None, NOW)
            shown += [(p.arxiv_id, pytest.approx(p.rank_score)) for p in result.items]
            assert result.total == len(rows)
        assert shown == expected, ranking.name


def test_database_orders_equal_the_pure_rankings():
    user = get_user_model().objects.create_user("ranker", "r@example.org", "pw-123456")

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(specs=papers_strategy, per_page=st.integers(1, 4))
    def check(specs, per_page):
        _check_each_ranking(specs, user, per_page)

    check()
