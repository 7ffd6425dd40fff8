"""API tokens die with the credentials (accounts/revocation.py): every way a password changes or
an account is deactivated revokes the account's tokens; a re-hash of the same password, a login
or a profile edit does not."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.forms import MultiWidget
from django.test import Client

from paperfeed.accounts import tokens
from paperfeed.accounts.models import ApiToken
from tests.community.factories import PASSWORD, admin_action, logged_in

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-long-passphrase-77"


@pytest.fixture
def alice_token(alice):
    return tokens.create_token(alice, "notebook")


@pytest.fixture
def bob_token(bob):
    return tokens.create_token(bob, "bystander")


def assert_revoked(raw: str) -> None:
    assert tokens.authenticate_token(raw) is None
    prefix = raw.split("_", 2)[1]
    assert ApiToken.objects.get(prefix=prefix).revoked is not None


def assert_works(raw: str, user) -> None:
    assert tokens.authenticate_token(raw) == user


def admin_form_data(response) -> dict:
    """The POST data of an admin change form as rendered (every field at its shown value)."""
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        if isinstance(field.field.widget, MultiWidget):  # last_login, date_joined
            parts = field.field.widget.decompress(value)
            data.update({f"{field.html_name}_{i}": p or "" for i, p in enumerate(parts)})
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif value is not None:
            data[field.html_name] = str(value)
    return data


def test_the_password_change_page_revokes_the_tokens(alice, alice_token, bob, bob_token):
    response = logged_in(alice).post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert_revoked(alice_token)
    assert_works(bob_token, bob)  # only the account whose password changed
    fresh = tokens.create_token(alice, "after the change")
    assert_works(fresh, get_user_model().objects.get(pk=alice.pk))


def test_a_refused_password_change_revokes_nothing(alice, alice_token):
    response = logged_in(alice).post(
        "/accounts/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert_works(alice_token, alice)


def test_a_password_reset_by_email_revokes_the_tokens(alice, alice_token, mailoutbox):
    client = Client()
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    link = re.search(r"https?://testserver(/accounts/\S+)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    assert_works(alice_token, alice)  # asking for a reset changes nothing yet
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert_revoked(alice_token)


def test_the_admin_set_password_page_revokes_the_tokens(staff, alice, alice_token):
    response = staff.post(
        f"/admin/auth/user/{alice.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:500]
    assert get_user_model().objects.get(pk=alice.pk).check_password(NEW_PASSWORD)
    assert_revoked(alice_token)


def test_deactivating_in_the_admin_change_form_revokes_the_tokens(staff, alice, alice_token):
    url = f"/admin/auth/user/{alice.pk}/change/"
    data = admin_form_data(staff.get(url))
    assert data.pop("is_active") == "on"
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not get_user_model().objects.get(pk=alice.pk).is_active
    assert_revoked(alice_token)


def test_editing_a_profile_in_the_admin_keeps_the_tokens(staff, alice, alice_token):
    url = f"/admin/auth/user/{alice.pk}/change/"
    data = {**admin_form_data(staff.get(url)), "first_name": "Alice"}
    assert staff.post(url, data).status_code == 302
    assert get_user_model().objects.get(pk=alice.pk).first_name == "Alice"
    assert_works(alice_token, alice)


def test_the_admin_deactivate_action_revokes_the_tokens(staff, alice, alice_token, bob, bob_token):
    admin_action(staff, "/admin/auth/user/", "deactivate_users", [alice.pk])
    assert_revoked(alice_token)
    assert_works(bob_token, bob)
    admin_action(staff, "/admin/auth/user/", "reactivate_users", [alice.pk])
    assert_revoked(alice_token)  # reactivating does not bring old tokens back


def test_deactivating_by_save_in_code_revokes_the_tokens(alice, alice_token):
    alice.is_active = False
    alice.save()
    assert_revoked(alice_token)


def test_deactivating_by_save_with_update_fields_revokes_the_tokens(alice, alice_token):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert_revoked(alice_token)


def test_set_password_in_code_revokes_the_tokens(alice, alice_token):
    alice.set_password(NEW_PASSWORD)
    alice.save()
    assert_revoked(alice_token)


def test_an_unusable_password_revokes_the_tokens(alice, alice_token):
    alice.set_unusable_password()
    alice.save()
    assert_revoked(alice_token)


def test_a_new_hash_of_the_same_password_keeps_the_tokens(alice, alice_token):
    """What Django does on login when the hasher's parameters changed: same password, new hash."""
    old_hash = alice.password
    alice.set_password(PASSWORD)
    assert alice.password != old_hash  # a fresh salt
    alice.save(update_fields=["password"])
    assert_works(alice_token, alice)


def test_logins_and_other_saves_keep_the_tokens(alice, alice_token, django_assert_num_queries):
    assert Client().post("/accounts/login/", {"login": "alice", "password": PASSWORD}).status_code
    assert get_user_model().objects.get(pk=alice.pk).last_login is not None
    alice.first_name = "Alice"
    alice.save()
    with django_assert_num_queries(1):  # the UPDATE alone: update_fields without watched ones
        alice.save(update_fields=["first_name"])
    assert_works(alice_token, alice)
