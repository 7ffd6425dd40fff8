"""/admin/login/ is held to the site login's limits (issue 14 item 4)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.community.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def _admin_login(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


@pytest.fixture
def root():
    user = make_user("root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_a_staff_member_logs_in(root):
    client = Client()
    response = _admin_login(client, "root", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_guessing_an_account_s_password_locks_it_after_five_tries(root):
    """On old main, guesses at /admin/login/ were never counted: the right one always got in."""
    for n in range(5):
        wrong = _admin_login(Client(REMOTE_ADDR=f"192.0.2.{n}"), "root", f"guess{n}")
        assert wrong.status_code == 200 and b"Please enter the correct" in wrong.content
    client = Client(REMOTE_ADDR="192.0.2.99")
    locked = _admin_login(client, "root", PASSWORD)
    assert locked.status_code == 200 and b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_the_admin_and_the_site_login_share_one_count(root):
    client = Client()
    for n in range(3):
        client.post("/accounts/login/", {"login": "root", "password": f"guess{n}"})
    for n in range(2):
        _admin_login(client, "root", f"guess-admin{n}")
    assert b"Too many failed login attempts" in _admin_login(client, "root", PASSWORD).content


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_one_address_guessing_many_accounts_is_limited(root):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(3):
        _admin_login(client, f"user{n}", "guess")
    assert b"Too many failed login attempts" in _admin_login(client, "root", PASSWORD).content
    assert _admin_login(Client(REMOTE_ADDR="198.51.100.1"), "root", PASSWORD).status_code == 302


def test_a_non_staff_account_is_still_refused(db):
    make_user("alice")
    response = _admin_login(Client(), "alice", PASSWORD)
    assert response.status_code == 200 and b"staff account" in response.content
