"""POST /papers/<id>/vote: htmx partial, plain redirect, login redirect, CSRF, no GET."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from paperfeed.community.models import Vote
from paperfeed.community.vote_button import vote_button
from paperfeed.papers.models import Paper
from tests.community.factories import logged_in, make_paper

HTMX = {"HTTP_HX_REQUEST": "true"}


def _upvotes(paper_id: str) -> int:
    return Paper.objects.values_list("upvotes", flat=True).get(pk=paper_id)


@pytest.mark.django_db
def test_get_is_refused_and_changes_nothing(paper, alice_client):
    response = alice_client.get(f"/papers/{paper.pk}/vote")
    assert response.status_code == 405
    assert Vote.objects.count() == 0 and _upvotes(paper.pk) == 0


@pytest.mark.django_db
def test_htmx_vote_returns_the_swapped_button(paper, alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = alice_client.post(f"/papers/{paper.pk}/vote", {"voted": "1"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert '<span class="vote-count">1</span>' in html
    assert 'name="voted" value="0"' in html  # the next click removes the vote
    assert 'name="csrfmiddlewaretoken"' in html
    assert _upvotes(paper.pk) == 1
    again = alice_client.post(f"/papers/{paper.pk}/vote", {"voted": "1"}, **HTMX)
    assert '<span class="vote-count">1</span>' in again.content.decode()  # double click: no-op
    off = alice_client.post(f"/papers/{paper.pk}/vote", {"voted": "0"}, **HTMX)
    assert 'aria-pressed="false"' in off.content.decode() and _upvotes(paper.pk) == 0


@pytest.mark.django_db
def test_plain_post_toggles_and_redirects_to_a_safe_next(paper, alice_client):
    response = alice_client.post(f"/papers/{paper.pk}/vote", {"next": "/?day=2025-01-15"})
    assert response.status_code == 302 and response["Location"] == "/?day=2025-01-15"
    assert _upvotes(paper.pk) == 1
    evil = alice_client.post(f"/papers/{paper.pk}/vote", {"next": "https://evil.example/x"})
    assert evil["Location"] == f"/papers/{paper.pk}"
    assert _upvotes(paper.pk) == 0  # toggled back


@pytest.mark.django_db
def test_old_style_ids_with_a_slash(alice_client):
    paper = make_paper("cs/9809007")
    response = alice_client.post("/papers/cs/9809007/vote", **HTMX)
    assert response.status_code == 200 and _upvotes(paper.pk) == 1
    assert 'action="/papers/cs/9809007/vote"' in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(paper):
    client = Client()
    plain = client.post(f"/papers/{paper.pk}/vote", {"next": "/"})
    assert plain.status_code == 302
    assert plain["Location"] == "/accounts/login/?next=%2F"
    htmx = client.post(f"/papers/{paper.pk}/vote", **HTMX)
    assert htmx["HX-Redirect"].startswith("/accounts/login/?next=")
    assert Vote.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_partial_shows_a_login_link(paper, rf):
    request = rf.get("/", {"day": "2025-01-15", "sort": "new"})
    request.user = AnonymousUser()
    html = vote_button(request, paper, voted=False)
    assert 'href="/accounts/login/?next=/%3Fday%3D2025-01-15%26sort%3Dnew"' in html
    assert "<form" not in html and 'aria-label="Log in to upvote (0 upvotes)"' in html
    assert '"/"><script>' not in vote_button(request, paper, False, '/"><script>')


@pytest.mark.django_db
def test_unknown_or_withdrawn_paper_is_404(alice_client):
    assert alice_client.post("/papers/2501.99999/vote").status_code == 404
    gone = make_paper(deleted=True)
    assert alice_client.post(f"/papers/{gone.pk}/vote").status_code == 404


@pytest.mark.django_db
def test_csrf_token_required(paper, alice):
    client = logged_in(alice, enforce_csrf=True)
    assert client.post(f"/papers/{paper.pk}/vote", **HTMX).status_code == 403
    assert _upvotes(paper.pk) == 0
    client.get(f"/papers/{paper.pk}/comments")  # renders a form: sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    ok = client.post(f"/papers/{paper.pk}/vote", {"csrfmiddlewaretoken": token}, **HTMX)
    assert ok.status_code == 200 and _upvotes(paper.pk) == 1
