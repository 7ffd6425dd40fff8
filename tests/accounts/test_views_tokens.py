"""The /accounts/tokens page: login required, create (raw token shown once, never cached),
revoke by POST (own tokens only), CSRF required."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from paperfeed.accounts import tokens
from paperfeed.accounts.models import ApiToken
from tests.community.factories import logged_in


@pytest.mark.django_db
def test_page_needs_login():
    response = Client().get("/accounts/tokens")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_create_shows_the_token_once(alice, django_assert_max_num_queries):
    client = logged_in(alice)
    with django_assert_max_num_queries(8):
        page = client.get("/accounts/tokens")
    assert page.status_code == 200 and ApiToken.objects.count() == 0  # GET changed nothing
    response = client.post("/accounts/tokens", {"name": "laptop <b>"})
    html = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    raw = re.search(r'value="(pf_[^"]+)"', html).group(1)
    assert tokens.authenticate_token(raw) == alice
    assert "laptop &lt;b&gt;" in html
    again = client.get("/accounts/tokens").content.decode()
    assert raw not in again and raw.split("_")[1] in again  # only the prefix is shown later


@pytest.mark.django_db
def test_create_error_is_shown(alice):
    response = logged_in(alice).post("/accounts/tokens", {"name": ""})
    assert "give the token a name" in response.content.decode()
    assert ApiToken.objects.count() == 0


@pytest.mark.django_db
def test_revoke_from_the_page(alice, bob):
    raw = tokens.create_token(alice, "x")
    token = ApiToken.objects.get()
    assert logged_in(alice).get(f"/accounts/tokens/{token.pk}/revoke").status_code == 405
    assert tokens.authenticate_token(raw) == alice
    logged_in(bob).post(f"/accounts/tokens/{token.pk}/revoke")
    assert tokens.authenticate_token(raw) == alice  # not bob's to revoke
    response = logged_in(alice).post(f"/accounts/tokens/{token.pk}/revoke", follow=True)
    assert "Token revoked" in response.content.decode()
    assert tokens.authenticate_token(raw) is None


@pytest.mark.django_db
def test_token_posts_need_csrf(alice):
    raw = tokens.create_token(alice, "x")
    client = logged_in(alice, enforce_csrf=True)
    assert client.post("/accounts/tokens", {"name": "y"}).status_code == 403
    token = ApiToken.objects.get()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke").status_code == 403
    assert ApiToken.objects.count() == 1 and tokens.authenticate_token(raw) == alice
