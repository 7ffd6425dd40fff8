"""votes.toggle_vote / set_vote: one vote per user per paper, the kept count exact."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connections

from paperfeed.community import votes
from paperfeed.community.models import Vote
from paperfeed.papers.models import Paper
from tests.community.factories import make_paper, make_user


def _count(paper) -> int:
    return Paper.objects.values_list("upvotes", flat=True).get(pk=paper.pk)


@pytest.mark.django_db
def test_toggle_adds_then_removes(paper, alice, bob):
    assert votes.toggle_vote(alice, paper.pk) == votes.VoteResult(voted=True, count=1)
    assert votes.toggle_vote(bob, paper.pk) == votes.VoteResult(voted=True, count=2)
    assert votes.toggle_vote(alice, paper.pk) == votes.VoteResult(voted=False, count=1)
    assert list(Vote.objects.values_list("user__username", flat=True)) == ["bob"]
    assert _count(paper) == 1


@pytest.mark.django_db
def test_set_vote_is_idempotent(paper, alice):
    assert votes.set_vote(alice, paper.pk, True).count == 1
    assert votes.set_vote(alice, paper.pk, True) == votes.VoteResult(voted=True, count=1)
    assert votes.set_vote(alice, paper.pk, False) == votes.VoteResult(voted=False, count=0)
    assert votes.set_vote(alice, paper.pk, False) == votes.VoteResult(voted=False, count=0)
    assert Vote.objects.count() == 0


@pytest.mark.django_db
def test_count_keeps_votes_it_did_not_see_inserted(alice):
    """An imported count (e.g. upvotes from another platform) moves by exactly +1/-1."""
    paper = make_paper(upvotes=40)
    assert votes.toggle_vote(alice, paper.pk).count == 41
    assert votes.toggle_vote(alice, paper.pk).count == 40


@pytest.mark.django_db
def test_unknown_hidden_and_anonymous_refused(paper, alice):
    with pytest.raises(votes.VoteError, match="no paper '9999.99999'"):
        votes.toggle_vote(alice, "9999.99999")
    withdrawn = make_paper(deleted=True)
    with pytest.raises(votes.VoteError, match="no paper"):
        votes.set_vote(alice, withdrawn.pk, True)
    with pytest.raises(votes.VoteError, match="log in"):
        votes.toggle_vote(AnonymousUser(), paper.pk)
    alice.is_active = False
    with pytest.raises(votes.VoteError, match="deactivated"):
        votes.toggle_vote(alice, paper.pk)
    assert Vote.objects.count() == 0 and _count(paper) == 0


@pytest.mark.django_db
def test_voted_ids_one_query(paper, alice, django_assert_num_queries):
    other = make_paper()
    votes.set_vote(alice, other.pk, True)
    with django_assert_num_queries(1):
        assert votes.voted_ids(alice, [paper.pk, other.pk]) == {other.pk}


def _run_threads(target, args_list) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(args_list))

    def run(*args):
        try:
            barrier.wait()
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a voter thread hung"
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_voters_keep_the_count_exact():
    """N users vote, unvote and toggle the same paper at once from N threads (own connections)."""
    paper = make_paper()
    users = [make_user(f"voter{i}", verified=False) for i in range(12)]

    def churn(user, rounds):
        for i in range(rounds):
            votes.toggle_vote(user, paper.pk)
            votes.set_vote(user, paper.pk, i % 2 == 0)

    rounds = [3 + (i % 4) for i in range(len(users))]  # odd/even mixes the final states
    errors = _run_threads(churn, list(zip(users, rounds, strict=True)))
    assert errors == []
    expected = sum(1 for r in rounds if (r - 1) % 2 == 0)  # the last set_vote decides
    assert Vote.objects.filter(paper=paper).count() == expected
    assert _count(paper) == expected


@pytest.mark.django_db(transaction=True)
def test_same_user_racing_itself_keeps_one_vote():
    """Many threads toggle/set one user's vote at once: never two rows, count = rows."""
    paper = make_paper()
    user = make_user("racer", verified=False)

    def vote(on):
        for _ in range(5):
            votes.set_vote(user, paper.pk, on)
            votes.toggle_vote(user, paper.pk)

    errors = _run_threads(vote, [(i % 2 == 0,) for i in range(10)])
    assert errors == []
    rows = Vote.objects.filter(paper=paper).count()
    assert rows in (0, 1)
    assert _count(paper) == rows


def test_recount_sets_the_counts_of_votes_written_in_bulk(alice, bob):
    first, second, untouched = make_paper(), make_paper(), make_paper()
    Vote.objects.bulk_create(
        [Vote(user=alice, paper=first), Vote(user=bob, paper=first), Vote(user=bob, paper=second)]
    )
    Paper.objects.filter(pk=second.pk).update(upvotes=9)  # stale
    Paper.objects.filter(pk=untouched.pk).update(upvotes=4)  # not asked about: left alone
    none = make_paper()
    Paper.objects.filter(pk=none.pk).update(upvotes=3)  # no vote rows: back to 0
    assert votes.recount_upvotes([first.pk, second.pk, none.pk]) == 3
    counts = dict(Paper.objects.values_list("pk", "upvotes"))
    assert (counts[first.pk], counts[second.pk], counts[none.pk]) == (2, 1, 0)
    assert counts[untouched.pk] == 4
