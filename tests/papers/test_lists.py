"""paperfeed.papers.lists at the ends of the calendar: no "next day" after 9999-12-31."""

from __future__ import annotations

import datetime as dt

import pytest

from paperfeed.papers import lists

pytestmark = pytest.mark.django_db


def test_the_last_day_and_month_are_empty_lists_not_an_overflow():
    assert lists.day_feed(dt.date.max).items == []
    assert lists.month_feed(9999, 12).items == []
    assert lists.day_feed(dt.date.min).items == []


def test_the_week_that_ends_after_the_last_date_is_refused_clearly():
    assert lists.week_bounds(9999, 51) == (dt.date(9999, 12, 20), dt.date(9999, 12, 26))
    with pytest.raises(lists.ListError, match="week 52 of 9999 ends after 9999-12-31"):
        lists.week_bounds(9999, 52)
