"""The trending list: the window, submission times, the stale-store anchor, the unvoted tail.

The formula itself is tested in tests/rankings/test_trending.py.
"""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from paperfeed import rankings
from paperfeed.papers import lists
from paperfeed.papers.models import Paper
from paperfeed.signals import store as signal_store

from .conftest import record, set_upvotes, store, submit

NOW = dt.datetime(2025, 6, 10, 12, 0, tzinfo=dt.UTC)
TRENDING = rankings.get("trending")


def rank(rows, now):
    return TRENDING.rank(rows, now)


def row(pid, upvotes, feed_day, submitted_at=None):
    return rankings.Row(pid, upvotes=upvotes, feed_day=feed_day, submitted_at=submitted_at)


def newest_first(rows):
    """Ids in the trending tie order."""
    return [row.id for row in rankings.sort_rows(rows, TRENDING.tie)]


@pytest.mark.django_db
def test_trending_list_ranks_window_papers_by_score():
    today = NOW.date()
    fresh, older, ancient = store(
        record(today), record(today - dt.timedelta(days=3)), record(today - dt.timedelta(days=30))
    )
    set_upvotes(fresh.pk, 3)
    set_upvotes(older.pk, 40)  # 40 / 86**1.8 = 0.013 vs 3 / 14**1.8 = 0.026
    set_upvotes(ancient.pk, 10_000)
    page = lists.trending(NOW, sort="trending")
    assert [p.arxiv_id for p in page.items] == [fresh.pk, older.pk]
    assert page.total == 2 and page.note == ""
    assert page.items[0].rank_score == pytest.approx(3 / 14**1.8)


@pytest.mark.django_db
def test_trending_counts_age_from_submission(alice):
    today = NOW.date()
    a, b = store(record(today), record(today))
    set_upvotes(a.pk, 2)
    set_upvotes(b.pk, 2)
    submit(alice, b.pk, when=NOW - dt.timedelta(minutes=30))
    assert [p.arxiv_id for p in lists.trending(NOW, sort="trending").items] == [b.pk, a.pk]


@pytest.mark.django_db
def test_trending_on_a_stale_store_anchors_at_the_latest_day():
    old_day = NOW.date() - dt.timedelta(days=100)
    a, b = store(record(old_day), record(old_day - dt.timedelta(days=1)))
    set_upvotes(b.pk, 5)
    page = lists.trending(NOW, sort="trending")
    assert [p.arxiv_id for p in page.items] == [b.pk, a.pk]
    assert old_day.isoformat() in page.note


@pytest.mark.django_db
def test_trending_page_query_count(django_assert_max_num_queries):
    today = NOW.date()
    store(*(record(today - dt.timedelta(days=i % 10)) for i in range(60)))
    with django_assert_max_num_queries(5):
        page = lists.trending(NOW, sort="trending", per_page=50)
        assert len(page.items) == 50 and page.has_next
        assert all(p.author_list for p in page.items)


@pytest.mark.django_db
def test_unvoted_papers_follow_in_the_same_tie_order_as_rank(alice):
    today = NOW.date()
    old, new_b, new_a, sub, voted = store(
        record(today - dt.timedelta(days=2), arxiv_id="2506.00001"),
        record(today, arxiv_id="2506.00003"),
        record(today, arxiv_id="2506.00002"),
        record(today, arxiv_id="2506.00009"),
        record(today - dt.timedelta(days=5), arxiv_id="2506.00005"),
    )
    set_upvotes(voted.pk, 1)
    submit(alice, sub.pk, when=NOW - dt.timedelta(hours=2))
    page = lists.trending(NOW, sort="trending")
    expected = [
        pid
        for pid, _ in rank(
            [
                row(old.pk, 0, old.feed_day),
                row(new_b.pk, 0, new_b.feed_day),
                row(new_a.pk, 0, new_a.feed_day),
                row(sub.pk, 0, sub.feed_day, NOW - dt.timedelta(hours=2)),
                row(voted.pk, 1, voted.feed_day),
            ],
            NOW,
        )
    ]
    assert [p.arxiv_id for p in page.items] == expected
    assert expected == ["2506.00005", "2506.00009", "2506.00002", "2506.00003", "2506.00001"]
    second = lists.trending(NOW, sort="trending", per_page=2, page=2)
    assert [p.arxiv_id for p in second.items] == expected[2:4] and second.total == 5


@given(st.lists(st.tuples(st.integers(0, 20), st.booleans()), max_size=30))
def test_the_tie_order_is_ranks_order_of_unvoted_papers(entries):
    candidates = [
        row(
            f"id{i:02d}",
            0,
            (NOW - dt.timedelta(days=days)).date(),
            NOW - dt.timedelta(days=days, hours=1) if submitted else None,
        )
        for i, (days, submitted) in enumerate(entries)
    ]
    assert newest_first(candidates) == [pid for pid, _ in rank(candidates, NOW)]


@pytest.mark.django_db
def test_pages_deep_in_the_unvoted_tail(django_assert_max_num_queries):
    today = NOW.date()
    papers = store(*(record(today - dt.timedelta(days=i % 7)) for i in range(30)))
    for paper in papers[:4]:
        set_upvotes(paper.pk, 3)
    full = lists.trending(NOW, sort="trending", per_page=30)
    assert full.total == 30 and not full.has_next
    order = [p.arxiv_id for p in full.items]
    unvoted = [row(p.pk, 0, p.feed_day) for p in Paper.objects.filter(upvotes=0).order_by("pk")]
    assert order[4:] == newest_first(unvoted)
    with django_assert_max_num_queries(5):
        third = lists.trending(NOW, sort="trending", per_page=7, page=3)
    assert [p.arxiv_id for p in third.items] == order[14:21]
    assert third.total == 30 and third.has_next
    last = lists.trending(NOW, sort="trending", per_page=7, page=5)
    assert [p.arxiv_id for p in last.items] == order[28:] and not last.has_next
    assert lists.trending(NOW, sort="trending", per_page=7, page=6).items == []


@pytest.mark.django_db
def test_the_trending_page_is_hot_by_default_so_hf_votes_count_on_a_new_install(client):
    today = timezone.now().date()
    quiet, liked = store(record(today), record(today - dt.timedelta(days=1)))
    signal_store.save_signals({liked.pk: {"hf_upvotes": 40}})
    html = client.get("/trending").content.decode()
    assert 'aria-current="true">Hot<' in html
    assert html.index(f"arXiv:{liked.pk}") < html.index(f"arXiv:{quiet.pk}")
    assert lists.trending().items[0].pk == liked.pk
