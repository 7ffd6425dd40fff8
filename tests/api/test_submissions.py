"""POST /api/v1/submissions: stored papers at once (201), unknown ones queued for the worker
(202 with a status URL, no request to arXiv) and fetched by the task; polite refusals as 400;
GET /api/v1/submissions/{id}: the submitter's own status, done or failed with the reason."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from paperfeed.community.models import Submission
from paperfeed.jobs import tasks
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db


def submit(client, text: str):
    return client.post("/api/v1/submissions", {"paper": text}, content_type="application/json")


@pytest.fixture
def no_arxiv(settings):
    settings.PAPERFEED_ARXIV_API_URL = "http://127.0.0.1:9/never"


def test_submit_a_stored_paper_puts_it_in_todays_feed(alice_api, papers, no_arxiv):
    response = submit(alice_api, "https://arxiv.org/abs/2503.00002v2")
    assert response.status_code == 201
    body = response.json()
    assert body["paper"]["id"] == "2503.00002" and body["user"] == {"username": "alice"}
    assert body["paper"]["submitted_by"] == {"username": "alice"}
    today = timezone.localdate().isoformat()
    assert body["paper"]["feed_day"] == today
    daily = alice_api.get("/api/daily_papers", {"date": today}).json()
    assert [e["paper"]["id"] for e in daily] == ["2503.00002"]
    assert daily[0]["submittedBy"]["user"] == "alice"


def test_refusals_are_400_with_the_reason(alice_api, papers, no_arxiv, settings):
    assert submit(alice_api, "2503.00002").status_code == 201
    duplicate = submit(alice_api, "2503.00002")
    assert duplicate.status_code == 400 and "already" in duplicate.json()["detail"]
    invalid = submit(alice_api, "not a paper")
    assert invalid.status_code == 400 and "not an arXiv id" in invalid.json()["detail"]
    settings.PAPERFEED_SUBMISSIONS_PER_DAY = 1
    limited = submit(alice_api, "2503.00003")
    assert limited.status_code == 400 and "limit" in limited.json()["detail"]
    assert Submission.objects.count() == 1
    assert (
        alice_api.post("/api/v1/submissions", {}, content_type="application/json").status_code
        == 422
    )


@pytest.mark.network
def test_unknown_paper_is_queued_then_fetched_by_the_task(alice_api, db, arxiv, data_home):
    response = submit(alice_api, "1501.05039")
    assert response.status_code == 202, response.content
    body = response.json()
    assert arxiv.requests == []  # nothing asked of arXiv while the caller waits
    url = f"/api/v1/submissions/{body['id']}"
    assert body["status_url"] == response["Location"] == url
    assert (body["state"], body["arxiv_id"], body["paper"], body["error"]) == (
        "queued",
        "1501.05039",
        None,
        "",
    )
    assert alice_api.get(url).json()["state"] == "queued"
    result = tasks.fetch_submitted_paper.call("1501.05039")  # what the worker runs
    assert result["submission"] == "done" and result["found"]
    done = alice_api.get(url).json()
    assert done["state"] == "done" and done["paper"]["title"] == "Defining Data Science"
    assert done["paper"]["submitted_by"] == {"username": "alice"}
    assert Paper.objects.filter(pk="1501.05039").exists()


@pytest.mark.network
def test_a_failed_fetch_is_in_the_status(alice_api, db, arxiv, data_home):
    response = submit(alice_api, "2501.99999")
    assert response.status_code == 202
    result = tasks.fetch_submitted_paper.call("2501.99999")
    assert result["submission"] == "failed" and not result["found"]
    status = alice_api.get(response.json()["status_url"]).json()
    assert status["state"] == "failed" and status["paper"] is None
    assert status["error"] == "Sorry, arXiv has no paper 2501.99999."


def test_status_is_the_submitters_own(alice_api, papers, no_arxiv, client):
    own = submit(alice_api, "2503.00002").json()
    assert own["state"] == "done" and own["status_url"] == f"/api/v1/submissions/{own['id']}"
    bob = get_user_model().objects.create_user("bob", "bob@example.org", "pw")
    theirs = Submission.objects.create(arxiv_id="2501.07777", user=bob, state="queued")
    missing = alice_api.get(f"/api/v1/submissions/{theirs.pk}")
    assert missing.status_code == 404 and "no submission" in missing.json()["detail"]
    alice_api.defaults.pop("HTTP_AUTHORIZATION")
    assert alice_api.get(own["status_url"]).status_code == 401
