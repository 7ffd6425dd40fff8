"""submissions.submit: ids and URLs, stored papers into today's feed at once, unknown papers
queued for the worker without a request to arXiv (tests/community/test_feed_entry.py fetches
them), polite refusals (invalid, duplicate, daily limit)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from paperfeed import config
from paperfeed.community import feed_entry, submissions
from paperfeed.community.models import Submission
from paperfeed.papers import lists
from paperfeed.papers.models import Paper
from tests.community.factories import make_paper, make_user


@pytest.mark.django_db
def test_stored_paper_is_submitted_to_today(no_arxiv, alice):
    paper = make_paper("2501.01234", day=dt.date(2025, 1, 2))
    submission = submissions.submit(alice, "https://arxiv.org/abs/2501.01234v3")
    assert submission.paper_id == "2501.01234" and submission.user == alice
    paper.refresh_from_db()
    assert paper.feed_day == timezone.localdate()


@pytest.mark.django_db
def test_a_submission_joins_the_current_daily_list_not_a_day_of_its_own(no_arxiv, alice):
    listing = timezone.localdate() - dt.timedelta(days=1)  # today's listing is not in yet
    make_paper("2501.00001", day=listing)
    old = make_paper("2501.01234", day=dt.date(2025, 1, 2))
    submissions.submit(alice, "2501.01234")
    old.refresh_from_db()
    assert old.feed_day == listing


@pytest.mark.parametrize(
    "text",
    [
        "2501.01234",
        "2501.01234v2",
        "arXiv:2501.01234",
        "https://arxiv.org/pdf/2501.01234v1",
        " 2501.01234 ",
    ],
)
@pytest.mark.django_db
def test_every_pasted_form_names_the_paper(no_arxiv, alice, text):
    make_paper("2501.01234")
    assert submissions.submit(alice, text).paper_id == "2501.01234"


@pytest.mark.django_db
def test_unknown_paper_is_queued_without_asking_arxiv(
    arxiv, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submissions.submit(alice, "https://arxiv.org/abs/1501.05039v1")
    assert arxiv.requests == []  # the request path never waits on arXiv
    assert (submission.state, submission.arxiv_id, submission.paper) == (
        "queued",
        "1501.05039",
        None,
    )
    assert not Paper.objects.filter(pk="1501.05039").exists()
    task = DBTaskResult.objects.get()
    assert task.task_path == "paperfeed.jobs.tasks.fetch_submitted_paper"
    assert task.args_kwargs == {"args": ["1501.05039"], "kwargs": {}}


@pytest.mark.django_db
def test_a_queue_that_cannot_be_reached_fails_the_submission_politely(
    no_arxiv, alice, monkeypatch, django_capture_on_commit_callbacks
):
    class Unreachable:
        def enqueue(self, *args):
            raise ConnectionError("Redis is down")

    monkeypatch.setattr(submissions.tasks, "fetch_submitted_paper", Unreachable())
    with django_capture_on_commit_callbacks(execute=True):
        submission = submissions.submit(alice, "2501.07777")
    submission.refresh_from_db()  # outside a test's transaction, submit returns it so
    assert submission.state == "failed" and "could not be queued" in submission.error
    assert submissions.submitted_today(alice) == 0  # a failed one does not count


@pytest.mark.django_db
def test_a_queued_paper_cannot_be_submitted_again_a_failed_one_can(no_arxiv, alice, bob):
    submissions.submit(alice, "2501.07777")
    with pytest.raises(submissions.SubmissionError) as refused:
        submissions.submit(bob, "2501.07777v2")
    assert "2501.07777 is already being fetched from arXiv: alice submitted it" in str(
        refused.value
    )
    feed_entry.fail("2501.07777", "Sorry, arXiv has no paper 2501.07777.")
    again = submissions.submit(bob, "2501.07777")
    assert again.state == "queued" and again.user == bob
    assert Submission.objects.filter(arxiv_id="2501.07777").count() == 2


@pytest.mark.django_db
def test_a_submission_a_dead_worker_left_pending_can_be_replaced(no_arxiv, alice, bob):
    first = submissions.submit(alice, "2501.07778")
    recent = timezone.now() - Submission.ABANDONED / 2
    Submission.objects.filter(pk=first.pk).update(state=Submission.FETCHING, updated=recent)
    with pytest.raises(submissions.SubmissionError, match="already being fetched"):
        submissions.submit(bob, "2501.07778")
    long_ago = timezone.now() - Submission.ABANDONED - dt.timedelta(minutes=1)
    Submission.objects.filter(pk=first.pk).update(updated=long_ago)
    again = submissions.submit(bob, "2501.07778")
    assert again.state == "queued" and again.user == bob
    first.refresh_from_db()
    assert first.state == "failed" and "never finished" in first.error


@pytest.mark.django_db
def test_a_long_wait_is_said_and_polled_slower(no_arxiv, alice):
    submission = submissions.submit(alice, "2501.07779")
    client = Client()
    client.force_login(alice)
    url = f"/submit/{submission.pk}/status"
    assert 'hx-trigger="every 2s"' in client.get(url).content.decode()
    late = timezone.now() - Submission.WAITING_LONG - dt.timedelta(minutes=1)
    Submission.objects.filter(pk=submission.pk).update(updated=late)
    html = client.get(url).content.decode()
    assert 'hx-trigger="every 30s"' in html and "paperfeed worker" in html


@pytest.mark.django_db
def test_the_database_holds_one_standing_submission_per_paper(alice, bob):
    Submission.objects.create(arxiv_id="2501.07777", user=alice, state="failed", error="no")
    Submission.objects.create(arxiv_id="2501.07777", user=bob, state="failed", error="no")
    Submission.objects.create(arxiv_id="2501.07777", user=alice, state="queued")
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(arxiv_id="2501.07777", user=bob, state="fetching")
    with pytest.raises(IntegrityError), transaction.atomic():  # done holds its paper
        Submission.objects.create(arxiv_id="2501.08888", user=bob, state="done")


@pytest.mark.django_db
def test_queued_submissions_count_towards_the_daily_limit(no_arxiv, alice, settings):
    settings.PAPERFEED_SUBMISSIONS_PER_DAY = 2
    submissions.submit(alice, "2501.07777")
    submissions.submit(alice, make_paper().pk)
    with pytest.raises(submissions.SubmissionError, match="submitted 2 papers today, the daily"):
        submissions.submit(alice, "2501.08888")
    feed_entry.fail("2501.07777", "Sorry, arXiv has no paper 2501.07777.")
    assert submissions.submit(alice, "2501.08888").state == "queued"  # failed ones do not count


@pytest.mark.django_db
def test_invalid_text_is_refused(no_arxiv, alice):
    for text in ("", "hello", "2513.00001", "https://example.org/abs/2501.01234"):
        with pytest.raises(submissions.SubmissionError, match="not an arXiv id or link"):
            submissions.submit(alice, text)


@pytest.mark.django_db
def test_duplicate_names_who_and_when(no_arxiv, alice, bob):
    make_paper("2501.01234")
    submissions.submit(alice, "2501.01234")
    with pytest.raises(submissions.SubmissionError) as refused:
        submissions.submit(bob, "2501.01234v2")
    message = str(refused.value)
    assert "already on paperfeed" in message and "alice submitted it on" in message
    assert timezone.localdate().isoformat() in message
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_daily_limit(no_arxiv, alice, bob, settings):
    settings.PAPERFEED_SUBMISSIONS_PER_DAY = 2
    papers = [make_paper() for _ in range(4)]
    submissions.submit(alice, papers[0].pk)
    submissions.submit(alice, papers[1].pk)
    with pytest.raises(submissions.SubmissionError, match="submitted 2 papers today, the daily"):
        submissions.submit(alice, papers[2].pk)
    Submission.objects.filter(user=alice).update(created=timezone.now() - dt.timedelta(days=1))
    submissions.submit(alice, papers[2].pk)  # yesterday's do not count
    submissions.submit(bob, papers[3].pk)  # the limit is per user


def test_limit_is_a_declared_setting():
    declared = {s.name: s for s in config.SETTINGS}["PAPERFEED_SUBMISSIONS_PER_DAY"]
    assert declared.default == "10" and "per day" in declared.help


@pytest.mark.django_db
def test_withdrawn_paper_and_anonymous_refused(no_arxiv, alice):
    gone = make_paper(deleted=True)
    with pytest.raises(submissions.SubmissionError, match="withdrawn"):
        submissions.submit(alice, gone.pk)
    with pytest.raises(submissions.SubmissionError, match="log in"):
        submissions.submit(AnonymousUser(), gone.pk)


@pytest.mark.django_db(transaction=True)
def test_daily_limit_holds_under_concurrent_submissions(no_arxiv, settings):
    """One user submits 6 papers from 6 threads at once with a limit of 2: exactly 2 pass."""

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time (BEGIN IMMEDIATE): no race to test")
    settings.PAPERFEED_SUBMISSIONS_PER_DAY = 2
    user = make_user("eager")
    papers = [make_paper() for _ in range(6)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(papers))

    def go(paper_id):
        try:
            barrier.wait()
            submissions.submit(user, paper_id)
            outcomes.append("ok")
        except submissions.SubmissionError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(p.pk,)) for p in papers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes).count("ok") == 2
    assert all("daily limit" in o for o in outcomes if o != "ok")
    assert Submission.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_submitted_paper_is_in_todays_feed_with_its_submitter(arxiv, alice):
    today = timezone.localdate()
    assert lists.day_feed(today).total == 0
    submissions.submit(alice, "1501.05039")
    assert lists.day_feed(today).total == 0  # queued: not in the feed yet
    feed_entry.fetch_queued("1501.05039")  # what the worker's task does
    feed = lists.day_feed(today)
    assert [p.arxiv_id for p in feed.items] == ["1501.05039"]
    assert feed.items[0].submitter == alice
    html = Client().get(f"/day/{today.isoformat()}").content.decode()
    assert "Defining Data Science" in html
