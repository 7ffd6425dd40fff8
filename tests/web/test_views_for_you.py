"""The for-you order on the day, week and month pages: a member with a profile gets their own
order (different from the community's), each card says why, the For you / Community toggle is
kept (POST with CSRF), the default switches once the profile is strong; anonymous and
profile-less visitors asking for it get a note and the community order; bounded queries."""

from __future__ import annotations

import re

import pytest

from paperfeed.papers.models import Author
from paperfeed.personal.models import Follow, Preferences
from tests.community.factories import logged_in, make_user
from tests.rankings.conftest import signals

from .conftest import record, store

pytestmark = pytest.mark.django_db
DAY = "2025-03-18"
COMMUNITY = ["2503.00001", "2503.00002", "2503.00003", "2503.00004"]


def ids_in(html: str) -> list[str]:
    return re.findall(r'<span class="id">arXiv:([^<]+)</span>', html)


@pytest.fixture
def day():
    """Four papers whose Hot order is 1, 2, 3, 4 (HF upvotes); Yann LeCun wrote the last."""
    store(
        *(
            record(DAY, arxiv_id=pid, authors=("Yann LeCun",) if n == 4 else (f"A. Writer{n}",))
            for n, pid in enumerate(COMMUNITY, start=1)
        )
    )
    for n, pid in enumerate(COMMUNITY):
        signals(pid, hf_upvotes=40 - 10 * n)


def follow_lecun(user, *categories: str) -> None:
    lecun = Author.objects.get(name="Yann LeCun")
    Follow.objects.create(user=user, kind=Follow.AUTHOR, value=str(lecun.pk), label="Yann LeCun")
    for category in categories:
        Follow.objects.create(user=user, kind=Follow.CATEGORY, value=category)


@pytest.fixture
def strong(day):
    user = make_user("strong")
    follow_lecun(user, "cs.CV", "cs.RO")  # strong: an author and two more follows
    return user


def test_anonymous_sees_the_community_order_and_a_note_when_asking(client, day):
    html = client.get(f"/day/{DAY}").content.decode()
    assert ids_in(html) == COMMUNITY and "order-toggle" not in html
    html = client.get(f"/day/{DAY}?sort=for_you").content.decode()
    assert ids_in(html) == COMMUNITY and "For you is for signed-in members" in html


def test_a_profileless_member_is_told_what_a_profile_needs(day):
    html = logged_in(make_user("nobody")).get(f"/day/{DAY}?sort=for_you").content.decode()
    assert ids_in(html) == COMMUNITY and "For you needs a profile" in html
    assert "order-toggle" not in html


def test_a_strong_profile_gets_its_order_by_default_with_reasons(strong):
    html = logged_in(strong).get(f"/day/{DAY}").content.decode()
    order = ids_in(html)
    assert order[0] == "2503.00004" and order != COMMUNITY and sorted(order) == COMMUNITY
    assert re.search(
        r'class="for-you-why"[^>]*><span class="label">For you</span> [^<]*you follow Yann LeCun',
        html,
    )
    assert re.search(r'value="for_you" aria-pressed="true"', html)
    # the Hot tab links ?sort=hot now that the default is for you; the feeds stay community
    assert 'href="?sort=hot"' in html and "sort=for_you" not in html.split("<main")[0]
    community = logged_in(strong).get(f"/day/{DAY}?sort=hot").content.decode()
    assert ids_in(community) == COMMUNITY and "for-you-why" not in community


def test_week_and_month_pages_too(strong):
    for url in ("/week/2025-W12", "/month/2025-03"):
        assert ids_in(logged_in(strong).get(url).content.decode())[0] == "2503.00004", url


def test_a_weak_profile_keeps_the_community_default_until_it_chooses(day):
    user = make_user("weak")
    follow_lecun(user)  # one follow: a profile, not yet strong
    client = logged_in(user, enforce_csrf=True)
    html = client.get(f"/day/{DAY}").content.decode()
    assert ids_in(html) == COMMUNITY and re.search(r'value="for_you" aria-pressed="false"', html)
    assert client.post("/settings/order", {"order": "for_you"}).status_code == 403  # no CSRF
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    response = client.post(
        "/settings/order",
        {"order": "for_you", "next": f"/day/{DAY}?code=1", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == f"/day/{DAY}?code=1"
    assert Preferences.objects.get(user=user).order == "for_you"
    assert ids_in(client.get(f"/day/{DAY}").content.decode())[0] == "2503.00004"
    client.post("/settings/order", {"order": "community", "csrfmiddlewaretoken": token})
    assert ids_in(client.get(f"/day/{DAY}").content.decode()) == COMMUNITY


def test_the_order_view_refuses_get_anonymous_and_bad_values(client, strong):
    assert logged_in(strong).get("/settings/order").status_code == 405
    assert client.post("/settings/order", {"order": "for_you"}).status_code == 302  # to log in
    assert not Preferences.objects.exists()
    member = logged_in(strong)
    response = member.post("/settings/order", {"order": "sideways"}, follow=True)
    assert "Order not changed: order must be one of auto, community, for_you" in (
        response.content.decode()
    )
    away = member.post("/settings/order", {"order": "community", "next": "https://evil.example/"})
    assert away["Location"] == "/"


def test_for_you_day_page_queries_are_bounded(strong, django_assert_max_num_queries):
    store(*(record(DAY, arxiv_id=f"2503.1{n:04d}") for n in range(40)))
    client = logged_in(strong)
    client.get(f"/day/{DAY}")  # warm the per-process caches of the for-you code
    # 18 whatever the day's size: session, user, the order decision (profile, preferences, the
    # member: 5), mutes, seen, the rows, order_papers' reads (the member again, followed
    # authors' papers...), the page's papers and authors, the saved ones among them (library),
    # their organisations' badges (orgs)
    with django_assert_max_num_queries(20):
        response = client.get(f"/day/{DAY}")
    assert ids_in(response.content.decode())[0] == "2503.00004"
    assert len(ids_in(response.content.decode())) == 44
