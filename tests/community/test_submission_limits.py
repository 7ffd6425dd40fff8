"""Submissions are throttled per account (a burst) and per client address behind the trusted
proxies (PAPERFEED_LIMIT_SUBMIT; issue 14 item 3), on the page and in the API, on top of the
daily limit; every POST counts, queued or refused, and an over-limit one stores nothing."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from paperfeed import config
from paperfeed.accounts import tokens
from paperfeed.community.models import Submission
from tests.community.factories import logged_in, make_paper, make_user

pytestmark = pytest.mark.django_db
BEHIND_NGINX = config.TrustedProxies(count=1)


@pytest.fixture
def stored(db):
    return [make_paper().pk for _ in range(6)]


@override_settings(PAPERFEED_LIMIT_SUBMIT="3/m/user")
def test_a_user_submitting_fast_is_refused_with_429_and_nothing_stored(no_arxiv, alice, stored):
    client = logged_in(alice)
    codes = [client.post("/submit", {"paper": p}).status_code for p in stored[:3]]
    codes.append(client.post("/submit", {"paper": "2501.07777"}).status_code)  # queued: counts
    assert codes == [302, 302, 302, 429] and Submission.objects.count() == 3
    refused = client.post("/submit", {"paper": stored[4]})
    html = refused.content.decode()
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Too many paper submissions from your account: at most 3 per minute" in html
    assert f'value="{stored[4]}"' in html  # the form again, the text kept
    assert logged_in(make_user("bob")).post("/submit", {"paper": stored[5]}).status_code == 302


@override_settings(PAPERFEED_LIMIT_SUBMIT="2/h/ip")
def test_one_address_is_limited_whoever_is_logged_in(no_arxiv, stored):
    users = [logged_in(make_user(f"u{i}")) for i in range(3)]
    here = {"REMOTE_ADDR": "203.0.113.5"}
    assert users[0].post("/submit", {"paper": "2501.07777"}, **here).status_code == 302
    assert users[1].post("/submit", {"paper": "not an id"}, **here).status_code == 200  # counts
    assert users[2].post("/submit", {"paper": stored[0]}, **here).status_code == 429
    elsewhere = {"REMOTE_ADDR": "198.51.100.7"}
    assert users[2].post("/submit", {"paper": stored[0]}, **elsewhere).status_code == 302


@override_settings(PAPERFEED_LIMIT_SUBMIT="1/h/ip", PAPERFEED_TRUSTED_PROXIES=BEHIND_NGINX)
def test_behind_the_proxy_each_client_has_its_own_count(no_arxiv, alice, stored):
    client = logged_in(alice)
    nginx = {"REMOTE_ADDR": "127.0.0.1"}
    one = {**nginx, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    other = {**nginx, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    spoofed = {**nginx, "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.5"}  # made-up first hop
    assert client.post("/submit", {"paper": stored[0]}, **one).status_code == 302
    assert client.post("/submit", {"paper": stored[1]}, **spoofed).status_code == 429
    assert client.post("/submit", {"paper": stored[1]}, **other).status_code == 302


@override_settings(PAPERFEED_LIMIT_SUBMIT="2/m/user")
def test_the_api_answers_429_json_and_stores_nothing(no_arxiv, alice):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens.create_token(alice, 'bot')}"}
    api = Client()

    def post(paper: str):
        return api.post(
            "/api/v1/submissions", {"paper": paper}, content_type="application/json", **headers
        )

    assert [post(p).status_code for p in ("2501.07777", "2501.08888")] == [202, 202]
    refused = post("2501.09999")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    body = refused.json()
    assert body["detail"].startswith("Too many paper submissions") and body["retry_after"] == 60
    assert sorted(Submission.objects.values_list("arxiv_id", flat=True)) == [
        "2501.07777",
        "2501.08888",
    ]
