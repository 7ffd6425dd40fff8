"""Who may change what: Bearer tokens, sessions with CSRF, 401/403, and GET never writes."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.accounts.models import ApiToken
from paperfeed.accounts.tokens import revoke_token
from paperfeed.community.models import Comment, Submission, Vote
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db

WRITES = [
    ("post", "/api/v1/papers/2503.00001/vote", None),
    ("delete", "/api/v1/papers/2503.00001/vote", None),
    ("post", "/api/v1/papers/cs/9809007/comments", {"body": "hello"}),
    ("patch", "/api/v1/comments/1", {"body": "changed"}),
    ("delete", "/api/v1/comments/1", None),
    ("post", "/api/v1/submissions", {"paper": "2503.00002"}),
]


def call(client, method: str, url: str, payload=None, **extra):
    if payload is None:
        return getattr(client, method)(url, **extra)
    return getattr(client, method)(url, payload, content_type="application/json", **extra)


def state() -> tuple:
    """Everything a request could change."""
    return (
        sorted(Vote.objects.values_list("user_id", "paper_id")),
        sorted(Comment.objects.values_list("pk", "body", "hidden")),
        sorted(Submission.objects.values_list("arxiv_id", "paper_id", "user_id", "state")),
        sorted(Paper.objects.values_list("pk", "upvotes", "feed_day", "deleted")),
    )


@pytest.mark.parametrize(("method", "url", "payload"), WRITES)
def test_every_write_without_credentials_is_401(client, papers, method, url, payload):
    before = state()
    response = call(client, method, url, payload)
    assert response.status_code == 401
    assert "authentication required" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert state() == before


@pytest.mark.parametrize(
    "header", ["Bearer pf_00000000_" + "x" * 43, "Bearer nonsense", "Basic YWxpY2U6cHc=", "Bearer "]
)
def test_bad_tokens_are_401(client, papers, header):
    response = client.post("/api/v1/papers/2503.00001/vote", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and not Vote.objects.exists()


def test_revoked_token_and_deactivated_user_are_refused(client, papers, alice, alice_token):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {alice_token}"}
    assert client.post("/api/v1/papers/2503.00001/vote", **auth).status_code == 200
    alice.is_active = False
    alice.save()
    assert client.delete("/api/v1/papers/2503.00001/vote", **auth).status_code == 401
    alice.is_active = True
    alice.save()
    revoke_token(alice, ApiToken.objects.get(user=alice).pk)
    assert client.delete("/api/v1/papers/2503.00001/vote", **auth).status_code == 401
    assert Vote.objects.count() == 1


def test_session_needs_the_csrf_token(papers, alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    refused = browser.post("/api/v1/papers/2503.00001/vote")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Vote.objects.exists()
    token = "csrfSecretOf32LettersAndDigits00"  # what a page's csrftoken cookie holds
    browser.cookies["csrftoken"] = token
    wrong = browser.post("/api/v1/papers/2503.00001/vote", HTTP_X_CSRFTOKEN="x" * 32)
    assert wrong.status_code == 403 and not Vote.objects.exists()
    accepted = browser.post("/api/v1/papers/2503.00001/vote", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200 and accepted.json()["voted"] is True


def test_bearer_token_needs_no_csrf_token(papers, alice, alice_token):
    script = Client(enforce_csrf_checks=True)
    response = script.post(
        "/api/v1/papers/2503.00001/vote", HTTP_AUTHORIZATION=f"Bearer {alice_token}"
    )
    assert response.status_code == 200 and response.json()["upvotes"] == 1


def test_get_endpoints_never_change_state(alice_api, papers, alice, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    Comment.objects.create(paper_id="2503.00001", user=alice, body="x", body_html="x")
    submitted = Submission.objects.create(paper_id="2503.00003", user=alice)
    before = state()
    urls = [
        "/api/daily_papers?date=2025-03-18",
        "/api/daily_papers?sort=trending",
        "/api/papers/2503.00001",
        "/api/papers/cs/9809007",
        "/api/v1/papers/2503.00001",
        "/api/v1/papers/2503.00001/similar",
        "/api/v1/papers/2503.00001/comments",
        "/api/v1/papers/2503.00001/vote",
        "/api/v1/feeds/daily",
        "/api/v1/feeds/weekly",
        "/api/v1/feeds/monthly",
        "/api/v1/feeds/trending",
        "/api/v1/users/alice/submissions",
        "/api/v1/users/alice/upvotes",
        f"/api/v1/submissions/{submitted.pk}",
        "/api/openapi.json",
    ]
    for url in urls:
        assert alice_api.get(url).status_code in {200, 405}, url
    assert state() == before
