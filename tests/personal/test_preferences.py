"""Preferences: defaults without a row, one read per user object, validated writes."""

from __future__ import annotations

import doctest

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.personal import preferences
from paperfeed.personal.models import Preferences
from tests.web.conftest import make_user


@pytest.fixture
def alice(db):
    return make_user("alice")


def test_doctests():
    assert doctest.testmod(preferences).failed == 0


def test_anonymous_gets_defaults_without_a_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        prefs = preferences.get(AnonymousUser())
        assert preferences.get(None).seen == Preferences.SEEN_DIM
    assert prefs.seen == Preferences.SEEN_DIM and prefs.order == Preferences.ORDER_AUTO
    assert prefs.pk is None


def test_no_row_means_unsaved_defaults_read_once(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = preferences.get(alice)
        again = preferences.get(alice)
    assert first is again and first.seen == "dim" and not Preferences.objects.exists()


def test_set_seen_saves_and_updates_the_kept_copy(alice):
    assert preferences.get(alice).seen == "dim"
    preferences.set_seen(alice, "hide")
    assert preferences.get(alice).seen == "hide"
    assert Preferences.objects.get(user=alice).seen == "hide"
    preferences.set_seen(alice, "show")
    row = Preferences.objects.get(user=alice)
    assert row.seen == "show" and Preferences.objects.count() == 1
    fresh = make_user("bob")
    assert preferences.get(fresh).seen == "dim"  # another user's row is theirs


def test_bad_values_are_refused_by_name(alice):
    with pytest.raises(preferences.PreferenceError, match="seen must be one of show, dim, hide"):
        preferences.set_seen(alice, "invisible")
    with pytest.raises(preferences.PreferenceError, match="order must be one of auto"):
        preferences.set_order(alice, "random")
    with pytest.raises(preferences.PreferenceError, match="log in"):
        preferences.set_seen(AnonymousUser(), "hide")
    assert not Preferences.objects.exists()


def test_set_order_and_onboarded_keep_the_other_fields(alice):
    preferences.set_seen(alice, "hide")
    preferences.set_order(alice, "community")
    assert preferences.get(alice).onboarded_at is None
    preferences.mark_onboarded(alice)
    row = Preferences.objects.get(user=alice)
    assert (row.seen, row.order) == ("hide", "community") and row.onboarded_at is not None


def test_for_this_view_changes_the_request_not_the_row(alice):
    preferences.set_seen(alice, "hide")
    preferences.for_this_view(alice, seen="show")
    assert preferences.get(alice).seen == "show"
    assert Preferences.objects.get(user=alice).seen == "hide"
    preferences.for_this_view(alice, seen=None)  # no override asked: unchanged
    assert preferences.get(alice).seen == "show"
    with pytest.raises(preferences.PreferenceError, match="not 'x'"):
        preferences.for_this_view(alice, seen="x")
    preferences.for_this_view(AnonymousUser(), seen="hide")  # nothing for anonymous users
