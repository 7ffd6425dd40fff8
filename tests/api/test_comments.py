"""Comments through the API: thread, add, reply, edit, delete; escaping; permissions."""

from __future__ import annotations

import pytest

from paperfeed.community.models import Comment

pytestmark = pytest.mark.django_db


def post(client, paper_id: str, **payload):
    return client.post(
        f"/api/v1/papers/{paper_id}/comments", payload, content_type="application/json"
    )


def test_add_reply_and_list(alice_api, papers, bob):
    first = post(alice_api, "2503.00001", body="Nice **result**. <script>alert(1)</script>")
    assert first.status_code == 201
    comment = first.json()
    assert comment["user"] == {"username": "alice"} and comment["parent_id"] is None
    assert "<strong>result</strong>" in comment["body_html"]
    assert "<script>" not in comment["body_html"]
    reply = post(alice_api, "2503.00001", body="Thanks", parent_id=comment["id"])
    assert reply.status_code == 201 and reply.json()["parent_id"] == comment["id"]
    Comment.objects.create(
        paper_id="2503.00001", user=bob, body="spam", body_html="spam", hidden=True
    )
    thread = alice_api.get("/api/v1/papers/2503.00001/comments").json()
    assert thread["total"] == 2 and len(thread["items"]) == 1
    assert [r["body"] for r in thread["items"][0]["replies"]] == ["Thanks"]


def test_old_style_id_and_errors(alice_api, papers):
    assert post(alice_api, "cs/9809007", body="An old one").status_code == 201
    assert alice_api.get("/api/v1/papers/cs/9809007/comments").json()["total"] == 1
    assert post(alice_api, "2501.09999", body="x").status_code == 404
    assert alice_api.get("/api/v1/papers/2501.09999/comments").status_code == 404
    empty = post(alice_api, "2503.00001", body="   ")
    assert empty.status_code == 400 and "empty" in empty.json()["detail"]
    missing_body = post(alice_api, "2503.00001")
    assert missing_body.status_code == 422 and "body" in missing_body.json()["detail"]
    assert post(alice_api, "2503.00001", body="x", parent_id=999999).status_code == 404


def test_edit_and_delete_own_comment_only(client, alice_api, papers, alice, bob):
    comment_id = post(alice_api, "2503.00001", body="first draft").json()["id"]
    edited = alice_api.patch(
        f"/api/v1/comments/{comment_id}", {"body": "final"}, content_type="application/json"
    )
    assert edited.status_code == 200
    assert edited.json()["body"] == "final" and edited.json()["edited"]
    client.defaults.pop("HTTP_AUTHORIZATION")
    client.force_login(bob)
    forbidden = client.patch(
        f"/api/v1/comments/{comment_id}", {"body": "mine now"}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    assert client.delete(f"/api/v1/comments/{comment_id}").status_code == 403
    assert Comment.objects.get(pk=comment_id).body == "final"
    client.force_login(alice)
    assert client.delete(f"/api/v1/comments/{comment_id}").status_code == 204
    assert not Comment.objects.filter(pk=comment_id).exists()
    assert client.delete(f"/api/v1/comments/{comment_id}").status_code == 404
