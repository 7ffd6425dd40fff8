"""The "Your data" pages: downloads (login, attachment, never cached, limited) and deleting the
account (password, the comments' choice, POST with CSRF, logged out after)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from paperfeed.community.models import Comment, Vote
from paperfeed.papers.models import Paper
from tests.accounts.account_data import fill
from tests.community.factories import PASSWORD, logged_in

pytestmark = pytest.mark.django_db

JSON_URL, BIB_URL, DELETE_URL = (
    "/accounts/data/export.json",
    "/accounts/data/library.bib",
    "/accounts/delete",
)


def test_the_settings_page_links_the_downloads_and_deletion(alice):
    page = logged_in(alice).get("/settings/").content.decode()
    for url in (JSON_URL, BIB_URL, DELETE_URL):
        assert f'href="{url}"' in page
    assert "Your data" in page


def test_downloads_need_a_login(client):
    for url in (JSON_URL, BIB_URL, DELETE_URL):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_json_download_is_a_private_attachment(alice, bob):
    fill(alice, bob)
    response = logged_in(alice).get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="paperfeed-alice-')
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)
    assert data["format"] == "paperfeed-account-export" and data["profile"]["username"] == "alice"


def test_the_bibtex_download_is_the_library(alice, bob):
    world = fill(alice, bob)
    response = logged_in(alice).get(BIB_URL)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].endswith('.bib"')
    assert world.p1.pk in response.content.decode()


@override_settings(PAPERFEED_LIMIT_ACCOUNT_EXPORT="1/h/user")
def test_downloads_are_limited(alice):
    client = logged_in(alice)
    assert client.get(JSON_URL).status_code == 200
    refused = client.get(BIB_URL)
    assert refused.status_code == 429 and refused["Retry-After"]


def test_deleting_needs_csrf_and_the_password(alice, bob):
    fill(alice, bob)
    client = logged_in(alice, enforce_csrf=True)
    assert client.post(DELETE_URL, {"password": PASSWORD, "comments": "keep"}).status_code == 403
    client = logged_in(alice)
    wrong = client.post(DELETE_URL, {"password": "nope", "comments": "keep"})
    assert wrong.status_code == 400 and b"not your password" in wrong.content
    unchosen = client.post(DELETE_URL, {"password": PASSWORD, "comments": "maybe"})
    assert unchosen.status_code == 400 and b"comments:" in unchosen.content
    assert get_user_model().objects.filter(pk=alice.pk).exists()


@pytest.mark.parametrize("choice", ["keep", "remove"])
def test_deleting_logs_out_and_deletes(alice, bob, choice):
    world = fill(alice, bob)
    client = logged_in(alice)
    assert b"Delete my account" in client.get(DELETE_URL).content
    response = client.post(DELETE_URL, {"password": PASSWORD, "comments": choice})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not get_user_model().objects.filter(username="alice").exists()
    assert "_auth_user_id" not in client.session
    assert (
        Paper.objects.get(pk=world.p1.pk).upvotes
        == Vote.objects.filter(paper=world.p1).count()
        == 1
    )
    kept = Comment.objects.filter(pk=world.alice_top_alone.pk).exists()
    assert kept is (choice == "keep")
    # the paper page shows the kept or tombstoned comment by "deleted user"
    page = Client().get(f"/papers/{world.p1.pk}").content.decode()
    assert "submitted by a deleted user" in page or "<dd>a deleted user</dd>" in page
    assert 'class="comment-author">deleted user<' in page


@override_settings(PAPERFEED_LIMIT_ACCOUNT_DELETE="2/h/user")
def test_password_guessing_is_limited(alice):
    client = logged_in(alice)
    for _ in range(2):
        assert client.post(DELETE_URL, {"password": "guess", "comments": "keep"}).status_code == 400
    assert client.post(DELETE_URL, {"password": PASSWORD, "comments": "keep"}).status_code == 429
