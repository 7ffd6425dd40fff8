"""feed_entry.fetch_queued, what the worker's task runs for a queued submission: the paper is
fetched from a local arXiv into today's feed, or the submission fails with the reason the
submitter reads (not on arXiv, arXiv down or unreachable after the retries, withdrawn)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from paperfeed.community import feed_entry, submissions
from paperfeed.community.models import Submission
from paperfeed.ingest.harvest import HarvestError
from paperfeed.papers.models import Paper
from tests.community.factories import make_paper

pytestmark = [pytest.mark.django_db, pytest.mark.network]


def queued(user, arxiv_id: str) -> Submission:
    submission = submissions.submit(user, arxiv_id)
    assert submission.state == "queued"
    return submission


def test_the_queued_paper_is_fetched_into_todays_feed(arxiv, alice):
    submission = queued(alice, "1501.05039")
    fetched = feed_entry.fetch_queued("1501.05039")
    assert (fetched.state, fetched.error) == ("done", "")
    assert fetched.summary.new >= 1 and not fetched.summary.missing_ids
    submission.refresh_from_db()
    paper = Paper.objects.get(pk="1501.05039")
    assert submission.state == "done" and submission.paper == paper
    assert paper.title == "Defining Data Science" and paper.feed_day == timezone.localdate()
    assert [p["id_list"] for p in arxiv.params("/api/query")] == ["1501.05039"]


def test_not_on_arxiv_fails_the_submission_with_the_reason(arxiv, alice):
    submission = queued(alice, "2501.99999")
    fetched = feed_entry.fetch_queued("2501.99999")
    assert (fetched.state, fetched.error) == ("failed", "Sorry, arXiv has no paper 2501.99999.")
    submission.refresh_from_db()
    assert submission.state == "failed" and submission.paper is None


def test_arxiv_down_after_the_retries_fails_the_submission_then_raises(arxiv, alice):
    submission = queued(alice, "2501.00500")
    with pytest.raises(HarvestError):
        feed_entry.fetch_queued("2501.00500")
    submission.refresh_from_db()
    assert submission.state == "failed"
    assert submission.error.startswith(
        "Sorry, arXiv could not be reached to fetch 2501.00500; please submit it again later."
    )
    assert len(arxiv.params("/api/query")) == 6  # the first request and the client's 5 retries


def test_arxiv_unreachable_fails_the_submission(no_arxiv, alice):
    submission = queued(alice, "2501.07777")
    with pytest.raises(HarvestError):
        feed_entry.fetch_queued("2501.07777")
    submission.refresh_from_db()
    assert submission.state == "failed" and "could not be reached" in submission.error


def test_a_paper_stored_meanwhile_is_not_fetched_again(no_arxiv, alice):
    submission = queued(alice, "2501.07777")
    make_paper("2501.07777")  # a harvest stored it before the worker came to the task
    assert feed_entry.fetch_queued("2501.07777").state == "done"
    submission.refresh_from_db()
    assert submission.state == "done" and submission.paper_id == "2501.07777"


def test_a_paper_withdrawn_meanwhile_fails_the_submission(no_arxiv, alice):
    queued(alice, "2501.07777")
    make_paper("2501.07777", deleted=True)
    fetched = feed_entry.fetch_queued("2501.07777")
    assert fetched.state == "failed" and "withdrawn" in fetched.error


def test_an_unexpected_error_fails_the_submission_and_is_raised(no_arxiv, alice, monkeypatch):
    submission = queued(alice, "2501.07777")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(feed_entry, "fetch_ids", broken)
    with pytest.raises(RuntimeError):
        feed_entry.fetch_queued("2501.07777")
    submission.refresh_from_db()
    assert submission.state == "failed"
    assert submission.error == "Sorry, fetching 2501.07777 failed; please submit it again later."
