"""The follow pages' queries: a page of papers without mutes, organisations, the author chooser."""

from __future__ import annotations

import doctest

import pytest

from paperfeed.papers import lists
from paperfeed.personal import follow_pages, follows, mutes
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db


def test_doctests():
    assert doctest.testmod(follow_pages).failed == 0


def test_page_of_checks_its_arguments():
    for bad in ({"page": 0}, {"per_page": 0}, {"per_page": lists.MAX_PER_PAGE + 1}):
        with pytest.raises(lists.ListError):
            follow_pages.page_of(follow_pages.Paper.objects.none(), **bad)


def test_a_follows_pages_leave_muted_papers_out_and_count_the_rest():
    alice = make_user("alice")
    store(*(record(f"2025-03-{d:02d}", categories=("cs.CL",)) for d in range(1, 8)))
    store(record("2025-03-09", title="Diffusion here", categories=("cs.CL",)))
    mutes.add_mute(alice, "keyword", "diffusion")
    row, _ = follows.follow(alice, "category", "cs.CL")
    first = follow_pages.follow_papers(row, user=alice, page=1, per_page=5)
    second = follow_pages.follow_papers(row, user=alice, page=2, per_page=5)
    assert (first.total, first.has_next, len(first.items)) == (7, True, 5)
    assert (second.has_next, len(second.items)) == (False, 2)
    assert [p.day.day for p in first.items + second.items] == [7, 6, 5, 4, 3, 2, 1]
    assert first.items[0].author_list  # hydrated as every list's cards
    assert follow_pages.follow_papers(row, user=None).total == 8  # anonymous: no mutes


def test_the_chooser_is_a_few_queries_whatever_the_number_of_namesakes(
    django_assert_max_num_queries,
):
    store(
        *(
            record("2025-03-10", authors=(f"{first} Smith", f"Coauthor {i}"))
            for i, first in enumerate(["Ann", "Anna", "Andrew", "A.", "Arthur", "Bob"] * 3)
        )
    )
    with django_assert_max_num_queries(5):
        found = follow_pages.candidates("A. Smith")
    assert {c.author.name for c in found} == {
        "Ann Smith",
        "Anna Smith",
        "Andrew Smith",
        "A. Smith",
        "Arthur Smith",
    }
    assert all(c.papers == 3 and len(c.latest) == 3 and len(c.coauthors) == 3 for c in found)
    assert follow_pages.candidates("  ") == [] and follow_pages.candidates("Zed Nobody") == []
