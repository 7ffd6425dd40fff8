"""Private RSS/Atom feeds: per follow, all follows merged, the day for you; the token is the
credential (unknown or rotated: 404), answers are private and not indexed, mutes apply."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from paperfeed.papers.models import Author
from paperfeed.personal import feedtokens, follows, mutes, preferences
from tests.web.conftest import make_user, record, set_upvotes, store

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def rss_titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/rss+xml")
    return [item.findtext("title") for item in ET.fromstring(response.content).iter("item")]


def atom_titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def papers():
    return store(
        record("2025-03-10", title="Old Ada", authors=("Ada Lovelace",), categories=("cs.LG",)),
        record("2025-03-12", title="Grace on CL", authors=("Grace Hopper",)),
        record("2025-03-14", title="New Ada", authors=("Ada Lovelace",), categories=("cs.CL",)),
        record("2025-03-15", title="Diffusion Ada", authors=("Ada Lovelace",)),
        record(
            "2025-03-15", title="Nobody follows", authors=("Bob Byron",), categories=("math.AP",)
        ),
    )


def test_a_follows_feed_lists_its_newest_papers_privately(client, alice, papers):
    ada, _ = follows.follow(alice, "author", Author.objects.get(name="Ada Lovelace").pk)
    mutes.add_mute(alice, "keyword", "diffusion")
    token = feedtokens.token_for(alice)
    response = client.get(f"/feeds/private/{token}/follows/{ada.pk}.rss")
    assert rss_titles(response) == ["New Ada", "Old Ada"]  # newest first, muted one left out
    assert "private" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"
    assert "Ada Lovelace" in ET.fromstring(response.content).findtext("channel/title")
    assert atom_titles(client.get(f"/feeds/private/{token}/follows/{ada.pk}.atom")) == [
        "New Ada",
        "Old Ada",
    ]


def test_all_follows_merged_each_paper_once(client, alice, papers):
    follows.follow(alice, "author", Author.objects.get(name="Ada Lovelace").pk)
    follows.follow(alice, "category", "cs.CL")
    token = feedtokens.token_for(alice)
    titles = rss_titles(client.get(f"/feeds/private/{token}/follows.rss"))
    assert titles == ["Diffusion Ada", "New Ada", "Grace on CL", "Old Ada"]


def test_unknown_rotated_or_other_peoples_tokens_are_404(client, alice, papers):
    bob = make_user("bob")
    theirs, _ = follows.follow(bob, "category", "cs.CL")
    old = feedtokens.token_for(alice)
    assert client.get(f"/feeds/private/{old}/follows.rss").status_code == 200
    assert client.get(f"/feeds/private/{old}/follows/{theirs.pk}.rss").status_code == 404
    new = feedtokens.rotate(alice)
    for url in (
        f"/feeds/private/{old}/follows.rss",
        f"/feeds/private/{old}/for-you.atom",
        f"/feeds/private/{'x' * 43}/follows.rss",
        "/feeds/private/short/follows.rss",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/feeds/private/{new}/follows.rss").status_code == 200


def test_the_for_you_feed_is_the_day_in_the_users_order(client, alice):
    today = timezone.now().date()
    voted, followed, other = store(
        record(today, title="Upvoted", categories=("cs.CL",)),
        record(today, title="Followed category", categories=("cs.CV",)),
        record(today, title="Plain", categories=("cs.CL",)),
    )
    set_upvotes(voted.pk, 9)
    token = feedtokens.token_for(alice)
    community = rss_titles(client.get(f"/feeds/private/{token}/for-you.rss"))
    assert community[0] == "Upvoted" and sorted(community) == [
        "Followed category",
        "Plain",
        "Upvoted",
    ]
    follows.follow(alice, "category", "cs.CV")  # a profile
    preferences.set_order(alice, "for_you")  # as the day page's toggle keeps it
    response = client.get(f"/feeds/private/{token}/for-you.rss")
    mine = rss_titles(response)
    assert mine[0] == "Followed category" and sorted(mine) == sorted(community)
    assert "private" in response["Cache-Control"] and response["X-Robots-Tag"] == "noindex"
