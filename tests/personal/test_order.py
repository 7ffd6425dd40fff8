"""Which order a member's page takes (paperfeed.personal.order): the community default for
anyone without a profile, for you when they chose it, or once their profile is strong with the
default "auto"; for you asked for without a profile is refused with a note (pages) or a 400
naming sort (API); the toggle's choice is kept and said."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.params import BadParameter
from paperfeed.personal import order, preferences
from paperfeed.personal.models import Follow, Preferences
from tests.community.factories import make_user

pytestmark = pytest.mark.django_db
SORTS = ("hot", "upvotes", "newest")


def follow(user, kind: str, value: str, label: str = "") -> None:
    Follow.objects.create(user=user, kind=kind, value=value, label=label)


@pytest.fixture
def weak():
    """A member with a profile that is not strong: one followed category."""
    user = make_user("weak")
    follow(user, Follow.CATEGORY, "cs.CL")
    return user


@pytest.fixture
def strong():
    """A member whose profile is strong: an author and two categories."""
    user = make_user("strong")
    follow(user, Follow.AUTHOR, "1", "Ada Lovelace")
    follow(user, Follow.CATEGORY, "cs.CL")
    follow(user, Follow.CATEGORY, "cs.LG")
    return user


def fresh(user):
    """The same member as a new request sees them (preferences are kept per user object)."""
    return type(user).objects.get(pk=user.pk)


def test_anonymous_and_profileless_get_the_community_order():
    nobody = make_user("nobody")
    for user in (AnonymousUser(), nobody):
        assert order.default_sort(user, "hot") == "hot"
        choice = order.choose(user, "", "hot", SORTS)
        assert (choice.sort, choice.default, choice.offered, choice.personal) == (
            "hot",
            "hot",
            False,
            None,
        )


def test_asking_for_you_without_a_profile_gives_a_note_and_the_community_order():
    anonymous = order.choose(AnonymousUser(), "for_you", "hot", SORTS)
    assert anonymous.sort == "hot" and anonymous.note == order.SIGN_IN
    profileless = order.choose(make_user("nobody"), "for_you", "hot", SORTS)
    assert profileless.sort == "hot" and profileless.note == order.NO_PROFILE


def test_auto_is_for_you_once_strong(weak, strong):
    assert order.default_sort(weak, "hot") == "hot"
    assert order.choose(weak, "", "hot", SORTS).offered
    assert order.default_sort(strong, "hot") == "for_you"
    choice = order.choose(strong, "", "relevance", ("relevance",))
    assert choice.sort == "for_you" and choice.personal is not None


def test_a_kept_choice_decides_the_default(weak, strong):
    order.remember(weak, "for_you")
    order.remember(strong, "community")
    assert order.default_sort(fresh(weak), "hot") == "for_you"
    assert order.default_sort(fresh(strong), "hot") == "hot"
    assert Preferences.objects.get(user=strong).order == "community"
    # asked for in the address, a sort wins over the kept choice
    assert order.choose(fresh(weak), "newest", "hot", SORTS).sort == "newest"
    assert order.choose(fresh(strong), "for_you", "hot", SORTS).sort == "for_you"


def test_kept_for_you_without_a_profile_falls_back():
    user = make_user("gone")
    order.remember(user, "for_you")
    assert order.default_sort(fresh(user), "hot") == "hot"


def test_unknown_sorts_and_orders_are_named(weak):
    with pytest.raises(BadParameter, match="sort: must be one of hot, upvotes, newest, for_you"):
        order.choose(weak, "coldest", "hot", SORTS)
    with pytest.raises(preferences.PreferenceError, match="order must be one of"):
        order.remember(weak, "random")
    assert order.remember(weak, "auto") == order.REMEMBERED["auto"]


def test_the_api_requires_a_profile(weak):
    with pytest.raises(BadParameter, match="sort: for_you is for signed-in members"):
        order.require(AnonymousUser())
    with pytest.raises(BadParameter, match="sort: for_you needs a profile"):
        order.require(make_user("nobody"))
    assert callable(order.require(weak))


def test_deciding_costs_few_queries(strong, django_assert_max_num_queries):
    member, nobody = fresh(strong), fresh(make_user("nobody"))
    with django_assert_max_num_queries(5):  # profile (1 EXISTS), preferences, the member (3)
        order.choose(member, "", "hot", SORTS)
    with django_assert_max_num_queries(3):  # three EXISTS: no follow, vote or liked paper
        order.choose(nobody, "", "hot", SORTS)
