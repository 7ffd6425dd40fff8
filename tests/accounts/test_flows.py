"""allauth flows as paperfeed configures them: verified sign-up, login, throttling, logout by
POST, password reset and change, Argon2 hashes; every page inside base.html."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from tests.community.factories import PASSWORD, logged_in, make_user

NEW_PASSWORD = "another-long-passphrase-77"


def _link(mail) -> str:
    match = re.search(r"https?://testserver(/accounts/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _logged_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).username if user_id else None


def _templates(response) -> set[str]:
    return {t.name for t in response.templates}


def _login(client: Client, login: str, password: str):
    return client.post("/accounts/login/", {"login": login, "password": password})


@pytest.mark.django_db
def test_signup_verification_then_login(mailoutbox):
    client = Client()
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="account-form"' in html and "base.html" in _templates(page)
    response = client.post(
        "/accounts/signup/",
        {
            "email": "carol@example.org",
            "username": "carol",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert _logged_in_as(client) is None  # mandatory verification: not logged in yet
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["carol@example.org"]
    assert mailoutbox[0].subject.startswith("[paperfeed] ")
    link = _link(mailoutbox[0])
    confirm_page = client.get(link)  # GET shows a button; it does not confirm
    assert confirm_page.status_code == 200

    assert not EmailAddress.objects.get(email="carol@example.org").verified
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="carol@example.org").verified
    fresh = Client()
    assert _login(fresh, "carol", PASSWORD).status_code == 302
    assert _logged_in_as(fresh) == "carol"
    by_email = Client()
    _login(by_email, "carol@example.org", PASSWORD)
    assert _logged_in_as(by_email) == "carol"


@pytest.mark.django_db
def test_unverified_user_cannot_log_in(mailoutbox):
    make_user("dave", verified=False)

    EmailAddress.objects.create(
        user=get_user_model().objects.get(username="dave"),
        email="dave@example.org",
        verified=False,
        primary=True,
    )
    client = Client()
    response = _login(client, "dave", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert _logged_in_as(client) is None
    assert [m.to for m in mailoutbox] == [["dave@example.org"]]  # a fresh confirmation link


@pytest.mark.django_db
def test_failed_logins_are_throttled():
    make_user("erin")
    client = Client()
    for _ in range(5):
        response = _login(client, "erin", "wrong-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    blocked = _login(client, "erin", PASSWORD)  # even the right password, for a while
    assert blocked.status_code in (200, 429)
    assert "Too many failed login attempts" in blocked.content.decode()
    assert _logged_in_as(client) is None
    make_user("frank")  # another account is not blocked by erin's failures
    assert _login(Client(), "frank", PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("right", ["erin", "ERIN@example.org", "\uff45rin"])
def test_failed_logins_count_against_the_account_however_it_is_typed(right):
    """Five failures in all, each way of naming erin's account (her name in other cases and
    Unicode forms, her address) in one bucket: then even the right password is refused."""
    make_user("erin")
    client = Client()
    for typed in ["erin", "Erin", "erin@example.org", "ERIN@EXAMPLE.ORG", "\uff45rin"]:
        response = _login(client, typed, "wrong-password")
        assert "not correct" in response.content.decode(), typed
    blocked = _login(client, right, PASSWORD)
    assert "Too many failed login attempts" in blocked.content.decode()
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_a_login_in_another_unicode_form_finds_the_account():
    make_user("fiona")
    client = Client()
    assert _login(client, "\ufb01ona", PASSWORD).status_code == 302
    assert _logged_in_as(client) == "fiona"


@pytest.mark.django_db
def test_logout_needs_post(alice):
    client = logged_in(alice)
    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and _logged_in_as(client) == "alice"
    assert 'method="post"' in page.content.decode()
    assert client.post("/accounts/logout/").status_code == 302
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_login_post_needs_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    assert _login(client, "alice", PASSWORD).status_code == 403
    assert _logged_in_as(client) is None


@pytest.mark.django_db
def test_password_reset_by_email(alice, mailoutbox):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.org"]
    link = _link(mailoutbox[0])
    form_page = client.get(link, follow=True)  # allauth moves the key into the session
    assert form_page.status_code == 200 and b"password1" in form_page.content
    form_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert _login(Client(), "alice", PASSWORD).status_code != 302
    fresh = Client()
    assert _login(fresh, "alice", NEW_PASSWORD).status_code == 302
    assert _logged_in_as(fresh) == "alice"


@pytest.mark.django_db
def test_password_reset_for_an_unknown_email_sends_nothing_revealing(mailoutbox):
    Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert not any("/accounts/password/reset/key/" in m.body for m in mailoutbox)


@pytest.mark.django_db
def test_password_change(alice):
    client = logged_in(alice)
    assert client.get("/accounts/password/change/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) and not alice.check_password(PASSWORD)
    wrong_old = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "not-it",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert wrong_old.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_production_hashers_store_argon2():
    from paperfeed import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = get_user_model().objects.create_user("hash", "h@example.org", PASSWORD)
        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/",
    ],
)
@pytest.mark.django_db
def test_anonymous_account_pages_use_the_site_layout(url):
    response = Client().get(url)
    assert response.status_code == 200
    assert {"base.html", "allauth/layouts/base.html"} <= _templates(response)
    assert re.search(r"<title>\s*\S", response.content.decode())


@pytest.mark.parametrize(
    "url", ["/accounts/logout/", "/accounts/password/change/", "/accounts/email/"]
)
@pytest.mark.django_db
def test_logged_in_account_pages_use_the_site_layout(alice, url):
    response = logged_in(alice).get(url)
    assert response.status_code == 200
    assert "base.html" in _templates(response)
