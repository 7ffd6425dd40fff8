"""The /submit page: login required, GET shows the form and changes nothing, POST submits
(thanks or a polite refusal shown), CSRF required, escaped titles."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.community.models import Submission
from tests.community.factories import logged_in, make_paper, make_user


@pytest.fixture
def no_arxiv(settings):
    """Any request to arXiv fails: papers already stored must not be fetched."""
    settings.PAPERFEED_ARXIV_API_URL = "http://127.0.0.1:9/never"


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
