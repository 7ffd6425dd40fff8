"""The follow pages: /follows (list, add, alert, unfollow, rotate), /follows/<id>, the author
chooser, /orgs/<name>, and the follow buttons on author, category and search pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from paperfeed.papers.models import Author
from paperfeed.personal import feedtokens, follows, mutes
from paperfeed.personal.models import Follow
from paperfeed.search.sync import sync_indexes
from paperfeed.signals.models import PaperSignals
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def alice(client):
    user = make_user("alice")
    client.force_login(user)
    return user


def author(name: str) -> Author:
    return Author.objects.get(name=name)


def test_follows_needs_a_login(client):
    response = client.get("/follows")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post("/follows", {"kind": "search", "value": "kv cache"}).status_code == 302
    assert not Follow.objects.exists()


def test_follow_from_the_author_page_and_come_back(client, alice):
    store(record("2025-03-18", authors=("Ada Lovelace",)))
    ada = author("Ada Lovelace")
    page = client.get(f"/authors/{ada.pk}").content.decode()
    assert 'aria-label="Follow Ada Lovelace"' in page
    assert f'name="value" value="{ada.pk}"' in page and 'name="kind" value="author"' in page
    assert "/follows/authors?name=Ada%20Lovelace" in page  # other people of that name
    response = client.post(
        "/follows", {"kind": "author", "value": ada.pk, "next": f"/authors/{ada.pk}"}
    )
    assert response.status_code == 302 and response["Location"] == f"/authors/{ada.pk}"
    row = Follow.objects.get(user=alice)
    assert (row.kind, row.value, row.label) == ("author", str(ada.pk), "Ada Lovelace")
    again = client.get(f"/authors/{ada.pk}").content.decode()
    assert "✓ Following" in again and f"/follows/{row.pk}/remove" in again
    assert "Following author “Ada Lovelace”." in again  # the message


def test_follow_a_category_and_a_search_from_their_pages(client, alice, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    store(record("2025-03-18", title="KV cache tricks", categories=("cs.CL",)))
    sync_indexes(progress=False)
    category = client.get("/categories/cs.CL").content.decode()
    assert 'aria-label="Follow cs.CL"' in category
    search = client.get("/search", {"q": "kv   cache", "mode": "lexical"}).content.decode()
    assert "Follow this search" in search and 'name="value" value="kv cache"' in search
    client.post("/follows", {"kind": "search", "value": "kv cache", "next": "/search?q=kv+cache"})
    client.post("/follows", {"kind": "category", "value": "cs.CL", "next": "/categories/cs.CL"})
    assert sorted(Follow.objects.values_list("kind", "value")) == [
        ("category", "cs.CL"),
        ("search", "kv cache"),
    ]
    assert "✓ Following" in client.get("/search", {"q": "kv cache"}).content.decode()


def test_a_bad_follow_says_what_was_wrong(client, alice):
    page = client.post("/follows", {"kind": "category", "value": "cs.XX"})
    assert page.status_code == 400
    assert "&#x27;cs.XX&#x27; is not an arXiv category" in page.content.decode()
    back = client.post("/follows", {"kind": "author", "value": "12345", "next": "/"}, follow=True)
    assert "Not followed: no author with id 12345" in back.content.decode()
    assert not Follow.objects.exists()


def test_the_follows_page_groups_alerts_unfollows_and_shows_private_feeds(client, alice):
    store(record("2025-03-18", authors=("Ada Lovelace",)))
    ada, _ = follows.follow(alice, "author", author("Ada Lovelace").pk)
    topic, _ = follows.follow(alice, "search", "graph neural networks")
    html = client.get("/follows").content.decode()
    assert html.index('<h2 id="group-1">Authors</h2>') < html.index("Searches</h2>")
    token = feedtokens.token_for(alice)
    assert f"/feeds/private/{token}/follows/{ada.pk}.rss" in html
    assert f"http://testserver/feeds/private/{token}/follows.rss" in html
    assert f"http://testserver/feeds/private/{token}/for-you.rss" in html
    assert f'action="/follows/{topic.pk}/alert"' in html
    response = client.post(f"/follows/{topic.pk}/alert", {"alert": "weekly"})
    assert response.status_code == 302 and Follow.objects.get(pk=topic.pk).alert == "weekly"
    bad = client.post(f"/follows/{topic.pk}/alert", {"alert": "hourly"})
    assert bad.status_code == 400 and "alert must be one of" in bad.content.decode()
    assert client.post(f"/follows/{ada.pk}/remove").status_code == 302
    assert list(Follow.objects.values_list("pk", flat=True)) == [topic.pk]


def test_changes_are_posts_with_the_csrf_token(alice):
    topic, _ = follows.follow(alice, "search", "graph neural networks")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    assert strict.get(f"/follows/{topic.pk}/remove").status_code == 405
    assert strict.get("/follows/feed-token").status_code == 405
    for url, data in [
        ("/follows", {"kind": "search", "value": "other"}),
        (f"/follows/{topic.pk}/alert", {"alert": "daily"}),
        (f"/follows/{topic.pk}/remove", {}),
        ("/follows/feed-token", {}),
    ]:
        assert strict.post(url, data).status_code == 403
    assert Follow.objects.get().alert == "none"


def test_another_users_follow_is_not_found(client, alice):
    bob = make_user("bob")
    theirs, _ = follows.follow(bob, "search", "graph neural networks")
    assert client.get(f"/follows/{theirs.pk}").status_code == 404
    assert client.post(f"/follows/{theirs.pk}/alert", {"alert": "daily"}).status_code == 404
    client.post(f"/follows/{theirs.pk}/remove")
    assert Follow.objects.filter(pk=theirs.pk, alert="none").exists()


def test_rotating_the_secret_shows_new_addresses(client, alice):
    old = feedtokens.token_for(alice)
    response = client.post("/follows/feed-token", follow=True)
    new = feedtokens.token_for(alice)
    html = response.content.decode()
    assert new != old and f"/feeds/private/{new}/follows.rss" in html and old not in html
    assert "the old ones no longer work" in html


def test_a_follow_page_lists_its_papers_newest_first_paged_without_mutes(client, alice):
    papers = store(
        *(record(f"2025-03-{day:02d}", authors=("Ada Lovelace",)) for day in range(1, 25))
    )
    store(record("2025-03-26", title="Diffusion", authors=("Ada Lovelace",)))  # muted below
    mutes.add_mute(alice, "keyword", "diffusion")
    row, _ = follows.follow(alice, "author", author("Ada Lovelace").pk)
    html = client.get(f"/follows/{row.pk}").content.decode()
    assert "24 papers, newest first" in html
    assert ids_in(html) == [p.pk for p in reversed(papers)]
    assert f"/feeds/private/{feedtokens.token_for(alice)}/follows/{row.pk}.rss" in html
    assert client.get(f"/follows/{row.pk}", {"page": "0"}).status_code == 400


def test_a_follow_page_is_a_handful_of_queries(client, alice, django_assert_max_num_queries):
    store(*(record("2025-03-18", categories=("cs.CL",)) for _ in range(50)))
    row, _ = follows.follow(alice, "category", "cs.CL")
    feedtokens.token_for(alice)
    with django_assert_max_num_queries(14):
        html = client.get(f"/follows/{row.pk}").content.decode()
    assert len(ids_in(html)) == 50


def test_the_author_chooser_tells_people_of_one_name_apart(client, alice):
    store(
        record("2025-03-10", authors=("Ada Lovelace", "Charles Babbage"), categories=("cs.LG",)),
        record("2025-03-11", authors=("A. Lovelace", "Mary Somerville"), categories=("math.AP",)),
        record("2025-03-12", authors=("Ada Lovelace",), categories=("cs.LG",)),
        record("2025-03-12", authors=("Bea Lovelace",)),
        record("2025-03-12", authors=("Ada Byron",)),
    )
    html = client.get("/follows/authors", {"name": "Ada Lovelace"}).content.decode()
    names = re.findall(r'<h2><a href="/authors/\d+">([^<]+)</a></h2>', html)
    assert names == ["Ada Lovelace", "A. Lovelace"]  # most papers first; not Bea, not Byron
    assert "2 papers · mostly" in html and "Charles Babbage" in html and "Mary Somerville" in html
    assert html.count('aria-label="Follow ') == 2
    empty = client.get("/follows/authors", {"name": "Nobody Here"}).content.decode()
    assert "No author here has that surname and initial." in empty


def test_an_organisation_page_lists_its_papers_and_can_be_followed(client, alice):
    first, second, other = store(record("2025-03-10"), record("2025-03-11"), record("2025-03-11"))
    for paper in (first, second):
        PaperSignals.objects.create(paper=paper, org_name="acme-ai", org_fullname="Acme AI")
    html = client.get("/orgs/acme-ai").content.decode()
    assert "<h1>Acme AI</h1>" in html and ids_in(html) == [second.pk, first.pk]
    assert 'aria-label="Follow Acme AI"' in html
    client.post("/follows", {"kind": "org", "value": "acme-ai", "next": "/orgs/acme-ai"})
    assert Follow.objects.get().label == "Acme AI"
    assert client.get("/orgs/nobody").status_code == 404


def test_the_nav_links_to_follows(client, alice):
    assert '<a href="/follows"' in client.get("/about").content.decode()


def test_a_papers_organisation_leads_to_its_page_here(client):
    [paper] = store(record("2025-03-10"))
    PaperSignals.objects.create(paper=paper, org_name="acme-ai", org_fullname="Acme AI")
    html = client.get(f"/papers/{paper.pk}").content.decode()
    assert 'href="https://huggingface.co/acme-ai"' in html  # the badge: HF's page
    assert '<a href="/orgs/acme-ai">its papers here</a>' in html


def test_an_organisation_name_with_a_slash_still_has_a_page(client):
    [paper] = store(record("2025-03-10"))
    PaperSignals.objects.create(paper=paper, org_name="odd/name")
    assert '<a href="/orgs/odd/name">' in client.get(f"/papers/{paper.pk}").content.decode()
    assert client.get("/orgs/odd/name").status_code == 200
