"""Onboarding's core: each step's validation and saving, suggestions, the search box, marking,
finishing, and who a login sends to /welcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from paperfeed.digests.models import Feedback
from paperfeed.personal import mutes, onboarding
from paperfeed.personal.models import Follow, Preferences
from paperfeed.search.sync import sync_indexes
from tests.web.conftest import make_user, record, set_upvotes, store, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def corpus(data_home, settings):
    """Recent papers in three categories, indexed (hashing vectors: no model download)."""
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    today = timezone.now().date()
    papers = store(
        record(today, arxiv_id="2601.00001", title="Speculative decoding with draft models",
               categories=("cs.CL",)),
        record(today, arxiv_id="2601.00002", title="Speculative decoding for vision transformers",
               categories=("cs.CV",)),
        record(today, arxiv_id="2601.00003", title="Protein folding at scale",
               categories=("q-bio.BM",)),
        record(today, arxiv_id="2601.00004", title="A benchmark of parsers",
               categories=("cs.CL",)),
        record(today, arxiv_id="2601.00005", title="Tokenisers revisited",
               categories=("cs.CL",)),
        record(today - dt.timedelta(days=400), arxiv_id="2401.00006",
               title="Speculative decoding, the first attempt", categories=("cs.CL",)),
    )  # fmt: skip
    set_upvotes("2601.00005", 30)
    set_upvotes("2601.00004", 5)
    sync_indexes(progress=False)
    return papers


# -- step 1: categories ------------------------------------------------------------------------
def test_categories_are_followed_and_replaced(alice):
    assert onboarding.save_categories(alice, ["cs.CL", " cs.LG", "cs.CL", ""]) == ["cs.CL", "cs.LG"]
    assert onboarding.followed(alice, Follow.CATEGORY) == ["cs.CL", "cs.LG"]
    Follow.objects.filter(user=alice, value="cs.LG").update(alert=Follow.DAILY)
    onboarding.save_categories(alice, ["cs.LG", "cs.CV"])  # cs.CL unchecked: unfollowed
    assert sorted(onboarding.followed(alice, Follow.CATEGORY)) == ["cs.CV", "cs.LG"]
    assert Follow.objects.get(user=alice, value="cs.LG").alert == Follow.DAILY  # kept as it was
    onboarding.save_categories(alice, [])
    assert not Follow.objects.filter(user=alice).exists()


def test_unknown_category_is_refused_by_name_and_nothing_is_saved(alice):
    onboarding.save_categories(alice, ["cs.CL"])
    with pytest.raises(onboarding.OnboardingError, match=r"cs\.XX is not an arXiv category"):
        onboarding.save_categories(alice, ["cs.LG", "cs.XX"])
    assert onboarding.followed(alice, Follow.CATEGORY) == ["cs.CL"]


def test_categories_of_the_store_are_offered(alice):
    store(record("2025-03-18", categories=("hep-th",)))
    assert onboarding.save_categories(alice, ["hep-th"]) == ["hep-th"]
    groups = dict(onboarding.category_choices(alice))
    assert ("hep-th", "hep-th") in groups["hep-th"]
    assert list(groups)[0] == "cs"


def test_anonymous_or_deactivated_users_cannot_save(alice):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(onboarding.OnboardingError, match="log in"):
        onboarding.save_categories(AnonymousUser(), ["cs.CL"])
    alice.is_active = False
    with pytest.raises(onboarding.OnboardingError, match="deactivated"):
        onboarding.save_topics(alice, ["protein folding"])


# -- step 2: topics ----------------------------------------------------------------------------
def test_topics_are_saved_searches_collapsed_and_replaced(alice):
    text = "Speculative   decoding\nprotein folding, kv cache\n\nspeculative decoding"
    saved = onboarding.save_topics(alice, onboarding.split_topics(text))
    assert saved == ["Speculative decoding", "protein folding", "kv cache"]
    assert onboarding.followed(alice, Follow.SEARCH) == saved
    onboarding.save_topics(alice, ["kv cache"])
    assert onboarding.followed(alice, Follow.SEARCH) == ["kv cache"]


@pytest.mark.parametrize(
    ("topics", "message"),
    [
        (["x"], "a topic must be 2 to 100 characters, not 'x'"),
        (["y" * 101], "a topic must be 2 to 100 characters"),
        ([f"topic {i}" for i in range(11)], "at most 10 topics, not 11"),
    ],
)
def test_bad_topics_are_refused_with_the_reason(alice, topics, message):
    onboarding.save_topics(alice, ["kept topic"])
    with pytest.raises(onboarding.OnboardingError, match=message):
        onboarding.save_topics(alice, topics)
    assert onboarding.followed(alice, Follow.SEARCH) == ["kept topic"]


# -- step 3: papers ----------------------------------------------------------------------------
def test_suggestions_match_topics_within_categories_then_popular(alice, corpus):
    onboarding.save_categories(alice, ["cs.CL"])
    onboarding.save_topics(alice, ["speculative decoding"])
    found = onboarding.suggestions(alice)
    ids = [s.paper.pk for s in found]
    # the topic's recent match in cs.CL first (not the cs.CV one, not the 400-day-old one),
    # then cs.CL's papers by Hot (upvotes)
    assert ids == ["2601.00001", "2601.00005", "2601.00004"]
    assert found[0].why == "matches your topic “speculative decoding”"
    assert found[1].why == "popular in cs.CL"
    assert found[0].paper.author_list  # decorated like a list's paper


def test_suggestions_without_categories_span_every_category(alice, corpus):
    onboarding.save_topics(alice, ["protein folding"])
    ids = [s.paper.pk for s in onboarding.suggestions(alice)]
    assert ids[0] == "2601.00003"
    assert set(ids) == {"2601.00001", "2601.00002", "2601.00003", "2601.00004", "2601.00005"}
    assert len(onboarding.suggestions(alice, limit=2)) == 2


def test_suggestions_leave_muted_papers_out(alice, corpus):
    onboarding.save_categories(alice, ["cs.CL"])
    onboarding.save_topics(alice, ["speculative decoding"])
    mutes.add_mute(alice, "keyword", "speculative")
    mutes.add_mute(alice, "keyword", "tokenisers")
    assert [s.paper.pk for s in onboarding.suggestions(alice)] == ["2601.00004"]


def test_no_papers_no_suggestions(alice):
    onboarding.save_topics(alice, ["anything"])
    assert onboarding.suggestions(alice) == []


def test_find_searches_everything_but_mutes(alice, corpus):
    assert {p.pk for p in onboarding.find(alice, "speculative decoding")} >= {
        "2601.00001",
        "2601.00002",
        "2401.00006",
    }
    mutes.add_mute(alice, "category", "cs.CV")
    assert "2601.00002" not in {p.pk for p in onboarding.find(alice, "speculative decoding")}
    assert onboarding.find(alice, "   ") == []


def test_marking_is_more_like_this_and_toggles(alice, corpus):
    assert onboarding.mark(alice, "2601.00001", True) is True
    assert onboarding.mark(alice, "2601.00001", True) is True  # a double click stays marked
    assert onboarding.mark(alice, "2601.00003", True) is True
    assert Feedback.objects.get(user=alice, paper_id="2601.00001").signal == 1
    assert onboarding.marked_ids(alice) == ["2601.00003", "2601.00001"]
    assert [p.pk for p in onboarding.marked_papers(alice)] == ["2601.00003", "2601.00001"]
    assert onboarding.mark(alice, "2601.00001", False) is False
    assert onboarding.marked_ids(alice) == ["2601.00003"]


def test_marking_an_unknown_paper_says_so(alice, corpus):
    with pytest.raises(onboarding.OnboardingError, match="no paper '9999.99999'"):
        onboarding.mark(alice, "9999.99999", True)


def test_less_like_this_is_not_counted_as_marked(alice, corpus):
    Feedback.objects.create(user=alice, paper_id="2601.00002", signal=-1)
    assert onboarding.marked_ids(alice) == []


# -- state, finish, who is sent to /welcome ----------------------------------------------------
def test_state_shows_each_step(alice, corpus):
    assert onboarding.state(alice) == onboarding.State()
    onboarding.save_categories(alice, ["cs.CL"])
    onboarding.save_topics(alice, ["protein folding"])
    onboarding.mark(alice, "2601.00003", True)
    when = onboarding.finish(alice)
    assert onboarding.state(alice) == onboarding.State(
        categories=["cs.CL"], topics=["protein folding"], marked=["2601.00003"], onboarded_at=when
    )


def test_a_follow_refused_by_follows_is_said_and_nothing_changes(alice, monkeypatch):
    from paperfeed.personal import follows

    onboarding.save_topics(alice, ["kept topic"])
    monkeypatch.setattr(follows, "MAX_FOLLOWS", 2)
    with pytest.raises(onboarding.OnboardingError, match="at most 2 follows"):
        onboarding.save_topics(alice, ["one", "two", "three"])
    assert onboarding.followed(alice, Follow.SEARCH) == ["kept topic"]


def test_finish_keeps_the_first_time(alice):
    first = onboarding.finish(alice)
    assert onboarding.finish(alice) == first
    assert Preferences.objects.get(user=alice).onboarded_at == first


def test_needs_onboarding_only_for_an_account_that_did_nothing(alice, corpus):
    assert onboarding.needs_onboarding(alice)
    onboarding.finish(alice)
    assert not onboarding.needs_onboarding(alice)

    bob = make_user("bob")
    onboarding.save_topics(bob, ["kv cache"])
    assert not onboarding.needs_onboarding(bob)

    carol = make_user("carol")
    vote(carol, "2601.00001")
    assert not onboarding.needs_onboarding(carol)

    dave = make_user("dave")
    Preferences.objects.create(user=dave)  # a row without onboarded_at (settings saved)
    assert onboarding.needs_onboarding(dave)
