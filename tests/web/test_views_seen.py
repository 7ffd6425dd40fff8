"""List pages and seen papers: dimmed by default, hidden with a note and a "show them" link,
shown as usual on request; only for the reader who saw them; query budgets held."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.papers import lists
from paperfeed.personal import preferences, seen

from .conftest import make_user, record, store, vote

pytestmark = pytest.mark.django_db
D1 = dt.date(2025, 3, 18)


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


def dimmed_in(html: str) -> list[str]:
    cards = re.findall(r'<article class="card seen"[^>]*>.*?</article>', html, re.S)
    return [i for card in cards for i in ids_in(card)]


@pytest.fixture
def papers():
    return store(*(record(D1, arxiv_id=f"2503.0000{i}") for i in range(1, 6)))


@pytest.fixture
def carol(papers):
    user = make_user("carol")
    seen.mark_opened(user, "2503.00001")
    seen.dismiss(user, "2503.00002")
    vote(user, "2503.00003")
    return user


def test_seen_papers_are_dimmed_by_default_and_say_so(client, carol):
    client.force_login(carol)
    html = client.get("/day/2025-03-18").content.decode()
    assert len(ids_in(html)) == 5
    assert sorted(dimmed_in(html)) == ["2503.00001", "2503.00002", "2503.00003"]
    assert html.count('class="seen-mark"') == 3 and ">dismissed</span>" in html
    client.logout()
    html = client.get("/day/2025-03-18").content.decode()
    assert dimmed_in(html) == [] and "seen-mark" not in html


def test_hide_leaves_them_out_of_every_list_with_a_note(client, carol):
    preferences.set_seen(carol, "hide")
    client.force_login(carol)
    urls = ["/day/2025-03-18", "/week/2025-W12", "/month/2025-03", "/trending", "/categories/cs"]
    for url in urls:
        html = client.get(url).content.decode()
        assert sorted(ids_in(html)) == ["2503.00004", "2503.00005"], url
        assert "3 papers you&#x27;ve seen are hidden" in html, url
        assert 'class="show-seen" href="?seen=show"' in html, url
    html = client.get("/day/2025-03-18?seen=show").content.decode()
    assert len(ids_in(html)) == 5 and "are hidden" not in html and dimmed_in(html) == []
    assert preferences.Preferences.objects.get(user=carol).seen == "hide"  # one view only
    other = make_user("dave")
    client.force_login(other)
    assert len(ids_in(client.get("/day/2025-03-18").content.decode())) == 5


def test_show_mode_changes_nothing(client, carol):
    preferences.set_seen(carol, "show")
    client.force_login(carol)
    html = client.get("/day/2025-03-18").content.decode()
    assert len(ids_in(html)) == 5 and dimmed_in(html) == [] and "are hidden" not in html


def test_a_bad_seen_parameter_is_a_clear_400(client, carol):
    client.force_login(carol)
    response = client.get("/day/2025-03-18?seen=gone")
    assert response.status_code == 400
    assert "seen must be one of show, dim, hide" in response.content.decode()


def test_the_paper_page_records_an_opening_for_signed_in_readers_only(client, papers):
    reader = make_user("erin")
    client.get("/papers/2503.00004")
    assert seen.seen_ids(reader, ["2503.00004"]) == set()
    client.force_login(reader)
    client.get("/papers/2503.00004")
    assert seen.seen_ids(reader, ["2503.00004"]) == {"2503.00004"}
    assert "2503.00004" in dimmed_in(client.get("/day/2025-03-18").content.decode())


def test_lists_say_it_in_their_results(carol):
    page = lists.day_feed(D1, user=carol)
    assert {p.pk for p in page.items if p.dimmed} == {"2503.00001", "2503.00002", "2503.00003"}
    assert {p.pk for p in page.items if p.seen} == {"2503.00001", "2503.00002", "2503.00003"}
    assert page.extra["seen_hidden"] == 0
    preferences.set_seen(carol, "hide")
    page = lists.day_feed(D1, user=carol, sort="newest")
    assert page.total == 2 and page.extra["seen_hidden"] == 3
    assert not any(p.dimmed for p in page.items)


def test_seen_costs_the_preferences_read_and_in_hide_mode_one_count(
    django_assert_num_queries,
):
    papers = store(*(record(D1) for _ in range(50)))
    user = make_user("fay")
    for paper in papers[:10]:
        seen.mark_opened(user, paper.pk)
    with CaptureQueriesContext(connection) as anonymous:
        assert len(lists.day_feed(D1, sort="newest").items) == 50
    fresh = type(user).objects.get(pk=user.pk)  # nothing read yet on this object
    # the anonymous list + the mutes (personal/filters.py) + the preferences
    with django_assert_num_queries(len(anonymous) + 2):
        page = lists.day_feed(D1, sort="newest", user=fresh)
    assert sum(p.dimmed for p in page.items) == 10
    preferences.set_seen(user, "hide")
    fresh = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(len(anonymous) + 3):  # + the count of the hidden ones
        page = lists.day_feed(D1, sort="newest", user=fresh)
    assert len(page.items) == 40 and page.extra["seen_hidden"] == 10
