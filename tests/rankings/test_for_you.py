"""For you: the personal ranking; its score is the row's ``personal`` input, it is offered only on
request (personal=True), and a personal declaration must read that input."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from paperfeed import rankings
from paperfeed.rankings import Row

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
FOR_YOU = rankings.get("for_you")


def test_declaration():
    assert FOR_YOU.label == "For you" and FOR_YOU.personal
    assert FOR_YOU.where == {"pages", "api", "search"} and "personal" in FOR_YOU.inputs


def test_offered_only_on_request():
    for surface in ("pages", "api", "search"):
        assert "for_you" not in rankings.offered(surface)
        assert rankings.offered(surface, personal=True)[-1] == "for_you"
    assert "for_you" not in rankings.offered("feeds", personal=True)
    assert rankings.labels("pages", personal=True)["for_you"] == "For you"
    assert rankings.get("for_you", surface="api") is FOR_YOU


def test_higher_personal_score_first_unscored_last_ties_by_newer_day():
    day = NOW.date()
    rows = [
        Row("2506.00001", personal=0.2, feed_day=day),
        Row("2506.00002", personal=0.9, feed_day=day - dt.timedelta(days=1)),
        Row("2506.00003", feed_day=day),
        Row("2506.00004", personal=0.2, feed_day=day),
    ]
    order = [pid for pid, _ in FOR_YOU.rank(rows, NOW)]
    assert order == ["2506.00002", "2506.00004", "2506.00001", "2506.00003"]


@pytest.mark.parametrize(
    "changes",
    [{"personal": False}, {"personal": True, "inputs": ("feed_day",)}],
)
def test_personal_exactly_when_it_reads_the_personal_input(changes):
    with pytest.raises(ValueError, match="personal exactly when"):
        dataclasses.replace(FOR_YOU, **changes).check()
