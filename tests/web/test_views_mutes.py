"""List pages with mutes: muted papers gone for that user only, query budgets held."""

import datetime as dt
import re

import pytest

from paperfeed.personal import mutes

from .conftest import comment, make_user, record, store, submit

pytestmark = pytest.mark.django_db
D1 = dt.date(2025, 3, 18)


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


def test_day_page_budget_is_one_query_more_for_a_user_with_mutes(
    client, django_assert_max_num_queries
):
    papers = store(
        *(record(D1, title="Diffusion again" if i % 5 == 0 else None) for i in range(50))
    )
    user = make_user("carol")
    for paper in papers[:10]:
        submit(user, paper.pk)
        comment(user, paper.pk)
    with django_assert_max_num_queries(8):  # anonymous: as tests/web/test_views_daily.py
        assert len(ids_in(client.get("/day/2025-03-18").content.decode())) == 50
    for keyword in ("diffusion", "gan", "llm", "vision", "robot"):
        mutes.add_mute(user, "keyword", keyword)
    mutes.add_mute(user, "category", "math.AP")
    client.force_login(user)
    # signed in: 8 + the user's mutes and preferences + whether she has a for-you profile (3)
    # + the papers she saved (library's Save buttons)
    with django_assert_max_num_queries(14):
        html = client.get("/day/2025-03-18").content.decode()
    assert len(ids_in(html)) == 40 and "40 papers" in html


def test_week_month_trending_category_and_author_pages_lose_muted_papers(client):
    store(
        record(D1, arxiv_id="2503.00001", categories=("cs.CV",), authors=("Ada Lovelace",)),
        record(D1, arxiv_id="2503.00002", categories=("cs.CL",), authors=("Ada Lovelace",)),
    )
    user = make_user("carol")
    mutes.add_mute(user, "category", "cs.CV")
    client.force_login(user)
    urls = ["/week/2025-W12", "/month/2025-03", "/trending", "/categories/cs", "/day/2025-03-18"]
    author = re.search(r'href="/authors/(\d+)"', client.get("/day/2025-03-18").content.decode())
    urls.append(f"/authors/{author.group(1)}")
    for url in urls:
        assert ids_in(client.get(url).content.decode()) == ["2503.00002"], url
    client.logout()
    for url in urls:
        assert len(ids_in(client.get(url).content.decode())) == 2, url
