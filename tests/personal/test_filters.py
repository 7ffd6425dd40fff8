"""Muted papers leave the user's lists (pages, API), search pages and digests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.digests import content
from paperfeed.digests.models import Subscriber
from paperfeed.papers import lists
from paperfeed.papers.models import Paper
from paperfeed.personal import filters, mutes
from tests.web.conftest import make_user, record, store

DAY = "2025-03-18"


@pytest.fixture
def day(db):
    return store(
        record(
            DAY, arxiv_id="2503.00001", title="Diffusion models for images", categories=("cs.CV",)
        ),
        record(DAY, arxiv_id="2503.00002", abstract="We train a GAN.", authors=("Grace Hopper",)),
        record(DAY, arxiv_id="2503.00003", categories=("cs.LG", "cs.CV")),
        record(DAY, arxiv_id="2503.00004", categories=("math.AP",), title="Plain"),
        record(DAY, arxiv_id="2503.00005", categories=("cs.CL",), title="Organ LLMs"),
    )


@pytest.fixture
def alice(db):
    return make_user("alice")


def ids(page) -> list[str]:
    return sorted(p.pk for p in page.items)


def test_each_kind_of_mute(day, alice):
    everything = ids(lists.day_feed(dt.date.fromisoformat(DAY), user=alice))
    assert len(everything) == 5
    mutes.add_mute(alice, "keyword", "DIFFUSION")  # title, any case
    mutes.add_mute(alice, "keyword", "gan")  # abstract; also "Organ" (a substring)
    assert ids(lists.day_feed(dt.date.fromisoformat(DAY), user=alice)) == [
        "2503.00003",
        "2503.00004",
    ]
    mutes.remove_mute(alice, "keyword", "gan")
    mutes.add_mute(alice, "author", "Grace Hopper")
    mutes.add_mute(alice, "category", "cs.CV")  # primary or cross-list
    assert ids(lists.day_feed(dt.date.fromisoformat(DAY), user=alice)) == [
        "2503.00004",
        "2503.00005",
    ]
    mutes.add_mute(alice, "category", "cs")  # every cs.*
    assert ids(lists.day_feed(dt.date.fromisoformat(DAY), user=alice)) == ["2503.00004"]


def test_other_users_and_anonymous_see_everything(day, alice):
    mutes.add_mute(alice, "category", "cs")
    bob = make_user("bob")
    for user in (None, AnonymousUser(), bob):
        assert len(lists.day_feed(dt.date.fromisoformat(DAY), user=user).items) == 5


def test_every_ranked_list_and_total(day, alice):
    mutes.add_mute(alice, "category", "cs.CV")
    now = dt.datetime(2025, 3, 19, tzinfo=dt.UTC)
    pages = [
        lists.day_feed(dt.date.fromisoformat(DAY), user=alice, sort="newest"),
        lists.week_feed(2025, 12, user=alice),
        lists.month_feed(2025, 3, user=alice, sort="upvotes"),
        lists.trending(now, user=alice),
        lists.category_papers("cs", user=alice),
        lists.author_papers(Paper.objects.get(pk="2503.00001").authors.first().pk, user=alice),
    ]
    for page in pages:
        assert not {"2503.00001", "2503.00003"} & {p.pk for p in page.items}
        assert page.total == len(page.items)


def test_muted_ids_and_split_keep_order(day, alice):
    mutes.add_mute(alice, "author", "Grace Hopper")
    papers = list(Paper.objects.filter(pk__in=["2503.00003", "2503.00002", "2503.00001"]))
    papers.sort(key=lambda p: p.pk, reverse=True)
    kept, muted = filters.split_muted(papers, alice)
    assert [p.pk for p in kept] == ["2503.00003", "2503.00001"]
    assert [p.pk for p in muted] == ["2503.00002"]
    assert filters.muted_ids(None, ["2503.00002"]) == set()


def test_muted_by_user_chunks_ids(day, alice, monkeypatch):
    monkeypatch.setattr(filters, "CHUNK", 2)
    mutes.add_mute(alice, "keyword", "plain")
    bob = make_user("bob")
    every = [p.pk for p in day]
    assert filters.muted_by_user([alice.pk, bob.pk], every) == {alice.pk: {"2503.00004"}}


def test_hide_for_costs_one_query_signed_in_and_none_anonymous(
    day, alice, django_assert_num_queries
):
    qs = Paper.objects.all()
    with django_assert_num_queries(0):
        assert filters.hide_for(qs, None) is qs
    with django_assert_num_queries(1):
        assert filters.hide_for(qs, alice) is qs  # no mutes: unchanged
    mutes.add_mute(alice, "keyword", "plain")
    with django_assert_num_queries(1):
        filtered = filters.hide_for(qs, alice)
    assert "2503.00004" not in set(filtered.values_list("pk", flat=True))


def test_digests_never_pick_a_muted_paper(day, alice):
    subscriber = Subscriber.objects.create(
        email="alice@example.org", user=alice, status="active", categories="cs.CV cs.LG math.AP"
    )
    start = dt.datetime(2025, 3, 18, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=1)

    def picked() -> set[str]:
        digest = content.build_all([subscriber], start, end)[0]
        return {item.paper.pk for section in digest.sections for item in section.items}

    before = picked()
    assert {"2503.00001", "2503.00003"} <= before
    mutes.add_mute(alice, "category", "cs.CV")
    after = picked()
    assert after and not {"2503.00001", "2503.00003"} & after


def test_an_archive_without_subject_classes_is_muted_as_itself(db, alice):
    store(
        record(DAY, arxiv_id="2503.00011", categories=("quant-ph",)),
        record(DAY, arxiv_id="2503.00012", categories=("cs.ET", "quant-ph")),
        record(DAY, arxiv_id="2503.00013", categories=("quant-phys.XX",)),
    )
    mutes.add_mute(alice, "category", "quant-ph")
    assert ids(lists.day_feed(dt.date.fromisoformat(DAY), user=alice)) == ["2503.00013"]
