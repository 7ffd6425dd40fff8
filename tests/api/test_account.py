"""GET /api/v1/me/export and DELETE /api/v1/me (token or session)."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from paperfeed.community.models import Comment
from paperfeed.papers.models import Paper
from tests.accounts.account_data import fill
from tests.community.factories import PASSWORD, logged_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    return make_user("carol")


@pytest.fixture
def carol_api(client, carol):
    from paperfeed.accounts.tokens import create_token

    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {create_token(carol, 'api tests')}"
    return client


def test_export_with_a_token(carol_api, carol, bob):
    world = fill(carol, bob)
    response = carol_api.get("/api/v1/me/export")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["version"] == 1 and {v["paper_id"] for v in data["votes"]} == {
        world.p1.pk,
        world.p2.pk,
    }
    assert [t["name"] for t in data["api_tokens"]] == ["api tests", "my script"]


def test_export_needs_credentials(client):
    assert client.get("/api/v1/me/export").status_code == 401
    assert client.delete("/api/v1/me", "{}", content_type="application/json").status_code == 401


def test_export_with_a_session(carol):
    assert logged_in(carol).get("/api/v1/me/export").status_code == 200


@override_settings(PAPERFEED_LIMIT_ACCOUNT_EXPORT="1/h/user")
def test_export_is_limited(carol_api):
    assert carol_api.get("/api/v1/me/export").status_code == 200
    refused = carol_api.get("/api/v1/me/export")
    assert refused.status_code == 429 and refused.json()["retry_after"] > 0


def _delete(client, **body):
    return client.delete("/api/v1/me", json.dumps(body), content_type="application/json")


def test_delete_refuses_a_wrong_password(carol_api, carol):
    response = _delete(carol_api, password="wrong", keep_comments=True)
    assert response.status_code == 400 and "password" in response.json()["detail"]
    assert _delete(carol_api, password=PASSWORD).status_code == 422  # keep_comments missing
    assert get_user_model().objects.filter(pk=carol.pk).exists()


def test_delete_with_a_token_keeping_comments(carol_api, carol, bob):
    world = fill(carol, bob)
    response = _delete(carol_api, password=PASSWORD, keep_comments=True)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "deleted": True,
        "votes": 2,
        "comments_kept": 3,
        "comments_removed": 0,
        "submissions_kept": 1,
        "digest_subscriptions": 2,
    }
    assert not get_user_model().objects.filter(username="carol").exists()
    assert Paper.objects.get(pk=world.p1.pk).upvotes == 1
    assert carol_api.get("/api/v1/me/export").status_code == 401  # the token died with it
    # the comments API shows the kept comments with user null
    items = carol_api.get(f"/api/v1/papers/{world.p2.pk}/comments").json()["items"]
    assert [(c["user"], c["body"]) for c in items] == [(None, "Alone")]


def test_delete_with_a_session_needs_csrf_and_logs_out(carol, bob):
    fill(carol, bob)
    assert (
        _delete(
            logged_in(carol, enforce_csrf=True), password=PASSWORD, keep_comments=False
        ).status_code
        == 403
    )
    client = logged_in(carol)
    response = _delete(client, password=PASSWORD, keep_comments=False)
    assert response.status_code == 200 and response.json()["comments_removed"] == 3
    assert "_auth_user_id" not in client.session
    assert not Comment.objects.filter(body="Alone").exists()


def test_openapi_documents_the_routes(client):
    spec = client.get("/api/openapi.json").json()
    assert "get" in spec["paths"]["/api/v1/me/export"]
    assert "delete" in spec["paths"]["/api/v1/me"]
