"""The daily feed, its week and month views: content, order, navigation, escaping, queries."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from paperfeed import rankings
from paperfeed.papers import lists
from paperfeed.signals import store as signals_store
from tests.rankings.conftest import code

from .conftest import XSS_TITLE, comment, make_user, record, set_upvotes, store, submit

pytestmark = pytest.mark.django_db

D1, D2, D4 = dt.date(2025, 3, 18), dt.date(2025, 3, 19), dt.date(2025, 3, 21)  # 20th empty


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def three_days():
    a, b, c = store(
        record(D1, arxiv_id="2503.00001"),
        record(D1, arxiv_id="2503.00002"),
        record(D1, arxiv_id="2503.00003"),
    )
    store(record(D2, arxiv_id="2503.00010"), record(D4, arxiv_id="2503.00020"))
    set_upvotes("2503.00002", 9)
    set_upvotes("2503.00003", 4)
    return a, b, c


def test_day_page_ranks_by_upvotes_and_shows_card_fields(client, three_days, alice):
    submit(alice, "2503.00003")
    comment(alice, "2503.00003", "one")
    comment(alice, "2503.00003", "hidden", hidden=True)
    html = client.get("/day/2025-03-18").content.decode()
    assert ids_in(html) == ["2503.00002", "2503.00003", "2503.00001"]
    assert "Ada Lovelace" in html and 'href="/authors/' in html
    assert 'href="/categories/cs.CL"' in html
    assert "1 comment<" in html  # hidden comment not counted
    assert 'href="/users/alice"' in html
    assert re.search(r'vote-count">9<|▲ 9<', html)
    assert "3 papers" in html


def test_sort_tabs_newest_and_trending(client, three_days):
    newest = client.get("/day/2025-03-18?sort=newest").content.decode()
    assert ids_in(newest) == ["2503.00003", "2503.00002", "2503.00001"]
    trending = client.get("/day/2025-03-18?sort=trending").content.decode()
    assert ids_in(trending) == ["2503.00002", "2503.00003", "2503.00001"]
    assert 'aria-current="true">Newest' in newest
    for name in rankings.offered("pages"):  # every tab, labelled and explained by the registry
        ranking = rankings.get(name)
        assert f'title="{ranking.help}">{ranking.label}<' in newest.replace(
            ' aria-current="true"', ""
        )


def test_previous_and_next_skip_empty_days(client, three_days):
    html = client.get("/day/2025-03-19").content.decode()
    assert 'href="/day/2025-03-18"' in html and 'href="/day/2025-03-21"' in html
    first = client.get("/day/2025-03-18").content.decode()
    assert 'rel="prev"' not in first and 'href="/day/2025-03-19"' in first
    empty = client.get("/day/2025-03-20")
    assert empty.status_code == 200 and "No papers here." in empty.content.decode()


def test_home_falls_back_to_latest_day_and_says_so(client, three_days):
    html = client.get("/").content.decode()
    assert ids_in(html) == ["2503.00020"]
    assert "No papers for today" in html


def test_home_shows_today_without_a_note(client):
    today = timezone.now().date()
    store(record(today, arxiv_id="2503.00099"))
    html = client.get("/").content.decode()
    assert ids_in(html) == ["2503.00099"] and "No papers for today" not in html


def test_home_passes_over_a_near_empty_day_and_says_so(client, three_days):
    store(record(dt.date(2025, 3, 22), arxiv_id="2503.00040"))  # one paper, a big day before
    store(*(record(D4, arxiv_id=f"2503.0005{i}") for i in range(9)))
    store(*(record(D2, arxiv_id=f"2503.0006{i}") for i in range(9)))  # median 6.5: 1 is few
    html = client.get("/").content.decode()
    assert "2503.00040" not in ids_in(html) and "2503.00050" in ids_in(html)
    assert "Only a few papers on 2025-03-22 so far" in html
    assert ids_in(client.get("/day/2025-03-22").content.decode()) == ["2503.00040"]


def test_home_without_papers(client):
    assert "No papers yet" in client.get("/").content.decode()


def test_week_and_month_views(client, three_days):
    store(record(dt.date(2025, 3, 24), arxiv_id="2503.00030"))  # next ISO week
    week = client.get("/week/2025-W12").content.decode()  # 17-23 March
    assert sorted(ids_in(week)) == [
        "2503.00001",
        "2503.00002",
        "2503.00003",
        "2503.00010",
        "2503.00020",
    ]
    assert ids_in(week)[0] == "2503.00002"
    assert 'href="/week/2025-W13"' in week
    month = client.get("/month/2025-03").content.decode()
    assert len(ids_in(month)) == 6
    assert client.get("/week/2025-W54").status_code == 404
    assert client.get("/month/2025-13").status_code == 404
    assert client.get("/day/2025-02-30").status_code == 404


def test_bad_parameters_are_400_with_a_reason(client, three_days):
    response = client.get("/day/2025-03-18?sort=evil")
    assert response.status_code == 400 and "sort: must be one of" in response.content.decode()
    response = client.get("/day/2025-03-18?page=zero")
    assert (
        response.status_code == 400 and "page: must be a whole number" in response.content.decode()
    )


def test_title_markup_renders_as_text_and_latex_as_mathml(client):
    store(
        record(D1, arxiv_id="2503.00050", title=XSS_TITLE),
        record(D1, arxiv_id="2503.00051", title=r"Sorting in $O(n \log n)$ and $\frac{1$ time"),
    )
    html = client.get("/day/2025-03-18").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<math" in html and "<mi>log</mi>" in html


def test_pagination(client):
    store(*(record(D1) for _ in range(55)))
    first = client.get("/day/2025-03-18").content.decode()
    assert len(ids_in(first)) == 50 and 'href="?page=2"' in first
    second = client.get("/day/2025-03-18?page=2").content.decode()
    assert len(ids_in(second)) == 5 and not set(ids_in(first)) & set(ids_in(second))


def test_fifty_card_day_page_query_count(client, django_assert_max_num_queries):
    papers = store(*(record(D1) for _ in range(50)))
    user = make_user("carol")
    for paper in papers[:10]:
        submit(user, paper.pk)
        comment(user, paper.pk)
    client.force_login(user)
    # 8 + the preferences (seen mode, order), read once, + whether carol has a profile for the
    # for-you order (personal/order.py: 3 EXISTS queries when she has none), + which papers
    # she saved, once for the page (library_save's Save buttons), + the organisations the papers
    # are attached to (orgs badges) - the claimed authors are read with the authors
    with django_assert_max_num_queries(14):
        response = client.get("/day/2025-03-18")
    assert len(ids_in(response.content.decode())) == 50


def test_alternate_feed_links(client, three_days):
    html = client.get("/day/2025-03-18").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feeds/daily.rss"' in html


def test_week_month_and_trending_pages_query_counts(client, django_assert_max_num_queries):
    store(*(record(D1 + dt.timedelta(days=i % 7)) for i in range(60)))
    for url in ["/week/2025-W12", "/month/2025-03", "/trending", "/day/2025-03-18?sort=trending"]:
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200 and len(ids_in(response.content.decode())) >= 8, url


def test_has_code_toggle_filters_and_is_kept_by_paging_sort_and_feeds(client, three_days):
    code("2503.00001", "acme/one")
    code("2503.00003", "acme/three")
    html = client.get("/day/2025-03-18").content.decode()
    assert ids_in(html) == ["2503.00002", "2503.00003", "2503.00001"]
    assert re.search(r'<a href="\?code=1" title="[^"]*">Has code</a>', html)  # the toggle
    coded = client.get("/day/2025-03-18?code=1").content.decode()
    assert ids_in(coded) == ["2503.00003", "2503.00001"] and "2 papers" in coded
    assert re.search(r'<a href="\?" title="Show every paper" aria-current="true">Has code', coded)
    assert 'href="?code=1&amp;sort=newest"' in coded  # a sort tab keeps the filter
    assert 'href="/feeds/daily.rss?code=1"' in coded  # and so do the page's feeds
    week = client.get("/week/2025-W12?code=1&sort=newest").content.decode()
    assert ids_in(week) == ["2503.00003", "2503.00001"]
    assert 'href="/feeds/daily.atom?sort=newest&amp;code=1"' in week
    bad = client.get("/day/2025-03-18?code=maybe")
    assert bad.status_code == 400 and "code: must be true or false" in bad.content.decode()


def test_has_code_pages_keep_the_filter_across_pages(client):
    store(*(record(D1, arxiv_id=f"2503.{n:05d}") for n in range(1, 54)))
    links = {f"2503.{n:05d}": [("github", f"acme/r{n}")] for n in range(1, 53)}
    signals_store.link_repositories(links, "arxiv")  # 52 with code, one without
    assert lists.day_feed(D1, has_code=True).total == 52
    first = client.get("/day/2025-03-18?code=1").content.decode()
    assert "52 papers" in first and 'href="?code=1&amp;page=2"' in first
    second = client.get("/day/2025-03-18?code=1&page=2").content.decode()
    assert len(ids_in(second)) == 2 and 'href="?code=1&amp;page=1"' in second
