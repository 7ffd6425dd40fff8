"""GET /api/v1/papers/{id} and /similar; the OpenAPI document."""

from __future__ import annotations

import pytest

from paperfeed.community.models import Comment, Submission
from paperfeed.community.votes import set_vote

pytestmark = pytest.mark.django_db


def test_paper_in_native_shape(client, papers, alice):
    Submission.objects.create(paper_id="2503.00001", user=alice)
    Comment.objects.create(paper_id="2503.00001", user=alice, body="hi", body_html="<p>hi</p>")
    Comment.objects.create(paper_id="2503.00001", user=alice, body="x", body_html="x", hidden=True)
    set_vote(alice, "2503.00001", True)
    response = client.get("/api/v1/papers/2503.00001")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "2503.00001" and body["categories"] == ["cs.CL", "cs.LG"]
    assert body["primary_category"] == "cs.CL"
    assert [a["name"] for a in body["authors"]] == ["Ada Lovelace", "Alan Turing"]
    assert body["upvotes"] == 1 and body["n_comments"] == 1  # the hidden one is not counted
    assert body["submitted_by"] == {"username": "alice"} and body["submitted_at"]
    assert body["voted"] is None  # anonymous caller
    assert body["published"] == "2025-03-14"
    assert body["links"]["abs"] == "https://arxiv.org/abs/2503.00001"
    assert body["links"]["html"] == "/papers/2503.00001"


def test_voted_is_the_callers_vote(client, papers, alice, bob):
    set_vote(alice, "2503.00002", True)
    client.force_login(alice)
    assert client.get("/api/v1/papers/2503.00002").json()["voted"] is True
    client.force_login(bob)
    assert client.get("/api/v1/papers/2503.00002").json()["voted"] is False


def test_old_style_ids_and_errors(client, papers):
    assert client.get("/api/v1/papers/cs/9809007").json()["id"] == "cs/9809007"
    missing = client.get("/api/v1/papers/2501.00009")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no paper '2501.00009' in this paperfeed"}
    bad = client.get("/api/v1/papers/hello")
    assert bad.status_code == 400 and bad.json()["detail"].startswith("id:")


def test_similar_without_vectors_is_empty_not_an_error(client, papers, data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    response = client.get("/api/v1/papers/cs/9809007/similar")
    assert response.status_code == 200
    assert response.json() == {
        "id": "cs/9809007",
        "sort": "relevance",
        "total": 0,
        "limit": 10,
        "offset": 0,
        "has_next": False,
        "items": [],
    }
    assert client.get("/api/v1/papers/2501.00009/similar").status_code == 404
    assert client.get("/api/v1/papers/cs/9809007/similar", {"limit": 0}).status_code == 400


def test_openapi_document_lists_every_route(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    expected = {
        "/api/daily_papers": {"get"},
        "/api/papers/search": {"get"},
        "/api/papers/{paper_id}": {"get"},
        "/api/v1/papers/{paper_id}": {"get"},
        "/api/v1/papers/{paper_id}/similar": {"get"},
        "/api/v1/similar": {"get"},
        "/api/v1/papers/{paper_id}/vote": {"post", "delete"},
        "/api/v1/papers/{paper_id}/comments": {"get", "post"},
        "/api/v1/comments/{comment_id}": {"patch", "delete"},
        "/api/v1/feeds/daily": {"get"},
        "/api/v1/feeds/weekly": {"get"},
        "/api/v1/feeds/monthly": {"get"},
        "/api/v1/feeds/trending": {"get"},
        "/api/v1/search": {"get"},
        "/api/v1/submissions": {"post"},
        "/api/v1/submissions/{submission_id}": {"get"},
        "/api/v1/users/{username}/submissions": {"get"},
        "/api/v1/users/{username}/upvotes": {"get"},
        "/api/v1/users/{username}/papers": {"get"},
        "/api/v1/me/claims": {"get"},
        "/api/v1/claims": {"post"},
        "/api/v1/claims/{claim_id}/withdraw": {"post"},
        "/api/v1/for-you": {"get"},
        "/api/v1/me/mutes": {"get", "post"},
        "/api/v1/me/mutes/{mute_id}": {"delete"},
        "/api/v1/me/follows": {"get", "post"},
        "/api/v1/me/follows/{follow_id}": {"patch", "delete"},
        "/api/v1/me/follows/{follow_id}/papers": {"get"},
        "/api/v1/me/feed-token": {"get", "post"},
        "/api/v1/me/preferences": {"get", "patch"},
        "/api/v1/me/seen": {"get", "post"},
        "/api/v1/me/seen/{paper_id}": {"delete"},
        "/api/v1/me/export": {"get"},
        "/api/v1/me": {"delete"},
        "/api/v1/me/onboarding": {"get"},
        "/api/v1/me/onboarding/categories": {"put"},
        "/api/v1/me/onboarding/topics": {"put"},
        "/api/v1/me/onboarding/suggestions": {"get"},
        "/api/v1/me/onboarding/done": {"post"},
        "/api/v1/papers/{paper_id}/feedback": {"put"},
        "/api/v1/me/collections": {"get", "post"},
        "/api/v1/me/saved": {"post"},
        "/api/v1/collections/public": {"get"},
        "/api/v1/collections/{collection_id}": {"get", "patch", "delete"},
        "/api/v1/collections/{collection_id}/items": {"post", "delete"},
        "/api/v1/collections/{collection_id}/note": {"put"},
        "/api/v1/collections/{collection_id}/order": {"put"},
        "/api/v1/collections/{collection_id}/invitations": {"post"},
        "/api/v1/collections/{collection_id}/{answer}": {"post"},
        "/api/v1/library/resolve": {"post"},
        "/api/v1/collections/{collection_id}/import": {"post"},
        "/api/v1/collections/{collection_id}/export": {"get"},
        "/api/v1/me/library/export": {"get"},
        "/api/v1/papers/{paper_id}/export": {"get"},
        "/api/v1/search/export": {"get"},
        "/api/v1/orgs": {"post"},
        "/api/v1/orgs/{slug}": {"get"},
        "/api/v1/orgs/{slug}/members": {"post", "delete"},
        "/api/v1/orgs/{slug}/papers": {"post", "delete"},
    }
    assert {p: set(ops) for p, ops in paths.items()} == expected
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method in {"post", "put", "patch", "delete"} or path in {
                "/api/v1/for-you",
                "/api/v1/me/mutes",
                "/api/v1/me/follows",
                "/api/v1/me/follows/{follow_id}/papers",
                "/api/v1/me/feed-token",
                "/api/v1/me/preferences",
                "/api/v1/me/seen",
                "/api/v1/me/export",
                "/api/v1/me/collections",
                "/api/v1/me/claims",
                "/api/v1/me/library/export",
                "/api/v1/me/onboarding",
                "/api/v1/me/onboarding/suggestions",
                "/api/v1/submissions/{submission_id}",
            }:
                assert operation.get("security"), f"{method} {path} has no auth"
            else:
                assert not operation.get("security"), f"{method} {path} should be public"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and b"/api/openapi.json" in docs.content
    assert b"cdn." not in docs.content  # Swagger UI is served from this site's static files


def test_unknown_api_paths_are_json_404s(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"detail": "no API route /api/v1/nothing/here; see /api/docs"}
    assert client.get("/api/daily_paper").json()["error"].startswith("no API route")
