"""Following: values checked and normalised, idempotence, limits, and which papers a follow
matches (papers_of) and which follows a page's papers match (matched_by)."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.papers.models import Author, Paper
from paperfeed.personal import follows
from paperfeed.personal.models import Follow
from paperfeed.search.sync import sync_indexes
from paperfeed.signals.models import PaperSignals
from tests.web.conftest import make_user, record, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return make_user("alice")


def author_id(name: str) -> str:
    return str(Author.objects.get(name=name).pk)


def org(paper_id: str, name: str, full: str = "") -> None:
    PaperSignals.objects.create(paper_id=paper_id, org_name=name, org_fullname=full)


def test_doctests():
    assert doctest.testmod(follows).failed == 0


def test_follow_normalises_sets_the_label_and_twice_is_one_follow(alice):
    store(record("2025-03-18", authors=("Ada Lovelace",)))
    ada = author_id("Ada Lovelace")
    row, new = follows.follow(alice, "author", f" {ada} ")
    assert new and (row.value, row.label, row.alert) == (ada, "Ada Lovelace", "none")
    again, new = follows.follow(alice, "author", ada, alert="daily")
    assert not new and again.pk == row.pk and again.alert == "daily"
    search, _ = follows.follow(alice, "search", "  speculative \n decoding ")
    assert search.value == search.label == "speculative decoding"
    assert follows.follow(alice, "category", "CS.lg")[0].value == "cs.LG"
    assert follows.follow(alice, "category", "cs")[0].value == "cs"  # every cs.*
    assert [(f.kind, f.value) for f in follows.follows_of(alice)] == [
        ("author", ada),
        ("category", "cs"),
        ("category", "cs.LG"),
        ("search", "speculative decoding"),
    ]


def test_an_organisation_is_one_some_paper_names_with_its_full_name_as_label(alice):
    [paper] = store(record("2025-03-18"))
    org(paper.pk, "google", "Google")
    row, _ = follows.follow(alice, "org", "Google")  # any case, stored as HF writes it
    assert (row.value, row.label) == ("google", "Google")


@pytest.mark.parametrize(
    ("kind", "value", "said"),
    [
        ("author", "999999", "no author with id 999999"),
        ("author", "Ada Lovelace", "an author is followed by id (a whole number), not 'Ada"),
        ("category", "cs.XX", "'cs.XX' is not an arXiv category"),
        ("category", "cs CV", "'cs CV' is not an arXiv category"),
        ("org", "nobody-corp", "no organisation called 'nobody-corp' has papers here"),
        ("search", "x", "a search must be 2 to 200 characters, not 'x'"),
        ("search", "y" * 201, "a search must be 2 to 200 characters"),
        ("search", "   ", "say which search to follow"),
        ("colour", "red", "kind must be one of author, category, org, search, not 'colour'"),
    ],
)
def test_bad_values_are_refused_in_words(alice, kind, value, said):
    with pytest.raises(follows.FollowError, match=said.replace("(", r"\(").replace(")", r"\)")):
        follows.follow(alice, kind, value)
    assert not Follow.objects.exists()


def test_stopping_every_alert_keeps_the_follows_and_works_for_a_deactivated_account(alice):
    bob = make_user("bob")
    follows.follow(alice, "category", "cs.LG", alert="instant")
    follows.follow(alice, "category", "cs.CL", alert="weekly")
    follows.follow(alice, "category", "cs.AI")  # no mail
    bobs, _ = follows.follow(bob, "category", "cs.LG", alert="daily")
    alice.is_active = False  # an old mail's link, clicked after the account was closed
    alice.save(update_fields=["is_active"])
    assert follows.stop_alerts(alice) == 2
    assert Follow.objects.filter(user=alice).count() == 3
    assert set(Follow.objects.filter(user=alice).values_list("alert", flat=True)) == {"none"}
    assert Follow.objects.get(pk=bobs.pk).alert == "daily"  # not his
    assert follows.stop_alerts(alice) == 0


def test_alerts_unfollow_limits_and_other_users(alice, monkeypatch):
    bob = make_user("bob")
    mine, _ = follows.follow(alice, "search", "graph neural networks")
    assert follows.set_alert(alice, mine.pk, "weekly").alert == "weekly"
    assert Follow.objects.get(pk=mine.pk).alert == "weekly"
    with pytest.raises(follows.FollowError, match="alert must be one of none, instant, daily"):
        follows.set_alert(alice, mine.pk, "hourly")
    with pytest.raises(follows.FollowError, match="alert must be one of"):
        follows.follow(alice, "search", "other topic", alert="sometimes")
    with pytest.raises(follows.NoSuchFollow, match=f"you have no follow {mine.pk}"):
        follows.set_alert(bob, mine.pk, "daily")
    assert follows.unfollow(bob, mine.pk) is False  # not his
    assert follows.unfollow(alice, mine.pk) is True
    assert follows.unfollow(alice, mine.pk) is False
    monkeypatch.setattr(follows, "MAX_FOLLOWS", 2)
    follows.follow(alice, "search", "one topic")
    follows.follow(alice, "search", "two topics")
    with pytest.raises(follows.FollowError, match="at most 2 follows"):
        follows.follow(alice, "search", "three topics")
    assert follows.follow(alice, "search", "one topic")[1] is False  # an existing one is fine


def test_anonymous_and_deactivated_users_cannot_follow(alice):
    with pytest.raises(follows.FollowError, match="log in to follow"):
        follows.follow(AnonymousUser(), "search", "topic")
    alice.is_active = False
    with pytest.raises(follows.FollowError, match="deactivated"):
        follows.follow(alice, "search", "topic")
    assert follows.follows_of(AnonymousUser()) == []


def test_papers_of_each_kind_newest_first_visible_only_and_since(alice):
    old, new, other, hidden = store(
        record("2025-03-10", authors=("Ada Lovelace",), categories=("cs.LG", "stat.ML")),
        record("2025-03-18", authors=("Bob Byron", "Ada Lovelace"), categories=("cs.CL",)),
        record("2025-03-18", authors=("Bob Byron",), categories=("stat.ML",)),
        record("2025-03-19", authors=("Ada Lovelace",), categories=("cs.LG",)),
    )
    Paper.objects.filter(pk=hidden.pk).update(hidden=True)
    org(new.pk, "google")
    org(other.pk, "meta")
    ada, _ = follows.follow(alice, "author", author_id("Ada Lovelace"))
    cs, _ = follows.follow(alice, "category", "cs")
    ml, _ = follows.follow(alice, "category", "stat.ML")
    google, _ = follows.follow(alice, "org", "google")

    def ids(f, **kw):
        return list(follows.papers_of(f, **kw).values_list("pk", flat=True))

    assert ids(ada) == [new.pk, old.pk]
    assert ids(ada, since=dt.date(2025, 3, 15)) == [new.pk]
    assert ids(cs) == [new.pk, old.pk]
    assert ids(ml) == [other.pk, old.pk]
    assert ids(google) == [new.pk]


def test_papers_of_a_search_and_matched_by(alice, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"  # lexical only: no model download
    kv, video, plain, gpt = store(
        record("2025-03-17", title="KV cache compression", categories=("cs.CL",)),
        record("2025-03-18", title="Caching video frames", abstract="A KV cache for video."),
        record("2025-03-18", title="Nothing to see", authors=("Bob Byron",)),
        record("2025-03-19", title="Kvetching", authors=("Ada Lovelace",), categories=("cs.CV",)),
    )
    sync_indexes(progress=False)
    search, _ = follows.follow(alice, "search", "kv cache")
    ada, _ = follows.follow(alice, "author", author_id("Ada Lovelace"))
    vision, _ = follows.follow(alice, "category", "cs.CV")
    assert list(follows.papers_of(search).values_list("pk", flat=True)) == [video.pk, kv.pk]
    assert list(
        follows.papers_of(search, since=dt.date(2025, 3, 18)).values_list("pk", flat=True)
    ) == [video.pk]
    matched = follows.matched_by(alice, [kv.pk, video.pk, plain.pk, gpt.pk])
    assert {pid: [f.pk for f in fs] for pid, fs in matched.items()} == {
        kv.pk: [ada.pk, search.pk],  # Ada Lovelace is the default first author
        video.pk: [ada.pk, search.pk],
        gpt.pk: [ada.pk, vision.pk],  # "Kvetching" does not match the words "kv cache"
    }
    merged = list(follows.merged(alice).values_list("pk", flat=True))
    assert merged == [gpt.pk, video.pk, kv.pk]  # each once, newest first
    assert (
        follows.matched_by(alice, []) == {} and follows.matched_by(AnonymousUser(), [kv.pk]) == {}
    )


def test_matched_by_is_a_few_queries_for_a_page(alice, django_assert_max_num_queries):
    papers = store(*(record("2025-03-18", title=f"Topic {i} diffusion") for i in range(30)))
    follows.follow(alice, "author", author_id("Alan Turing"))
    follows.follow(alice, "category", "cs.CL")
    follows.follow(alice, "search", "diffusion")
    with django_assert_max_num_queries(3):
        matched = follows.matched_by(alice, [p.pk for p in papers])
    assert len(matched) == 30 and all(len(fs) == 3 for fs in matched.values())


def test_a_search_follow_without_an_index_has_no_papers(alice, data_home):
    search, _ = follows.follow(alice, "search", "kv cache")
    assert list(follows.papers_of(search)) == []
