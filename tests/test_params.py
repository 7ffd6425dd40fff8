"""Parameter parsing: every text either parses or raises BadParameter naming the parameter."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperfeed.params import (
    BadParameter,
    capped,
    only_one,
    parse_day,
    parse_iso_week,
    parse_month,
    parse_paper_id,
)

PARSERS = [parse_day, parse_iso_week, parse_month, parse_paper_id]


@given(st.dates())
def test_days_weeks_and_months_round_trip(day):
    assert parse_day("date", day.isoformat()) == day
    year, week, _ = day.isocalendar()
    if year >= 1000:
        assert parse_iso_week("week", f"{year}-W{week:02d}") == (year, week)
    if day.year >= 1000:
        assert parse_month("month", day.strftime("%Y-%m")) == (day.year, day.month)


@pytest.mark.parametrize("parser", PARSERS)
@given(text=st.text(max_size=40))
def test_any_text_parses_or_names_the_parameter(parser, text):
    try:
        parser("the_param", text)
    except BadParameter as exc:
        assert str(exc).startswith("the_param: ") and exc.name == "the_param"


@pytest.mark.parametrize(
    ("parser", "text", "says"),
    [
        (parse_day, "2025-13-01", "not a calendar date"),
        (parse_day, "2025-02-29", "not a calendar date"),
        (parse_day, "18/03/2025", "YYYY-MM-DD"),
        (parse_iso_week, "2025-W53", "has no ISO week 53"),
        (parse_iso_week, "2025-W00", "has no ISO week 0"),
        (parse_month, "2025-00", "month must be 01 to 12"),
        (parse_paper_id, "1234", "the_param:"),
    ],
)
def test_messages_say_what_is_wrong(parser, text, says):
    with pytest.raises(BadParameter, match=says):
        parser("the_param", text)


def test_valid_edge_values():
    assert parse_day("d", "2024-02-29") == dt.date(2024, 2, 29)
    assert parse_iso_week("w", "2020-W53") == (2020, 53)
    assert parse_paper_id("id", "cs/9809007v2") == "cs/9809007"
    assert parse_paper_id("id", "arXiv:2503.01234") == "2503.01234"


def test_page_sizes_and_exclusive_parameters():
    assert (capped(None, 50, 100), capped(7, 50, 100), capped(10_000, 50, 100)) == (50, 7, 100)
    only_one(date="2025-03-18", week=None, month="")
    with pytest.raises(BadParameter, match="^month: cannot be combined with date"):
        only_one(date="2025-03-18", week=None, month="2025-03")
