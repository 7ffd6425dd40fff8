"""Author, category, user and About pages; the 404 page; no state change on GET."""

import datetime as dt
import re

import pytest

from paperfeed import rankings
from paperfeed.papers.models import Author
from paperfeed.rankings import gravity as trending

from .conftest import make_user, record, store, submit, vote

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 18)


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def papers():
    return store(
        record(DAY, arxiv_id="2503.00001", authors=("Grace Hopper",), categories=("cs.CL",)),
        record(
            DAY + dt.timedelta(days=1),
            arxiv_id="2503.00002",
            authors=("Grace Hopper", "Alan Kay"),
            categories=("cs.LG", "cs.CL"),
        ),
        record(DAY, arxiv_id="2503.00003", authors=("Alan Kay",), categories=("math.CO",)),
    )


def test_author_page(client, papers):
    grace = Author.objects.get(name="Grace Hopper")
    html = client.get(f"/authors/{grace.pk}").content.decode()
    assert "Grace Hopper" in html and ids_in(html) == ["2503.00002", "2503.00001"]
    assert client.get("/authors/999999").status_code == 404


def test_category_page_and_prefix(client, papers):
    html = client.get("/categories/cs.CL").content.decode()
    assert ids_in(html) == ["2503.00002", "2503.00001"]
    assert 'href="/feeds/categories/cs.CL.atom"' in html
    assert sorted(ids_in(client.get("/categories/cs").content.decode())) == [
        "2503.00001",
        "2503.00002",
    ]
    assert client.get("/categories/cs.<b>").status_code == 400


def test_user_page_submitted_and_upvoted(client, papers):
    frank = make_user("frank")
    submit(frank, "2503.00003")
    vote(frank, "2503.00001", "2503.00002")
    html = client.get("/users/frank").content.decode()
    assert ids_in(html) == ["2503.00003"] and 'href="/feeds/users/frank.atom"' in html
    upvoted = client.get("/users/frank?tab=upvoted").content.decode()
    assert sorted(ids_in(upvoted)) == ["2503.00001", "2503.00002"]
    assert client.get("/users/nobody").status_code == 404
    assert client.get("/users/frank?tab=secret").status_code == 400


def test_inactive_user_is_404(client):
    make_user("gone", is_active=False)
    assert client.get("/users/gone").status_code == 404


def test_about_page_renders_the_module_constants(client, monkeypatch):
    html = client.get("/about").content.decode()
    assert f"<sup>{trending.GRAVITY}</sup>" in html
    assert f"<strong>{trending.WINDOW_DAYS}</strong> days" in html
    assert f"{trending.score(10, 24):.4f}" in html
    assert all(f"<dd>{rankings.get(n).help}</dd>" in html for n in rankings.offered("pages"))
    monkeypatch.setattr(trending, "GRAVITY", 1.5)
    assert "<sup>1.5</sup>" in client.get("/about").content.decode()


def test_trending_page(client, papers):
    response = client.get("/trending")
    assert response.status_code == 200
    assert 'href="/feeds/trending.atom"' in response.content.decode()


def test_unknown_url_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address." in response.content.decode()


def test_get_requests_change_nothing(client, papers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = make_user("henry")
    client.force_login(user)
    grace = Author.objects.get(name="Grace Hopper")
    with CaptureQueriesContext(connection) as queries:
        for url in [
            "/",
            "/day/2025-03-18",
            "/week/2025-W12",
            "/month/2025-03",
            "/trending",
            "/papers/2503.00001",
            f"/authors/{grace.pk}",
            "/categories/cs.CL",
            "/users/henry",
            "/about",
            "/feeds/daily.atom",
            "/feeds/trending.rss",
        ]:
            assert client.get(url).status_code == 200, url
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)
        and "django_session" not in q["sql"]
    ]
    # the one write: opening a paper page records it as seen by a signed-in reader (read
    # tracking, as a view counter; personal/seen.py), and it changes no paper
    tracked = [w for w in writes if w.startswith('INSERT INTO "personal_seen"')]
    assert len(tracked) == 1 and "'2503.00001'" in tracked[0]
    assert [w for w in writes if w not in tracked] == []


def test_pages_have_a_theme_toggle_and_accessible_nav(client, papers):
    html = client.get("/").content.decode()
    assert 'id="theme-toggle"' in html and 'aria-label="Main"' in html
    assert '<html lang="en">' in html and 'name="viewport"' in html
