"""GET /api/v1/users/{username}/submissions and /upvotes: a user's lists, newest first."""

from __future__ import annotations

from paperfeed.community.models import Submission
from paperfeed.community.votes import set_vote


def test_user_lists(client, papers, alice, bob):
    set_vote(alice, "2503.00002", True)
    set_vote(alice, "2503.00003", True)
    Submission.objects.create(paper_id="2503.00004", user=alice)
    upvotes = client.get("/api/v1/users/alice/upvotes").json()
    assert [p["id"] for p in upvotes["items"]] == ["2503.00003", "2503.00002"]
    assert upvotes["total"] == 2 and upvotes["items"][0]["voted"] is None
    submitted = client.get("/api/v1/users/alice/submissions").json()
    assert [p["id"] for p in submitted["items"]] == ["2503.00004"]
    assert client.get("/api/v1/users/bob/upvotes").json()["items"] == []
    missing = client.get("/api/v1/users/nobody/submissions")
    assert missing.status_code == 404 and "nobody" in missing.json()["detail"]
    assert client.get("/api/v1/users/alice/upvotes", {"per_page": 500}).status_code == 400
