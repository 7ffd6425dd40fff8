"""Seen papers: opened (one upsert), dismissed, undone, forgotten; the readers agree with
each other (the lists' SQL condition, ids, the digests' batch) and count upvotes as seen."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from paperfeed.papers.models import Paper
from paperfeed.personal import preferences, seen
from paperfeed.personal.models import Seen
from tests.web.conftest import make_user, record, store, vote

DAY = "2025-03-18"


@pytest.fixture
def papers(db):
    return store(*(record(DAY, arxiv_id=f"2503.0000{i}") for i in range(1, 6)))


@pytest.fixture
def alice(db):
    return make_user("alice")


def seen_in_sql(user) -> set[str]:
    return set(Paper.objects.filter(seen.seen_q(user)).values_list("pk", flat=True))


def test_mark_opened_is_one_query_and_keeps_a_dismissal(papers, alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        seen.mark_opened(alice, "2503.00001")
    row = Seen.objects.get()
    assert (row.how, row.paper_id) == ("opened", "2503.00001")
    first_at = row.at
    seen.mark_opened(alice, "2503.00001")
    row.refresh_from_db()
    assert Seen.objects.count() == 1 and row.at >= first_at
    seen.dismiss(alice, "2503.00001")
    seen.mark_opened(alice, "2503.00001")
    assert Seen.objects.get().how == "dismissed"


def test_anonymous_users_leave_no_trace(papers, django_assert_num_queries):
    with django_assert_num_queries(0):
        seen.mark_opened(AnonymousUser(), "2503.00001")
        seen.mark_opened(None, "2503.00001")
        assert seen.seen_ids(AnonymousUser(), ["2503.00001"]) == set()
        assert seen.seen_q(AnonymousUser()) is None
        assert seen.mode(AnonymousUser()) == "show"
    assert not Seen.objects.exists()
    with pytest.raises(seen.SeenError, match="log in"):
        seen.dismiss(AnonymousUser(), "2503.00001")


def test_dismiss_upgrades_and_undo_makes_it_new_again(papers, alice):
    seen.mark_opened(alice, "2503.00002")
    seen.dismiss(alice, "2503.00002")
    seen.dismiss(alice, "2503.00003")
    seen.dismiss(alice, "2503.00003")  # twice is one row
    assert dict(Seen.objects.values_list("paper_id", "how")) == {
        "2503.00002": "dismissed",
        "2503.00003": "dismissed",
    }
    assert seen.undismiss(alice, "2503.00003") is True
    assert seen.undismiss(alice, "2503.00003") is False
    assert seen.seen_ids(alice, [p.pk for p in papers]) == {"2503.00002"}


def test_undismiss_leaves_an_opened_paper_alone(papers, alice):
    seen.mark_opened(alice, "2503.00001")
    assert seen.undismiss(alice, "2503.00001") is False
    assert Seen.objects.get().how == "opened"


@pytest.mark.parametrize(
    ("paper_id", "said"),
    [("", "paper_id is empty"), ("2503.99999", "no paper '2503.99999' here")],
)
def test_dismiss_refuses_unknown_papers_by_name(papers, alice, paper_id, said):
    with pytest.raises(seen.SeenError, match=said):
        seen.dismiss(alice, paper_id)
    assert not Seen.objects.exists()


def test_hidden_papers_cannot_be_dismissed(papers, alice):
    Paper.objects.filter(pk="2503.00004").update(hidden=True)
    with pytest.raises(seen.SeenError, match="no paper"):
        seen.dismiss(alice, "2503.00004")


def test_upvotes_count_as_seen_everywhere(papers, alice):
    bob = make_user("bob")
    vote(alice, "2503.00004")
    seen.mark_opened(alice, "2503.00001")
    seen.dismiss(alice, "2503.00002")
    seen.mark_opened(bob, "2503.00005")
    ids = [p.pk for p in papers]
    expected = {"2503.00001", "2503.00002", "2503.00004"}
    assert seen_in_sql(alice) == expected
    assert seen.seen_ids(alice, ids) == expected
    assert seen.seen_by_user([alice.pk, bob.pk], ids) == {
        alice.pk: expected,
        bob.pk: {"2503.00005"},
    }
    assert seen.seen_by_user([alice.pk], ["2503.00003"]) == {}


def test_seen_by_user_batches_many_ids(papers, alice, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(seen, "CHUNK", 2)
    seen.dismiss(alice, "2503.00005")
    vote(alice, "2503.00001")
    ids = [p.pk for p in papers]  # 3 chunks of ids, 1 of users, 2 sources
    with django_assert_num_queries(6):
        assert seen.seen_by_user([alice.pk], ids) == {alice.pk: {"2503.00001", "2503.00005"}}


def test_clear_forgets_opened_and_dismissed_not_upvotes(papers, alice):
    bob = make_user("bob")
    seen.mark_opened(alice, "2503.00001")
    seen.dismiss(alice, "2503.00002")
    seen.mark_opened(bob, "2503.00001")
    vote(alice, "2503.00003")
    assert seen.count(alice) == {"opened": 1, "dismissed": 1}
    assert seen.clear(alice) == 2
    assert seen.count(alice) == {"opened": 0, "dismissed": 0}
    assert seen_in_sql(alice) == {"2503.00003"}
    assert Seen.objects.filter(user=bob).count() == 1


def test_annotate_and_dim_follow_the_mode(papers, alice):
    seen.mark_opened(alice, "2503.00001")
    seen.dismiss(alice, "2503.00002")
    rows = {p.pk: p for p in seen.annotate(Paper.objects.all(), alice)}
    assert {pk for pk, p in rows.items() if p.seen} == {"2503.00001", "2503.00002"}
    assert {pk for pk, p in rows.items() if p.dismissed} == {"2503.00002"}
    seen.dim(list(rows.values()), alice)  # default: dim
    assert {pk for pk, p in rows.items() if p.dimmed} == {"2503.00001", "2503.00002"}
    preferences.set_seen(alice, "show")
    seen.dim(list(rows.values()), alice)
    assert not any(p.dimmed for p in rows.values())
    anonymous = list(seen.annotate(Paper.objects.all(), AnonymousUser()))
    assert not any(p.seen or p.dismissed for p in anonymous)


def test_for_list_hides_only_in_hide_mode_and_counts(papers, alice, django_assert_num_queries):
    seen.mark_opened(alice, "2503.00001")
    vote(alice, "2503.00002")
    everything = Paper.objects.all()
    kept, hidden = seen.for_list(everything, alice)
    assert kept.count() == 5 and hidden == 0
    preferences.set_seen(alice, "hide")
    with django_assert_num_queries(1):  # the count of hidden papers
        kept, hidden = seen.for_list(everything, alice)
    assert hidden == 2 and set(kept.values_list("pk", flat=True)) == {
        "2503.00003",
        "2503.00004",
        "2503.00005",
    }


def test_history_is_newest_first_paged_and_checked(papers, alice):
    for pid in ("2503.00001", "2503.00002", "2503.00003"):
        seen.mark_opened(alice, pid)
    seen.dismiss(alice, "2503.00001")  # dismissing refreshes the time
    rows, total = seen.history(alice, per_page=2)
    assert total == 3 and [r.paper_id for r in rows] == ["2503.00001", "2503.00003"]
    assert rows[0].paper.title == "Paper 2503.00001"
    rows, _ = seen.history(alice, page=2, per_page=2)
    assert [r.paper_id for r in rows] == ["2503.00002"]
    rows, total = seen.history(alice, how="dismissed")
    assert total == 1 and rows[0].how == "dismissed"
    for bad, said in [
        ({"how": "liked"}, "how must be one of opened, dismissed"),
        ({"page": 0}, "page must be"),
        ({"per_page": 500}, "per_page must be between 1 and 200"),
    ]:
        with pytest.raises(seen.SeenError, match=said):
            seen.history(alice, **bad)


def test_hidden_by_user_is_only_for_those_who_hide(papers, alice, django_assert_num_queries):
    bob = make_user("bob")
    seen.mark_opened(alice, "2503.00001")
    seen.mark_opened(bob, "2503.00001")
    preferences.set_seen(bob, "hide")
    ids = [p.pk for p in papers]
    assert seen.hidden_by_user([alice.pk, bob.pk], ids) == {bob.pk: {"2503.00001"}}
    with django_assert_num_queries(1):  # nobody hides: the preferences only
        assert seen.hidden_by_user([alice.pk], ids) == {}
