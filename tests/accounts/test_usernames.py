"""Usernames (paperfeed/accounts/usernames.py): NFKC-normalised wherever they are set or looked
up, and look-alikes of existing names (UTS #39 skeletons, case-insensitive) refused at sign-up
and in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from paperfeed.accounts import usernames
from paperfeed.accounts.models import UsernameSkeleton
from tests.community.factories import PASSWORD, logged_in, make_user

User = get_user_model()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("admin", "\u0430dmin"),  # Cyrillic а
        ("Admin", "\u0410dmin"),  # Cyrillic А
        ("admin", "Admin"),  # case alone
        ("!", "\u01c3"),  # ǃ, Latin letter retroflex click
        ("lan", "Ian"),  # capital i
        ("google", "g00gle"),
        ("fiona", "\ufb01ona"),  # the ﬁ ligature, by NFKC
        ("paypal", "p\u0430yp\u0430l"),
    ],
)
def test_look_alikes_share_a_skeleton(one, other):
    assert usernames.skeleton(one) == usernames.skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("alice", "alicia"), ("bob", "rob"), ("ian", "lan")])
def test_different_names_do_not(one, other):
    assert usernames.skeleton(one) != usernames.skeleton(other)


@pytest.mark.parametrize(
    ("one", "other"), [("admin", "\u0410DMIN"), ("admin", "ADMlN"), ("mary", "rnary")]
)
def test_a_name_clashes_with_look_alikes_of_its_other_cases(one, other):
    """ "АDMIN" (Cyrillic А) is not like "admin" as shown, but like "ADMIN", which logs in as
    admin: names clash when a case form of one looks like one of the other."""
    assert usernames.skeleton_hashes(one) & usernames.skeleton_hashes(other)


def test_nfkc():
    assert usernames.normalize("\ufb01ona") == "fiona"
    assert usernames.normalize("\uff41\uff4c\uff49\uff43\uff45") == "alice"  # full-width
    assert usernames.normalize(" \U0001d41a\U0001d41b ") == "ab"  # mathematical bold


def _signup(username: str, email: str = "new@example.org"):
    return Client().post(
        "/accounts/signup/",
        {"email": email, "username": username, "password1": PASSWORD, "password2": PASSWORD},
    )


@pytest.mark.django_db
def test_signup_stores_the_nfkc_form(mailoutbox):
    assert _signup("\ufb01ona").status_code == 302
    assert User.objects.filter(username="fiona").exists()
    stored = UsernameSkeleton.objects.filter(user__username="fiona").values_list("hash", flat=True)
    assert set(stored) == usernames.skeleton_hashes("fiona")


@pytest.mark.django_db
@pytest.mark.parametrize("lookalike", ["\u0430dmin", "\u0410DMIN", "Adm1n", "\ufb01ona"])
def test_signup_refuses_a_look_alike_of_an_existing_name(lookalike, mailoutbox):
    make_user("admin")
    make_user("fiona")
    response = _signup(lookalike)
    assert response.status_code == 200
    page = response.content.decode()
    assert "looks like an existing username" in page or "username already exists" in page
    assert User.objects.count() == 2 and not mailoutbox


@pytest.mark.django_db
def test_the_error_names_the_existing_name(mailoutbox):
    make_user("admin")
    page = _signup("\u0430dmin").content.decode()
    assert "looks like an existing username (&quot;admin&quot;)" in page


@pytest.mark.django_db
def test_an_unrelated_name_still_signs_up(mailoutbox):
    make_user("admin")
    assert _signup("adrian").status_code == 302


@pytest.mark.django_db
def test_a_rename_keeps_the_skeleton_current():
    user = make_user("alice")
    user.username = "\u0430lice2"
    user.save()
    stored = UsernameSkeleton.objects.filter(user=user).values_list("hash", flat=True)
    assert set(stored) == usernames.skeleton_hashes("alice2")
    assert usernames.lookalike("alice2") == user
    assert usernames.lookalike("alice") is None


@pytest.mark.django_db
def test_the_admin_refuses_a_look_alike_and_normalises():
    make_user("admin")
    staff = make_user("staff", is_staff=True, is_superuser=True)
    client = logged_in(staff)
    refused = client.post(
        "/admin/auth/user/add/",
        {"username": "\u0430dmin", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert refused.status_code == 200
    assert "looks like an existing username" in refused.content.decode()
    added = client.post(
        "/admin/auth/user/add/",
        {"username": "\ufb01ona", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert added.status_code == 302
    assert User.objects.filter(username="fiona").exists()


@pytest.mark.django_db
def test_the_admin_change_form_refuses_a_look_alike_but_keeps_the_own_name():
    make_user("admin")
    bob = make_user("bob")
    staff = make_user("staff", is_staff=True, is_superuser=True)
    client = logged_in(staff)
    form = {
        "username": "b0b",
        "email": "bob@example.org",
        "is_active": "on",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2025-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    own = client.post(f"/admin/auth/user/{bob.pk}/change/", form)  # b0b looks like bob: fine
    assert own.status_code == 302, own.content.decode()[:2000]
    taken = client.post(f"/admin/auth/user/{bob.pk}/change/", {**form, "username": "\u0430dmin"})
    assert taken.status_code == 200
    assert "looks like an existing username" in taken.content.decode()
    bob.refresh_from_db()
    assert bob.username == "b0b"


@pytest.mark.django_db
def test_user_pages_find_the_nfkc_form():
    make_user("fiona")
    client = Client()
    assert client.get("/users/\ufb01ona").status_code == 200
    assert client.get("/feeds/users/\ufb01ona.rss").status_code == 200
    assert client.get("/api/v1/users/\ufb01ona/submissions").status_code == 200
    assert client.get("/users/nobody").status_code == 404
    assert client.get("/users/fi%00ona").status_code == 400  # the bad-input middleware: NUL


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_accounts_their_skeletons():
    """accounts 0002 over stored accounts (the real old schema, as tests/ops/test_upgrade.py
    does it), on the suite's SQLite and PostgreSQL passes."""
    from tests.ops.test_upgrade import migrate_to

    old = migrate_to([("accounts", "0001_initial")])
    try:
        old.get_model("auth", "User").objects.create(username="admin", password="!")
    finally:
        migrate_to()
    admin = User.objects.get(username="admin")
    stored = UsernameSkeleton.objects.filter(user=admin).values_list("hash", flat=True)
    assert set(stored) == usernames.skeleton_hashes("admin")
    assert usernames.lookalike("\u0430dmin") == admin
