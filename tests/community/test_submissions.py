"""submissions.submit and the /submit page: ids and URLs, fetching unknown papers from a local
arXiv, today's feed, polite refusals (invalid, duplicate, daily limit, not on arXiv)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from paperfeed import config
from paperfeed.community import submissions
from paperfeed.community.models import Submission
from paperfeed.papers import lists
from paperfeed.papers.models import Paper
from tests.community.factories import make_paper, make_user
from tests.conftest import shared_file
from tests.ingest.arxiv_server import FakeArxiv, Reply

EMPTY_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: id_list=2501.99999</title>
  <id>http://arxiv.org/api/empty</id>
  <updated>2025-01-20T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults>
</feed>
"""


@pytest.fixture
def arxiv(settings):
    """A local arXiv query API: the recorded 10-entry feed for 1501.05039, nothing for others."""
    feed = shared_file("fixtures", "arxiv-api", "query_all-science_10-entries.xml").read_bytes()
    with FakeArxiv() as fake:
        fake.route("/api/query", {}, Reply(body=EMPTY_FEED))
        fake.route("/api/query", {"id_list": "1501.05039"}, Reply(body=feed))
        fake.route("/api/query", {"id_list": "2501.00500"}, Reply(status=500, body=b"down"))
        settings.PAPERFEED_ARXIV_API_URL = fake.url + "/api/query"
        settings.PAPERFEED_HARVEST_DELAY = 0
        yield fake


@pytest.fixture
def no_arxiv(settings):
    """Any request to arXiv fails the test: papers already stored must not be fetched."""
    settings.PAPERFEED_ARXIV_API_URL = "http://127.0.0.1:9/never"


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
def test_unknown_paper_is_fetched_from_arxiv(arxiv, alice):
    submission = submissions.submit(alice, "https://arxiv.org/abs/1501.05039v1")
    paper = Paper.objects.get(pk="1501.05039")
    assert submission.paper == paper and paper.title == "Defining Data Science"
    assert paper.feed_day == timezone.localdate()
    requested = [p["id_list"] for p in arxiv.params("/api/query")]
    assert requested == ["1501.05039"]  # unversioned: the latest version


@pytest.mark.django_db
def test_not_on_arxiv_and_arxiv_down_are_polite(arxiv, alice):
    with pytest.raises(submissions.SubmissionError, match="arXiv has no paper 2501.99999"):
        submissions.submit(alice, "2501.99999")
    with pytest.raises(submissions.SubmissionError, match="could not be reached.*try again"):
        submissions.submit(alice, "2501.00500")
    assert Submission.objects.count() == 0


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
    feed = lists.day_feed(today)
    assert [p.arxiv_id for p in feed.items] == ["1501.05039"]
    assert feed.items[0].submitter == alice
    html = Client().get(f"/day/{today.isoformat()}").content.decode()
    assert "Defining Data Science" in html
