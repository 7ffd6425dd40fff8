"""The User and API token admins (accounts/admin.py) with a staff client."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model

from paperfeed.accounts import tokens
from paperfeed.accounts.admin import ModeratedUserAdmin
from paperfeed.accounts.models import ApiToken
from paperfeed.community.models import Comment
from tests.community.factories import admin_action, logged_in, make_paper


def test_the_accounts_app_owns_the_user_admin():
    assert type(admin.site._registry[get_user_model()]) is ModeratedUserAdmin


@pytest.mark.django_db
def test_admin_pages_render(staff, alice):
    tokens.create_token(alice, "laptop")
    for url in (
        "/admin/auth/user/",
        f"/admin/auth/user/{alice.pk}/change/",
        "/admin/accounts/apitoken/",
    ):
        assert staff.get(url).status_code == 200, url


@pytest.mark.django_db
def test_deactivate_users(staff, alice):
    paper = make_paper()
    client = logged_in(alice)
    admin_action(staff, "/admin/auth/user/", "deactivate_users", [alice.pk])
    assert not get_user_model().objects.get(pk=alice.pk).is_active
    response = client.post(f"/papers/{paper.pk}/comments", {"body": "still here?"})
    assert response["Location"].startswith("/accounts/login/")  # the session no longer counts
    assert Comment.objects.count() == 0
    admin_action(staff, "/admin/auth/user/", "reactivate_users", [alice.pk])
    assert get_user_model().objects.get(pk=alice.pk).is_active


@pytest.mark.django_db
def test_staff_cannot_deactivate_themselves(staff):
    me = get_user_model().objects.get(username="moderator")
    admin_action(staff, "/admin/auth/user/", "deactivate_users", [me.pk])
    assert get_user_model().objects.get(pk=me.pk).is_active


@pytest.mark.django_db
def test_staff_revoke_tokens(staff, alice):
    raw = tokens.create_token(alice, "x")
    admin_action(staff, "/admin/accounts/apitoken/", "revoke_tokens", [ApiToken.objects.get().pk])
    assert tokens.authenticate_token(raw) is None
    assert staff.get("/admin/accounts/apitoken/add/").status_code == 403  # owners create them
