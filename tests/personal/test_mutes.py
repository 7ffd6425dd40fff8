"""Adding and removing mutes: normalised values, clear refusals, idempotence."""

from __future__ import annotations

import doctest

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.personal import mutes
from paperfeed.personal.models import Mute
from tests.web.conftest import make_user, record, store


@pytest.fixture
def alice(db):
    return make_user("alice")


def test_add_normalises_and_twice_is_one_mute(alice):
    mute, new = mutes.add_mute(alice, "keyword", "  Large   Language ")
    assert new and mute.value == "large language"
    again, new = mutes.add_mute(alice, "keyword", "LARGE language")
    assert not new and again.pk == mute.pk
    assert Mute.objects.filter(user=alice).count() == 1


@pytest.mark.parametrize(
    ("kind", "value", "said"),
    [
        ("keyword", "x", "a keyword must be 2 to 100 characters, not 'x'"),
        ("keyword", "y" * 101, "a keyword must be 2 to 100 characters"),
        ("category", "cs CV", "'cs CV' is not an arXiv category name"),
        ("colour", "red", "kind must be one of keyword, author, category, not 'colour'"),
        ("author", "Nobody Atall", "no author called 'Nobody Atall' here"),
        ("author", "   ", "an author's name is empty"),
    ],
)
def test_bad_values_are_refused_in_words(alice, kind, value, said):
    with pytest.raises(mutes.MuteError, match=said.replace("(", r"\(")):
        mutes.add_mute(alice, kind, value)
    assert not Mute.objects.exists()


def test_known_author_and_category(alice):
    store(record("2025-03-18", authors=("Ada Lovelace",)))
    assert mutes.add_mute(alice, "author", " Ada  Lovelace ")[0].value == "Ada Lovelace"
    assert mutes.add_mute(alice, "category", "cs.CV")[0].value == "cs.CV"
    assert [(m.kind, m.value) for m in mutes.mutes_of(alice)] == [
        ("author", "Ada Lovelace"),
        ("category", "cs.CV"),
    ]


def test_remove_and_limits(alice, monkeypatch):
    mutes.add_mute(alice, "keyword", "gan")
    assert mutes.remove_mute(alice, "keyword", "GAN") is True
    assert mutes.remove_mute(alice, "keyword", "gan") is False
    monkeypatch.setattr(mutes, "MAX_MUTES", 2)
    mutes.add_mute(alice, "keyword", "one")
    mutes.add_mute(alice, "keyword", "two")
    with pytest.raises(mutes.MuteError, match="at most 2 mutes"):
        mutes.add_mute(alice, "keyword", "three")
    assert mutes.add_mute(alice, "keyword", "two")[1] is False  # an existing one is no new row


def test_remove_by_id_only_ones_own(alice):
    bob = make_user("bob")
    mute, _ = mutes.add_mute(alice, "keyword", "gan")
    assert mutes.remove_by_id(bob, mute.pk) is False
    assert mutes.remove_by_id(alice, mute.pk) is True
    assert not Mute.objects.exists()


def test_anonymous_and_deactivated_users_are_refused(alice):
    with pytest.raises(mutes.MuteError, match="log in"):
        mutes.add_mute(AnonymousUser(), "keyword", "gan")
    alice.is_active = False
    with pytest.raises(mutes.MuteError, match="deactivated"):
        mutes.add_mute(alice, "keyword", "gan")
    assert mutes.mutes_of(AnonymousUser()) == []


def test_doctests():
    assert doctest.testmod(mutes).failed == 0
