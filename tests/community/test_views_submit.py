"""The /submit page: login required, GET shows the form and changes nothing, POST submits
(thanks or a polite refusal shown), CSRF required, escaped titles; a paper that is not stored is
queued at once (no request to arXiv), its status fragment polls until ``paperfeed worker
--drain`` has fetched it (or says why it failed)."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import call_command
from django.test import Client

from paperfeed.community.models import Submission
from tests.community.factories import logged_in, make_paper, make_user

POLLING = 'hx-trigger="every 2s"'


def drain() -> str:
    """``paperfeed worker --drain`` without harvesting or embedding: runs the queued tasks."""
    out = io.StringIO()
    call_command("worker", "--drain", "--no-fetch", "--no-embed", stdout=out)
    return out.getvalue()


def status(client: Client, submission: Submission) -> str:
    response = client.get(f"/submit/{submission.pk}/status")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_page_needs_login():
    response = Client().get("/submit")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/submit"


@pytest.mark.django_db
def test_get_shows_the_form_and_changes_nothing(alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = alice_client.get("/submit?paper=2501.01234")
    assert response.status_code == 200
    assert b'name="paper"' in response.content and b"0 of 10 papers today" in response.content
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_post_submits_and_shows_thanks(no_arxiv, alice_client):
    make_paper("2501.01234", title="Escaped <script>alert(1)</script>")
    response = alice_client.post("/submit", {"paper": "2501.01234"}, follow=False)
    assert response.status_code == 302 and response["Location"] == "/submit"
    page = alice_client.get("/submit")
    html = page.content.decode()
    assert "Thanks! 2501.01234 is in today&#x27;s feed." in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


@pytest.mark.django_db
def test_post_refusal_is_shown_with_the_text_kept(no_arxiv, alice_client):
    response = alice_client.post("/submit", {"paper": "not-an-id"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "not an arXiv id or link" in html and 'value="not-an-id"' in html


@pytest.mark.django_db
def test_post_needs_csrf_token(alice):
    make_paper("2501.01234")
    client = logged_in(alice, enforce_csrf=True)
    assert client.post("/submit", {"paper": "2501.01234"}).status_code == 403
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_deactivated_user_cannot_submit(no_arxiv):
    make_paper("2501.01234")
    user = make_user("zed")
    client = logged_in(user)
    user.is_active = False
    user.save()
    response = client.post("/submit", {"paper": "2501.01234"})
    assert response.status_code == 302 and Submission.objects.count() == 0


@pytest.mark.network
@pytest.mark.django_db(transaction=True)  # --drain's task runner closes the connection
def test_unknown_paper_is_queued_at_once_then_the_worker_fetches_it(arxiv, data_home):
    client = logged_in(make_user("alice"))
    started = time.monotonic()
    response = client.post("/submit", {"paper": "https://arxiv.org/abs/1501.05039"})
    assert time.monotonic() - started < 5
    assert response.status_code == 302 and arxiv.requests == []  # nothing asked of arXiv
    page = client.get("/submit").content.decode()
    assert "1501.05039 is queued — fetching it from arXiv" in page
    submission = Submission.objects.get()
    assert submission.state == "queued"
    assert f'hx-get="/submit/{submission.pk}/status"' in page and POLLING in page
    fragment = status(client, submission)
    assert "queued — fetching from arXiv" in fragment and POLLING in fragment

    assert "fetch_submitted_paper: ok" in drain()
    fragment = status(client, submission)
    assert 'href="/papers/1501.05039">Defining Data Science</a>' in fragment
    assert "hx-get" not in fragment  # done: the polling stops
    assert [p["id_list"] for p in arxiv.params("/api/query")] == ["1501.05039"]
    assert "Defining Data Science" in client.get("/").content.decode()


@pytest.mark.network
@pytest.mark.django_db(transaction=True)
def test_a_paper_arxiv_does_not_have_shows_why_and_stops_polling(arxiv, data_home):
    client = logged_in(make_user("alice"))
    client.post("/submit", {"paper": "2501.99999"})
    drain()
    submission = Submission.objects.get()
    fragment = status(client, submission)
    assert "not submitted: Sorry, arXiv has no paper 2501.99999." in fragment
    assert "hx-get" not in fragment
    assert "arXiv has no paper 2501.99999" in client.get("/submit").content.decode()


@pytest.mark.django_db
def test_the_page_shows_a_fetch_in_progress(no_arxiv, alice, alice_client):
    submission = Submission.objects.create(arxiv_id="2501.07777", user=alice, state="fetching")
    fragment = status(alice_client, submission)
    assert "2501.07777" in fragment and "fetching from arXiv" in fragment and POLLING in fragment


@pytest.mark.django_db
def test_status_is_the_submitters_own(no_arxiv, alice, alice_client):
    submission = Submission.objects.create(arxiv_id="2501.07777", user=alice, state="queued")
    assert logged_in(make_user("bob")).get(f"/submit/{submission.pk}/status").status_code == 404
    assert Client().get(f"/submit/{submission.pk}/status").status_code == 404
    assert alice_client.get("/submit/999/status").status_code == 404
    assert alice_client.post(f"/submit/{submission.pk}/status").status_code == 405
