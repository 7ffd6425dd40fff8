"""Which day a paper belongs to and which day the home page shows (papers/days.py)."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from paperfeed.community.models import Submission
from paperfeed.papers import days
from tests.community.factories import make_paper, make_user

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 12)


def test_doctests():
    assert doctest.testmod(days).failed == 0


def fill(day: dt.date, n: int, start: int) -> None:
    for i in range(n):
        make_paper(f"2606.{start + i:05d}", day=day)


def test_a_near_empty_latest_day_is_passed_over_while_a_full_one_exists():
    fill(DAY - dt.timedelta(days=2), 12, 0)
    fill(DAY - dt.timedelta(days=1), 10, 100)
    fill(DAY, 1, 200)
    assert days.latest_full_day(DAY) == DAY - dt.timedelta(days=1)
    fill(DAY, 4, 300)  # five papers: no longer near-empty (median 10, floor 2)
    assert days.latest_full_day(DAY) == DAY
    assert days.latest_full_day(DAY - dt.timedelta(days=2)) == DAY - dt.timedelta(days=2)


def test_no_papers_no_day():
    assert days.latest_full_day(DAY) is None


def test_a_submission_joins_the_latest_listing_day_unless_that_is_stale():
    fill(DAY - dt.timedelta(days=3), 3, 0)  # a Friday's listing, submitted on Monday
    submitted = make_paper("2606.00900", day=DAY - dt.timedelta(days=1))
    Submission.objects.create(paper=submitted, user=make_user("ada"))  # submitted papers
    # do not define the current list: only papers nobody submitted do
    assert days.submission_day(DAY) == DAY - dt.timedelta(days=3)
    assert days.submission_day(DAY + dt.timedelta(days=30)) == DAY + dt.timedelta(days=30)
