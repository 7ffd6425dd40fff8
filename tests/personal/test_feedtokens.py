"""Private feed tokens: made once, rotated, looked up; unknown, malformed or stale ones fail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.personal import feedtokens
from paperfeed.personal.models import Preferences
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_token_is_made_once_and_leads_back_to_its_user():
    alice, bob = make_user("alice"), make_user("bob")
    token = feedtokens.token_for(alice)
    assert len(token) >= 40 and feedtokens.token_for(alice) == token
    assert Preferences.objects.get(user=alice).feed_token == token
    assert feedtokens.user_for(token) == alice
    assert feedtokens.token_for(bob) != token


def test_an_existing_preferences_row_keeps_its_choices():
    alice = make_user("alice")
    Preferences.objects.create(user=alice, seen="hide")
    feedtokens.token_for(alice)
    assert Preferences.objects.get(user=alice).seen == "hide"


def test_rotation_kills_the_old_token():
    alice = make_user("alice")
    old = feedtokens.token_for(alice)
    new = feedtokens.rotate(alice)
    assert new != old
    assert feedtokens.user_for(old) is None and feedtokens.user_for(new) == alice
    assert feedtokens.token_for(alice) == new


def test_the_requests_kept_preferences_see_the_new_token():
    alice = make_user("alice")
    kept = Preferences(user=alice)  # personal.preferences.get keeps the row on the user
    alice._paperfeed_preferences = kept
    token = feedtokens.token_for(alice)
    assert kept.feed_token == token
    assert feedtokens.rotate(alice) == kept.feed_token


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "a b" * 10, None, "../" * 10])
def test_unknown_and_malformed_tokens_find_nobody(bad):
    feedtokens.token_for(make_user("alice"))
    assert feedtokens.user_for(bad) is None
    assert feedtokens.user_for("A" * 43) is None


def test_a_deactivated_users_feeds_stop():
    alice = make_user("alice")
    token = feedtokens.token_for(alice)
    alice.is_active = False
    alice.save()
    assert feedtokens.user_for(token) is None


def test_anonymous_users_have_no_token():
    with pytest.raises(ValueError, match="signed-in"):
        feedtokens.token_for(AnonymousUser())
